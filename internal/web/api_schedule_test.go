package web

import (
	"encoding/json"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// scheduleBody is a monthly 保守料 schedule for the customer.
func scheduleBody(customerID string) map[string]any {
	return map[string]any{
		"name": "保守料", "customer_id": customerID, "interval": "monthly", "day": "end", "start": "2026-01-31",
		"period": "current", "action": "draft",
		"template": map[string]any{
			"subject": "{{year}}年{{month}}月分 保守料",
			"items":   []map[string]any{{"name": "サーバー保守", "quantity": "1", "unit": "式", "unit_price": 50000, "tax_rate": 10}},
		},
	}
}

func TestScheduleAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		cust, _, _ := a.fixture()
		var s map[string]any
		a.mustJSON(201, &s, "A-member", "POST", "/api/v1/schedules", scheduleBody(cust.ID))
		for _, k := range []string{"id", "name", "customer_id", "interval", "day", "start", "end", "count", "period", "action", "template", "active", "next_run", "last_run", "created_at", "updated_at"} {
			if _, ok := s[k]; !ok {
				t.Errorf("schedule lacks %q: %v", k, s)
			}
		}
		if s["active"] != true || s["next_run"] != "2026-01-31" || s["day"] != "end" {
			t.Errorf("schedule = %v", s)
		}
		id := s["id"].(string)

		a.mustJSON(200, &s, "A-member", "POST", "/api/v1/schedules/"+id+"/pause", nil)
		if s["active"] != false || s["next_run"] != nil {
			t.Errorf("paused = %v", s)
		}
		a.mustJSON(200, &s, "A-member", "POST", "/api/v1/schedules/"+id+"/resume", nil)
		if s["active"] != true {
			t.Errorf("resumed = %v", s)
		}
		var list struct{ Items []map[string]any }
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/schedules", nil)
		if len(list.Items) != 1 || list.Items[0]["id"] != id {
			t.Errorf("list = %v", list.Items)
		}
		b := scheduleBody(cust.ID)
		b["name"] = "保守料 (改定)"
		b["count"] = 12
		a.mustJSON(200, &s, "A-member", "PUT", "/api/v1/schedules/"+id, b)
		if s["name"] != "保守料 (改定)" || s["count"] != float64(12) {
			t.Errorf("updated = %v", s)
		}
		var docs struct{ Items []document.Document }
		a.mustJSON(200, &docs, "A-viewer", "GET", "/api/v1/schedules/"+id+"/documents", nil)
		if len(docs.Items) != 0 {
			t.Errorf("documents before any run = %v", docs.Items)
		}
		if code, _, _ := a.do("A-viewer", "POST", "/api/v1/schedules", scheduleBody(cust.ID)); code != 403 {
			t.Errorf("viewer create = %d, want 403", code)
		}
		if code, _, _ := a.do("A-member", "DELETE", "/api/v1/schedules/"+id, nil); code != 204 {
			t.Errorf("delete = %d, want 204", code)
		}
		if code, _, _ := a.do("A-member", "GET", "/api/v1/schedules/"+id, nil); code != 404 {
			t.Errorf("get deleted = %d, want 404", code)
		}
	})
}

func TestScheduleAPIRejects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		cust, _, _ := a.fixture()
		for _, tc := range []struct {
			name  string
			edit  func(b map[string]any)
			field string
		}{
			{"unknown placeholder", func(b map[string]any) { b["template"].(map[string]any)["subject"] = "{{yaer}}年分" }, "template.subject"},
			{"placeholder in an item", func(b map[string]any) {
				b["template"].(map[string]any)["items"].([]map[string]any)[0]["name"] = "{{customer}}"
			}, "template.items[0].name"},
			{"a date in the template", func(b map[string]any) { b["template"].(map[string]any)["issue_date"] = "2026-01-01" }, "template.issue_date"},
			{"no lines", func(b map[string]any) { b["template"].(map[string]any)["items"] = []any{} }, "template.items"},
			{"bad line", func(b map[string]any) {
				b["template"].(map[string]any)["items"].([]map[string]any)[0]["tax_rate"] = 5
			}, "template.items[0].tax_rate"},
			{"day 31", func(b map[string]any) { b["day"] = 31 }, "day"},
			{"interval", func(b map[string]any) { b["interval"] = "weekly" }, "interval"},
			{"action", func(b map[string]any) { b["action"] = "mail" }, "action"},
			{"end before start", func(b map[string]any) { b["end"] = "2025-12-31" }, "end"},
			{"count", func(b map[string]any) { b["count"] = 0 }, "count"},
			{"customer", func(b map[string]any) { b["customer_id"] = "01a00000-0000-7000-8000-000000000000" }, "customer_id"},
		} {
			b := scheduleBody(cust.ID)
			tc.edit(b)
			code, _, data := a.do("A-member", "POST", "/api/v1/schedules", b)
			var e struct {
				Error struct{ Fields map[string]string }
			}
			_ = json.Unmarshal(data, &e)
			if code != 422 || e.Error.Fields[tc.field] == "" {
				t.Errorf("%s: %d %s, want 422 naming %s", tc.name, code, data, tc.field)
			}
		}
	})
}

// TestDueDateFromPaymentTerms: an invoice without a due date gets one from its customer's terms.
func TestDueDateFromPaymentTerms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		c := customerBody("株式会社締め日")
		c["payment_terms"] = map[string]any{"closing_day": 20, "pay_month_offset": 1, "pay_day": 10, "holiday_rule": "next_business_day"}
		var cust map[string]any
		a.mustJSON(201, &cust, "A-member", "POST", "/api/v1/customers", c)
		if pt, _ := cust["payment_terms"].(map[string]any); pt["closing_day"] != float64(20) || pt["pay_month_offset"] != float64(1) ||
			pt["pay_day"] != float64(10) || pt["holiday_rule"] != "next_business_day" {
			t.Errorf("payment_terms = %v", cust["payment_terms"])
		}
		inv := invoiceBody(cust["id"].(string))
		delete(inv, "due_date")
		inv["transaction_date"] = "2026-12-01" // closes 12-20, paid 2027-01-10 (Sunday) → 01-11 成人の日 → 01-12
		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", inv)
		if d.DueDate == nil || d.DueDate.String() != "2027-01-12" {
			t.Errorf("due_date = %v, want 2027-01-12", d.DueDate)
		}
		inv["due_date"] = "2027-03-31" // given: kept
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", inv)
		if d.DueDate == nil || d.DueDate.String() != "2027-03-31" {
			t.Errorf("given due_date = %v, want 2027-03-31", d.DueDate)
		}
		c["payment_terms"] = map[string]any{"closing_day": 20, "pay_month_offset": 0, "pay_day": 10}
		code, _, data := a.do("A-member", "POST", "/api/v1/customers", c)
		if code != 422 || !strings.Contains(string(data), "payment_terms.pay_day") {
			t.Errorf("pay day before the closing day in the same month: %d %s", code, data)
		}
	})
}
