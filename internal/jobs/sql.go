package jobs

import (
	"strconv"
	"strings"
	"time"

	"reportapp/internal/store"
)

// timeLayout is the store's timestamp format: fixed-width UTC text that sorts as text on both
// databases (see internal/store).
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// bind turns the "?" placeholders of q into "$1", "$2"… on PostgreSQL. The queries of this
// package have no question marks in literals.
func bind(driver, q string) string {
	if driver != store.DriverPostgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}
