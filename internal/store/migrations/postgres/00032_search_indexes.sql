-- Indexes for the search's filters (issue 17). Keep in step with
-- migrations/sqlite/00032_search_indexes.sql.
--   customer: (org_id, customer_id, search_date, id) filters and orders in one walk;
--   exact amount: (org_id, gross, search_date, id), which also gives the order;
--   dashboard: kind, status and the date with gross included, so the monthly totals read the
--     index only (it replaces documents_kind_status, a prefix of it);
--   free text: trigram GIN indexes on the folded text (pg_trgm, in the standard contrib
--     package). Without the extension (not installed, or no right to create it) the migration
--     goes on and free text scans the organisation's rows as before. Trigrams need 3 characters:
--     a 1–2 character term (e.g. 保守) is still matched with LIKE over the rows the other
--     filters leave.

-- +goose Up
CREATE INDEX documents_customer_date ON documents (org_id, customer_id, search_date, id);
DROP INDEX documents_customer;
CREATE INDEX documents_gross ON documents (org_id, gross, search_date, id);
CREATE INDEX documents_dashboard ON documents (org_id, kind, status, search_date) INCLUDE (gross);
DROP INDEX documents_kind_status;

-- +goose StatementBegin
DO $$
BEGIN
    -- In public, so that every schema of the database (tests make one each) shares it.
    CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    CREATE INDEX documents_search_text_trgm ON documents USING gin (search_text public.gin_trgm_ops);
    CREATE INDEX documents_customer_name_trgm ON documents USING gin (customer_name public.gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%): free-text search will scan', SQLERRM;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS documents_customer_name_trgm;
DROP INDEX IF EXISTS documents_search_text_trgm;
CREATE INDEX documents_kind_status ON documents (org_id, kind, status);
DROP INDEX documents_dashboard;
DROP INDEX documents_gross;
CREATE INDEX documents_customer ON documents (org_id, customer_id);
DROP INDEX documents_customer_date;
