-- The quote a document was made from (見積書 → 請求書), so each shows the other and a quote
-- shows that it was ordered (受注).

-- +goose Up
ALTER TABLE documents ADD COLUMN source_document_id TEXT;
CREATE INDEX documents_source ON documents (org_id, source_document_id);

-- +goose Down
DROP INDEX documents_source;
ALTER TABLE documents DROP COLUMN source_document_id;
