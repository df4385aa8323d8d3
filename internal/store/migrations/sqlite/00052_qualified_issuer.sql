-- Whether an organisation is a qualified-invoice issuer (適格請求書発行事業者); every
-- organisation so far was treated as one, and so were the issuers frozen into its documents.

-- +goose Up
ALTER TABLE organizations ADD COLUMN qualified_invoice_issuer INTEGER NOT NULL DEFAULT 1;
UPDATE documents SET body = json_set(body, '$.issuer.qualified_invoice_issuer', json('true'))
WHERE json_type(body, '$.issuer') = 'object' AND json_type(body, '$.issuer.qualified_invoice_issuer') IS NULL;

-- +goose Down
ALTER TABLE organizations DROP COLUMN qualified_invoice_issuer;
