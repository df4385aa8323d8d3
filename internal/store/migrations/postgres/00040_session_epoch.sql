-- Ending a user's sessions, and temporary passwords. Keep in step with
-- migrations/sqlite/00040_session_epoch.sql.

-- +goose Up
-- A session is valid only while it carries the user's current epoch: a password change or reset
-- increments it, which ends every other session of the user at its next request.
ALTER TABLE users ADD COLUMN session_epoch BIGINT NOT NULL DEFAULT 0;
-- true for a password an administrator set (invitation, reset): the user must choose their own
-- at the next login.
ALTER TABLE auth_passwords ADD COLUMN temporary BOOLEAN NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE auth_passwords DROP COLUMN temporary;
ALTER TABLE users DROP COLUMN session_epoch;
