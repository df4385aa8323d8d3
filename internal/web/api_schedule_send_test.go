package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestScheduleIssueAndSend: a schedule with action issue_and_send issues each period's invoice
// and e-mails it to the customer (link and PDF, the organisation's templates) once, however often
// the schedules run; a customer without an address gets the invoice issued and a note instead.
func TestScheduleIssueAndSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		ctx := context.Background()
		body := customerBody("株式会社定期")
		body["email"] = "keiri@teiki.example"
		var cust document.Customer
		a.mustJSON(201, &cust, "A-member", "POST", "/api/v1/customers", body)
		var silent document.Customer
		a.mustJSON(201, &silent, "A-member", "POST", "/api/v1/customers", customerBody("株式会社無連絡"))

		// Month ends from this month on: the queue's own periodic run (as of today) makes at most
		// the first period, and the runs below (as of next month's end) make two.
		today := db.Today()
		start := document.Date{Year: today.Year, Month: today.Month, Day: 1}
		end := time.Date(today.Year, today.Month+2, 0, 0, 0, 0, 0, time.UTC)
		asOf := document.Date{Year: end.Year(), Month: end.Month(), Day: end.Day()}
		schedules := map[string]string{} // customer id → schedule id
		for _, c := range []document.Customer{cust, silent} {
			b := scheduleBody(c.ID)
			b["action"], b["start"] = "issue_and_send", start.String()
			var s struct{ ID string }
			a.mustJSON(201, &s, "A-member", "POST", "/api/v1/schedules", b)
			schedules[c.ID] = s.ID
		}
		for range 3 { // the periodic job may run again, on any replica
			if _, err := a.queue.RunSchedules(ctx, asOf); err != nil {
				t.Fatal(err)
			}
		}
		msgs := a.smtp.Wait(t, 2, 30*time.Second)
		time.Sleep(500 * time.Millisecond) // nothing more may arrive
		if got := len(a.smtp.Messages()); got != 2 {
			t.Fatalf("%d mails, want 2 (this month and next, once each)", got)
		}
		for _, m := range msgs {
			p := mailtest.Parse(t, m.Data)
			if !strings.Contains(strings.Join(m.To, ","), "keiri@teiki.example") || p.FileName == "" || !strings.Contains(p.Text, "/d/") {
				t.Errorf("mail to %v, file %q, text %q: want the customer, the PDF and a link", m.To, p.FileName, p.Text)
			}
		}

		var list struct {
			Items []document.Document `json:"items"`
		}
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/documents?customer_id="+silent.ID, nil)
		if len(list.Items) != 2 {
			t.Fatalf("%d invoices for the customer without an address, want 2", len(list.Items))
		}
		for _, d := range list.Items {
			if d.Status != document.Issued {
				t.Errorf("%s is %s, want issued", d.ID, d.Status)
			}
			var ds struct{ Items []deliveryJSON }
			a.mustJSON(200, &ds, "A-viewer", "GET", "/api/v1/documents/"+d.ID+"/deliveries", nil)
			if len(ds.Items) != 0 {
				t.Errorf("%s has %d deliveries, want none", d.ID, len(ds.Items))
			}
		}

		// Each run says what happened: sent (no note), or issued only and why.
		for c, want := range map[string]string{cust.ID: "", silent.ID: "メールアドレスがないため"} {
			var runs struct {
				Items []struct {
					Seq        int    `json:"seq"`
					DocumentID string `json:"document_id"`
					Note       string `json:"note"`
					Period     struct{ From, To string }
				} `json:"items"`
			}
			a.mustJSON(200, &runs, "A-viewer", "GET", "/api/v1/schedules/"+schedules[c]+"/runs", nil)
			if len(runs.Items) != 2 {
				t.Fatalf("%d runs, want 2: %+v", len(runs.Items), runs.Items)
			}
			for i, r := range runs.Items {
				if r.Seq != i || r.DocumentID == "" || r.Period.From == "" || (want == "") != (r.Note == "") || !strings.Contains(r.Note, want) {
					t.Errorf("run %d = %+v, want seq %d, a document and a note containing %q", i, r, i, want)
				}
			}
		}
	})
}
