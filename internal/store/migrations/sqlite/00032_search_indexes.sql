-- Indexes for the search's filters (issue 17). Keep in step with
-- migrations/postgres/00032_search_indexes.sql.
--   customer: (org_id, customer_id, search_date, id) filters and orders in one walk;
--   exact amount: (org_id, gross, search_date, id) (an amount range does not use it: see filterConditions);
--   dashboard: covering (org_id, kind, status, search_date, gross) for the monthly totals (it
--     replaces documents_kind_status, a prefix of it).
-- Free text still scans the organisation's rows in date order (no FTS5 index yet).

-- +goose Up
CREATE INDEX documents_customer_date ON documents (org_id, customer_id, search_date, id);
DROP INDEX documents_customer;
CREATE INDEX documents_gross ON documents (org_id, gross, search_date, id);
CREATE INDEX documents_dashboard ON documents (org_id, kind, status, search_date, gross);
DROP INDEX documents_kind_status;

-- +goose Down
CREATE INDEX documents_kind_status ON documents (org_id, kind, status);
DROP INDEX documents_dashboard;
DROP INDEX documents_gross;
CREATE INDEX documents_customer ON documents (org_id, customer_id);
DROP INDEX documents_customer_date;
