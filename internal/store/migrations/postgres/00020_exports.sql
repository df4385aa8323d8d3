-- Bulk exports (internal/jobs): one row per requested export, its progress and, once done, the
-- ZIP itself, so that any replica can serve the download. Keep in step with
-- migrations/sqlite/00020_exports.sql. River's own tables are created by rivermigrate, not here.

-- +goose Up
CREATE TABLE exports (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_by  TEXT NOT NULL DEFAULT '',
    filter      TEXT NOT NULL, -- JSON of the document filter
    status      TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0, -- documents whose render failed (listed in index.csv)
    error       TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    worker      TEXT NOT NULL DEFAULT '', -- the River client that ran the last attempt
    zip         BYTEA,
    size        BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX exports_org ON exports (org_id, created_at);
CREATE INDEX exports_expires_at ON exports (expires_at);

-- +goose Down
DROP TABLE exports;
