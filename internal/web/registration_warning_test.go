package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// badCheckDigit is a registration number of the right format whose check digit fails
// (storetest.RegistrationNumber is T7123456789012).
const badCheckDigit = "T1123456789012"

type warningsBody struct {
	ID       string `json:"id"`
	Warnings []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"warnings"`
}

// TestAPIRegistrationWarningOnSave is issue 12 item 5: a registration number whose check digit
// fails is saved, and the response of that save says so in warnings (field and message), as do
// later reads; a good number has no warnings.
func TestAPIRegistrationWarningOnSave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		body := customerBody("株式会社チェック")
		body["registration_number"] = badCheckDigit
		var c warningsBody
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", body)
		wantWarned := func(what string, w warningsBody) {
			t.Helper()
			if len(w.Warnings) != 1 || w.Warnings[0].Field != "registration_number" || !strings.Contains(w.Warnings[0].Message, "チェックディジット") {
				t.Errorf("%s: warnings %+v, want one on registration_number", what, w.Warnings)
			}
		}
		wantWarned("POST", c)
		var got warningsBody
		a.mustJSON(200, &got, "A-member", "PUT", "/api/v1/customers/"+c.ID, body)
		wantWarned("PUT", got)
		a.mustJSON(200, &got, "A-viewer", "GET", "/api/v1/customers/"+c.ID, nil)
		wantWarned("GET", got)

		body["registration_number"] = storetest.RegistrationNumber
		_, _, raw := a.do("A-member", "PUT", "/api/v1/customers/"+c.ID, body)
		if !strings.Contains(string(raw), `"warnings":[]`) {
			t.Errorf("a good number: %s, want warnings []", raw)
		}

		org := orgBody(badCheckDigit, true)
		var o warningsBody
		a.mustJSON(200, &o, "B-admin", "PUT", "/api/v1/organization", org)
		wantWarned("PUT organization", o)
	})
}

// TestUIRegistrationWarningOnSave: saving a customer whose number fails the check digit leads
// to the customer's page, which says it was saved and warns beside the number; a good number
// goes back to the list.
func TestUIRegistrationWarningOnSave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		form := url.Values{"name": {"株式会社チェック"}, "honorific": {"御中"}, "registration_number": {badCheckDigit}}
		p := u.post("A-member", "/customers", form)
		loc := p.header.Get("Location")
		if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/customers/") || !strings.Contains(loc, "notice=created") {
			t.Fatalf("save = %d %q, want 303 to the customer's page", p.status, loc)
		}
		next := u.get("A-member", loc)
		if next.status != 200 || next.doc.Find(".notice").Length() != 1 ||
			!strings.Contains(next.doc.Find(".warning").Text(), "チェックディジット") {
			t.Errorf("the page after saving does not warn:\n%s", next.body)
		}
		if next.val(t, "#registration_number") != badCheckDigit {
			t.Errorf("the number shown is %q", next.val(t, "#registration_number"))
		}
		en := u.get("A-member", loc, "Cookie", "lang=en")
		if !strings.Contains(en.doc.Find(".warning").Text(), "check digit") {
			t.Errorf("English page: warning %q", en.doc.Find(".warning").Text())
		}

		form.Set("registration_number", storetest.RegistrationNumber)
		form.Set("name", "株式会社ただしい")
		if p := u.post("A-member", "/customers", form); p.header.Get("Location") != "/customers?notice=created" {
			t.Errorf("a good number: %d %q, want the list", p.status, p.header.Get("Location"))
		}
	})
}
