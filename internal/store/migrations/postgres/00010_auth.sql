-- Login state of package auth on PostgreSQL. Keep in step with migrations/sqlite/00010_auth.sql.
-- Timestamps are fixed-width UTC text, as in 00001_init.sql, until 00031 makes them timestamptz.

-- +goose Up
-- Local-account passwords: argon2id in the PHC string format (parameters and salt included).
CREATE TABLE auth_passwords (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- OIDC identities: (issuer, subject) is who the identity provider says someone is.
CREATE TABLE auth_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX auth_identities_user ON auth_identities (user_id);

-- E-mail domains ('example.co.jp') whose verified addresses may join an organisation with role.
CREATE TABLE auth_allowed_domains (
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    domain     TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, domain)
);
CREATE INDEX auth_allowed_domains_domain ON auth_allowed_domains (domain);

-- Failed logins per key ('account:<email>' or 'ip:<address>'), shared by all replicas.
CREATE TABLE auth_throttle (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    blocked_until TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- One-time first-run setup tokens (SHA-256 of the token, never the token).
CREATE TABLE auth_setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

-- scs sessions, keyed by the SHA-256 of the session token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    data       BYTEA NOT NULL,
    expiry     TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
DROP TABLE auth_setup_tokens;
DROP TABLE auth_throttle;
DROP TABLE auth_allowed_domains;
DROP TABLE auth_identities;
DROP TABLE auth_passwords;
