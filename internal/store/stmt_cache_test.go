package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// TestStmtCache: a read statement is prepared once and reused, a statement that does not
// prepare is not kept, the cache stops growing at its bound, and concurrent callers share one
// statement.
func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite", filepath.Join(t.TempDir(), "cache.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.stmts == nil {
		t.Fatal("a SQLite file has no statement cache")
	}
	c := newStmtCache(db.read)
	defer c.close()

	a, b := c.get(ctx, "SELECT 1"), c.get(ctx, "SELECT 1")
	if a == nil || a != b {
		t.Fatalf("get twice = %p, %p: want the same prepared statement", a, b)
	}
	var one int
	if err := a.QueryRowContext(ctx).Scan(&one); err != nil || one != 1 {
		t.Fatalf("cached statement = %d, %v", one, err)
	}
	if st := c.get(ctx, "SELECT FROM nowhere"); st != nil || c.len() != 1 {
		t.Fatalf("a statement that does not prepare: %v, %d cached", st, c.len())
	}

	for i := c.len(); i < maxCachedStmts; i++ {
		if c.get(ctx, fmt.Sprintf("SELECT %d", i+1000)) == nil {
			t.Fatalf("statement %d not cached below the bound", i)
		}
	}
	if st := c.get(ctx, "SELECT 'one too many'"); st != nil || c.len() != maxCachedStmts {
		t.Fatalf("past the bound: %v, %d cached (bound %d)", st, c.len(), maxCachedStmts)
	}

	c.close()
	var wg sync.WaitGroup
	got := make([]*sql.Stmt, 8)
	for i := range got {
		wg.Go(func() { got[i] = c.get(ctx, "SELECT 2") })
	}
	wg.Wait()
	for _, st := range got {
		if st == nil || st != got[0] {
			t.Fatalf("concurrent gets returned different statements: %v", got)
		}
	}
}

// TestStoreReadsUseTheStmtCache: the store's reads outside a transaction go through the cache
// and give the same answers the second time.
func TestStoreReadsUseTheStmtCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite", filepath.Join(t.TempDir(), "reads.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	before := db.stmts.len()
	for range 2 {
		if _, err := db.GetOrganizationBySlug(ctx, "nobody"); err == nil {
			t.Fatal("an unknown organisation was found")
		}
	}
	if db.stmts.len() <= before {
		t.Fatalf("the cache holds %d statements after a read, %d before", db.stmts.len(), before)
	}
}
