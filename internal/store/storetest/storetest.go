// Package storetest opens migrated, isolated store databases for tests of any package: a fresh
// SQLite file always, and a fresh PostgreSQL schema when REPORTAPP_TEST_DATABASE_URL names a
// database (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Without it the
// PostgreSQL tests are skipped, unless REPORTAPP_TEST_STRICT=1, where they fail.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// Environment variables read by this package.
const (
	EnvDatabaseURL = "REPORTAPP_TEST_DATABASE_URL"
	EnvStrict      = "REPORTAPP_TEST_STRICT"
)

// Open returns a migrated store on a new SQLite file in t.TempDir, closed when the test ends.
// The file is a copy of one migrated once per test binary (sqliteTemplate): under -race,
// migrating takes about half a second and copying a few milliseconds.
func Open(t testing.TB) *store.DB {
	t.Helper()
	ctx := context.Background()
	template, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("storetest: migrate sqlite: %v", err)
	}
	path := filepath.Join(t.TempDir(), "reportapp.db")
	if err := os.WriteFile(path, template, 0o600); err != nil {
		t.Fatalf("storetest: sqlite file: %v", err)
	}
	db, err := store.Open(ctx, store.DriverSQLite, path, store.Options{})
	if err != nil {
		t.Fatalf("storetest: open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil { // nothing left to apply: it checks the copy
		t.Fatalf("storetest: migrate sqlite: %v", err)
	}
	return db
}

// templateSteps are the schemas AlsoMigrate adds to the template.
var templateSteps struct {
	sync.Mutex
	fns  []func(context.Context, *store.DB) error
	made bool
}

// AlsoMigrate adds a schema that every test of the calling package applies after the store's
// own, such as the job queue's, to the SQLite file Open copies; the tests still apply it (to
// find it done). Call it from an init function: it panics once a file has been copied.
func AlsoMigrate(migrate func(context.Context, *store.DB) error) {
	templateSteps.Lock()
	defer templateSteps.Unlock()
	if templateSteps.made {
		panic("storetest: AlsoMigrate after the first Open")
	}
	templateSteps.fns = append(templateSteps.fns, migrate)
}

// sqliteTemplate is the content of a SQLite file with every migration applied, made once.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "storetest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	path := filepath.Join(dir, "reportapp.db")
	db, err := store.Open(ctx, store.DriverSQLite, path, store.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	templateSteps.Lock()
	defer templateSteps.Unlock()
	templateSteps.made = true
	for _, f := range templateSteps.fns {
		if err := f(ctx, db); err != nil {
			return nil, err
		}
	}
	// Everything into the main file, so that it alone is the database.
	var busy, logged, moved int
	if err := db.SQL().QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logged, &moved); err != nil {
		return nil, err
	}
	if busy != 0 || logged != moved {
		return nil, fmt.Errorf("checkpoint of the template incomplete: busy %d, %d of %d pages", busy, moved, logged)
	}
	return os.ReadFile(path)
})

// OpenPostgres returns a migrated store on a new schema of the database named by
// REPORTAPP_TEST_DATABASE_URL; the schema is dropped when the test ends, so tests may run in
// parallel and repeatedly. It skips the test when the variable is not set (fails under
// REPORTAPP_TEST_STRICT=1).
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	db := open(t, PostgresDSN(t))
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrate postgres: %v", err)
	}
	return db
}

// PostgresDSN creates a fresh schema (dropped when the test ends) and returns a DSN whose
// search_path is that schema, without migrating it: for tests of Migrate itself. It skips or fails
// like OpenPostgres.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		if os.Getenv(EnvStrict) == "1" {
			t.Fatalf("storetest: %s is not set and %s=1", EnvDatabaseURL, EnvStrict)
		}
		t.Skipf("storetest: PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvDatabaseURL)
	}
	admin, err := sql.Open(store.DriverPostgres, base)
	if err != nil {
		t.Fatalf("storetest: open postgres: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	schema := "t_" + randomHex(t, 8)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema (is PostgreSQL running at %s?): %v", EnvDatabaseURL, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open(store.DriverPostgres, base)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvDatabaseURL, err)
	}
	return dsn
}

// Each runs fn as a subtest on every available database: "sqlite" always, "postgres" when
// configured (skipped otherwise, failed under REPORTAPP_TEST_STRICT=1).
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Open(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// EachUnmigrated is Each on databases with no schema yet, for tests of a migration on the data
// of the schema before it (store.DB.MigrateTo in the store's tests).
func EachUnmigrated(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		db, err := store.Open(context.Background(), store.DriverSQLite, filepath.Join(t.TempDir(), "old.db"), store.Options{})
		if err != nil {
			t.Fatalf("storetest: open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) { fn(t, open(t, PostgresDSN(t))) })
}

// open opens a store on dsn (PostgreSQL) closed when the test ends, with a small pool: many tests
// run in parallel against one server.
func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.DriverPostgres, dsn, store.Options{MaxOpenConns: 8})
	if err != nil {
		t.Fatalf("storetest: open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// withSearchPath adds search_path=schema to a URL or keyword/value DSN.
func withSearchPath(dsn, schema string) (string, error) {
	if !strings.Contains(dsn, "://") {
		return dsn + " search_path=" + schema, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// RegistrationNumber is a registration number of the valid format (check digit included).
const RegistrationNumber = "T7123456789012"

// MustRegister gives the organisation RegistrationNumber, which a qualified-invoice issuer (the
// default) needs to issue invoices, receipts and credit notes, and returns it as stored.
func MustRegister(t testing.TB, db *store.DB, org document.Organization) document.Organization {
	t.Helper()
	org.RegistrationNumber = RegistrationNumber
	org, err := db.UpdateOrganization(context.Background(), org)
	if err != nil {
		t.Fatalf("storetest: register %s: %v", org.Slug, err)
	}
	return org
}
