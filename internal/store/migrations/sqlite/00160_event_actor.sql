-- Who made a change, as they were at the time (issue 12 item 4): the history names the user by
-- e-mail and name even after they left the organisation or were renamed, and the API token a
-- change came through. NULL on events recorded before; those fall back to the users row.
-- Keep in step with the other dialect's 00160_event_actor.sql.

-- +goose Up
ALTER TABLE document_events ADD COLUMN actor_user_id TEXT;
ALTER TABLE document_events ADD COLUMN actor_email TEXT;
ALTER TABLE document_events ADD COLUMN actor_name TEXT;
ALTER TABLE document_events ADD COLUMN actor_token_name TEXT;

-- +goose Down
ALTER TABLE document_events DROP COLUMN actor_token_name;
ALTER TABLE document_events DROP COLUMN actor_name;
ALTER TABLE document_events DROP COLUMN actor_email;
ALTER TABLE document_events DROP COLUMN actor_user_id;
