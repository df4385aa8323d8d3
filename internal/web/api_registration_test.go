package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// orgBody is organisation B's profile for PUT /api/v1/organization.
func orgBody(registration string, qualified any) map[string]any {
	b := map[string]any{"name": "株式会社org-b", "registration_number": registration}
	if qualified != nil {
		b["qualified_invoice_issuer"] = qualified
	}
	return b
}

// A qualified invoice issuer (the default) cannot issue an invoice, receipt or credit note
// without a registration number of the valid format: 422 registration_number_missing. Quotes and
// delivery notes need none; a business that is not registered issues everything.
func TestIssueNeedsRegistrationNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var org document.Organization
		a.mustJSON(200, &org, "B-admin", "GET", "/api/v1/organization", nil)
		if !org.QualifiedInvoiceIssuer {
			t.Errorf("qualified_invoice_issuer defaults to false")
		}
		a.mustJSON(200, &org, "B-admin", "PUT", "/api/v1/organization", orgBody("", nil))
		if !org.QualifiedInvoiceIssuer || org.RegistrationNumber != "" {
			t.Fatalf("after PUT without the field: %+v", org)
		}
		var cust document.Customer
		a.mustJSON(201, &cust, "B-admin", "POST", "/api/v1/customers", customerBody("取引先"))
		draft := func(kind string) string {
			b := invoiceBody(cust.ID)
			b["kind"] = kind
			if kind != "invoice" {
				delete(b, "due_date")
			}
			var d document.Document
			a.mustJSON(201, &d, "B-admin", "POST", "/api/v1/documents", b)
			return d.ID
		}
		issue := func(id string) (int, string) {
			code, _, body := a.do("B-admin", "POST", "/api/v1/documents/"+id+"/issue", nil)
			var e struct {
				Error struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			_ = json.Unmarshal(body, &e)
			return code, e.Error.Code
		}
		inv, rec := draft("invoice"), draft("receipt")
		for _, id := range []string{inv, rec} {
			if code, ecode := issue(id); code != 422 || ecode != string(domain.ERegistrationMissing) {
				t.Errorf("issue without a number = %d %q, want 422 registration_number_missing", code, ecode)
			}
		}
		if code, _ := issue(draft("quote")); code != 200 {
			t.Errorf("issue a quote without a number = %d", code)
		}
		// A malformed number is no number.
		if code, _, body := a.do("B-admin", "PUT", "/api/v1/organization", orgBody("T123", nil)); code != 422 {
			t.Errorf("PUT T123 = %d: %s", code, body)
		}
		// With a number it issues.
		a.mustJSON(200, &org, "B-admin", "PUT", "/api/v1/organization", orgBody(storetest.RegistrationNumber, true))
		if code, _ := issue(inv); code != 200 {
			t.Errorf("issue with a number = %d", code)
		}
		// A non-registered business (免税事業者) issues without one, and nothing says 適格.
		a.mustJSON(200, &org, "B-admin", "PUT", "/api/v1/organization", orgBody("", false))
		if org.QualifiedInvoiceIssuer {
			t.Fatalf("qualified_invoice_issuer stayed true")
		}
		if code, _ := issue(rec); code != 200 {
			t.Errorf("issue a receipt as a non-registered business = %d", code)
		}
		var d document.Document
		a.mustJSON(200, &d, "B-admin", "GET", "/api/v1/documents/"+rec, nil)
		if d.Issuer == nil || d.Issuer.QualifiedInvoiceIssuer {
			t.Errorf("issued receipt's issuer = %+v, want not qualified", d.Issuer)
		}
		if code, _, body := a.do("B-admin", "PUT", "/api/v1/organization", orgBody("", "yes")); code != 422 {
			t.Errorf("qualified_invoice_issuer \"yes\" = %d: %s", code, body)
		}
	})
}

// The issue confirmation of an organisation without a number says so and links to the
// settings instead of offering the button.
func TestUIIssueConfirmationWithoutNumber(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	org := u.orgA
	org.RegistrationNumber = ""
	if _, err := u.db.UpdateOrganization(t.Context(), org); err != nil {
		t.Fatal(err)
	}
	id := u.mustDraft()
	p := u.get("A-admin", "/documents/"+id+"/issue")
	if p.doc.Find("#registration-missing").Length() != 1 || p.doc.Find(`#registration-missing a[href^="/settings"]`).Length() != 1 ||
		p.doc.Find("#confirm-issue").Length() != 0 {
		t.Errorf("confirmation without a number:\n%s", p.body)
	}
	if p := u.post("A-member", "/documents/"+id+"/issue", nil); p.status != http.StatusUnprocessableEntity ||
		p.doc.Find("#registration-missing").Length() != 1 {
		t.Errorf("posting the issue anyway = %d", p.status)
	}
	// Unticking 適格請求書発行事業者 lets it issue.
	f := url.Values{"name": {org.Name}, "default_tax_rounding": {"floor"}, "prefix_invoice": {"INV-"}, "prefix_quote": {"QUO-"},
		"prefix_delivery_note": {"DEL-"}, "prefix_receipt": {"REC-"}, "prefix_credit_note": {"CRN-"}}
	if p := u.post("A-admin", "/settings", f); p.status != http.StatusSeeOther {
		t.Fatalf("settings = %d:\n%s", p.status, p.body)
	}
	if p := u.get("A-admin", "/documents/"+id+"/issue"); p.doc.Find("#confirm-issue").Length() != 1 {
		t.Errorf("no issue button for a non-registered business")
	}
	if p := u.post("A-member", "/documents/"+id+"/issue", nil); p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Location"), "issued") {
		t.Errorf("issue as a non-registered business = %d", p.status)
	}
}
