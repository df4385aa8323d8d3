package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestUnavailable: the store tells "the database cannot serve now" (answered 503) from every
// other failure, with the errors the drivers really return.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// PostgreSQL down: nothing listens on the port.
	pg, err := sql.Open(store.DriverPostgres, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := pg.PingContext(ctx); !store.Unavailable(err) {
		t.Errorf("connection refused: Unavailable(%v) = false", err)
	}
	for _, code := range []string{"53100", "57P01", "08006"} {
		if err := fmt.Errorf("store: x: %w", &pgconn.PgError{Code: code}); !store.Unavailable(err) {
			t.Errorf("PostgreSQL %s is not Unavailable", code)
		}
	}

	// SQLite full: the file may not grow.
	db := storetest.Open(t)
	org := mustOrg(t, db, "acme")
	if _, err := db.SQL().ExecContext(ctx, "PRAGMA max_page_count = 1"); err != nil {
		t.Fatal(err)
	}
	var full error
	for i := 0; i < 200 && full == nil; i++ {
		_, full = db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: fmt.Sprintf("顧客 %d %0200d", i, i)}})
	}
	if !store.Unavailable(full) {
		t.Errorf("disk full: Unavailable(%v) = false", full)
	}

	for _, err := range []error{nil, errors.New("boom"), domain.Errorf(domain.EConflict, "x"), sql.ErrNoRows} {
		if store.Unavailable(err) {
			t.Errorf("Unavailable(%v) = true", err)
		}
	}
	dup := storetest.Open(t)
	mustOrg(t, dup, "dup")
	if _, err := dup.CreateOrganization(ctx, "dup", "again"); err == nil || store.Unavailable(err) {
		t.Errorf("a unique violation: %v, Unavailable %v", err, store.Unavailable(err))
	}
}

// TestReadyFailsWhenWritesFail: readiness writes, so a database that answers but cannot write
// (read-only here; a full disk alike) is not ready.
func TestReadyFailsWhenWritesFail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := db.Ready(ctx); err != nil {
			t.Fatalf("Ready on a healthy database: %v", err)
		}
		if db.Driver() != store.DriverSQLite {
			return // a read-only PostgreSQL needs a standby; classification is tested above
		}
		if _, err := db.SQL().ExecContext(ctx, "PRAGMA query_only = ON"); err != nil {
			t.Fatal(err)
		}
		err := db.Ready(ctx)
		if err == nil || !store.Unavailable(err) {
			t.Errorf("Ready on a read-only database = %v, want an Unavailable error", err)
		}
		if err := db.Ping(ctx); err != nil {
			t.Errorf("Ping still answers: %v", err)
		}
	})
}
