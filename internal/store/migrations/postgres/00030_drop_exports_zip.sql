-- exports.zip is unused since 00021 moved the ZIPs into export_chunks. Keep in step with
-- migrations/sqlite/00030_drop_exports_zip.sql.

-- +goose Up
ALTER TABLE exports DROP COLUMN zip;

-- +goose Down
ALTER TABLE exports ADD COLUMN zip BYTEA;
