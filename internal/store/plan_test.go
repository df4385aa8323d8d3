package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestSearchPlans: with 100,000 documents of one organisation on PostgreSQL (with statistics:
// at 20,000 it still scans for free text) and 40,000 on SQLite (without statistics, as the
// application runs it), each filter of the search and their combinations use an index for it and
// none reads the whole table: free text that matches little goes through the trigram index (FTS5
// on SQLite, pg_trgm on PostgreSQL), a page after a cursor starts in the date index, and the
// lookup of documents by id uses the primary key.
func TestSearchPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "株式会社サンプル")
		pg := db.Driver() == store.DriverPostgres
		// One invoice in ten is open (half of those partly paid), the others paid; each is due a
		// month after it is dated.
		sums := "CASE WHEN i % 10 <> 0 THEN (i * 7919) % 1000000 WHEN i % 20 = 0 THEN 1 ELSE 0 END"
		seed := fmt.Sprintf(`INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name, issue_date,
			search_date, gross, search_text, version, created_at, updated_at, body, paid)
			SELECT %s, '%s', 'invoice', 'issued', '%s', 'sample', %s, %s, (i * 7919) %% 1000000, 'inv-' || i || ' maintenance' || CASE WHEN i %% 19 = 0 THEN ' overhaul' ELSE '' END, 1,
			'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '{"due_date":"' || %s || '"}', %s FROM %s`,
			"'00000000-0000-7000-8000-' || substr('000000000000' || i, -12, 12)", org.ID, c.ID,
			"date('2016-01-01', '+' || (i % 3650) || ' days')", "date('2016-01-01', '+' || (i % 3650) || ' days')",
			"date('2016-01-31', '+' || (i % 3650) || ' days')", sums,
			"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 40000) SELECT i FROM s)")
		if pg {
			seed = fmt.Sprintf(`INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name, issue_date,
				search_date, gross, search_text, version, created_at, updated_at, body, paid)
				SELECT gen_random_uuid()::text, '%s', 'invoice', 'issued', '%s', 'sample', date '2016-01-01' + i %% 3650,
				date '2016-01-01' + i %% 3650, (i * 7919) %% 1000000, 'inv-' || i || ' maintenance' || CASE WHEN i %% 19 = 0 THEN ' overhaul' ELSE '' END, 1, now(), now(),
				('{"due_date":"' || (date '2016-01-31' + i %% 3650) || '"}')::jsonb, %s
				FROM generate_series(1, 100000) i`, org.ID, c.ID, sums)
		}
		if _, err := db.SQL().ExecContext(ctx, seed); err != nil {
			t.Fatal(err)
		}
		// Another customer with few documents: the customer filter is selective.
		other := mustCustomer(t, db, org.ID, "別の顧客")
		for range 3 {
			mustCreateDoc(t, db, org.ID, newDraft(t, other.ID, document.Invoice, "2026-04-01", "保守", 1))
		}
		if pg {
			if _, err := db.SQL().ExecContext(ctx, "VACUUM ANALYZE documents"); err != nil {
				t.Fatal(err)
			}
		}
		amount, low, high, narrow := int64(7919*5), int64(100000), int64(200000), int64(101000)
		// SQLite picks a page of a narrow range from the keys in the amount index (covering, unless
		// a condition needs the row), then reads its rows.
		byAmount, byAmountKeys := map[bool]string{true: "", false: "documents_gross"}[pg], map[bool]string{true: "", false: "COVERING INDEX documents_gross"}[pg]
		from, to := mustDate(t, "2020-04-01"), mustDate(t, "2020-04-30")
		early, jan := mustDate(t, "2016-03-01"), mustDate(t, "2020-01-01")
		y2017, end2017 := mustDate(t, "2017-01-01"), mustDate(t, "2017-12-31")
		byDueKeys := map[bool]string{true: "documents_due", false: "LIST SUBQUERY 1\nSEARCH d USING INDEX documents_due"}[pg]
		// The trigram index of each database: pg_trgm GIN on PostgreSQL, FTS5 on SQLite.
		textIndex := map[bool]string{true: "trgm", false: "documents_fts"}[pg]
		byProbe := map[bool]string{true: "", false: "SEARCH d USING INDEX documents_search (org_id=?)\nLIST SUBQUERY 1\nSCAN documents_fts"}[pg]
		bigramIndex := "documents_bigrams"
		byBigramProbe := map[bool]string{true: "", false: "SEARCH d USING INDEX documents_search (org_id=?)\nLIST SUBQUERY 1\nSCAN documents_bigrams"}[pg]
		deep, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{}, domain.Page{Limit: 500})
		if err != nil || len(deep) == 0 {
			t.Fatalf("first page: %d, %v", len(deep), err)
		}
		_, cursor, err := db.SearchDocuments(ctx, org.ID, document.Filter{DateTo: &to}, domain.Page{Limit: 500})
		if err != nil || cursor == "" {
			t.Fatalf("a page with a cursor: %q, %v", cursor, err)
		}
		// The partial indexes of the open and the settled invoices (00240), walked in date order.
		// PostgreSQL reads invoices not yet due by documents_due when few are due from today.
		open, settled, notDue := "documents_open ", "documents_settled", ""
		if !pg {
			open = "INDEX documents_open "
			notDue = open
		}
		tests := []struct {
			name    string
			f       document.Filter
			page    domain.Page
			want    string // an index the plan must use ("" for any)
			wantNot string
		}{
			{"customer", document.Filter{CustomerID: other.ID}, domain.Page{}, "documents_customer_date", ""},
			{"customer and month", document.Filter{CustomerID: other.ID, DateFrom: &from, DateTo: &to}, domain.Page{}, "documents_customer_date", ""},
			{"customer and kind", document.Filter{CustomerID: other.ID, Kind: document.Invoice}, domain.Page{}, "documents_customer_date", ""},
			{"exact amount", document.Filter{TotalMin: &amount, TotalMax: &amount}, domain.Page{}, "documents_gross", ""},
			// An amount range that many documents are in walks the date index (SQLite: reading
			// it from the amount index and sorting every match was slower); one that few are in
			// is read from the amount index: up to 1,000 matches when another condition needs the
			// rows (a kind), up to √(510 × documents) (3,200 here) when the index's keys suffice.
			{"amount range", document.Filter{TotalMin: &low, TotalMax: &high}, domain.Page{}, byAmountKeys, ""},
			{"amount range and kind", document.Filter{Kind: document.Invoice, TotalMin: &low, TotalMax: &high}, domain.Page{}, "", "TEMP B-TREE"},
			{"wide amount range", document.Filter{TotalMin: &low}, domain.Page{}, "", "TEMP B-TREE"},
			{"narrow amount range", document.Filter{TotalMin: &low, TotalMax: &narrow}, domain.Page{}, byAmountKeys, ""},
			{"narrow amount range after a cursor", document.Filter{TotalMin: &low, TotalMax: &narrow}, domain.Page{Cursor: cursor}, byAmountKeys, ""},
			{"amount range and month", document.Filter{TotalMin: &low, TotalMax: &high, DateFrom: &from, DateTo: &to}, domain.Page{}, byAmountKeys, ""},
			{"narrow amount range and kind", document.Filter{Kind: document.Invoice, TotalMin: &low, TotalMax: &narrow}, domain.Page{}, byAmount, ""},
			{"month", document.Filter{DateFrom: &from, DateTo: &to}, domain.Page{}, "documents_search", "TEMP B-TREE"},
			{"kind and status", document.Filter{Kind: document.Invoice, Status: document.Issued}, domain.Page{}, "", ""},
			// SQLite chooses a page of due dates among documents_due's keys, then reads its rows,
			// for any range and any other condition (a walk of the dates reads every newer body).
			{"due dates of a month", document.Filter{DueFrom: &from, DueTo: &to}, domain.Page{}, byDueKeys, "SCAN d\n"},
			{"due dates of a month after a cursor", document.Filter{DueFrom: &from, DueTo: &to}, domain.Page{Cursor: cursor}, byDueKeys, ""},
			{"due dates of a month and kind", document.Filter{DueFrom: &from, DueTo: &to, Kind: document.Invoice}, domain.Page{}, "documents_due", ""},
			// (PostgreSQL, which stores the due date, walks the dates for these two by its
			// statistics.)
			{"due dates of four months and kind", document.Filter{DueFrom: &jan, DueTo: &to, Kind: document.Invoice}, domain.Page{}, map[bool]string{true: "", false: byDueKeys}[pg], ""},
			{"due dates from 2016 on", document.Filter{DueFrom: &early}, domain.Page{}, map[bool]string{true: "", false: byDueKeys}[pg], ""},
			// A range that ended over a year ago: PostgreSQL, assuming its matches are spread
			// over the dates, would walk the date index through every newer document; its keys
			// are sorted instead.
			{"due dates of a year long past", document.Filter{DueFrom: &y2017, DueTo: &end2017}, domain.Page{}, byDueKeys, "Backward using documents_search"},
			{"page after a cursor", document.Filter{DateTo: &to}, domain.Page{Cursor: cursor}, "documents_search", "TEMP B-TREE"},
			{"payment status overdue", document.Filter{Kind: document.Invoice, PaymentStatus: "overdue"}, domain.Page{}, open, "SubPlan"},
			{"payment status paid", document.Filter{PaymentStatus: "paid"}, domain.Page{}, settled, "SubPlan"},
			{"payment status partially paid", document.Filter{PaymentStatus: "partially_paid"}, domain.Page{}, notDue, "SubPlan"},
			{"payment status unpaid", document.Filter{PaymentStatus: "unpaid"}, domain.Page{}, notDue, "SubPlan"},
			{"overdue and customer", document.Filter{PaymentStatus: "overdue", CustomerID: other.ID}, domain.Page{}, "documents_customer_date", ""},
			{"overdue after a cursor", document.Filter{PaymentStatus: "overdue"}, domain.Page{Cursor: cursor}, open, "TEMP B-TREE"},
			{"text that matches nothing", document.Filter{Query: "no such words"}, domain.Page{}, textIndex, ""},
			// A term some 2,100 documents have (SQLite: more than the 2,000 read by rowid, fewer
			// than √(135 × 40,000)) walks the date index, probing the trigram index's matches.
			{"text that some match", document.Filter{Query: "overhaul"}, domain.Page{}, byProbe, "TEMP B-TREE"},
			// A term every document has fills a page from the newest rows: the estimate keeps it on
			// the date walk with LIKE, without building the set of its 40,000 matches.
			{"text most match", document.Filter{Query: "maintenance"}, domain.Page{}, map[bool]string{true: "", false: "SEARCH d USING INDEX documents_search"}[pg], map[bool]string{true: "Seq Scan", false: "documents_fts"}[pg]},
			{"Japanese text that matches nothing", document.Filter{Query: "存在しない品目"}, domain.Page{}, textIndex, ""},
			// Two characters have no trigram: the index of bigrams finds them (00260).
			{"2 characters that match nothing", document.Filter{Query: "皆無"}, domain.Page{}, bigramIndex, ""},
			{"2 characters some match", document.Filter{Query: "ov"}, domain.Page{}, byBigramProbe, "TEMP B-TREE"},
			{"2 characters most match", document.Filter{Query: "ma"}, domain.Page{}, map[bool]string{true: "", false: "SEARCH d USING INDEX documents_search"}[pg], map[bool]string{true: "Seq Scan", false: "documents_bigrams"}[pg]},
			{"2 characters and month", document.Filter{Query: "皆無", DateFrom: &from, DateTo: &to}, domain.Page{}, "", ""},
			// A pair every document has is not asked of the index: PostgreSQL would walk the dates
			// and run reportapp_bigrams on every row the LIKE lets through (usePostgresBigrams).
			{"2 characters most match, without the bigram function", document.Filter{Query: "ma"}, domain.Page{}, "", map[bool]string{true: "reportapp_bigrams", false: "documents_bigrams"}[pg]},
			{"text and customer", document.Filter{Query: "存在しない品目", CustomerID: c.ID}, domain.Page{}, "", ""},
			{"text and month", document.Filter{Query: "no such words", DateFrom: &from, DateTo: &to}, domain.Page{}, "", ""},
		}
		for _, tc := range tests {
			plan, err := db.ExplainSearch(ctx, org.ID, tc.f, tc.page)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if tc.want != "" && !strings.Contains(plan, tc.want) {
				t.Errorf("%s: plan does not use %s:\n%s", tc.name, tc.want, plan)
			}
			if (tc.want == "documents_fts" || tc.want == "documents_bigrams" && !pg) && strings.Contains(plan, "documents_search") {
				t.Errorf("%s: plan walks the date index instead of the trigram index's matches:\n%s", tc.name, plan)
			}
			if tc.wantNot != "" && strings.Contains(plan, tc.wantNot) {
				t.Errorf("%s: plan has %s:\n%s", tc.name, tc.wantNot, plan)
			}
			if strings.Contains(plan, "Seq Scan on documents") || strings.Contains(plan, "SCAN d\n") || strings.HasSuffix(plan, "SCAN d") {
				t.Errorf("%s: plan reads the whole table:\n%s", tc.name, plan)
			}
		}
		// Read by these plans (amount or due-date keys, probed text), a page is still the newest
		// of the matches.
		for _, c := range []struct {
			name, where string
			f           document.Filter
		}{
			{"narrow amount range", fmt.Sprintf("gross BETWEEN %d AND %d", low, narrow), document.Filter{TotalMin: &low, TotalMax: &narrow}},
			{"due dates of a month", "due_date BETWEEN '2020-04-01' AND '2020-04-30'", document.Filter{DueFrom: &from, DueTo: &to}},
			{"due dates of a year long past", "due_date BETWEEN '2017-01-01' AND '2017-12-31'", document.Filter{DueFrom: &y2017, DueTo: &end2017}},
			{"text that some match", "search_text LIKE '%overhaul%'", document.Filter{Query: "overhaul"}},
			{"2 characters some match", "search_text LIKE '%ov%'", document.Filter{Query: "ov"}},
		} {
			var want []string
			rows, err := db.SQL().QueryContext(ctx, fmt.Sprintf(`SELECT id FROM documents WHERE org_id = '%s' AND %s
				ORDER BY search_date DESC, id DESC LIMIT 50`, org.ID, c.where))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, id)
			}
			rows.Close()
			page, _, err := db.SearchDocumentSummaries(ctx, org.ID, c.f, domain.Page{Limit: 50})
			if err != nil || len(page) != len(want) || len(want) == 0 {
				t.Fatalf("%s: %d documents, %v; want %d", c.name, len(page), err, len(want))
			}
			for i := range want {
				if page[i].ID != want[i] {
					t.Fatalf("%s: document %d is %s, want %s", c.name, i, page[i].ID, want[i])
				}
			}
		}
		docs, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{CustomerID: other.ID}, domain.Page{Limit: 3})
		if err != nil || len(docs) != 3 {
			t.Fatalf("customer search = %d documents, %v", len(docs), err)
		}
		plan, err := db.ExplainNamedDocuments(ctx, org.ID, [3]string{docs[0].ID, docs[1].ID, docs[2].ID})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "documents_pkey", false: "sqlite_autoindex_documents_1"}[pg]; !strings.Contains(plan, want) {
			t.Errorf("lookup by id does not use the primary key:\n%s", plan)
		}
		// The hourly reminders read the open invoices of the organisations that send them.
		plan, err = db.ExplainDueReminders(ctx, mustDate(t, "2026-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "documents_open") || strings.Contains(plan, "documents_due") || strings.Contains(plan, "Seq Scan on documents") {
			t.Errorf("due reminders do not read the open invoices by documents_open:\n%s", plan)
		}
		// The receivables' aging sums the open invoices from documents_aging (00280): PostgreSQL
		// from the index alone, SQLite in the index's order of customers and due dates (reading
		// each open invoice's row for its amount due, a virtual column over the body).
		plan, err = db.ExplainReceivables(ctx, org.ID, mustDate(t, "2026-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "Index Only Scan using documents_aging", false: "SEARCH d USING INDEX documents_aging"}[pg]; !strings.Contains(plan, want) ||
			strings.Contains(plan, "Seq Scan on documents") || strings.Contains(plan, "SCAN d\n") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("the aging does not sum the open invoices from documents_aging:\n%s", plan)
		}
		// The invoices paid or credited after the day are found by their indexes (00280), not by
		// reading every credit note or payment of the organisation.
		plan, err = db.ExplainChangedAfter(ctx, org.ID, mustDate(t, "2026-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "documents_credit_notes") || !pg && !strings.Contains(plan, "payments_date") ||
			strings.Contains(plan, "Seq Scan on documents") || strings.Contains(plan, "SCAN d\n") || strings.Contains(plan, "SCAN p\n") {
			t.Errorf("the invoices changed after the day are not found by payments_date and documents_credit_notes:\n%s", plan)
		}
	})
}
