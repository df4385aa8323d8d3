package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestColumnTypesMigration: rows written by the schema before 00031 (timestamps, dates and JSON
// as text) read back the same after it, on PostgreSQL where 00031 converts the columns in place
// (timestamptz, date, jsonb) and on SQLite where they stay text.
func TestColumnTypesMigration(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, db *store.DB) {
		if err := db.MigrateTo(ctx, 30); err != nil {
			t.Fatal(err)
		}
		const (
			orgID  = "0190a0a0-0000-7000-8000-000000000001"
			userID = "0190a0a0-0000-7000-8000-000000000002"
			custID = "0190a0a0-0000-7000-8000-000000000003"
			docID  = "0190a0a0-0000-7000-8000-000000000004"
			expID  = "0190a0a0-0000-7000-8000-000000000005"
		)
		body := `{"id":"` + docID + `","kind":"invoice","status":"issued","issue_date":"2026-03-31","subject":"三月分",` +
			`"items":[{"name":"保守","quantity":1000,"unit_price":1000,"tax_rate":10}],"totals":{"gross":1100,"by_rate":[]},` +
			`"tax_rounding":"floor","customer":{"name":"株式会社サンプル"}}`
		for _, stmt := range []string{
			`INSERT INTO organizations (id, slug, name, number_prefixes, created_at, updated_at) VALUES ('` + orgID +
				`', 'acme', '株式会社アクメ', '{"invoice":"INV-"}', '2025-01-02T03:04:05.123456Z', '2025-06-07T08:09:10.000001Z')`,
			`INSERT INTO users (id, email, name, created_at) VALUES ('` + userID + `', 'a@example.jp', 'A', '2025-01-02T03:04:05.000000Z')`,
			`INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ('` + orgID + `', '` + userID + `', 'admin', '2025-01-02T03:04:06.000000Z')`,
			`INSERT INTO customers (id, org_id, name, created_at, updated_at) VALUES ('` + custID + `', '` + orgID +
				`', '株式会社サンプル', '2025-02-01T00:00:00.000000Z', '2025-02-01T00:00:00.000000Z')`,
			`INSERT INTO documents (id, org_id, kind, status, number, seq, customer_id, customer_name, issue_date, search_date,
				gross, search_text, version, created_at, updated_at, issued_at, body) VALUES ('` + docID + `', '` + orgID + `', 'invoice', 'issued',
				'INV-0001', 1, '` + custID + `', '株式会社サンプル', '2026-03-31', '2026-03-15', 1100, 'inv-0001
三月分
保守', 2,
				'2026-03-31T01:00:00.000000Z', '2026-03-31T02:00:00.000000Z', '2026-03-31T02:00:00.000000Z', '` + body + `')`,
			`INSERT INTO document_counters (org_id, kind, last) VALUES ('` + orgID + `', 'invoice', 1)`,
			`INSERT INTO document_events (id, org_id, document_id, seq, action, actor, at, before_body) VALUES
				('0190a0a0-0000-7000-8000-000000000006', '` + orgID + `', '` + docID + `', 0, 'create', 'a@example.jp', '2026-03-31T01:00:00.000000Z', NULL),
				('0190a0a0-0000-7000-8000-000000000007', '` + orgID + `', '` + docID + `', 1, 'issue', 'a@example.jp', '2026-03-31T02:00:00.000000Z', '` + body + `')`,
			`INSERT INTO sessions (token_hash, data, expiry) VALUES ('` + sessionHash + `', X'0102', '2999-01-01T00:00:00.000000Z')`,
			`INSERT INTO exports (id, org_id, filter, status, created_at, updated_at, expires_at) VALUES ('` + expID + `', '` + orgID +
				`', '{"kind":"invoice","date_from":"2026-01-01"}', 'queued', '2026-04-01T00:00:00.000000Z', '2026-04-01T00:00:00.000000Z', '2999-04-08T00:00:00.000000Z')`,
		} {
			if db.Driver() == store.DriverPostgres {
				stmt = strings.ReplaceAll(stmt, "X'0102'", `'\x0102'::bytea`)
			}
			if _, err := db.SQL().ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt[:40], err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}

		org, err := db.GetOrganization(ctx, orgID)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2025, 1, 2, 3, 4, 5, 123456000, time.UTC); !org.CreatedAt.Equal(want) || org.NumberPrefixes.For(document.Invoice) != "INV-" {
			t.Errorf("organisation = created %v, prefixes %+v", org.CreatedAt, org.NumberPrefixes)
		}
		d, err := db.GetDocument(ctx, orgID, docID)
		if err != nil {
			t.Fatal(err)
		}
		if d.IssueDate.String() != "2026-03-31" || d.Subject != "三月分" || d.Totals.Gross != 1100 || d.IssuedAt == nil ||
			!d.IssuedAt.Equal(time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC)) || d.CancelledAt != nil {
			t.Errorf("document = %+v", d)
		}
		from, to := mustDate(t, "2026-03-01"), mustDate(t, "2026-03-31")
		docs, _, err := db.SearchDocuments(ctx, orgID, document.Filter{DateFrom: &from, DateTo: &to, Query: "三月"}, domain.Page{})
		if err != nil || len(docs) != 1 {
			t.Errorf("search in March = %d documents, %v", len(docs), err)
		}
		months, err := db.MonthlyTotals(ctx, orgID, document.Filter{})
		if err != nil || len(months) != 1 || months[0].Month != "2026-03" || months[0].Gross != 1100 {
			t.Errorf("monthly totals = %+v, %v", months, err)
		}
		events, _, err := db.History(ctx, orgID, docID, domain.Page{})
		if err != nil || len(events) != 2 || events[1].Before == nil || events[1].Before.Subject != "三月分" ||
			!events[0].At.Equal(time.Date(2026, 3, 31, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("history = %+v, %v", events, err)
		}
		members, err := db.ListMembers(ctx, orgID)
		if err != nil || len(members) != 1 || !members[0].CreatedAt.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("members = %+v, %v", members, err)
		}
		if data, _, found, err := db.FindSession(ctx, sessionToken); err != nil || !found || string(data) != "\x01\x02" {
			t.Errorf("session = %q, %v, %v", data, found, err)
		}
		e, err := db.GetExport(ctx, orgID, expID, time.Now())
		if err != nil || e.Status != store.ExportQueued || !e.CreatedAt.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("export = %+v, %v", e, err)
		}
		w, ok, err := db.StartExportAttempt(ctx, expID, "w", time.Now())
		if err != nil || !ok || w.Filter.Kind != document.Invoice || w.Filter.DateFrom.String() != "2026-01-01" {
			t.Errorf("export work = %+v, %v, %v", w, ok, err)
		}
		// And new rows are written and read in the new types.
		c, err := db.CreateCustomer(ctx, orgID, document.Customer{Counterparty: document.Counterparty{Name: "新規"}})
		if err != nil {
			t.Fatal(err)
		}
		org, gerr := db.GetOrganization(ctx, orgID)
		if gerr != nil {
			t.Fatal(gerr)
		}
		storetest.MustRegister(t, db, org) // a qualified issuer issues invoices with its number
		mustIssue(t, db, orgID, mustCreateDoc(t, db, orgID, newDraft(t, c.ID, document.Invoice, "2026-04-01", "四月分", 1)).ID)
		if n, err := db.CountDocuments(ctx, orgID, document.Filter{Status: document.Issued}); err != nil || n != 2 {
			t.Errorf("issued documents = %d, %v; want 2", n, err)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		db, err := store.Open(ctx, store.DriverSQLite, filepath.Join(t.TempDir(), "old.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		run(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db, err := store.Open(ctx, store.DriverPostgres, storetest.PostgresDSN(t), store.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		run(t, db)
		var typ string
		if err := db.SQL().QueryRowContext(ctx, `SELECT data_type FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'documents' AND column_name = 'search_date'`).Scan(&typ); err != nil || typ != "date" {
			t.Errorf("documents.search_date is %q (%v), want date", typ, err)
		}
	})
}

// sessionToken and its stored key (the SHA-256 hex of the token).
const (
	sessionToken = "test-session-token"
	sessionHash  = "7a16f44e82f892c5db994ff1fe2c468656ad31af77ebe04b1d02be3bf8d4cc8e"
)
