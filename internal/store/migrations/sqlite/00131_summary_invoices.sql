-- Summary invoices (合計請求書). Keep in step with the other dialect's 00131_summary_invoices.sql.
-- summary_sources holds one row per delivery note gathered into a summary invoice; its primary
-- key on the note is what keeps a note from being billed twice, even by concurrent requests.
-- Deleting the draft invoice releases its notes (ON DELETE CASCADE); cancelling it deletes
-- the rows (store.CancelDocument).

-- +goose Up
CREATE TABLE summary_invoices (
    invoice_id  TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    period_from TEXT NOT NULL, -- date
    period_to   TEXT NOT NULL, -- date
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX summary_invoices_customer ON summary_invoices (org_id, customer_id, period_to);

CREATE TABLE summary_sources (
    delivery_note_id TEXT PRIMARY KEY REFERENCES documents (id),
    invoice_id       TEXT NOT NULL REFERENCES summary_invoices (invoice_id) ON DELETE CASCADE,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX summary_sources_invoice ON summary_sources (invoice_id);

-- +goose Down
DROP TABLE summary_sources;
DROP TABLE summary_invoices;
