package web

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustDeliveryNote issues a delivery note of one ¥105 line at 10% on day of November 2026.
func (a *testAPI) mustDeliveryNote(customerID string, day int) document.Document {
	a.t.Helper()
	var d document.Document
	a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", map[string]any{
		"kind": "delivery_note", "customer_id": customerID, "issue_date": fmt.Sprintf("2026-11-%02d", day),
		"transaction_date": fmt.Sprintf("2026-11-%02d", day), "subject": "納品",
		"items": []map[string]any{{"name": "部品", "quantity": "1", "unit": "個", "unit_price": 105, "tax_rate": 10}},
	})
	a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+d.ID+"/issue", nil)
	return d
}

func TestSummaryInvoice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var cust document.Customer
		a.mustJSON(201, &cust, "A-member", "POST", "/api/v1/customers", customerBody("株式会社まとめ"))
		notes := []document.Document{a.mustDeliveryNote(cust.ID, 5), a.mustDeliveryNote(cust.ID, 12), a.mustDeliveryNote(cust.ID, 20)}
		a.mustDeliveryNote(cust.ID, 1) // before the period
		req := map[string]any{"customer_id": cust.ID, "period_from": "2026-11-02", "period_to": "2026-11-30", "issue_date": "2026-11-30"}

		var inv document.Document
		a.mustJSON(201, &inv, "A-member", "POST", "/api/v1/summary-invoices", req)
		if inv.Kind != document.Invoice || inv.Status != document.Draft || len(inv.SourceDocuments) != 3 || len(inv.Items) != 3 {
			t.Fatalf("summary = %+v", inv)
		}
		if got, want := inv.Items[0].Description, "納品書 "+*notes[0].Number+" (11月5日)"; got != want {
			t.Errorf("first line's description = %q, want %q", got, want)
		}
		// Tax once over the whole invoice: 315 × 10% = 31.5 → 31, where per note it is 10 + 10 + 10.
		perNote := notes[0].Totals.Tax + notes[1].Totals.Tax + notes[2].Totals.Tax
		if inv.Totals.Net != 315 || inv.Totals.Tax != 31 || perNote != 30 || inv.Totals.AmountDue != 346 {
			t.Errorf("totals %+v (per-note tax %d), want net 315, tax 31 (not 30), amount due 346", inv.Totals, perNote)
		}
		if inv.CarryOver == nil || inv.CarryOver.CarriedOver != 0 || inv.CarryOver.TotalBilled != 346 {
			t.Errorf("carry-over of the first summary = %+v", inv.CarryOver)
		}

		// The notes are held by the draft: a second request finds nothing left.
		code, _, data := a.do("A-member", "POST", "/api/v1/summary-invoices", req)
		if code != 422 || !strings.Contains(string(data), "period_from") {
			t.Errorf("second summary of the same period = %d %s, want 422", code, data)
		}
		// Deleting the draft releases them.
		if code, _, data := a.do("A-member", "DELETE", "/api/v1/documents/"+inv.ID, nil); code != 204 {
			t.Fatalf("delete draft = %d %s", code, data)
		}
		a.mustJSON(201, &inv, "A-member", "POST", "/api/v1/summary-invoices", req)
		a.mustJSON(200, &inv, "A-member", "POST", "/api/v1/documents/"+inv.ID+"/issue", nil)
		var note document.Document
		a.mustJSON(200, &note, "A-viewer", "GET", "/api/v1/documents/"+notes[1].ID, nil)
		if note.BilledBy == nil || *note.BilledBy != inv.ID {
			t.Errorf("billed_by = %v, want %s", note.BilledBy, inv.ID)
		}
		// Cancelling the invoice releases them too.
		a.mustJSON(200, nil, "A-member", "POST", "/api/v1/documents/"+inv.ID+"/cancel", nil)
		var released document.Document
		a.mustJSON(200, &released, "A-viewer", "GET", "/api/v1/documents/"+notes[1].ID, nil)
		if note := released; note.BilledBy != nil {
			t.Errorf("billed_by after cancel = %v", *note.BilledBy)
		}
		var nov document.Document
		a.mustJSON(201, &nov, "A-member", "POST", "/api/v1/summary-invoices", req)
		a.mustJSON(200, &nov, "A-member", "POST", "/api/v1/documents/"+nov.ID+"/issue", nil)

		// December: the carry-over is November's total billed, less what was paid against it.
		a.mustJSON(201, nil, "A-member", "POST", "/api/v1/documents/"+nov.ID+"/payments",
			map[string]any{"date": "2026-12-10", "amount": 236, "fee": 110, "method": "bank_transfer"})
		var dec document.Document
		a.mustJSON(201, &dec, "A-member", "POST", "/api/v1/documents", map[string]any{
			"kind": "delivery_note", "customer_id": cust.ID, "issue_date": "2026-12-03", "transaction_date": "2026-12-03",
			"items": []map[string]any{{"name": "部品", "quantity": "10", "unit": "個", "unit_price": 1000, "tax_rate": 10}},
		})
		a.mustJSON(200, &dec, "A-member", "POST", "/api/v1/documents/"+dec.ID+"/issue", nil)
		a.mustJSON(201, &dec, "A-member", "POST", "/api/v1/summary-invoices",
			map[string]any{"customer_id": cust.ID, "period_from": "2026-12-01", "period_to": "2026-12-31"})
		if dec.CarryOver == nil || dec.CarryOver.PreviousBilled != 346 || dec.CarryOver.PaymentsReceived != 346 || dec.CarryOver.CarriedOver != 0 ||
			dec.Totals.AmountDue != 11000 || dec.CarryOver.TotalBilled != dec.CarryOver.CarriedOver+11000 {
			t.Errorf("December: carry-over %+v, amount due %d", dec.CarryOver, dec.Totals.AmountDue)
		}

		for _, bad := range []map[string]any{
			{"customer_id": cust.ID, "period_from": "2026-12-31", "period_to": "2026-12-01"},
			{"customer_id": cust.ID, "period_from": "2026-02-30", "period_to": "2026-12-01"},
			{"period_from": "2026-12-01", "period_to": "2026-12-31"},
			{"customer_id": "01a00000-0000-7000-8000-000000000000", "period_from": "2026-12-01", "period_to": "2026-12-31"},
		} {
			if code, _, data := a.do("A-member", "POST", "/api/v1/summary-invoices", bad); code != 422 {
				t.Errorf("%v = %d %s, want 422", bad, code, data)
			}
		}
	})
}

// TestSummaryInvoiceConcurrent: two requests for the same period at once bill each note once.
func TestSummaryInvoiceConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var cust document.Customer
		a.mustJSON(201, &cust, "A-member", "POST", "/api/v1/customers", customerBody("株式会社同時"))
		for day := 1; day <= 5; day++ {
			a.mustDeliveryNote(cust.ID, day)
		}
		req := map[string]any{"customer_id": cust.ID, "period_from": "2026-11-01", "period_to": "2026-11-30"}
		var wg sync.WaitGroup
		codes := make([]int, 4)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, _ = a.do("A-member", "POST", "/api/v1/summary-invoices", req)
			}()
		}
		wg.Wait()
		created := 0
		for _, c := range codes {
			switch c {
			case 201:
				created++
			case 409, 422:
			default:
				t.Errorf("status %d", c)
			}
		}
		if created != 1 {
			t.Errorf("%d summary invoices made of the same notes (statuses %v), want 1", created, codes)
		}
	})
}
