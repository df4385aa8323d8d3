-- Payments of invoices, bank statements imported for 入金消込, the spellings of payers learned
-- from confirmed matches, and each organisation's list of transfer fees. Payments are records:
-- never updated except to void them, never deleted.

-- +goose Up
ALTER TABLE organizations ADD COLUMN transfer_fees JSONB NOT NULL DEFAULT '[110,220,330,440,660,770,880]'; -- []int64

CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    org_id            TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id       TEXT NOT NULL REFERENCES documents (id),
    date              DATE NOT NULL,
    amount            BIGINT NOT NULL CHECK (amount > 0),
    fee               BIGINT NOT NULL DEFAULT 0 CHECK (fee >= 0),
    method            TEXT NOT NULL,
    note              TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    created_by        TEXT NOT NULL,
    voided_at         TIMESTAMPTZ,
    voided_by         TEXT,
    void_reason       TEXT,
    statement_line_id TEXT, -- the bank statement line it was applied from
    UNIQUE (statement_line_id, document_id)
);
CREATE INDEX payments_document ON payments (org_id, document_id);

CREATE TABLE bank_statements (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    format     TEXT NOT NULL,
    encoding   TEXT NOT NULL,
    filename   TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX bank_statements_org ON bank_statements (org_id, created_at);

CREATE TABLE bank_statement_lines (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    statement_id  TEXT NOT NULL REFERENCES bank_statements (id) ON DELETE CASCADE,
    line_no       BIGINT NOT NULL,
    date          DATE NOT NULL,
    amount        BIGINT NOT NULL,
    payer_name    TEXT NOT NULL DEFAULT '',
    reference     TEXT NOT NULL DEFAULT '',
    deposit_key   TEXT NOT NULL, -- what makes a deposit the same deposit when imported again
    status        TEXT NOT NULL, -- matched | suggested | unmatched | duplicate
    match_ids     JSONB NOT NULL DEFAULT '[]', -- []string: proposed document ids
    match_fee     BIGINT NOT NULL DEFAULT 0,
    applied_at    TIMESTAMPTZ,
    applied_by    TEXT
);
CREATE INDEX bank_statement_lines_statement ON bank_statement_lines (org_id, statement_id, line_no);

-- The first import of a deposit claims its key; a later import of the same deposit finds the
-- claim and marks its line duplicate. A unique key, so that two imports at once cannot both win.
CREATE TABLE bank_deposits (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    deposit_key TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    PRIMARY KEY (org_id, deposit_key)
);

CREATE TABLE customer_payer_names (
    org_id      TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    name_key    TEXT NOT NULL, -- bank.NameKey of spelling
    spelling    TEXT NOT NULL, -- as the bank wrote it
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, customer_id, name_key),
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id) ON DELETE CASCADE
);

-- What the receivables queries filter and sum by, kept by the database from the body.
ALTER TABLE documents ADD COLUMN due_date TEXT GENERATED ALWAYS AS (body ->> 'due_date') STORED;
ALTER TABLE documents ADD COLUMN amount_due BIGINT GENERATED ALWAYS AS ((body #>> '{totals,amount_due}')::bigint) STORED;
CREATE INDEX documents_related ON documents (org_id, related_document_id);
CREATE INDEX documents_open_invoices ON documents (org_id, kind, status, due_date);

-- +goose Down
DROP INDEX documents_open_invoices;
DROP INDEX documents_related;
ALTER TABLE documents DROP COLUMN amount_due;
ALTER TABLE documents DROP COLUMN due_date;
DROP TABLE customer_payer_names;
DROP TABLE bank_deposits;
DROP TABLE bank_statement_lines;
DROP TABLE bank_statements;
DROP TABLE payments;
ALTER TABLE organizations DROP COLUMN transfer_fees;
