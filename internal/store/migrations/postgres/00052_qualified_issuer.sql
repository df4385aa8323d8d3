-- Whether an organisation is a qualified-invoice issuer (適格請求書発行事業者); every
-- organisation so far was treated as one, and so were the issuers frozen into its documents.
-- body may be text or jsonb: the cast to jsonb and the assignment back work for both.

-- +goose Up
ALTER TABLE organizations ADD COLUMN qualified_invoice_issuer BOOLEAN NOT NULL DEFAULT TRUE;
UPDATE documents SET body = jsonb_set(body::jsonb, '{issuer,qualified_invoice_issuer}', 'true'::jsonb)
WHERE jsonb_typeof(body::jsonb -> 'issuer') = 'object' AND NOT (body::jsonb -> 'issuer') ? 'qualified_invoice_issuer';

-- +goose Down
ALTER TABLE organizations DROP COLUMN qualified_invoice_issuer;
