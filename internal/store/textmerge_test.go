package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// TestTextIndexesMergedBetweenWrites: SQLite's full-text tables do not merge their segments in
// the writes (automerge off, 00270); the store's merger merges them after the writes, and the
// search still finds every document. The same writes into a store without the merger leave
// more segments.
func TestTextIndexesMergedBetweenWrites(t *testing.T) {
	ctx := context.Background()
	open := func(interval time.Duration) *store.DB {
		db, err := store.Open(ctx, store.DriverSQLite, filepath.Join(t.TempDir(), "reportapp.db"), store.Options{TextMergeInterval: interval})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	segments := func(db *store.DB, table string) int {
		t.Helper()
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(DISTINCT segid) FROM "+table+"_idx").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const docs = 40
	write := func(db *store.DB) string {
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "株式会社サンプル")
		for i := range docs { // each in its own transaction: a segment each
			mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Invoice, "2026-04-01", fmt.Sprintf("点検 %03d 号機", i), 1))
		}
		return org.ID
	}

	without, with := open(-1), open(10*time.Millisecond)
	for _, table := range []string{"documents_fts", "documents_bigrams"} {
		var v int
		if err := with.SQL().QueryRowContext(ctx, "SELECT v FROM "+table+"_config WHERE k = 'automerge'").Scan(&v); err != nil || v != 0 {
			t.Errorf("%s: automerge = %d, %v; want 0 (merged by the store)", table, v, err)
		}
	}
	write(without)
	orgID := write(with)
	for _, table := range []string{"documents_fts", "documents_bigrams"} {
		unmerged := segments(without, table)
		if unmerged < 8 {
			t.Fatalf("%s: %d segments after %d writes without the merger; the writes merged them", table, unmerged, docs)
		}
		deadline := time.Now().Add(10 * time.Second)
		for segments(with, table) >= unmerged/2 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		n := segments(with, table)
		if n >= unmerged/2 {
			t.Errorf("%s: %d segments with the merger, %d without: not merged", table, n, unmerged)
		}
		t.Logf("%s: %d segments after %d writes without the merger, %d with it", table, unmerged, docs, n)
	}
	for i := range docs {
		q := fmt.Sprintf("点検 %03d", i)
		got, _, err := with.SearchDocuments(ctx, orgID, document.Filter{Query: q}, domain.Page{})
		if err != nil || len(got) != 1 {
			t.Errorf("after merging, %q finds %d documents, %v; want 1", q, len(got), err)
		}
	}
	if got, _, err := with.SearchDocuments(ctx, orgID, document.Filter{Query: "点検"}, domain.Page{Limit: 100}); err != nil || len(got) != docs {
		t.Errorf("after merging, 点検 (bigrams) finds %d documents, %v; want %d", len(got), err, docs)
	}
}
