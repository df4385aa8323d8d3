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
// at 20,000 it still scans for free text) and 20,000 on SQLite (without statistics, as the
// application runs it), each filter of the search uses an index for it and none reads the whole
// table; the lookup of documents by id uses the primary key.
func TestSearchPlans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "株式会社サンプル")
		pg := db.Driver() == store.DriverPostgres
		seed := fmt.Sprintf(`INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name, issue_date,
			search_date, gross, search_text, version, created_at, updated_at, body)
			SELECT %s, '%s', 'invoice', 'issued', '%s', 'sample', %s, %s, (i * 7919) %% 1000000, 'inv-' || i || ' maintenance', 1,
			'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', '{}' FROM %s`,
			"'00000000-0000-7000-8000-' || substr('000000000000' || i, -12, 12)", org.ID, c.ID,
			"date('2016-01-01', '+' || (i % 3650) || ' days')", "date('2016-01-01', '+' || (i % 3650) || ' days')",
			"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 20000) SELECT i FROM s)")
		if pg {
			seed = fmt.Sprintf(`INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name, issue_date,
				search_date, gross, search_text, version, created_at, updated_at, body)
				SELECT gen_random_uuid()::text, '%s', 'invoice', 'issued', '%s', 'sample', date '2016-01-01' + i %% 3650,
				date '2016-01-01' + i %% 3650, (i * 7919) %% 1000000, 'inv-' || i || ' maintenance', 1, now(), now(), '{}'
				FROM generate_series(1, 100000) i`, org.ID, c.ID)
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
			if _, err := db.SQL().ExecContext(ctx, "ANALYZE documents"); err != nil {
				t.Fatal(err)
			}
		}
		amount, low, high := int64(7919*5), int64(100000), int64(200000)
		tests := []struct {
			name    string
			f       document.Filter
			want    string // an index the plan must use ("" for any)
			wantNot string
		}{
			{"customer", document.Filter{CustomerID: other.ID}, "documents_customer_date", ""},
			{"exact amount", document.Filter{TotalMin: &amount, TotalMax: &amount}, "documents_gross", ""},
			{"amount range", document.Filter{TotalMin: &low, TotalMax: &high}, "", "TEMP B-TREE"},
			{"kind and status", document.Filter{Kind: document.Invoice, Status: document.Issued}, "", ""},
		}
		if pg {
			tests = append(tests, struct {
				name    string
				f       document.Filter
				want    string
				wantNot string
			}{"text that matches nothing", document.Filter{Query: "no such words"}, "trgm", ""})
		}
		for _, tc := range tests {
			plan, err := db.ExplainSearch(ctx, org.ID, tc.f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if tc.want != "" && !strings.Contains(plan, tc.want) {
				t.Errorf("%s: plan does not use %s:\n%s", tc.name, tc.want, plan)
			}
			if tc.wantNot != "" && strings.Contains(plan, tc.wantNot) {
				t.Errorf("%s: plan has %s:\n%s", tc.name, tc.wantNot, plan)
			}
			if strings.Contains(plan, "Seq Scan on documents") || strings.Contains(plan, "SCAN d\n") || strings.HasSuffix(plan, "SCAN d") {
				t.Errorf("%s: plan reads the whole table:\n%s", tc.name, plan)
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
	})
}
