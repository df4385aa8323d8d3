-- The number of migrations/sqlite/00180_search_fts.sql (an FTS5 trigram index for free text).
-- PostgreSQL already has its trigram GIN indexes (00032_search_indexes.sql): nothing to do.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
