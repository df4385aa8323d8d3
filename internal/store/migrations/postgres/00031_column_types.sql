-- Proper column types on PostgreSQL: timestamps become timestamptz, the documents' dates date and
-- the JSON columns jsonb, converted in place from the fixed-width UTC text
-- (2006-01-02T15:04:05.000000Z), 'YYYY-MM-DD' and JSON text they held. SQLite keeps its TEXT
-- columns (its 00031 is empty). The store reads and writes both through one Scanner/Valuer
-- (internal/store/time.go). Every later table uses these types (see internal/store/migrate.go).
--
-- USING reads the row as it was, so left(created_at, 10) is still the text of created_at.

-- +goose Up
ALTER TABLE organizations
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz,
    ALTER COLUMN number_prefixes TYPE jsonb USING number_prefixes::jsonb;

ALTER TABLE users
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz;

ALTER TABLE memberships
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz;

ALTER TABLE api_tokens
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
    ALTER COLUMN last_used_at TYPE timestamptz USING last_used_at::timestamptz,
    ALTER COLUMN revoked_at TYPE timestamptz USING revoked_at::timestamptz;

ALTER TABLE customers
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz;

ALTER TABLE documents
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz,
    ALTER COLUMN issued_at TYPE timestamptz USING issued_at::timestamptz,
    ALTER COLUMN cancelled_at TYPE timestamptz USING cancelled_at::timestamptz,
    ALTER COLUMN issue_date TYPE date USING COALESCE(NULLIF(issue_date, ''), left(created_at, 10))::date,
    ALTER COLUMN search_date TYPE date USING COALESCE(NULLIF(search_date, ''), left(created_at, 10))::date,
    ALTER COLUMN body TYPE jsonb USING body::jsonb;

ALTER TABLE document_events
    ALTER COLUMN at TYPE timestamptz USING at::timestamptz,
    ALTER COLUMN before_body TYPE jsonb USING before_body::jsonb;

ALTER TABLE auth_passwords
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz;

ALTER TABLE auth_identities
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz;

ALTER TABLE auth_allowed_domains
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz;

ALTER TABLE auth_throttle
    ALTER COLUMN blocked_until TYPE timestamptz USING blocked_until::timestamptz,
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz;

ALTER TABLE auth_setup_tokens
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
    ALTER COLUMN expires_at TYPE timestamptz USING expires_at::timestamptz,
    ALTER COLUMN used_at TYPE timestamptz USING used_at::timestamptz;

ALTER TABLE sessions
    ALTER COLUMN expiry TYPE timestamptz USING expiry::timestamptz;

ALTER TABLE exports
    ALTER COLUMN created_at TYPE timestamptz USING created_at::timestamptz,
    ALTER COLUMN updated_at TYPE timestamptz USING updated_at::timestamptz,
    ALTER COLUMN expires_at TYPE timestamptz USING expires_at::timestamptz,
    ALTER COLUMN filter TYPE jsonb USING filter::jsonb;

-- +goose Down
ALTER TABLE organizations
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN updated_at TYPE TEXT USING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN number_prefixes TYPE TEXT USING number_prefixes::text;

ALTER TABLE users
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE memberships
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE api_tokens
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN last_used_at TYPE TEXT USING to_char(last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN revoked_at TYPE TEXT USING to_char(revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE customers
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN updated_at TYPE TEXT USING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE documents
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN updated_at TYPE TEXT USING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN issued_at TYPE TEXT USING to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN cancelled_at TYPE TEXT USING to_char(cancelled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN issue_date TYPE TEXT USING to_char(issue_date, 'YYYY-MM-DD'),
    ALTER COLUMN search_date TYPE TEXT USING to_char(search_date, 'YYYY-MM-DD'),
    ALTER COLUMN body TYPE TEXT USING body::text;

ALTER TABLE document_events
    ALTER COLUMN at TYPE TEXT USING to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN before_body TYPE TEXT USING before_body::text;

ALTER TABLE auth_passwords
    ALTER COLUMN updated_at TYPE TEXT USING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE auth_identities
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE auth_allowed_domains
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE auth_throttle
    ALTER COLUMN blocked_until TYPE TEXT USING to_char(blocked_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN updated_at TYPE TEXT USING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE auth_setup_tokens
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN expires_at TYPE TEXT USING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN used_at TYPE TEXT USING to_char(used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE sessions
    ALTER COLUMN expiry TYPE TEXT USING to_char(expiry AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

ALTER TABLE exports
    ALTER COLUMN created_at TYPE TEXT USING to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN updated_at TYPE TEXT USING to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN expires_at TYPE TEXT USING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    ALTER COLUMN filter TYPE TEXT USING filter::text;
