-- Recurring invoices (internal/recurring) and customers' payment terms. Keep in step with the
-- other dialect's 00130_recurring.sql. A schedule_runs row exists once per (schedule, period):
-- its primary key is what makes each period's invoice happen at most once, on every replica.

-- +goose Up
ALTER TABLE customers ADD COLUMN payment_terms JSONB; -- JSON document.PaymentTerms, NULL for none

CREATE TABLE schedules (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name        TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1, -- 1 running, 0 paused
    not_before  TEXT NOT NULL DEFAULT '', -- date: runs before it were skipped while paused
    run_count   INTEGER NOT NULL DEFAULT 0, -- the next run's sequence number
    last_run    TEXT NOT NULL DEFAULT '', -- date of the last run made
    body        JSONB NOT NULL, -- JSON of recurring.Schedule (interval, day, start, template ...)
    created_by  TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX schedules_org ON schedules (org_id, created_at);
CREATE INDEX schedules_active ON schedules (active, org_id);

CREATE TABLE schedule_runs (
    schedule_id TEXT NOT NULL,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    period_from TEXT NOT NULL, -- date
    period_to   TEXT NOT NULL, -- date
    run_date    TEXT NOT NULL, -- date
    document_id TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (schedule_id, period_from)
);
CREATE INDEX schedule_runs_document ON schedule_runs (org_id, document_id);

-- +goose Down
DROP TABLE schedule_runs;
DROP TABLE schedules;
ALTER TABLE customers DROP COLUMN payment_terms;
