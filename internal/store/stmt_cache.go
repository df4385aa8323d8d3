package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statements a stmtCache keeps. The store's reads are a few hundred
// distinct texts at most (a search's text depends on which filters are set and how many ids an
// IN list holds); past the bound a statement runs unprepared, as without the cache.
const maxCachedStmts = 256

// stmtCache keeps SQLite's prepared read statements by their text. modernc.org/sqlite parses
// and plans every statement it is given, which took a fifth to a half of the CPU of reading a
// document; a *sql.Stmt is prepared once on each connection of the read pool that runs it.
// Only the read pool uses it: a statement prepared outside a transaction would need a second
// connection of the single writer while the transaction holds the first. (pgx keeps its own
// cache of prepared statements per connection, so PostgreSQL needs none.)
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt)}
}

// get returns the prepared statement of query, preparing it the first time, or nil when the
// cache is full or the statement does not prepare (the caller then runs the text, which
// reports the error).
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok { // prepared by another caller meanwhile
		_ = st.Close()
		return prev
	}
	if len(c.m) >= maxCachedStmts {
		_ = st.Close()
		return nil
	}
	c.m[query] = st
	return st
}

// len is how many statements the cache holds.
func (c *stmtCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// close closes every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}
