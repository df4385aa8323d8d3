-- The first schema of reportapp on PostgreSQL. Keep in step with migrations/sqlite/00001_init.sql.
-- Timestamps are fixed-width UTC text (2006-01-02T15:04:05.000000Z) and dates 'YYYY-MM-DD' text,
-- the same on both databases; 00031 gives them proper types on PostgreSQL.

-- +goose Up
CREATE TABLE organizations (
    id                   TEXT PRIMARY KEY,
    slug                 TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    registration_number  TEXT NOT NULL DEFAULT '',
    postal_code          TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    bank_account         TEXT NOT NULL DEFAULT '',
    default_tax_rounding TEXT NOT NULL DEFAULT 'floor',
    number_prefixes      TEXT NOT NULL, -- JSON document.Prefixes
    logo                 BYTEA,
    seal                 BYTEA,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE, -- lower case
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE, -- hex SHA-256 of the plaintext, never the plaintext
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_org_user ON api_tokens (org_id, user_id);

CREATE TABLE customers (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    honorific           TEXT NOT NULL DEFAULT '',
    postal_code         TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    contact_person      TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    registration_number TEXT NOT NULL DEFAULT '',
    search_text         TEXT NOT NULL DEFAULT '', -- folded name, contact person, email
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (org_id, id)
);
CREATE INDEX customers_org_name ON customers (org_id, name, id);

CREATE TABLE documents (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL,
    status              TEXT NOT NULL,
    number              TEXT,   -- NULL while draft
    seq                 BIGINT, -- NULL while draft
    customer_id         TEXT NOT NULL,
    customer_name       TEXT NOT NULL DEFAULT '', -- folded; current name while draft, snapshot after
    issue_date          TEXT NOT NULL,
    search_date         TEXT NOT NULL, -- transaction date, else period start, else issue date
    gross               BIGINT NOT NULL,
    search_text         TEXT NOT NULL DEFAULT '', -- folded number, subject, item names
    related_document_id TEXT,
    version             BIGINT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    issued_at           TEXT,
    cancelled_at        TEXT,
    body                TEXT NOT NULL, -- JSON document.Document content
    -- A document can only refer to a customer of its own organisation.
    FOREIGN KEY (org_id, customer_id) REFERENCES customers (org_id, id)
);
CREATE UNIQUE INDEX documents_number ON documents (org_id, kind, number);
CREATE INDEX documents_search ON documents (org_id, search_date, id);
CREATE INDEX documents_kind_status ON documents (org_id, kind, status);
CREATE INDEX documents_customer ON documents (org_id, customer_id);

-- The last issued sequence per organisation and kind: issuing increments it in the issuing
-- transaction, so numbers are gap-free and never duplicated.
CREATE TABLE document_counters (
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind   TEXT NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind)
);

-- Every change of a document with its prior content (電子帳簿保存法). No foreign key to documents:
-- the history of a deleted draft is kept.
CREATE TABLE document_events (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    seq         BIGINT NOT NULL, -- the document's version before the change (0 for create)
    action      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    before_body TEXT -- JSON document.Document, NULL for create
);
CREATE INDEX document_events_document ON document_events (org_id, document_id, seq);

-- +goose Down
DROP TABLE document_events;
DROP TABLE document_counters;
DROP TABLE documents;
DROP TABLE customers;
DROP TABLE api_tokens;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organizations;
