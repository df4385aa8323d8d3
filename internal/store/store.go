// Package store is reportapp's database layer: organisations, users and their roles, API tokens,
// customers and documents with their history, over database/sql on PostgreSQL (pgx) or SQLite
// (modernc.org/sqlite).
//
// The SQL is written once; the few differences between the two databases live in dialect.go.
// Every method that touches tenant data takes the organisation id and scopes each query by it, so
// another organisation's object is simply not found (domain.ENotFound). Errors are
// *domain.Error for what a caller can act on (ENotFound, EConflict, EVersion, EInvalid,
// EUnauthorized); anything else is a driver error wrapped with the operation.
//
// The store does not validate documents: the caller validates and computes totals first.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"golang.org/x/text/unicode/norm"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"reportapp/internal/domain"
)

// DB is the store: a database handle plus the dialect of the database behind it. It is safe for
// concurrent use.
type DB struct {
	sql     *sql.DB
	read    *sql.DB    // SQLite's read-only pool; the same as sql on PostgreSQL
	stmts   *stmtCache // SQLite's prepared statements of the read pool; nil without one
	timeout time.Duration
	dialect dialect
	now     func() time.Time
	loc     *time.Location
	logger  *slog.Logger
	writes  atomic.Int64               // statements run by querier.exec
	render  atomic.Pointer[RenderFunc] // SetRenderer: PDFs stored at issue and cancellation
	bigrams bigramCache                // PostgreSQL's statistics of the index of bigrams
	merger  *textMerger                // SQLite's full-text indexes merged between writes
}

// Options are the optional settings of Open.
type Options struct {
	// Now is the clock (time.Now when nil); tests inject a fixed one.
	Now func() time.Time
	// Location is the time zone whose calendar dates the store's "today" is in (payment status:
	// overdue); Japan's when nil.
	Location *time.Location
	// Logger receives migration progress (discarded when nil).
	Logger *slog.Logger
	// MaxOpenConns bounds the PostgreSQL connection pool (20 when 0). SQLite always writes
	// through one connection: SQLite has one writer anyway, and River's SQLite driver needs a
	// single connection to avoid SQLITE_BUSY.
	MaxOpenConns int
	// ReadConns is the size of SQLite's pool of read-only connections beside its one writer
	// (DefaultReadConns when 0): with WAL, readers run beside the writer and each other, so a
	// long search never stalls a page view. An in-memory database has no such pool.
	ReadConns int
	// QueryTimeout bounds each search, count and aggregate (DefaultQueryTimeout when 0); the
	// request's own deadline applies as well.
	QueryTimeout time.Duration
	// TextMergeInterval is how long SQLite's store must have written nothing before its
	// full-text indexes are merged, and how often it looks (textmerge.go;
	// DefaultTextMergeInterval when 0, never merged when negative).
	TextMergeInterval time.Duration
}

// Defaults of Options.
const (
	DefaultReadConns    = 4
	DefaultQueryTimeout = 30 * time.Second
)

// Open opens the database of driver ("pgx" or "sqlite") at dsn and pings it. For SQLite, dsn is a
// file path (its directory is created) or a file: URI; WAL, foreign keys, a busy timeout and
// immediate transactions are switched on unless dsn sets them. Open does not migrate: call Migrate.
func Open(ctx context.Context, driver, dsn string, opts Options) (*DB, error) {
	d, err := dialectFor(driver)
	if err != nil {
		return nil, err
	}
	inMemory := false
	if d.postgres() {
		if dsn, err = postgresDSN(dsn); err != nil {
			return nil, err
		}
	} else {
		if dsn, inMemory, err = sqliteDSN(dsn); err != nil {
			return nil, err
		}
	}
	sqldb, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", driver, err)
	}
	if d.postgres() {
		n := opts.MaxOpenConns
		if n <= 0 {
			n = postgresMaxOpenConns
		}
		sqldb.SetMaxOpenConns(n)
		sqldb.SetMaxIdleConns(n)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		// One connection: statements queue in database/sql instead of failing with SQLITE_BUSY.
		// Consequence for this package: never use db.sql while a transaction is open.
		sqldb.SetMaxOpenConns(1)
		sqldb.SetMaxIdleConns(1)
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
	}
	db := &DB{sql: sqldb, read: sqldb, dialect: d, now: opts.Now, loc: opts.Location, logger: opts.Logger, timeout: opts.QueryTimeout}
	if db.timeout <= 0 {
		db.timeout = DefaultQueryTimeout
	}
	if db.loc == nil {
		db.loc = time.FixedZone("Asia/Tokyo", 9*60*60) // Japan has no daylight saving time
	}
	if db.now == nil {
		db.now = time.Now
	}
	if db.logger == nil {
		db.logger = slog.New(slog.DiscardHandler)
	}
	if err := db.Ping(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	if !d.postgres() && !inMemory {
		// Opened after the writer has switched the file to WAL; query_only refuses writes.
		read, err := sql.Open(driver, dsn+"&_pragma=query_only(1)")
		if err != nil {
			sqldb.Close()
			return nil, fmt.Errorf("store: open %s readers: %w", driver, err)
		}
		n := opts.ReadConns
		if n <= 0 {
			n = DefaultReadConns
		}
		read.SetMaxOpenConns(n)
		read.SetMaxIdleConns(n)
		read.SetConnMaxIdleTime(5 * time.Minute)
		db.read = read
		db.stmts = newStmtCache(read)
		if err := read.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: ping %s readers: %w", driver, err)
		}
		db.merger = startTextMerger(db, opts.TextMergeInterval)
	}
	return db, nil
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", db.dialect.driver, err)
	}
	return nil
}

// Ready reports whether the database serves reads and writes: it pings, then rewrites the one
// row of readiness_probe, so that a full disk or a read-only database fails readiness as well as
// an unreachable one. The error is Unavailable when the database cannot serve now.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Ping(ctx); err != nil {
		return err
	}
	_, err := db.q().exec(ctx, `INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`, timeArg(db.nowUTC()))
	if err != nil {
		return fmt.Errorf("store: write probe: %w", err)
	}
	return nil
}

// SQL returns the underlying handle, for the session store and the job queue that share the
// database. On SQLite it has a single connection: do not call the store while holding a
// transaction or an open *sql.Rows of it.
func (db *DB) SQL() *sql.DB { return db.sql }

// Driver returns the driver name: "pgx" or "sqlite".
func (db *DB) Driver() string { return db.dialect.driver }

// Close closes the database.
func (db *DB) Close() error {
	db.merger.close()
	if db.stmts != nil {
		db.stmts.close()
	}
	if db.read != db.sql {
		_ = db.read.Close()
	}
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// querier runs SQL written with "?" placeholders on a *sql.DB or a *sql.Tx, rebinding them for the
// dialect.
type querier struct {
	d      dialect
	writes *atomic.Int64
	// rd runs the SELECTs outside a transaction (SQLite's read-only pool); nil in a transaction.
	rd interface {
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	stmts *stmtCache // rd's prepared statements (SQLite's read pool); nil otherwise
	ex    interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (q querier) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q.writes.Add(1)
	return q.ex.ExecContext(ctx, q.d.rebind(query), args...)
}

func (q querier) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if q.rd != nil && isSelect(query) {
		if st := q.prepared(ctx, query); st != nil {
			return st.QueryContext(ctx, args...)
		}
		return q.rd.QueryContext(ctx, q.d.rebind(query), args...)
	}
	return q.ex.QueryContext(ctx, q.d.rebind(query), args...)
}

func (q querier) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if q.rd != nil && isSelect(query) {
		if st := q.prepared(ctx, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
		return q.rd.QueryRowContext(ctx, q.d.rebind(query), args...)
	}
	return q.ex.QueryRowContext(ctx, q.d.rebind(query), args...)
}

// prepared is the read pool's prepared statement of query, or nil (no cache, or it is full).
func (q querier) prepared(ctx context.Context, query string) *sql.Stmt {
	if q.stmts == nil {
		return nil
	}
	return q.stmts.get(ctx, q.d.rebind(query))
}

// isSelect reports whether query only reads (an UPDATE … RETURNING, say, does not).
func isSelect(query string) bool {
	query = strings.TrimLeft(query, " \t\n")
	return len(query) >= 6 && strings.EqualFold(query[:6], "SELECT")
}

// bounded is ctx bounded by the query timeout, for the searches, counts and aggregates.
func (db *DB) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, db.timeout)
}

// execOne runs a statement that must change exactly one row; none changed is ENotFound with
// notFound as message.
func (q querier) execOne(ctx context.Context, notFound, query string, args ...any) error {
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.Errorf(domain.ENotFound, "%s", notFound)
	}
	return nil
}

// q returns a querier outside any transaction.
func (db *DB) q() querier {
	return querier{d: db.dialect, writes: &db.writes, rd: db.read, stmts: db.stmts, ex: db.sql}
}

// Writes returns how many writing statements (INSERT, UPDATE, DELETE run without RETURNING) the
// store has run since it was opened: for tests that a path does not write, and for metrics.
func (db *DB) Writes() int64 { return db.writes.Load() }

// inTx runs fn in a transaction, committing when fn returns nil and rolling back otherwise.
func (db *DB) inTx(ctx context.Context, fn func(q querier) error) error {
	return db.inSQLTx(ctx, func(_ *sql.Tx, q querier) error { return fn(q) })
}

// inSQLTx is inTx for a function that also hands the transaction to others (River's InsertTx).
func (db *DB) inSQLTx(ctx context.Context, fn func(tx *sql.Tx, q querier) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx, querier{d: db.dialect, writes: &db.writes, ex: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// nowUTC is the store's clock truncated to the stored precision, so that what a method returns
// equals what a later read returns.
func (db *DB) nowUTC() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// newID returns a UUIDv7: time-ordered, so new rows append to the primary-key index.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// validID reports whether s looks like one of our ids; anything else cannot exist, and checking
// first keeps PostgreSQL from being asked about garbage.
func validID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// searchFold normalises text for search: NFKC (full-width ＡＢＣ and half-width ｶﾅ become
// ABC and カナ) and lower case, done in Go so both databases compare the same bytes.
func searchFold(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

// likePattern makes a LIKE pattern matching s anywhere, with LIKE's wildcards escaped; use it
// with ESCAPE '\'.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(searchFold(s)) + "%"
}

// notFound reports whether err means "no row".
func notFound(err error) bool { return errors.Is(err, sql.ErrNoRows) }
