-- Free-text terms of two characters (保守, 点検, 山田) by an index of bigrams (issue 17). Keep the
-- number in step with migrations/sqlite/00260_short_terms.sql. pg_trgm's trigrams (00032) need
-- three characters: a two-character term was matched by LIKE over every row of the organisation
-- (a term no document has: 1.7 s at 1,000,000 documents). reportapp_bigrams is the set of the
-- folded text's distinct pairs of adjacent characters, search_text's and customer_name's, without
-- the line breaks that separate search_text's parts; a GIN index over it finds the documents that
-- have a term's one bigram, and the LIKE of the search stays as the exact check. pg_bigm would do
-- the same but is not in PostgreSQL's contrib. One-character terms still walk the rows.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION reportapp_bigrams(search_text text, customer_name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT DISTINCT substr(s, i, 2)
        FROM unnest(ARRAY[coalesce(search_text, ''), coalesce(customer_name, '')]) AS s,
             generate_series(1, char_length(s) - 1) AS i
        WHERE strpos(substr(s, i, 2), E'\n') = 0)
$$;
-- +goose StatementEnd
CREATE INDEX documents_bigrams ON documents USING gin (reportapp_bigrams(search_text, customer_name));

-- +goose Down
DROP INDEX documents_bigrams;
DROP FUNCTION reportapp_bigrams(text, text);
