package store

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
)

// This file is the one place where PostgreSQL and SQLite differ. Everything else writes SQL once,
// with "?" placeholders, in the common subset of both (ON CONFLICT … DO UPDATE, RETURNING, row
// values, LIKE … ESCAPE).

// The database/sql driver names Open accepts.
const (
	DriverPostgres = "pgx"
	DriverSQLite   = "sqlite"
)

// dialect describes the differences between the two databases.
type dialect struct {
	driver string
}

func dialectFor(driver string) (dialect, error) {
	switch driver {
	case DriverPostgres, DriverSQLite:
		return dialect{driver: driver}, nil
	}
	return dialect{}, fmt.Errorf("store: unknown driver %q (want %q or %q)", driver, DriverPostgres, DriverSQLite)
}

func (d dialect) postgres() bool { return d.driver == DriverPostgres }

// rebind turns the "?" placeholders of q into "$1", "$2"… for PostgreSQL. Question marks inside
// single-quoted literals are left alone. SQLite understands "?" as written.
func (d dialect) rebind(q string) string {
	if !d.postgres() || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, inLiteral := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inLiteral = !inLiteral
		case c == '?' && !inLiteral:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// forUpdate is the suffix of a SELECT inside a write transaction that locks the rows it returns
// until commit: of the table aliased alias only when alias is not "" (the documents d of a join).
// SQLite needs none: its transactions begin IMMEDIATE (see sqliteDSN), so the writer already
// holds the database lock.
func (d dialect) forUpdate(alias string) string {
	switch {
	case !d.postgres():
		return ""
	case alias != "":
		return " FOR UPDATE OF " + alias
	}
	return " FOR UPDATE"
}

// byteOrder is the COLLATE clause that sorts text by code point, as SQLite's default BINARY
// collation does; PostgreSQL's default collation depends on the server's locale, and lists must
// come out in the same order on both databases.
func (d dialect) byteOrder() string {
	if d.postgres() {
		return ` COLLATE "C"`
	}
	return ""
}

// indexedBy is " INDEXED BY index" on SQLite, which plans without statistics, and "" on
// PostgreSQL, which chooses by its own.
func (d dialect) indexedBy(index string) string {
	if d.postgres() {
		return ""
	}
	return " INDEXED BY " + index
}

// unindexed is col in a condition that must not choose an index on it: SQLite, which plans
// without statistics, skips an index for "+col"; PostgreSQL plans by its statistics anyway.
func (d dialect) unindexed(col string) string {
	if d.postgres() {
		return col
	}
	return "+" + col
}

// month is the SQL of the "YYYY-MM" of a date column.
func (d dialect) month(col string) string {
	if d.postgres() {
		return "to_char(" + col + ", 'YYYY-MM')"
	}
	return "substr(" + col + ", 1, 7)"
}

// gooseDialect is the goose dialect of the database.
func (d dialect) gooseDialect() goose.Dialect {
	if d.postgres() {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// migrationsDir is the directory of the embedded migrations of this database.
func (d dialect) migrationsDir() string {
	if d.postgres() {
		return "migrations/postgres"
	}
	return "migrations/sqlite"
}

// SQLite extended result codes (https://www.sqlite.org/rescode.html).
const (
	sqliteConstraint           = 19
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// isUniqueViolation reports whether err is a unique or primary-key constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return true
		case sqliteConstraint:
			return strings.Contains(sqErr.Error(), "UNIQUE constraint failed")
		}
	}
	return false
}

// SQLite's primary result codes that mean "not now" rather than "not this request".
const (
	sqliteBusy     = 5
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteReadOnly = 8
)

// Unavailable reports whether err means the database cannot serve now, through no fault of the
// request: it is unreachable (connection refused, reset or timed out), shutting down, out of
// connections or memory, or out of storage (PostgreSQL 53100 disk_full, SQLITE_FULL), or cannot
// write (read-only, I/O error). The web layer answers such errors 503 with Retry-After.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "53100", "53200", "53300", // disk_full, out_of_memory, too_many_connections
			"57P01", "57P02", "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			"58030", "25006": // io_error, read_only_sql_transaction (a standby)
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection_exception
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() & 0xff {
		case sqliteBusy, sqliteIOErr, sqliteFull, sqliteCantOpen, sqliteReadOnly:
			return true
		}
		return false
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// isForeignKeyViolation reports whether err is a foreign-key constraint violation.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqliteConstraintForeignKey:
			return true
		case sqliteConstraint:
			return strings.Contains(sqErr.Error(), "FOREIGN KEY constraint failed")
		}
	}
	return false
}

// postgresSettings are set on every PostgreSQL connection unless the DSN sets them.
//   - plan_cache_mode=force_custom_plan: pgx prepares and caches each statement per connection,
//     and after five executions PostgreSQL may switch to a generic plan that ignores the values:
//     a search's plan depends on them (an exact amount matches a handful of rows, a text that
//     matches nothing should not walk the date index), and went from 0.58 to 1.55 s mid-run that
//     way. Planning each execution costs well under a millisecond for these statements.
//   - jit=off and max_parallel_workers_per_gather=0: the store's queries read a page or stream
//     rows; PostgreSQL's cost estimates for a filtered page of 1,000,000 documents pass
//     jit_above_cost (15–20 ms of compiling per execution) and start two parallel workers
//     (~50 ms here) for work of 3 ms: a combined search took 52–76 ms that way, 3.1 ms without.
var postgresSettings = [][2]string{{"plan_cache_mode", "force_custom_plan"}, {"jit", "off"}, {"max_parallel_workers_per_gather", "0"}}

// postgresDSN adds postgresSettings to dsn, a URL or key=value DSN.
func postgresDSN(dsn string) (string, error) {
	if !strings.Contains(dsn, "://") {
		for _, kv := range postgresSettings {
			if !strings.Contains(dsn, kv[0]) {
				dsn = strings.TrimSpace(dsn + " " + kv[0] + "=" + kv[1])
			}
		}
		return dsn, nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("store: postgres dsn: %w", err)
	}
	q := u.Query()
	for _, kv := range postgresSettings {
		if !q.Has(kv[0]) {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// sqliteDSN prepares a SQLite DSN: it creates the database file's parent directory and adds the
// connection settings we rely on unless the DSN already sets them: WAL (readers never block the
// writer), foreign keys, a 5 s busy timeout (another process such as `reportapp migrate` may hold
// the lock) and BEGIN IMMEDIATE (a transaction takes the write lock when it starts, so concurrent
// writers queue instead of failing to upgrade a read lock).
func sqliteDSN(dsn string) (out string, inMemory bool, err error) {
	path, query, _ := strings.Cut(dsn, "?")
	file := strings.TrimPrefix(path, "file:")
	if strings.HasPrefix(path, "file:") {
		// file:///abs/path and file:rel/path both name a file; drop an authority part.
		if u, err := url.Parse(path); err == nil && u.Path != "" {
			file = u.Path
		}
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return "", false, fmt.Errorf("store: sqlite dsn: %w", err)
	}
	inMemory = file == "" || file == ":memory:" || params.Get("mode") == "memory"
	if !inMemory {
		// Owner-only: the file holds every organisation's documents and the session rows. SQLite
		// gives its -wal and -shm files the mode of the database file.
		if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
			return "", false, fmt.Errorf("store: create database directory: %w", err)
		}
		f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return "", false, fmt.Errorf("store: create database file: %w", err)
		}
		f.Close()
	}
	defaults := []struct{ key, alias, value string }{
		{"_journal_mode", "_journal", "WAL"},
		{"_foreign_keys", "_fk", "1"},
		{"_busy_timeout", "_timeout", "5000"},
		{"_txlock", "", "immediate"},
	}
	for _, p := range defaults {
		if params.Has(p.key) || (p.alias != "" && params.Has(p.alias)) {
			continue
		}
		if inMemory && p.key == "_journal_mode" {
			continue // an in-memory database has no WAL
		}
		params.Set(p.key, p.value)
	}
	return path + "?" + params.Encode(), inMemory, nil
}

// postgresMaxOpenConns bounds the PostgreSQL pool of one replica; a replica's concurrency is
// bounded elsewhere (the server's load shedding), the database's max_connections is shared.
const postgresMaxOpenConns = 20
