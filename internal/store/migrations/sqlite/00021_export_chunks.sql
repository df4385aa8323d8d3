-- Export ZIPs in chunks (internal/jobs): the export job writes its ZIP as it goes, about 1 MiB a
-- row, and the download reads it back one row at a time, so neither holds the whole ZIP in
-- memory. attempt is the exports.attempts of the attempt that wrote the row: the download reads
-- the rows of the attempt that finished, never those of a stale attempt still running elsewhere.
-- Keep in step with migrations/postgres/00021_export_chunks.sql.
--
-- exports.zip is no longer written; the ZIPs it holds are moved here as one chunk each. The column
-- stays until every replica runs this version (an older one still selects it).

-- +goose Up
CREATE TABLE export_chunks (
    export_id TEXT NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
    attempt   INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    data      BLOB NOT NULL,
    PRIMARY KEY (export_id, attempt, seq)
) STRICT;
INSERT INTO export_chunks (export_id, attempt, seq, data)
    SELECT id, attempts, 0, zip FROM exports WHERE zip IS NOT NULL AND status = 'done';
UPDATE exports SET zip = NULL WHERE zip IS NOT NULL;

-- +goose Down
UPDATE exports SET status = 'failed', error = 'export chunks dropped by a schema downgrade'
    WHERE status = 'done' AND zip IS NULL;
DROP TABLE export_chunks;
