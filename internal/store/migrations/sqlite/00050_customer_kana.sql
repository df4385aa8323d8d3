-- フリガナ of customers and the key customers sort by: the reading folded to katakana, else the
-- name (store.customerSortKey computes it on every write).

-- +goose Up
ALTER TABLE customers ADD COLUMN name_kana TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
UPDATE customers SET sort_key = name;
CREATE INDEX customers_org_sort ON customers (org_id, sort_key, id);

-- +goose Down
DROP INDEX customers_org_sort;
ALTER TABLE customers DROP COLUMN sort_key;
ALTER TABLE customers DROP COLUMN name_kana;
