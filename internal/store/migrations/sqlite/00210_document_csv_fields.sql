-- The fields of the body that the document list's CSV shows, as columns of the same names as on
-- PostgreSQL (issue 17). SQLite cannot add stored generated columns; these virtual ones read the
-- body when selected, which SQLite parses once per row for all of them.
-- body_issuer_unqualified is 1 when the snapshot's issuer is not a qualified-invoice issuer (a
-- credit note's title is then 返還請求書); a draft has no snapshot (0).

-- +goose Up
ALTER TABLE documents ADD COLUMN body_subject TEXT GENERATED ALWAYS AS (json_extract(body, '$.subject')) VIRTUAL;
ALTER TABLE documents ADD COLUMN body_transaction_date TEXT GENERATED ALWAYS AS (json_extract(body, '$.transaction_date')) VIRTUAL;
ALTER TABLE documents ADD COLUMN body_transaction_period TEXT GENERATED ALWAYS AS (json_extract(body, '$.transaction_period')) VIRTUAL;
ALTER TABLE documents ADD COLUMN body_customer_name TEXT GENERATED ALWAYS AS (json_extract(body, '$.customer.name')) VIRTUAL;
ALTER TABLE documents ADD COLUMN body_issuer_unqualified INTEGER GENERATED ALWAYS AS
    (COALESCE(json_extract(body, '$.issuer.qualified_invoice_issuer') = 0, 0)) VIRTUAL;
ALTER TABLE documents ADD COLUMN body_totals TEXT GENERATED ALWAYS AS (json_extract(body, '$.totals')) VIRTUAL;

-- +goose Down
ALTER TABLE documents DROP COLUMN body_totals;
ALTER TABLE documents DROP COLUMN body_issuer_unqualified;
ALTER TABLE documents DROP COLUMN body_customer_name;
ALTER TABLE documents DROP COLUMN body_transaction_period;
ALTER TABLE documents DROP COLUMN body_transaction_date;
ALTER TABLE documents DROP COLUMN body_subject;
