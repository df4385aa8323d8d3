package store_test

import (
	"context"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestTextSearchFollowsChanges: free text finds what a document says now, after every kind of
// change (SQLite's trigram index is kept by triggers; PostgreSQL's GIN indexes by the table),
// counts and monthly totals agree with the page, and a term of one or two characters (no
// trigram) still matches.
func TestTextSearchFollowsChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "株式会社ミナミ電機")
		find := func(q string) []string {
			t.Helper()
			docs, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{Query: q}, domain.Page{})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			n, err := db.CountDocuments(ctx, org.ID, document.Filter{Query: q})
			if err != nil || n != len(docs) {
				t.Errorf("count %q = %d, %v; the page has %d", q, n, err, len(docs))
			}
			var ids []string
			for _, d := range docs {
				ids = append(ids, d.ID)
			}
			return ids
		}
		d := newDraft(t, c.ID, document.Invoice, "2026-04-01", "空調設備の定期点検", 2)
		d.Items[0].Name = "フィルター交換"
		d = mustCreateDoc(t, db, org.ID, d)
		// Two characters (SQLite's and PostgreSQL's index of bigrams): in the subject, an item, the
		// customer's name, across an item's words and folded from half width and upper case.
		for _, q := range []string{"定期点検", "フィルター", "ミナミ電機", "ﾐﾅﾐ", "点検", "検", "空調", "交換", "電機", "ﾐﾅ", "作業", "ター"} {
			if got := find(q); len(got) != 1 || got[0] != d.ID {
				t.Errorf("draft: %q finds %v, want the draft", q, got)
			}
		}

		d.Subject, d.Items[0].Name = "ボイラー修理", "部品代"
		d, err := db.UpdateDocument(ctx, org.ID, "tester", d)
		if err != nil {
			t.Fatal(err)
		}
		if got := find("定期点検"); len(got) != 0 {
			t.Errorf("after the update the old subject still finds %v", got)
		}
		if got := find("ボイラー修理"); len(got) != 1 {
			t.Errorf("after the update the new subject finds %v", got)
		}
		if got := find("修理"); len(got) != 1 {
			t.Errorf("after the update two characters of the new subject find %v", got)
		}
		for _, q := range []string{"点検", "交換", "の定"} {
			if got := find(q); len(got) != 0 {
				t.Errorf("after the update two characters of the old text (%q) still find %v", q, got)
			}
		}
		c.Name = "株式会社キタ商事"
		if _, err := db.UpdateCustomer(ctx, org.ID, c); err != nil {
			t.Fatal(err)
		}
		if got := find("キタ商事"); len(got) != 1 {
			t.Errorf("after the customer's rename the draft's new customer name finds %v", got)
		}
		if got := find("ミナミ電機"); len(got) != 0 {
			t.Errorf("after the customer's rename the old name still finds %v", got)
		}
		if got, old := find("キタ"), find("ミナ"); len(got) != 1 || len(old) != 0 {
			t.Errorf("after the customer's rename two characters of the new name find %v, of the old %v", got, old)
		}
		issued := mustIssue(t, db, org.ID, d.ID)
		if got := find(*issued.Number); len(got) != 1 {
			t.Errorf("the number %s finds %v", *issued.Number, got)
		}

		other := mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Quote, "2026-05-01", `見積 "特急" 対応`, 1))
		if got := find(`"特急"`); len(got) != 1 || got[0] != other.ID {
			t.Errorf("a term with quotes finds %v", got)
		}
		if err := db.DeleteDocument(ctx, org.ID, "tester", other.ID); err != nil {
			t.Fatal(err)
		}
		if got := find("特急"); len(got) != 0 {
			t.Errorf("a deleted draft is still found: %v", got)
		}
		totals, err := db.MonthlyTotals(ctx, org.ID, document.Filter{Query: "ボイラー"})
		if err != nil || len(totals) != 1 || totals[0].Count != 1 {
			t.Errorf("monthly totals of a term = %+v, %v", totals, err)
		}
	})
}

// TestShortTermsMigration: migration 00260 indexes the bigrams of the documents written before it,
// so that two characters of their text or customer name find them (SQLite reads those few
// matches from the index alone).
func TestShortTermsMigration(t *testing.T) {
	storetest.EachUnmigrated(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustMigrateTo(t, db, 250)
		org, c, doc := "0190a0a0-0000-7000-8000-000000000001", "0190a0a0-0000-7000-8000-000000000002", "0190a0a0-0000-7000-8000-000000000003"
		for _, stmt := range []string{
			`INSERT INTO organizations (id, slug, name, number_prefixes, created_at, updated_at) VALUES ('` + org + `', 'acme', 'acme', '{}',
				'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
			`INSERT INTO customers (id, org_id, name, created_at, updated_at) VALUES ('` + c + `', '` + org + `', 'みなみ商店',
				'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
			`INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name, issue_date, search_date, gross, search_text,
				version, created_at, updated_at, body) VALUES ('` + doc + `', '` + org + `', 'invoice', 'draft', '` + c + `', 'みなみ商店',
				'2026-03-01', '2026-03-01', 0, 'inv-1
空調設備の点検', 1, '2026-03-01T00:00:00.000000Z', '2026-03-01T00:00:00.000000Z', '{}')`,
		} {
			if _, err := db.SQL().ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt[:40], err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"点検", "空調", "みな", "商店"} {
			n, err := db.CountDocuments(ctx, org, document.Filter{Query: q})
			if err != nil || n != 1 {
				t.Errorf("%q after the migration: %d documents, %v", q, n, err)
			}
		}
	})
}
