-- The PDFs of issued documents as they were sent (電子帳簿保存法: the record is the document as
-- issued, not a re-rendering): "original" is stored in the transaction that issues the document,
-- "cancelled" (the same document with the 取消 mark and no seal) in the one that cancels it.
-- Rows are never changed or deleted. Keep in step with the other dialect's 00061_document_pdfs.sql.

-- +goose Up
CREATE TABLE document_pdfs (
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    rendition   TEXT NOT NULL, -- original, cancelled
    pdf         BYTEA NOT NULL,
    sha256      TEXT NOT NULL, -- hex of pdf
    renderer    TEXT NOT NULL, -- the program version that rendered it
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, rendition)
);
CREATE INDEX document_pdfs_org ON document_pdfs (org_id, document_id);

-- +goose Down
DROP TABLE document_pdfs;
