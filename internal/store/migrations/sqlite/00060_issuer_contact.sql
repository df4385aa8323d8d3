-- The issuer's optional FAX number and 担当者 (the person in charge), printed on its documents.
-- Issued documents keep theirs in the frozen issuer of their JSON body. Keep in step with the
-- other dialect's 00060_issuer_contact.sql.

-- +goose Up
ALTER TABLE organizations ADD COLUMN fax TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN contact_person TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE organizations DROP COLUMN contact_person;
ALTER TABLE organizations DROP COLUMN fax;
