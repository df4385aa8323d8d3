-- Free-text terms of two characters (保守, 点検, 山田) by an index of bigrams (issue 17). Keep the
-- number in step with migrations/postgres/00260_short_terms.sql. FTS5's trigram index (00180)
-- finds no term shorter than three characters: a two-character term was matched by LIKE over the
-- organisation's rows. documents_bigrams holds each document's distinct bigrams of the folded
-- search_text and customer_name (without search_text's line breaks), each written as the hex of
-- its UTF-8 by reportapp_bigrams, a function the store registers (bigrams.go), so that the ascii
-- tokenizer keeps it one token. Contentless (it stores no text) and without positions
-- (detail=none): a term is one token, so a lookup is one posting list. The LIKE of the search stays
-- as the exact check. One-character terms still walk the rows.

-- +goose Up
CREATE VIRTUAL TABLE documents_bigrams USING fts5(
    grams, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii'
);
INSERT INTO documents_bigrams (rowid, grams)
    SELECT rowid, reportapp_bigrams(search_text, customer_name) FROM documents;

-- +goose StatementBegin
CREATE TRIGGER documents_bigrams_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_bigrams (rowid, grams) VALUES (new.rowid, reportapp_bigrams(new.search_text, new.customer_name));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER documents_bigrams_delete AFTER DELETE ON documents BEGIN
    DELETE FROM documents_bigrams WHERE rowid = old.rowid;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER documents_bigrams_update AFTER UPDATE OF search_text, customer_name ON documents BEGIN
    DELETE FROM documents_bigrams WHERE rowid = old.rowid;
    INSERT INTO documents_bigrams (rowid, grams) VALUES (new.rowid, reportapp_bigrams(new.search_text, new.customer_name));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER documents_bigrams_update;
DROP TRIGGER documents_bigrams_delete;
DROP TRIGGER documents_bigrams_insert;
DROP TABLE documents_bigrams;
