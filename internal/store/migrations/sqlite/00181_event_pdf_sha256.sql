-- The SHA-256 of the PDF an event stored (issue 17): an "issue" or "cancel" event names the
-- rendition stored in its transaction, a "store_pdf" event the original rendered later for a
-- document issued before PDFs were stored (the background backfill, or the first download).
-- NULL for every other event and for events recorded before. Same on both databases.

-- +goose Up
ALTER TABLE document_events ADD COLUMN pdf_sha256 TEXT;

-- +goose Down
ALTER TABLE document_events DROP COLUMN pdf_sha256;
