package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"reportapp/internal/bank"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/recurring"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestUIIsolationByRouteTable: for every browser route, organisation B's admin never sees or
// changes organisation A's objects. Driven from uiRoutes(), so a new page is covered as soon as
// it is added; a route whose path parameter this test cannot fill fails it.
func TestUIIsolationByRouteTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		ctx := context.Background()
		draftID := u.mustDraft()
		issuedID := u.mustDraft()
		if _, err := db.IssueDocument(ctx, u.orgA.ID, "test", issuedID); err != nil {
			t.Fatal(err)
		}
		exportID := u.mustExport(url.Values{})
		memberA := u.who["A-member"]
		_, tokA, err := db.CreateToken(ctx, u.orgA.ID, u.who["A-admin"].UserID, "a", domain.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		draftBefore, err := db.GetDocument(ctx, u.orgA.ID, draftID)
		if err != nil {
			t.Fatal(err)
		}
		scheduleJSON, _ := json.Marshal(scheduleBody(u.custA.ID))
		sched, err := recurring.Decode(scheduleJSON)
		if err != nil {
			t.Fatal(err)
		}
		if sched, err = db.CreateSchedule(ctx, u.orgA.ID, "test", sched); err != nil {
			t.Fatal(err)
		}
		pay, err := db.RecordPayment(ctx, u.orgA.ID, "test", issuedID, receivables.Payment{Date: document.Date{Year: 2026, Month: 12, Day: 1}, Amount: 1, Method: "cash"})
		if err != nil {
			t.Fatal(err)
		}
		stmt, err := db.ImportStatement(ctx, u.orgA.ID, "test", "a.csv", bank.Statement{Format: "csv", Encoding: "utf-8",
			Deposits: []bank.Deposit{{LineNo: 2, Date: document.Date{Year: 2026, Month: 12, Day: 1}, Amount: 5, PayerName: "ﾀﾅｶ"}}})
		if err != nil {
			t.Fatal(err)
		}
		domainA, err := db.AllowEmailDomain(ctx, u.orgA.ID, "a-only.example", domain.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		deliveryA, _, err := db.CreateDelivery(ctx, u.orgA.ID, "test", store.NewDelivery{DocumentID: issuedID, To: []string{"a@customer.example"},
			Subject: "A社の件名", Message: "m", Link: true, MessageDomain: "a.example"}, store.DeliveryLimit{},
			func(context.Context, *sql.Tx, string) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ClaimDelivery(ctx, deliveryA.ID, 1, &store.NewLink{TokenHash: store.HashSecret("a-token"), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		secrets := []string{u.custA.ID, draftID, issuedID, exportID, tokA.ID, u.orgA.ID, u.custA.Name, sched.ID, pay.ID, stmt.ID, deliveryA.ID, "A社の件名"}

		for _, rt := range (&app{}).browserRoutes() {
			method, path, _ := strings.Cut(rt.pattern, " ")
			if rt.role == public || strings.Contains(path, "{which}") {
				continue // public assets; {which} names the caller's own logo or seal
			}
			path = strings.TrimSuffix(path, "{$}")
			switch {
			case strings.HasPrefix(path, "/customers/{id}"):
				path = strings.Replace(path, "{id}", u.custA.ID, 1)
			case strings.HasPrefix(path, "/payments/{id}"):
				path = strings.Replace(path, "{id}", pay.ID, 1)
			case strings.HasPrefix(path, "/reconcile/{id}"):
				path = strings.Replace(path, "{id}", stmt.ID, 1)
			case strings.HasPrefix(path, "/deliveries/{id}"):
				path = strings.Replace(path, "{id}", deliveryA.ID, 1)
			case strings.HasPrefix(path, "/documents/{id}/cancel"), strings.HasPrefix(path, "/documents/{id}/payments"),
				strings.HasPrefix(path, "/documents/{id}/send"), strings.HasPrefix(path, "/documents/{id}/remind"):
				path = strings.Replace(path, "{id}", issuedID, 1)
			case strings.HasPrefix(path, "/documents/{id}"):
				path = strings.Replace(path, "{id}", draftID, 1)
			case strings.HasPrefix(path, "/exports/{id}"):
				path = strings.Replace(path, "{id}", exportID, 1)
			case strings.HasPrefix(path, "/settings/members/{id}"):
				path = strings.Replace(path, "{id}", memberA.UserID, 1)
			case strings.HasPrefix(path, "/tokens/{id}"):
				path = strings.Replace(path, "{id}", tokA.ID, 1)
			case strings.HasPrefix(path, "/schedules/{id}"):
				path = strings.Replace(path, "{id}", sched.ID, 1)
			case strings.HasPrefix(path, "/settings/domains/{domain}"):
				path = strings.Replace(path, "{domain}", domainA.Domain, 1)
			}
			t.Run(rt.pattern, func(t *testing.T) {
				if strings.Contains(path, "{") {
					t.Fatalf("no object of A for the path parameter of %s", rt.pattern)
				}
				var p page
				form := invoiceForm(u.custA.ID) // A's customer: B may not use it either
				form.Set("name", "B社が書き換え")
				form.Set("role", "viewer")
				if method == http.MethodGet {
					p = u.get("B-admin", path)
				} else {
					p = u.post("B-admin", path, form)
				}
				if p.status >= 500 {
					t.Fatalf("B %s %s = %d", method, path, p.status)
				}
				if strings.Contains(rt.pattern, "{id}") && p.status != http.StatusNotFound && p.status != http.StatusUnprocessableEntity {
					t.Errorf("B %s %s = %d, want 404", method, path, p.status)
				}
				for _, s := range secrets {
					// The page may echo the path B asked for; anything else of A is a leak.
					if !strings.Contains(path, s) && bytes.Contains(p.body, []byte(s)) {
						t.Errorf("B %s %s shows A's %q", method, path, s)
					}
				}
			})
		}

		// Nothing of A changed.
		if dl, err := db.GetDelivery(ctx, u.orgA.ID, deliveryA.ID); err != nil || dl.LinkRevokedAt != nil {
			t.Errorf("A's delivery link changed: %v %+v", err, dl)
		}
		d, err := db.GetDocument(ctx, u.orgA.ID, draftID)
		if err != nil || d.Version != draftBefore.Version || d.Status != document.Draft {
			t.Errorf("A's draft changed: %v %+v", err, d)
		}
		if d, err := db.GetDocument(ctx, u.orgA.ID, issuedID); err != nil || d.Status != document.Issued {
			t.Errorf("A's issued document changed: %v %s", err, d.Status)
		}
		if got, err := db.GetSchedule(ctx, u.orgA.ID, sched.ID); err != nil || !got.Active || got.Name != sched.Name {
			t.Errorf("A's schedule changed: %v %+v", err, got)
		}
		if c, err := db.GetCustomer(ctx, u.orgA.ID, u.custA.ID); err != nil || c.Name != u.custA.Name {
			t.Errorf("A's customer changed: %v %q", err, c.Name)
		}
		if m, err := db.GetMember(ctx, u.orgA.ID, memberA.UserID); err != nil || m.Role != domain.RoleMember {
			t.Errorf("A's member changed: %v %+v", err, m)
		}
		toks, err := db.ListTokens(ctx, u.orgA.ID, "")
		found := false
		for _, tk := range toks {
			found = found || tk.ID == tokA.ID
		}
		if err != nil || !found {
			t.Errorf("A's token was revoked by B: %v", err)
		}
	})
}
