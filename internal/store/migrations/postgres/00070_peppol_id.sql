-- Peppol participant identifiers (JP PINT endpoint ids IBT-034, IBT-049): "0188:<法人番号>" or
-- "0221:<登録番号>", or '' when the party has none. Issued documents keep theirs in the frozen
-- issuer and customer of their JSON body. Keep in step with the other dialect's 00070_peppol_id.sql.

-- +goose Up
ALTER TABLE organizations ADD COLUMN peppol_id TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN peppol_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE customers DROP COLUMN peppol_id;
ALTER TABLE organizations DROP COLUMN peppol_id;
