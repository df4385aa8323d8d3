-- Free text by an FTS5 trigram index (issue 17). Keep the number in step with
-- migrations/postgres/00180_search_fts.sql (PostgreSQL has pg_trgm GIN indexes since 00032).
-- documents_fts indexes the folded search_text (number, subject, item names) and customer_name
-- of documents as trigrams, so a term of 3 or more characters finds its documents without
-- reading the organisation's rows (filterConditions: the LIKE stays, to keep its exact meaning).
-- It is an external-content table keyed by documents.rowid (SQLite keeps rowids on VACUUM; if
-- they ever changed, INSERT INTO documents_fts(documents_fts) VALUES ('rebuild') rebuilds it).
-- Terms of 1–2 characters (保守) have no trigram: they are matched by LIKE over the rows the
-- other conditions leave, newest first, as before.

-- +goose Up
CREATE VIRTUAL TABLE documents_fts USING fts5(
    search_text, customer_name, content = 'documents', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, search_text, customer_name) VALUES (new.rowid, new.search_text, new.customer_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, search_text, customer_name)
        VALUES ('delete', old.rowid, old.search_text, old.customer_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER documents_fts_update AFTER UPDATE OF search_text, customer_name ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, search_text, customer_name)
        VALUES ('delete', old.rowid, old.search_text, old.customer_name);
    INSERT INTO documents_fts (rowid, search_text, customer_name) VALUES (new.rowid, new.search_text, new.customer_name);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER documents_fts_update;
DROP TRIGGER documents_fts_delete;
DROP TRIGGER documents_fts_insert;
DROP TABLE documents_fts;
