package web

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// historyEvent is an event of GET …/history as a client reads it.
type historyEvent struct {
	Action string            `json:"action"`
	Actor  document.Actor    `json:"actor"`
	Change []document.Change `json:"changes"`
}

// changeList is a list of changes as "field: before → after" ("∅" for nil), easy to compare.
func changeList(cs []document.Change) []string {
	out := []string{}
	v := func(s *string) string {
		if s == nil {
			return "∅"
		}
		return *s
	}
	for _, c := range cs {
		out = append(out, c.Field+": "+v(c.Before)+" → "+v(c.After))
	}
	return out
}

// mustTokenUser makes a named member of organisation A with an API token, registered in the
// harness as who.
func (a *testAPI) mustTokenUser(who, email, name, tokenName string) domain.User {
	a.t.Helper()
	ctx := context.Background()
	u, err := a.db.CreateUser(ctx, email, name)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.db.SetMember(ctx, a.orgA.ID, u.ID, member); err != nil {
		a.t.Fatal(err)
	}
	tok, _, err := a.db.CreateToken(ctx, a.orgA.ID, u.ID, tokenName, member)
	if err != nil {
		a.t.Fatal(err)
	}
	a.tokens[who] = tok
	return u
}

// TestHistoryActorsAndChanges is issue 12 item 4: history events name their actor (id, e-mail,
// name, and the API token used) even after the user left the organisation, and list what
// changed field by field: header fields, lines changed, removed and added, and the status and
// number of issue and cancel.
func TestHistoryActorsAndChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		hanako := a.mustTokenUser("A-hanako", "hanako@org-a.example.com", "経理 花子", "会計ソフト連携")
		var c, c2 document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))
		a.mustJSON(201, &c2, "A-member", "POST", "/api/v1/customers", customerBody("株式会社ツギ"))
		body := invoiceBody(c.ID)
		var d document.Document
		a.mustJSON(201, &d, "A-hanako", "POST", "/api/v1/documents", body)

		// Change the subject, the customer and the notes; line 1's quantity; drop line 2; add one.
		body["version"] = d.Version
		body["subject"] = "12月分"
		body["customer_id"] = c2.ID
		body["notes"] = "振込手数料はご負担ください"
		body["items"] = []map[string]any{
			{"name": "コンサルティング", "quantity": "2", "unit": "時間", "unit_price": 20000, "tax_rate": 10},
			{"name": "交通費", "quantity": "1", "unit": "式", "unit_price": 1200, "tax_rate": 10},
		}
		a.mustJSON(200, &d, "A-hanako", "PUT", "/api/v1/documents/"+d.ID, body)
		a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+d.ID+"/issue", nil)
		a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+d.ID+"/cancel", nil)

		// Hanako leaves; her events still name her.
		if err := db.RemoveMember(context.Background(), a.orgA.ID, hanako.ID); err != nil {
			t.Fatal(err)
		}
		var h struct {
			Items []historyEvent `json:"items"`
		}
		a.mustJSON(200, &h, "A-viewer", "GET", "/api/v1/documents/"+d.ID+"/history", nil)
		if len(h.Items) != 4 {
			t.Fatalf("history has %d events, want 4: %+v", len(h.Items), h.Items)
		}
		wantHanako := document.Actor{ID: hanako.ID, Email: "hanako@org-a.example.com", Name: "経理 花子", Type: "token",
			Token: &document.ActorToken{ID: h.Items[0].Actor.Token.ID, Name: "会計ソフト連携"}}
		for i, e := range h.Items[:2] {
			if diff := cmp.Diff(wantHanako, e.Actor); diff != "" || e.Actor.Token.ID == "" {
				t.Errorf("event %d (%s) actor (-want +got):\n%s", i, e.Action, diff)
			}
		}
		if got := h.Items[2].Actor; got.Email != "member@org-a.example.com" || got.Type != "token" || got.Token == nil || got.Token.Name != "test" {
			t.Errorf("issue actor = %+v, want the member through its token", got)
		}

		number := *d.Number
		want := map[string][]string{
			"create": {
				"kind: ∅ → invoice", "status: ∅ → draft", "issue_date: ∅ → 2026-11-27", "transaction_date: ∅ → 2026-11-20",
				"due_date: ∅ → 2026-12-31", "subject: ∅ → 11月分", "prices_include_tax: ∅ → false", "tax_rounding: ∅ → floor",
				"withholding_tax: ∅ → false", "customer: ∅ → 株式会社サンプル",
				"lines[+]: ∅ → コンサルティング 1.5 時間 × 20000 (10%)", "lines[+]: ∅ → お弁当 3 個 × 105 (8%)",
				"totals.gross: ∅ → 33340",
			},
			"update": {
				"subject: 11月分 → 12月分", "notes: ∅ → 振込手数料はご負担ください", "customer: 株式会社サンプル → 株式会社ツギ",
				"lines[1].quantity: 1.5 → 2", "lines[1].amount: 30000 → 40000",
				"lines[2].name: お弁当 → 交通費", "lines[2].quantity: 3 → 1", "lines[2].unit: 個 → 式",
				"lines[2].unit_price: 105 → 1200", "lines[2].tax_rate: 8 → 10", "lines[2].tax_category: reduced → standard",
				"lines[2].amount: 315 → 1200", "totals.gross: 33340 → 45320",
			},
			"issue":  {"status: draft → issued", "number: ∅ → " + number},
			"cancel": {"status: issued → cancelled"},
		}
		for _, e := range h.Items {
			got := changeList(e.Change)
			if e.Action == "issue" {
				got = filterFields(got, "status", "number")
			}
			if diff := cmp.Diff(want[e.Action], got); diff != "" {
				t.Errorf("%s changes (-want +got):\n%s", e.Action, diff)
			}
		}

		// Paged one event at a time, each event still knows what it changed.
		cursor := ""
		for i := range h.Items {
			var p struct {
				Items      []historyEvent `json:"items"`
				NextCursor string         `json:"next_cursor"`
			}
			a.mustJSON(200, &p, "A-viewer", "GET", "/api/v1/documents/"+d.ID+"/history?limit=1&cursor="+cursor, nil)
			if len(p.Items) != 1 {
				t.Fatalf("page %d has %d events", i, len(p.Items))
			}
			if diff := cmp.Diff(h.Items[i].Change, p.Items[0].Change); diff != "" {
				t.Errorf("page %d (%s): changes differ from the full page (-full +paged):\n%s", i, p.Items[0].Action, diff)
			}
			cursor = p.NextCursor
		}
	})
}

// TestHistoryOfDeletedDraftAndRemovedLines: a removed line is named by its old number, added
// lines are lines[+], and a deletion lists no changes.
func TestHistoryOfDeletedDraftAndRemovedLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))
		body := invoiceBody(c.ID)
		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", body)
		items := body["items"].([]map[string]any)
		body["items"] = []map[string]any{items[1]}
		body["version"] = d.Version
		a.mustJSON(200, &d, "A-member", "PUT", "/api/v1/documents/"+d.ID, body)
		a.mustJSON(204, nil, "A-member", "DELETE", "/api/v1/documents/"+d.ID, nil)
		var h struct {
			Items []historyEvent `json:"items"`
		}
		a.mustJSON(200, &h, "A-viewer", "GET", "/api/v1/documents/"+d.ID+"/history", nil)
		if len(h.Items) != 3 {
			t.Fatalf("%d events, want create, update, delete", len(h.Items))
		}
		wantUpdate := []string{"lines[1]: コンサルティング 1.5 時間 × 20000 (10%) → ∅", "totals.gross: 33340 → 340"}
		if diff := cmp.Diff(wantUpdate, changeList(h.Items[1].Change)); diff != "" {
			t.Errorf("update changes (-want +got):\n%s", diff)
		}
		if h.Items[2].Action != "delete" || len(h.Items[2].Change) != 0 || h.Items[2].Change == nil {
			t.Errorf("delete event %+v, want no changes (an empty list)", h.Items[2])
		}
		if got := h.Items[2].Actor; got.Email != "member@org-a.example.com" || got.ID == "" {
			t.Errorf("delete actor %+v", got)
		}
	})
}

// filterFields keeps the entries of list whose field is one of fields.
func filterFields(list []string, fields ...string) []string {
	var out []string
	for _, s := range list {
		for _, f := range fields {
			if len(s) > len(f) && s[:len(f)+1] == f+":" {
				out = append(out, s)
			}
		}
	}
	return out
}
