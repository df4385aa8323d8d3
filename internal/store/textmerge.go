package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// SQLite's full-text tables (documents_fts, documents_bigrams) write each transaction's terms as a
// new segment. FTS5 would merge the segments in the writes themselves (automerge): every 64 leaf
// pages written, the write that crosses the mark merges 64 pages per level, which made one issue
// in twenty wait 50–150 ms at 1,000,000 documents. Migration 00270 turns that off and the store
// merges them here, while no one writes, in chunks of a few pages: a write that comes during a
// chunk waits for that chunk only, and a stream of writes is not merged into at all. FTS5's
// crisismerge (16 segments on one level) stays the bound for a stream that never pauses.

// textTables are the FTS5 tables the merger keeps merged.
var textTables = []string{"documents_fts", "documents_bigrams"}

// Defaults of the merger (Options.TextMergeInterval, textMergePages).
const (
	// DefaultTextMergeInterval is how long the store must have written nothing before the
	// merger starts, and how often it looks.
	DefaultTextMergeInterval = 250 * time.Millisecond
	// textMergePages is the work of one chunk: about 16 pages written, 8–18 ms at 1,000,000
	// documents (a chunk resumes the merge in each of its segments, which costs about as much
	// as the pages themselves; 64 pages took 17–25 ms, 256 over 100).
	textMergePages = 16
)

// textMerger runs FTS5's 'merge' on the writer connection (mergeText) when the store has
// written since the last merge (and once after Open, for what an older version left) and then
// nothing for an interval; it stops at the next write (or at anyone waiting for the writer
// connection) and goes on at the next quiet interval.
type textMerger struct {
	stop context.CancelFunc
	done sync.WaitGroup
}

// startTextMerger starts the merger of db (SQLite files only; nil when interval is negative).
func startTextMerger(db *DB, interval time.Duration) *textMerger {
	if interval < 0 {
		return nil
	}
	if interval == 0 {
		interval = DefaultTextMergeInterval
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &textMerger{stop: cancel}
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		seen, pending := db.writes.Load(), true
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if w := db.writes.Load(); w != seen {
				seen, pending = w, true // writing now: wait for a quiet interval
				continue
			}
			if !pending {
				continue
			}
			finished, err := db.mergeText(ctx, func() bool { return db.writes.Load() != seen })
			if err != nil {
				if ctx.Err() == nil {
					db.logger.Warn("store: merge the full-text indexes", "err", err)
				}
				continue
			}
			pending = !finished
		}
	}()
	return m
}

// close stops the merger and waits for its chunk in progress.
func (m *textMerger) close() {
	if m == nil {
		return
	}
	m.stop()
	m.done.Wait()
}

// mergeText merges each full-text table chunk by chunk until a chunk finds no work (finished),
// or until written tells that the store has written since it began, or someone waited for the
// connection during a chunk.
func (db *DB) mergeText(ctx context.Context, written func() bool) (finished bool, err error) {
	for _, table := range textTables {
		var n int
		if err := db.sql.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&n); err != nil {
			return false, err
		}
		for n > 0 { // (none before the migrations: nothing to merge)
			if written() {
				return false, nil
			}
			worked, waited, err := db.mergeTextChunk(ctx, table)
			if err != nil {
				return false, err
			}
			if waited {
				return false, nil
			}
			if !worked {
				break
			}
		}
	}
	return true, nil
}

// mergeTextChunk runs one chunk of FTS5's 'merge' on table and tells whether it found work (the
// command changes two rows or more when it merged, FTS5's documentation says: total_changes() of
// the connection tells), and whether anyone waited for the writer connection meanwhile (a
// write, a session, the job queue), for whom the merger makes way.
func (db *DB) mergeTextChunk(ctx context.Context, table string) (worked, waited bool, err error) {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return false, false, err
	}
	defer conn.Close()
	waits := db.sql.Stats().WaitCount
	var before, after int64
	if err := conn.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
		return false, false, err
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO "+table+" ("+table+", rank) VALUES ('merge', ?)", textMergePages); err != nil {
		return false, false, fmt.Errorf("%s: %w", table, err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
		return false, false, err
	}
	return after-before >= 2, db.sql.Stats().WaitCount != waits, nil
}
