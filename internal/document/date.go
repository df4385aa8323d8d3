package document

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date with no time of day or zone (document dates are dates in the
// organisation's time zone). The zero Date is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD" (full-width digits too: see NormalizeCode) and rejects
// impossible dates such as 2025-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, NormalizeCode(s))
	if err != nil {
		return Date{}, fmt.Errorf("日付は YYYY-MM-DD で入力してください (date must be YYYY-MM-DD)")
	}
	if t.Year() < 1900 || t.Year() > 9999 {
		return Date{}, fmt.Errorf("日付の年が範囲外です (year out of range)")
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today is the current date in loc (the organisation's zone, never the server's UTC).
func Today(now time.Time, loc *time.Location) Date { return DateOf(now.In(loc)) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "YYYY-MM-DD" ("" for the zero Date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Japanese formats d as "2025年4月1日".
func (d Date) Japanese() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
}

// Time returns midnight of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.String() < e.String() }

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
