package store

import (
	"context"
	"fmt"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

// MigrateTo migrates up to version, for tests of a migration on data of the schema before it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error { return db.migrate(ctx, version) }

// SlowRead runs a read-only query through the store's read path and drains it, for tests of
// what a long search does to other requests.
func (db *DB) SlowRead(ctx context.Context, query string) error {
	var n int64
	return db.q().queryRow(ctx, query).Scan(&n)
}

// ExplainSearch returns the query plan of the search for f and page, one line per step.
func (db *DB) ExplainSearch(ctx context.Context, orgID string, f document.Filter, page domain.Page) (string, error) {
	plan, err := db.pagePlan(ctx, orgID, f)
	if err != nil {
		return "", err
	}
	query, args, err := db.dialect.searchQuery(orgID, db.withToday(f), page, plan)
	if err != nil {
		return "", err
	}
	return db.explain(ctx, query, args...)
}

// ExplainNamedDocuments returns the query plan of the lookup of three documents by id.
func (db *DB) ExplainNamedDocuments(ctx context.Context, orgID string, ids [3]string) (string, error) {
	return db.explain(ctx, db.dialect.namedDocumentsQuery(3), orgID, ids[0], ids[1], ids[2])
}

// ExplainDueReminders returns the query plan of DueReminders.
func (db *DB) ExplainDueReminders(ctx context.Context, today document.Date) (string, error) {
	query, args := db.dialect.dueRemindersQuery(today)
	return db.explain(ctx, query, args...)
}

func (db *DB) explain(ctx context.Context, query string, args ...any) (string, error) {
	prefix := "EXPLAIN QUERY PLAN "
	if db.dialect.postgres() {
		prefix = "EXPLAIN "
	}
	rows, err := db.q().query(ctx, prefix+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		out = append(out, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(out, "\n"), rows.Err()
}

// ExplainReceivables returns the query plan of Receivables' open balances from the kept sums.
func (db *DB) ExplainReceivables(ctx context.Context, orgID string, asOf document.Date) (string, error) {
	query, args := db.dialect.keptAgingQuery(orgID, asOf, nil)
	return db.explain(ctx, query, args...)
}

// ReceivablesFromRecords is Receivables with every invoice summed from its payments and credit
// notes (the way it was computed before the kept sums were read).
func (db *DB) ReceivablesFromRecords(ctx context.Context, orgID string, asOf document.Date) (receivables.Aging, error) {
	items, err := db.recordedReceivables(ctx, orgID, asOf.String(), nil)
	return receivables.AgeItems(asOf, items), err
}

// ExplainChangedAfter returns the query plan of the search for invoices paid or credited after a
// day (Receivables).
func (db *DB) ExplainChangedAfter(ctx context.Context, orgID string, day document.Date) (string, error) {
	return db.explain(ctx, changedAfterQuery, orgID, day.String(), orgID, day.String(), maxAsOfCorrections+1)
}
