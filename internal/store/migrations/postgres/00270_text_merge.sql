-- SQLite's full-text tables merge their segments in the background from this migration on
-- (migrations/sqlite/00270_text_merge.sql). PostgreSQL's GIN indexes merge their pending lists
-- themselves (autovacuum, or gin_pending_list_limit on a write): nothing to do here; the number
-- keeps the two dialects in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
