package store

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Timestamps cross the driver through two small types, the same on both databases:
//   - timeArg(t) is a query argument: fixed-width UTC text (timeLayout), which SQLite stores as
//     TEXT (so it sorts as text) and PostgreSQL parses into its timestamptz column;
//   - scanTime(&t) / scanNullTime(&p) are scan targets: they take the time.Time that pgx returns
//     for timestamptz, or the text SQLite returns, and give UTC at microsecond precision.
// No query formats or parses a timestamp by hand.

// timeLayout is the text form of a timestamp: fixed width, UTC, microseconds (PostgreSQL's
// precision), so that it sorts as text on SQLite and round-trips on both.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// timeArgValue is a timestamp as a query argument; see timeArg.
type timeArgValue struct{ t time.Time }

// timeArg is t as a query argument.
func timeArg(t time.Time) driver.Valuer { return timeArgValue{t} }

// Value implements driver.Valuer.
func (a timeArgValue) Value() (driver.Value, error) { return a.t.UTC().Format(timeLayout), nil }

// timeScanner scans a timestamp column into *dst, or into **null for a nullable column.
type timeScanner struct {
	dst  *time.Time
	null **time.Time
}

// scanTime is a scan target for a NOT NULL timestamp column.
func scanTime(dst *time.Time) timeScanner { return timeScanner{dst: dst} }

// scanNullTime is a scan target for a nullable timestamp column: NULL sets *dst to nil.
func scanNullTime(dst **time.Time) timeScanner { return timeScanner{null: dst} }

// Scan implements sql.Scanner.
func (s timeScanner) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if s.null == nil {
			return fmt.Errorf("store: NULL in a timestamp column that has none")
		}
		*s.null = nil
		return nil
	case time.Time:
		t = v
	case string:
		var err error
		if t, err = parseStoredTime(v); err != nil {
			return err
		}
	case []byte:
		var err error
		if t, err = parseStoredTime(string(v)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("store: cannot scan %T into a timestamp", src)
	}
	t = t.UTC().Truncate(time.Microsecond)
	if s.null != nil {
		*s.null = &t
	} else {
		*s.dst = t
	}
	return nil
}

func parseStoredTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		// PostgreSQL's text form, should a driver hand over text.
		if t2, err2 := time.Parse(time.RFC3339Nano, s); err2 == nil {
			return t2, nil
		}
		return time.Time{}, fmt.Errorf("store: stored time %q: %w", s, err)
	}
	return t, nil
}

// dateScanner scans a calendar-date column as "YYYY-MM-DD": PostgreSQL's date arrives as a
// time.Time at midnight UTC, SQLite's as the text itself. Dates are written as that text.
type dateScanner struct{ dst *string }

// scanDate is a scan target for a NOT NULL date column.
func scanDate(dst *string) dateScanner { return dateScanner{dst} }

// Scan implements sql.Scanner.
func (s dateScanner) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.dst = v.Format(time.DateOnly)
	case string:
		*s.dst = v
	case []byte:
		*s.dst = string(v)
	case nil:
		*s.dst = "" // no date (PostgreSQL's NULL, SQLite's '')
	default:
		return fmt.Errorf("store: cannot scan %T into a date", src)
	}
	return nil
}

// dateArg is the argument for an optional calendar date column: "YYYY-MM-DD", or for no date
// NULL on PostgreSQL (a date column) and ” on SQLite (a NOT NULL TEXT column).
func (db *DB) dateArg(s string) any {
	if s == "" && db.dialect.postgres() {
		return nil
	}
	return s
}
