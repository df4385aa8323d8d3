-- Free-text terms of two characters (保守, 点検, 山田) by an index of bigrams (issue 17). Keep the
-- number in step with migrations/sqlite/00260_short_terms.sql. pg_trgm's trigrams (00032) need
-- three characters: a two-character term was matched by LIKE over every row of the organisation
-- (a term no document has: 1.7 s at 1,000,000 documents). reportapp_bigrams is every pair of adjacent
-- characters of the folded search_text and customer_name; a GIN index over it finds the documents
-- that have a term's one bigram, and the LIKE of the search stays as the exact check. pg_bigm would do
-- the same but is not in PostgreSQL's contrib. One-character terms still walk the rows.

-- +goose Up
-- Every pair of adjacent characters: the pairs at even offsets, then those at odd ones, by two
-- passes of a regular expression (in C: 60 µs for a document of ~130 characters, where substr at
-- each offset took 280 µs, being linear in the offset for multibyte text). Duplicates are left to
-- GIN, which indexes each key of a row once; the pairs around search_text's line breaks are never
-- asked for (a term is trimmed), and cost an index key each.
-- +goose StatementBegin
CREATE FUNCTION reportapp_bigrams(search_text text, customer_name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT m[1] FROM regexp_matches(coalesce(search_text, '') || E'\n' || coalesce(customer_name, ''), '(..)', 'g') AS m
        UNION ALL
        SELECT m[1] FROM regexp_matches(substr(coalesce(search_text, '') || E'\n' || coalesce(customer_name, ''), 2), '(..)', 'g') AS m)
$$;
-- +goose StatementEnd
CREATE INDEX documents_bigrams ON documents USING gin (reportapp_bigrams(search_text, customer_name));

-- The planner's estimate of a LIKE over the columns as expressions (document_search.go: so that
-- pg_trgm's index is not asked for a short term) was the default, far too low for a common term:
-- with the bigram's own estimate it then read all 79,600 documents with 点検 by the index and
-- sorted them (100–150 ms at 1,000,000) instead of walking the dates (2.4 ms). Statistics on the
-- two expressions (PostgreSQL 14+; older servers go on without them) make the estimate true.
-- +goose StatementBegin
DO $$
BEGIN
    CREATE STATISTICS documents_search_text_expr ON (search_text || '') FROM documents;
    CREATE STATISTICS documents_customer_name_expr ON (customer_name || '') FROM documents;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'no statistics on expressions (%): a common 2-character term may be read by its index', SQLERRM;
END
$$;
-- +goose StatementEnd
ANALYZE documents;

-- +goose Down
DROP STATISTICS IF EXISTS documents_customer_name_expr;
DROP STATISTICS IF EXISTS documents_search_text_expr;
DROP INDEX documents_bigrams;
DROP FUNCTION reportapp_bigrams(text, text);
