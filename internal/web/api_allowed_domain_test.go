package web

import (
	"net/http"
	"net/url"
	"testing"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestAllowedDomainsAPIAndUI: an admin allows an e-mail domain, lists and removes it, through the
// API and the members page; another organisation sees none of it, and only admins may.
func TestAllowedDomainsAPIAndUI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var got store.AllowedDomain
		a.mustJSON(http.StatusOK, &got, "A-admin", "PUT", "/api/v1/organization/allowed-domains/@Example.co.jp", map[string]any{"role": "viewer"})
		if got.Domain != "example.co.jp" || got.Role != "viewer" || got.OrgID != a.orgA.ID {
			t.Errorf("PUT = %+v", got)
		}
		var list struct{ Items []store.AllowedDomain }
		a.mustJSON(http.StatusOK, &list, "A-admin", "GET", "/api/v1/organization/allowed-domains", nil)
		if len(list.Items) != 1 || list.Items[0].Domain != "example.co.jp" {
			t.Errorf("list = %+v", list)
		}
		a.mustJSON(http.StatusOK, &list, "B-admin", "GET", "/api/v1/organization/allowed-domains", nil)
		if len(list.Items) != 0 {
			t.Errorf("another organisation sees %+v", list)
		}
		if st, _, _ := a.do("A-member", "PUT", "/api/v1/organization/allowed-domains/evil.example", map[string]any{"role": "admin"}); st != http.StatusForbidden {
			t.Errorf("a member allowing a domain = %d, want 403", st)
		}
		if st, _, _ := a.do("A-admin", "PUT", "/api/v1/organization/allowed-domains/not_a_domain", map[string]any{"role": "member"}); st != http.StatusUnprocessableEntity {
			t.Errorf("bad domain = %d, want 422", st)
		}
		if st, _, _ := a.do("A-admin", "PUT", "/api/v1/organization/allowed-domains/example.com", map[string]any{"role": "owner"}); st != http.StatusUnprocessableEntity {
			t.Errorf("bad role = %d, want 422", st)
		}
		if st, _, _ := a.do("B-admin", "DELETE", "/api/v1/organization/allowed-domains/example.co.jp", nil); st != http.StatusNotFound {
			t.Errorf("another organisation removing it = %d, want 404", st)
		}
		if st, _, _ := a.do("A-admin", "DELETE", "/api/v1/organization/allowed-domains/example.co.jp", nil); st != http.StatusNoContent {
			t.Errorf("DELETE = %d, want 204", st)
		}
	})
	u := mustUI(t, storetest.Open(t))
	if p := u.post("A-admin", "/settings/domains", url.Values{"domain": {"example.co.jp"}, "role": {"member"}}); p.status != http.StatusSeeOther {
		t.Fatalf("allow through the UI = %d:\n%s", p.status, p.body)
	}
	page := u.get("A-admin", "/settings/members")
	if page.doc.Find(`#domains form[action="/settings/domains/example.co.jp/remove"]`).Length() != 1 {
		t.Errorf("the members page does not list the allowed domain")
	}
	if p := u.post("A-admin", "/settings/domains", url.Values{"domain": {"nope"}, "role": {"member"}}); p.status != http.StatusUnprocessableEntity ||
		p.doc.Find("#domain").Parent().Find(".field-error").Length() == 0 {
		t.Errorf("a bad domain through the UI = %d, want 422 with a message beside the field", p.status)
	}
	if p := u.post("A-admin", "/settings/domains/example.co.jp/remove", nil); p.status != http.StatusSeeOther {
		t.Errorf("remove through the UI = %d", p.status)
	}
}
