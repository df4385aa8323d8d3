package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestSearchDocumentCSVRowsAsSummaries: the CSV's own read (SearchDocumentCSV, fields out of
// the body in SQL) makes the same CSV rows, pages and cursors as the full summaries
// (SearchDocumentSummaries) for documents that use every field the CSV shows: drafts with the
// customer's and issuer's current data, issued snapshots, a credit note of an issuer that is not
// qualified (返還請求書), transaction periods, several rates, payments and user text that needs
// quoting or CSVCell.
func TestSearchDocumentCSVRowsAsSummaries(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "csvrows")
		cust := mustCustomer(t, db, org.ID, "株式会社ベータ")
		other := mustCustomer(t, db, org.ID, `="HYPERLINK(""x"")", <&> 商店`)

		inv := mustInvoice(t, db, org.ID, cust.ID, "2025-03-10", "2025-04-30", 100000) // overdue, partly paid
		mustPay(t, db, org.ID, inv.ID, "2025-04-01", 50000, 440)
		paid := mustInvoice(t, db, org.ID, other.ID, "2025-03-12", "", 2000)
		mustPay(t, db, org.ID, paid.ID, "2025-03-20", 2200, 0)
		mustInvoice(t, db, org.ID, cust.ID, "2025-03-15", "2099-12-31", 3000) // unpaid, not due

		mixed := newDraft(t, other.ID, document.Receipt, "2025-03-01", "+1 行目\n\"引用\", カンマ 😀", 2)
		mixed.Items = append(mixed.Items,
			document.Item{Name: "食品", Quantity: 1000, UnitPrice: 800, TaxRate: document.RateReduced, TaxCategory: document.CategoryReduced, Amount: 800},
			document.Item{Name: "切手", Quantity: 1000, UnitPrice: 84, TaxRate: document.RateNonTaxable, TaxCategory: document.CategoryExempt, Amount: 84},
			document.Item{Name: "輸出", Quantity: 1000, UnitPrice: 500, TaxRate: document.RateNonTaxable, TaxCategory: document.CategoryExport, Amount: 500})
		mixed.Totals.ByRate = append(mixed.Totals.ByRate,
			document.RateTotal{Rate: document.RateReduced, Net: 800, Tax: 64, Gross: 864, Category: document.CategoryReduced},
			document.RateTotal{Rate: document.RateNonTaxable, Net: 84, Gross: 84, Category: document.CategoryExempt},
			document.RateTotal{Rate: document.RateNonTaxable, Net: 500, Gross: 500, Category: document.CategoryExport})
		mixed.Totals.Net += 1384
		mixed.Totals.Tax += 64
		mixed.Totals.Gross += 1448
		mixed.Totals.Withholding = 1021
		mixed.Totals.AmountDue = mixed.Totals.Gross - 1021
		mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, mixed).ID)

		monthly := newDraft(t, cust.ID, document.Invoice, "2025-02-28", "2月分", 1)
		monthly.TransactionPeriod = &document.Period{From: mustDate(t, "2025-02-01"), To: mustDate(t, "2025-02-28")}
		mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, monthly).ID)
		dated := newDraft(t, cust.ID, document.DeliveryNote, "2025-02-10", "@納品", 1)
		tx := mustDate(t, "2025-02-05")
		dated.TransactionDate = &tx
		mustCreateDoc(t, db, org.ID, dated)
		cancelled := mustInvoice(t, db, org.ID, cust.ID, "2025-01-20", "", 5000)
		if _, err := db.CancelDocument(ctx, org.ID, "tester", cancelled.ID); err != nil {
			t.Fatal(err)
		}

		// Credit notes of an issuer that is not qualified: one issued (its snapshot), one draft
		// (the organisation's current data); then the issuer and a customer change.
		org.Issuer.QualifiedInvoiceIssuer = false
		if _, err := db.UpdateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		credit := newDraft(t, cust.ID, document.CreditNote, "2025-04-02", "返品", 1)
		credit.RelatedDocumentID = &inv.ID
		mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, credit).ID)
		mustCreateDoc(t, db, org.ID, credit)
		mustCreateDoc(t, db, org.ID, newDraft(t, cust.ID, document.Quote, "2025-04-03", "見積", 1))
		cust.Name = "株式会社ベータ（新社名）"
		if _, err := db.UpdateCustomer(ctx, org.ID, cust); err != nil {
			t.Fatal(err)
		}

		low, high := int64(1000), int64(5000)
		for i, f := range []document.Filter{{}, {Kind: document.Invoice}, {CustomerID: cust.ID}, {Query: "行目"},
			{TotalMin: &low, TotalMax: &high}, {PaymentStatus: "overdue"}} {
			page := domain.Page{Limit: 3}
			pages := 0
			for {
				want, wantNext, err := db.SearchDocumentSummaries(ctx, org.ID, f, page)
				if err != nil {
					t.Fatal(err)
				}
				got, next, err := db.SearchDocumentCSV(ctx, org.ID, f, page)
				if err != nil {
					t.Fatal(err)
				}
				if next != wantNext {
					t.Errorf("filter %+v page %d: next %q, want %q", f, pages, next, wantNext)
				}
				if diff := cmp.Diff(csvRows(want), csvRows(got)); diff != "" {
					t.Errorf("filter %+v page %d: rows (-summaries +csv):\n%s", f, pages, diff)
				}
				if pages++; wantNext == "" || pages > 10 {
					break
				}
				page.Cursor = wantNext
			}
			if i == 0 && pages != 4 {
				t.Errorf("%d pages of all 10 documents by 3, want 4", pages)
			}
		}
	})
}

// csvRows are the CSV rows of docs in both languages.
func csvRows(docs []document.Document) [][]string {
	var out [][]string
	for _, d := range docs {
		out = append(out, document.DocumentCSVRow(document.CSVJapanese, d), document.DocumentCSVRow(document.CSVEnglish, d))
	}
	return out
}
