package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationsFS holds the schema of both databases, one directory each, with the same version
// numbers in both (a test checks that).
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationsFS embed.FS

// Migration numbers: 00001..00009 belong to this package's tables; sessions, River and later
// features take higher numbers.
//
// To add a migration, add NNNNN_subject.sql to BOTH migrations/postgres and migrations/sqlite,
// with the same NNNNN (the next free number of your range). Write the SQL for each database; most
// of it is the same text. Data conversions are SQL too (00031 converts columns in place).
//
// Column types (since 00031; new tables follow them):
//
//	what             PostgreSQL     SQLite (STRICT)   Go side
//	timestamp        timestamptz    TEXT              timeArg(t) as argument, scanTime(&t) /
//	                                                  scanNullTime(&p) as scan target (time.go)
//	calendar date    date           TEXT              "YYYY-MM-DD" as argument, scanDate(&s)
//	JSON             jsonb          TEXT              string as argument and scan target
//	bytes            BYTEA          BLOB              []byte
//	money, counts    BIGINT         INTEGER           int64
//	ids              TEXT (UUIDv7)  TEXT              string
//
// Never format or parse a timestamp in a query; a date column compares with "YYYY-MM-DD" text
// on both databases; use dialect.month (and add such helpers to dialect.go) where the SQL of a
// date function differs.
//
// Migrate brings the schema up to date with the migrations embedded in the binary. Applied
// migrations are skipped, so it is cheap to call at every start. On PostgreSQL the replicas that
// start together serialise on an advisory lock held for the whole run (one lock per schema), so
// the migrations run once.
func (db *DB) Migrate(ctx context.Context) error { return db.migrate(ctx, -1) }

// migrate migrates up to version to, or to the latest when to is negative.
func (db *DB) migrate(ctx context.Context, to int64) error {
	sub, err := fs.Sub(migrationsFS, db.dialect.migrationsDir())
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	opts := []goose.ProviderOption{
		goose.WithSlog(db.logger),
		goose.WithDisableGlobalRegistry(true),
		// Features take numbers from ranges (00060 beside 00130), so a database migrated by one
		// release may lack a lower number a later release adds: apply it rather than refuse.
		goose.WithAllowOutofOrder(true),
	}
	if db.dialect.postgres() {
		id, err := db.migrationLockID(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		// Retry every second for up to 10 minutes: a long migration of another replica is
		// waited for, not failed on.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 600))
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	provider, err := goose.NewProvider(db.dialect.gooseDialect(), db.sql, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var results []*goose.MigrationResult
	if to < 0 {
		results, err = provider.Up(ctx)
	} else {
		results, err = provider.UpTo(ctx, to)
	}
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		db.logger.InfoContext(ctx, "migration applied", "version", r.Source.Version,
			"path", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// migrationLockID is the advisory-lock key of the current schema: the goose version table lives
// in that schema, so two schemas of one database (tests, or two installations) migrate
// independently while the replicas of one installation wait for each other.
func (db *DB) migrationLockID(ctx context.Context) (int64, error) {
	var schema string
	if err := db.sql.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return 0, fmt.Errorf("current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("reportapp/goose:" + schema))
	return int64(h.Sum64() &^ (1 << 63)), nil
}
