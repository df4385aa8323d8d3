-- Sending documents by e-mail: each send is a delivery (its job sends it once), a delivery with
-- a link has a document_links row (the token is stored only as its SHA-256), every view and
-- download of a link is a link_accesses row, and each organisation has its mail settings
-- (templates, sender, link lifetime, reminders). reminder_runs claims each automatic reminder
-- of an invoice once, whatever the number of replicas.

-- +goose Up
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id     TEXT NOT NULL REFERENCES documents (id),
    purpose         TEXT NOT NULL DEFAULT 'document', -- document | reminder
    status          TEXT NOT NULL,                    -- queued | sending | sent | failed
    to_addrs        TEXT NOT NULL,                   -- []string as typed
    cc_addrs        TEXT NOT NULL DEFAULT '[]',
    subject         TEXT NOT NULL,
    message         TEXT NOT NULL,                    -- the body; {{link}} is filled when sent
    attach_pdf      INTEGER NOT NULL DEFAULT 0,
    link            INTEGER NOT NULL DEFAULT 0,
    access_code_hash TEXT NOT NULL DEFAULT '',
    idempotency_key TEXT,
    message_id      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    claimed_attempt INTEGER NOT NULL DEFAULT 0,        -- the job attempt that handed it to SMTP
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         TEXT,
    error           TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL,
    UNIQUE (org_id, idempotency_key)
) STRICT;
CREATE INDEX deliveries_document ON deliveries (org_id, document_id, created_at);
CREATE INDEX deliveries_org ON deliveries (org_id, created_at);

CREATE TABLE document_links (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id      TEXT NOT NULL REFERENCES documents (id),
    delivery_id      TEXT NOT NULL UNIQUE REFERENCES deliveries (id) ON DELETE CASCADE,
    token_hash       TEXT NOT NULL UNIQUE,
    access_code_hash TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    revoked_at       TEXT,
    revoked_by       TEXT
) STRICT;

CREATE TABLE link_accesses (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    link_id    TEXT NOT NULL REFERENCES document_links (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL, -- view | download
    at         TEXT NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX link_accesses_link ON link_accesses (link_id, at);

CREATE TABLE mail_settings (
    org_id              TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    subject_template    TEXT NOT NULL,
    message_template    TEXT NOT NULL,
    reminder_subject    TEXT NOT NULL,
    reminder_message    TEXT NOT NULL,
    sender_name         TEXT NOT NULL DEFAULT '',
    reply_to            TEXT NOT NULL DEFAULT '',
    link_days           INTEGER NOT NULL DEFAULT 60,
    reminders_enabled   INTEGER NOT NULL DEFAULT 0,
    reminder_after_days INTEGER NOT NULL DEFAULT 7,
    reminder_every_days INTEGER NOT NULL DEFAULT 14,
    reminder_max        INTEGER NOT NULL DEFAULT 3,
    updated_at          TEXT NOT NULL
) STRICT;

CREATE TABLE reminder_runs (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents (id),
    seq         INTEGER NOT NULL, -- 1 for the first automatic reminder, 2 …
    delivery_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, document_id, seq)
) STRICT;

-- +goose Down
DROP TABLE reminder_runs;
DROP TABLE mail_settings;
DROP TABLE link_accesses;
DROP TABLE document_links;
DROP TABLE deliveries;
