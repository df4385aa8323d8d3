package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// TestMergeTextMakesWay: a merge round stops before its first chunk when the store has written
// since it began, leaving the segments as they were, and goes on to the end otherwise.
func TestMergeTextMakesWay(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, DriverSQLite, filepath.Join(t.TempDir(), "reportapp.db"), Options{TextMergeInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 20 { // a segment each
		if _, err := db.sql.ExecContext(ctx, "INSERT INTO documents_bigrams (rowid, grams) VALUES (?, ?)", i+1, fmt.Sprintf("t%d common", i)); err != nil {
			t.Fatal(err)
		}
	}
	segments := func() int {
		var n int
		if err := db.sql.QueryRowContext(ctx, "SELECT COUNT(DISTINCT segid) FROM documents_bigrams_idx").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := segments()
	if finished, err := db.mergeText(ctx, func() bool { return true }); err != nil || finished {
		t.Fatalf("with a write since the round began: finished %v, %v; want it to make way", finished, err)
	}
	if n := segments(); n != before {
		t.Errorf("a round that made way merged: %d segments, %d before", n, before)
	}
	if finished, err := db.mergeText(ctx, func() bool { return false }); err != nil || !finished {
		t.Fatalf("without writes: finished %v, %v", finished, err)
	}
	if n := segments(); n >= before {
		t.Errorf("a whole round left %d segments of %d", n, before)
	}
}
