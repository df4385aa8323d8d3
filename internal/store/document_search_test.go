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
		for _, q := range []string{"定期点検", "フィルター", "ミナミ電機", "ﾐﾅﾐ", "点検", "検"} {
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
