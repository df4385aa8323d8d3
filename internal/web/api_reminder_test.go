package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func TestReminderSeq(t *testing.T) {
	due := document.Date{Year: 2026, Month: 10, Day: 1}
	for _, tc := range []struct {
		today document.Date
		want  int
	}{
		{document.Date{Year: 2026, Month: 10, Day: 7}, 0},
		{document.Date{Year: 2026, Month: 10, Day: 8}, 1},
		{document.Date{Year: 2026, Month: 10, Day: 21}, 1},
		{document.Date{Year: 2026, Month: 10, Day: 22}, 2},
		{document.Date{Year: 2027, Month: 3, Day: 1}, 11},
	} {
		if got := jobs.ReminderSeq(due, tc.today, 7, 14); got != tc.want {
			t.Errorf("ReminderSeq(%s) = %d, want %d", tc.today, got, tc.want)
		}
	}
}

// overdueFixture is an issued invoice of A due 2026-10-01 (overdue now), its customer with an
// e-mail address.
func (a *testAPI) overdueFixture() document.Document {
	a.t.Helper()
	var cust document.Customer
	body := customerBody("株式会社延滞")
	body["email"] = "keiri@late.example"
	a.mustJSON(201, &cust, "A-member", "POST", "/api/v1/customers", body)
	inv := invoiceBody(cust.ID)
	inv["issue_date"], inv["transaction_date"], inv["due_date"] = "2026-09-01", "2026-08-31", "2026-10-01"
	var doc document.Document
	a.mustJSON(201, &doc, "A-member", "POST", "/api/v1/documents", inv)
	a.mustJSON(200, &doc, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/issue", nil)
	return doc
}

func TestReminders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		ctx := context.Background()
		doc := a.overdueFixture()
		notDue := a.sendFixture() // due 2026-12-31
		// The manual one: お支払いのお願い of an overdue invoice, with the balance.
		var d deliveryJSON
		a.mustJSON(202, &d, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/remind", map[string]any{})
		if !strings.Contains(d.Subject, "お支払いのお願い") || !strings.Contains(d.Message, "ご請求残高: ¥33,340") {
			t.Errorf("reminder %q / %q", d.Subject, d.Message)
		}
		if code, _, body := a.do("A-member", "POST", "/api/v1/documents/"+notDue.ID+"/remind", map[string]any{}); code != 409 {
			t.Errorf("reminder of an invoice not due = %d %s", code, body)
		}
		p := mailtest.Parse(t, a.smtp.Wait(t, 1, 30*time.Second)[0].Data)
		if !strings.Contains(p.Subject, "お支払いのお願い") || p.FileName == "" {
			t.Errorf("reminder mail %q, file %q", p.Subject, p.FileName)
		}

		// Automatic ones: off until enabled; then once per number, however often they run.
		today := db.Today()
		if n, err := a.queue.RunReminders(ctx, today); err != nil || n != 0 {
			t.Errorf("reminders while disabled: %d %v", n, err)
		}
		a.mustJSON(200, nil, "A-admin", "PUT", "/api/v1/mail-settings", map[string]any{"reminders_enabled": true,
			"reminder_after_days": 7, "reminder_every_days": 14, "reminder_max": 2})
		for i, want := range []int{1, 0, 0} {
			if n, err := a.queue.RunReminders(ctx, today); err != nil || n != want {
				t.Errorf("run %d: %d reminders (%v), want %d", i+1, n, err, want)
			}
		}
		later := document.Date{Year: today.Year + 1, Month: today.Month, Day: 1}
		// A year on: the overdue one's second and last number, and the other invoice's first.
		if n, err := a.queue.RunReminders(ctx, later); n != 2 {
			t.Log(err)
			t.Errorf("a later run = %d, want 2", n)
		}
		// Past the maximum for the first, the other's second and last.
		if n, _ := a.queue.RunReminders(ctx, document.Date{Year: today.Year + 2, Month: 1, Day: 1}); n != 1 {
			t.Errorf("past the maximum = %d, want 1", n)
		}
		a.smtp.Wait(t, 5, 30*time.Second)
		var list struct{ Items []deliveryJSON }
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/documents/"+doc.ID+"/deliveries", nil)
		if len(list.Items) != 3 {
			t.Errorf("%d deliveries, want 3 (one manual, two automatic)", len(list.Items))
		}
		var other struct{ Items []deliveryJSON }
		a.mustJSON(200, &other, "A-viewer", "GET", "/api/v1/documents/"+notDue.ID+"/deliveries", nil)
		if len(other.Items) != 2 {
			t.Errorf("the other invoice got %d reminders, want 2", len(other.Items))
		}
	})
}
