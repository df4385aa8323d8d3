package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func TestOrganizationFaxAndContactPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		// The PUT replaces the profile: keep the registration number, which issuing needs.
		body := map[string]any{"name": "株式会社A", "phone": "03-1234-5678", "fax": "03-1234-5679", "contact_person": "鈴木 花子",
			"registration_number": storetest.RegistrationNumber}
		var org document.Organization
		a.mustJSON(200, &org, "A-admin", "PUT", "/api/v1/organization", body)
		a.mustJSON(200, &org, "A-viewer", "GET", "/api/v1/organization", nil)
		if org.Fax != "03-1234-5679" || org.ContactPerson != "鈴木 花子" {
			t.Errorf("organization: fax %q, contact_person %q", org.Fax, org.ContactPerson)
		}
		// Issuing freezes them into the document's issuer.
		_, _, issued := a.fixture()
		if issued.Issuer == nil || issued.Issuer.Fax != "03-1234-5679" || issued.Issuer.ContactPerson != "鈴木 花子" {
			t.Errorf("issued document's issuer: %+v", issued.Issuer)
		}
		body["fax"], body["contact_person"] = strings.Repeat("1", 31), "一行目\n二行目"
		var e struct {
			Error struct{ Fields map[string]string }
		}
		a.mustJSON(422, &e, "A-admin", "PUT", "/api/v1/organization", body)
		if e.Error.Fields["fax"] == "" || e.Error.Fields["contact_person"] == "" {
			t.Errorf("fields = %v, want fax and contact_person", e.Error.Fields)
		}
	})
}

func TestUISettingsFaxAndContactPerson(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	p := u.post("A-admin", "/settings", url.Values{"name": {"株式会社A"}, "fax": {"03-1234-5679"}, "contact_person": {"鈴木 花子"},
		"default_tax_rounding": {"floor"}, "prefix_invoice": {"INV-"}, "prefix_quote": {"QUO-"}, "prefix_delivery_note": {"DEL-"},
		"prefix_receipt": {"REC-"}, "prefix_credit_note": {"CRN-"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save settings = %d:\n%s", p.status, p.body)
	}
	org, err := u.db.GetOrganization(context.Background(), u.orgA.ID)
	if err != nil || org.Fax != "03-1234-5679" || org.ContactPerson != "鈴木 花子" {
		t.Fatalf("saved: fax %q contact %q (%v)", org.Fax, org.ContactPerson, err)
	}
	s := u.get("A-admin", "/settings")
	if v, _ := s.doc.Find("input#fax").Attr("value"); v != "03-1234-5679" {
		t.Errorf("the form shows fax %q", v)
	}
	if v, _ := s.doc.Find("input#contact_person").Attr("value"); v != "鈴木 花子" {
		t.Errorf("the form shows contact person %q", v)
	}
}
