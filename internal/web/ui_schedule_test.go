package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/store/storetest"
)

func scheduleFormValues(customerID string) url.Values {
	return url.Values{
		"name": {"保守料"}, "customer_id": {customerID}, "interval": {"monthly"}, "day": {"end"}, "start": {"2026-01-31"},
		"period": {"current"}, "action": {"draft"}, "template.subject": {"{{year}}年{{month}}月分 保守料"},
		"template.items[0].name": {"サーバー保守"}, "template.items[0].quantity": {"1"}, "template.items[0].unit": {"式"},
		"template.items[0].unit_price": {"30,000"}, "template.items[0].tax_rate": {"10"},
		"template.items[1].name": {""}, "template.items[1].quantity": {"1"}, "template.items[1].unit_price": {""}, // blank row
	}
}

func TestUIScheduleForm(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	if p := u.get("A-member", "/schedules/new"); p.status != 200 || p.doc.Find(`select[name="customer_id"] option`).Length() < 2 {
		t.Fatalf("new schedule form = %d:\n%s", p.status, p.body)
	}
	// An unknown placeholder and a bad price come back beside their fields, with what was typed.
	bad := scheduleFormValues(u.custA.ID)
	bad.Set("template.subject", "{{yaer}}年分")
	bad.Set("template.items[0].unit_price", "三万")
	p := u.post("A-member", "/schedules", bad)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad schedule = %d:\n%s", p.status, p.body)
	}
	if got := p.val(t, `input[name="template.subject"]`); got != "{{yaer}}年分" {
		t.Errorf("typed subject not kept: %q", got)
	}
	if !strings.Contains(string(p.body), "yaer") || p.doc.Find(`[name="template.subject"] ~ .error, .error`).Length() == 0 {
		t.Errorf("no field error for the placeholder:\n%s", p.body)
	}
	p = u.post("A-member", "/schedules", scheduleFormValues(u.custA.ID))
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/schedules/") {
		t.Fatalf("save schedule = %d %q:\n%s", p.status, loc, p.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/schedules/"), "?")
	s, err := u.db.GetSchedule(context.Background(), u.orgA.ID, id)
	if err != nil || s.Name != "保守料" || !s.Day.IsEnd() || s.NextRun == nil || s.NextRun.String() != "2026-01-31" {
		t.Fatalf("stored schedule %+v %v", s, err)
	}
	if !strings.Contains(string(s.Template), `"unit_price":30000`) || strings.Count(string(s.Template), `"name"`) != 1 {
		t.Errorf("template %s: want one line at 30000 (the blank row ignored)", s.Template)
	}
	list := u.get("A-viewer", "/schedules")
	if list.status != 200 || !strings.Contains(list.text(t, "#schedules tbody"), "保守料") {
		t.Errorf("list:\n%s", list.body)
	}
	view := u.get("A-viewer", "/schedules/"+id)
	if view.val(t, `input[name="template.items[0].unit_price"]`) != "30000" {
		t.Errorf("the form does not show the stored line:\n%s", view.body)
	}
	if p := u.post("A-member", "/schedules/"+id+"/pause", url.Values{}); p.status != http.StatusSeeOther {
		t.Errorf("pause = %d", p.status)
	}
	if s, _ := u.db.GetSchedule(context.Background(), u.orgA.ID, id); s.Active {
		t.Errorf("still active after pause")
	}
	if p := u.post("A-member", "/schedules/"+id+"/delete", url.Values{}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("delete without the confirmation = %d, want 422", p.status)
	}
	if p := u.post("A-member", "/schedules/"+id+"/delete", url.Values{"confirm": {"yes"}}); p.status != http.StatusSeeOther {
		t.Errorf("delete = %d", p.status)
	}
	if p := u.get("B-admin", "/schedules"); strings.Contains(string(p.body), "保守料") {
		t.Errorf("B sees A's schedules")
	}
}

func TestUIClosing(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	ctx := context.Background()
	c := u.custA
	c.PaymentTerms = &document.PaymentTerms{ClosingDay: 20, PayMonthOffset: 1, PayDay: 10, HolidayRule: document.HolidayNone}
	if _, err := u.db.UpdateCustomer(ctx, u.orgA.ID, c); err != nil {
		t.Fatal(err)
	}
	for _, day := range []string{"2026-10-21", "2026-11-05", "2026-11-20", "2026-11-21"} {
		d := document.Document{Kind: document.DeliveryNote, CustomerID: c.ID, IssueDate: mustParse(t, day), TransactionDate: ptr(mustParse(t, day)),
			TaxRounding: document.Floor, Items: []document.Item{{Name: "部品", Quantity: mustQty(t, "1"), Unit: "個", UnitPrice: 1000, TaxRate: 10}}}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		d, err := u.db.CreateDocument(ctx, u.orgA.ID, "test", d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.IssueDocument(ctx, u.orgA.ID, "test", d.ID); err != nil {
			t.Fatal(err)
		}
	}
	p := u.get("A-member", "/closing?date=2026-11-20")
	row := p.text(t, "#closing-rows tbody tr")
	if !strings.Contains(row, "株式会社サンプル") || !strings.Contains(row, "3") || !strings.Contains(row, "¥3,300") {
		t.Fatalf("closing row = %q, want the customer with 3 notes (10-21..11-20) worth ¥3,300", row)
	}
	if p := u.get("A-member", "/closing?date=2026-11-30"); p.doc.Find("#closing-empty").Length() != 1 {
		t.Errorf("a day that is nobody's closing day lists customers:\n%s", p.body)
	}
	p = u.post("A-member", "/closing", url.Values{"date": {"2026-11-20"}, "customer_id": {c.ID}})
	if p.status != 200 || p.doc.Find(`#closing-results input[name="document_id"]`).Length() != 1 {
		t.Fatalf("create = %d:\n%s", p.status, p.body)
	}
	draftID := p.val(t, `#closing-results input[name="document_id"]`)
	if p.doc.Find("#closing-rows").Length() != 0 {
		t.Errorf("the customer is still listed after its summary was made")
	}
	p = u.post("A-member", "/closing/issue", url.Values{"date": {"2026-11-20"}, "document_id": {draftID}})
	if p.status != 200 {
		t.Fatalf("issue = %d:\n%s", p.status, p.body)
	}
	d, err := u.db.GetDocument(ctx, u.orgA.ID, draftID)
	if err != nil || d.Status != document.Issued || len(d.SourceDocuments) != 3 || d.Totals.AmountDue != 3300 {
		t.Fatalf("issued summary %+v %v", d, err)
	}
	if d.DueDate == nil || d.DueDate.String() != "2026-12-10" {
		t.Errorf("due date %v, want 2026-12-10 (20日締め翌月10日払い)", d.DueDate)
	}
}

func mustParse(t *testing.T, s string) document.Date {
	t.Helper()
	d, err := document.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustQty(t *testing.T, s string) document.Quantity {
	t.Helper()
	q, err := document.ParseQuantity(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func ptr[T any](v T) *T { return &v }

// TestUIScheduleRunNotes: a run that issued its invoice but could not send it says why on the
// schedule's page, beside the document it made (here: run where no mail server is configured,
// as by `reportapp schedules run`).
func TestUIScheduleRunNotes(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	ctx := context.Background()
	today := u.db.Today()
	start := document.Date{Year: today.Year, Month: today.Month, Day: 1}
	v := scheduleFormValues(u.custA.ID)
	v.Set("action", "issue_and_send")
	v.Set("day", "1")
	v.Set("start", start.String())
	p := u.post("A-member", "/schedules", v)
	if p.status != http.StatusSeeOther {
		t.Fatalf("save schedule = %d:\n%s", p.status, p.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(p.header.Get("Location"), "/schedules/"), "?")
	if _, err := jobs.RunSchedules(ctx, u.db, today, nil); err != nil {
		t.Fatal(err)
	}
	view := u.get("A-viewer", "/schedules/"+id)
	if n := view.doc.Find(`a[href^="/documents/"]`).Length(); n != 1 {
		t.Fatalf("%d documents on the schedule's page, want 1:\n%s", n, view.body)
	}
	if note := view.text(t, ".run-note"); !strings.Contains(note, "メール送信が設定されていない") {
		t.Errorf("run note = %q, want that sending is not configured", note)
	}
}
