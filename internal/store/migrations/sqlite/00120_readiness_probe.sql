-- One row that readiness (store.DB.Ready) rewrites on every check, so that /readyz fails when
-- writes fail (a full disk, a read-only database) and not only when the database is unreachable.
-- Keep in step with the other dialect's 00120_readiness_probe.sql.

-- +goose Up
CREATE TABLE readiness_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE readiness_probe;
