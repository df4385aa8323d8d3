-- A member added to an organisation is told on their next visit (issue 11 item 14): who added
-- them, where and with which role, until they dismiss it. Every invitation writes one, for a new
-- address as for an existing account, so the inviter's answer is the same either way.
-- Keep in step with the other dialect's 00150_member_notices.sql.

-- +goose Up
CREATE TABLE member_notices (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    added_by   TEXT NOT NULL DEFAULT '', -- the inviter's e-mail address
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX member_notices_user ON member_notices (user_id);

-- +goose Down
DROP TABLE member_notices;
