package store_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func TestMonthlyTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustOrg(t, db, "acme"), mustOrg(t, db, "other")
		ca, cb := mustCustomer(t, db, a.ID, "株式会社サンプル"), mustCustomer(t, db, b.ID, "他社")
		// lines(1) is one 10% line of ¥1,500: gross ¥1,650; lines(2) gross ¥4,950.
		for _, d := range []struct {
			date  string
			lines int
			issue bool
			kind  document.Kind
		}{
			{"2026-01-10", 1, true, document.Invoice}, {"2026-01-31", 2, true, document.Invoice},
			{"2026-03-01", 1, true, document.Invoice}, {"2026-03-02", 2, false, document.Invoice},
			{"2026-03-03", 1, true, document.Quote}, {"2025-12-31", 1, true, document.Invoice},
		} {
			doc := mustCreateDoc(t, db, a.ID, newDraft(t, ca.ID, d.kind, d.date, "", d.lines))
			if d.issue {
				mustIssue(t, db, a.ID, doc.ID)
			}
		}
		mustIssue(t, db, b.ID, mustCreateDoc(t, db, b.ID, newDraft(t, cb.ID, document.Invoice, "2026-01-15", "", 2)).ID)

		from, to := mustDate(t, "2026-01-01"), mustDate(t, "2026-12-31")
		got, err := db.MonthlyTotals(ctx, a.ID, document.Filter{Kind: document.Invoice, Status: document.Issued, DateFrom: &from, DateTo: &to})
		if err != nil {
			t.Fatal(err)
		}
		want := []store.MonthTotal{{Month: "2026-01", Gross: 1650 + 4950, Count: 2}, {Month: "2026-03", Gross: 1650, Count: 1}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("monthly totals (-want +got):\n%s", diff)
		}
		if got, err := db.MonthlyTotals(ctx, b.ID, document.Filter{Kind: document.Invoice}); err != nil || len(got) != 1 || got[0].Gross != 4950 {
			t.Errorf("the other organisation's totals: %+v, %v", got, err)
		}

		// CountDocuments counts what the search finds, with the same conditions.
		for _, f := range []document.Filter{{}, {Kind: document.Invoice, Status: document.Issued, DateFrom: &from, DateTo: &to},
			{Query: "no such text"}, {Kind: document.Quote}} {
			n, err := db.CountDocuments(ctx, a.ID, f)
			docs, _, serr := db.SearchDocuments(ctx, a.ID, f, domain.Page{Limit: domain.MaxPageLimit})
			if err != nil || serr != nil || n != len(docs) {
				t.Errorf("CountDocuments(%+v) = %d, %v; the search finds %d (%v)", f, n, err, len(docs), serr)
			}
		}
		if n, err := db.CountDocuments(ctx, b.ID, document.Filter{}); err != nil || n != 1 {
			t.Errorf("the other organisation's count = %d, %v; want 1", n, err)
		}
	})
}
