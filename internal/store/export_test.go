package store

import "context"

// MigrateTo migrates up to version, for tests of a migration on data of the schema before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error { return db.migrate(ctx, version) }
