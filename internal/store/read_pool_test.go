package store_test

import (
	"context"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestReadDuringLongRead: a document GET and a write do not wait for a long read (on SQLite the
// readers are a pool beside the one writer; on PostgreSQL a pool anyway), and the query timeout
// bounds a search.
func TestReadDuringLongRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "株式会社サンプル")
		d := mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Invoice, "2026-04-01", "保守", 3))

		// A read that runs for seconds: counting to 10^8 in a recursive CTE.
		slow := `SELECT COUNT(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT x FROM c) s`
		slowCtx, stop := context.WithCancel(ctx)
		defer stop()
		done := make(chan error, 1)
		go func() { done <- db.SlowRead(slowCtx, slow) }()
		time.Sleep(200 * time.Millisecond) // let it start

		start := time.Now()
		if _, err := db.GetDocument(ctx, org.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "新規"}}); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		select {
		case err := <-done:
			t.Fatalf("the long read ended (%v) before the GET and write were timed: make it longer", err)
		default:
		}
		if took > time.Second {
			t.Errorf("GET and write during a long read took %v, want well under a second", took)
		}
		stop()
		<-done
	})
}

// TestQueryTimeout: a search is cut at the store's query timeout whatever the caller's context.
func TestQueryTimeout(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.DriverSQLite, t.TempDir()+"/t.db", store.Options{QueryTimeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := mustOrg(t, db, "acme")
	if _, err := db.CountDocuments(ctx, org.ID, document.Filter{}); err == nil {
		t.Error("a count with a 1 ns query timeout succeeded")
	}
}
