package store_test

import (
	"context"
	"database/sql"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestDocumentActivity: the document page's payments and mails are those ListPayments and
// ListDeliveries return, for the documents they apply to, and only the organisation's.
func TestDocumentActivity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, other := mustOrg(t, db, "acme"), mustOrg(t, db, "other")
		c := mustCustomer(t, db, org.ID, "株式会社サンプル")
		inv := mustInvoice(t, db, org.ID, c.ID, "2026-11-01", "2026-11-30", 10000)
		mustPay(t, db, org.ID, inv.ID, "2026-11-10", 3000, 0)
		mustPay(t, db, org.ID, inv.ID, "2026-11-05", 2000, 0)
		if _, _, err := db.CreateDelivery(ctx, org.ID, "tester", store.NewDelivery{DocumentID: inv.ID, Purpose: store.PurposeDocument,
			To: []string{"a@example.com"}, Subject: "請求書", IdempotencyKey: "k1", MessageDomain: "example.com"}, store.DeliveryLimit{},
			func(context.Context, *sql.Tx, string) error { return nil }); err != nil {
			t.Fatal(err)
		}
		draft := mustCreateDoc(t, db, org.ID, document.Document{Kind: document.Invoice, CustomerID: c.ID, IssueDate: mustDate(t, "2026-11-01"),
			TaxRounding: document.Floor, Items: []document.Item{{Name: "作業", Quantity: 1000, UnitPrice: 100, TaxRate: 10}}})
		quote := mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, document.Document{Kind: document.Quote, CustomerID: c.ID,
			IssueDate: mustDate(t, "2026-11-01"), TaxRounding: document.Floor, Items: []document.Item{{Name: "作業", Quantity: 1000, UnitPrice: 100, TaxRate: 10}}}).ID)

		got, err := db.DocumentActivity(ctx, org.ID, inv)
		if err != nil {
			t.Fatal(err)
		}
		pays, err := db.ListPayments(ctx, org.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		dels, err := db.ListDeliveries(ctx, org.ID, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Payments) != 2 || got.Payments[0].Amount != 2000 || len(got.Deliveries) != 1 || got.Deliveries[0].Subject != "請求書" {
			t.Errorf("activity of the invoice = %d payments %+v, %d deliveries; want 2 oldest first and 1", len(got.Payments), got.Payments, len(got.Deliveries))
		}
		if len(got.Payments) != len(pays) || len(got.Deliveries) != len(dels) || (len(dels) > 0 && got.Deliveries[0].ID != dels[0].ID) {
			t.Errorf("activity = %d payments, %d deliveries; List* = %d, %d", len(got.Payments), len(got.Deliveries), len(pays), len(dels))
		}
		for _, tt := range []struct {
			name  string
			orgID string
			d     document.Document
		}{{"draft", org.ID, draft}, {"quote", org.ID, quote}, {"another organisation's view", other.ID, inv}} {
			a, err := db.DocumentActivity(ctx, tt.orgID, tt.d)
			if err != nil || len(a.Payments) != 0 || (tt.name != "quote" && len(a.Deliveries) != 0) {
				t.Errorf("%s: activity = %+v, %v; want none", tt.name, a, err)
			}
			if tt.name == "quote" && a.Payments != nil {
				t.Errorf("a quote has payments %+v", a.Payments)
			}
		}
	})
}
