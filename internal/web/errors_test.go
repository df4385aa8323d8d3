package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"reportapp/internal/domain"
	"reportapp/internal/store/storetest"
)

// TestSameConditionSameCode: one condition is one code and status on every route — the API, the
// browser pages, auth's routes and the server's middleware — written as JSON under the API (or
// when the client asks for JSON) and as the UI's styled page in the browser, in its language.
func TestSameConditionSameCode(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	big := strings.Repeat("x", 5<<20)
	type req struct {
		method, path, body string
		hdr                []string
	}
	crossSite := []string{"Sec-Fetch-Site", "cross-site", "Content-Type", "application/x-www-form-urlencoded"}
	for _, tt := range []struct {
		condition string
		code      domain.Code
		reqs      []req
	}{
		{"body over the limit (server middleware)", domain.EBodyTooLarge, []req{
			{"POST", "/api/v1/customers", big, []string{"Content-Type", "application/json", "X-Test-As", "A-admin"}},
			{"POST", "/customers", big, []string{"Content-Type", "application/x-www-form-urlencoded", "X-Test-As", "A-admin"}},
			{"POST", "/login", big, []string{"Content-Type", "application/x-www-form-urlencoded"}},
		}},
		{"cross-origin form post (auth)", domain.EForbidden, []req{
			{"POST", "/customers", "name=x", append([]string{"X-Test-As", "A-admin"}, crossSite...)},
			{"POST", "/login", "email=a@b.c", crossSite},
			{"POST", "/lang", "lang=en", crossSite},
		}},
		{"role too low (route table)", domain.EForbidden, []req{
			{"POST", "/api/v1/customers", `{"name":"x"}`, []string{"Content-Type", "application/json", "X-Test-As", "A-viewer"}},
			{"POST", "/customers", "name=x", []string{"X-Test-As", "A-viewer", "Content-Type", "application/x-www-form-urlencoded"}},
		}},
		{"no such route", domain.ENotFound, []req{
			{"GET", "/api/v1/nothing-here", "", nil},
			{"GET", "/nothing-here", "", nil},
		}},
		{"method not allowed", domain.EMethodNotAllowed, []req{
			{"DELETE", "/api/v1/organization", "", nil},
			{"DELETE", "/customers", "", []string{"X-Test-As", "A-admin"}},
		}},
		{"not signed in", domain.EUnauthorized, []req{
			{"GET", "/api/v1/organization", "", nil},
			{"GET", "/api/v1/organization", "", []string{"Authorization", "Bearer rpt_not-a-token"}},
			{"POST", "/customers", "name=x", []string{"Content-Type", "application/x-www-form-urlencoded"}},
		}},
	} {
		for _, rq := range tt.reqs {
			for _, asJSON := range []bool{true, false} {
				api := strings.HasPrefix(rq.path, "/api/")
				if api && !asJSON {
					continue // the API always answers JSON
				}
				r, err := http.NewRequest(rq.method, u.URL+rq.path, strings.NewReader(rq.body))
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i+1 < len(rq.hdr); i += 2 {
					r.Header.Set(rq.hdr[i], rq.hdr[i+1])
				}
				if asJSON && !api {
					r.Header.Set("Accept", "application/json")
				}
				if !asJSON {
					r.Header.Set("Accept", "text/html,*/*;q=0.8")
					r.Header.Set("Accept-Language", "en-GB,en;q=0.9,ja;q=0.5")
				}
				p := u.do("", r)
				name := tt.condition + ": " + rq.method + " " + rq.path
				if p.status != tt.code.Status() {
					t.Errorf("%s (JSON %v) = %d, want %d:\n%.300s", name, asJSON, p.status, tt.code.Status(), p.body)
					continue
				}
				if asJSON {
					var body errorBody
					if err := json.Unmarshal(p.body, &body); err != nil || body.Error.Code != tt.code || body.Error.Message == "" {
						t.Errorf("%s = %.300s (%v), want code %s with a message", name, p.body, err, tt.code)
					}
					continue
				}
				if ct := p.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") ||
					p.doc.Find("header.top").Length() == 0 || p.doc.Find("html").AttrOr("lang", "") != "en" {
					t.Errorf("%s: %q, want the UI's styled error page in English:\n%.300s", name, ct, p.body)
				}
			}
		}
	}
}

// TestErrorPageLanguage: the error page speaks the user's language: Japanese by default, English
// when the browser prefers it.
func TestErrorPageLanguage(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	for lang, want := range map[string]string{"": messagesJA()["error.404"], "en-US,en;q=0.9": messagesEN()["error.404"],
		"fr, ja;q=0.3": messagesJA()["error.404"]} {
		r, _ := http.NewRequest("GET", u.URL+"/no-such-page", nil)
		if lang != "" {
			r.Header.Set("Accept-Language", lang)
		}
		if p := u.do("", r); p.status != 404 || !strings.Contains(string(p.body), want) {
			t.Errorf("Accept-Language %q: %d, want 404 saying %q:\n%.300s", lang, p.status, want, p.body)
		}
	}
}

// TestEveryCodeHasAPageMessage: every code's status has an explanation in both languages.
func TestEveryCodeHasAPageMessage(t *testing.T) {
	for _, c := range domain.Codes() {
		key := "error." + strconv.Itoa(c.Status())
		if messagesJA()[key] == "" || messagesEN()[key] == "" {
			t.Errorf("%s: no %s in both catalogues", c, key)
		}
	}
}

func TestPrefersJSON(t *testing.T) {
	for accept, want := range map[string]bool{
		"": false, "*/*": false, "application/json": true,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": false,
		"text/html;q=0.5, application/json":                               true,
		"text/html, application/json;q=0.5":                               false,
		"application/json;q=0, */*":                                       false,
		";;;,application/json;q=abc":                                      false,
	} {
		if got := prefersJSON([]string{accept}); got != want {
			t.Errorf("prefersJSON(%q) = %v, want %v", accept, got, want)
		}
	}
}

// TestBodyTooLargePage: a browser form over its body limit, declared or sent chunked, gets the
// styled 413 page that says the form's limit in words in the user's language; the API keeps its
// JSON body with the limit in the message.
func TestBodyTooLargePage(t *testing.T) {
	u := mustUI(t, storetest.Open(t)) // MAX_BODY_BYTES 4 MiB; the images form 8 MiB
	type unsized struct{ io.Reader }
	for _, tc := range []struct {
		name, path, lang, want string
		body                   io.Reader
	}{
		{"declared", "/customers", "ja", "このフォームで送れるのは 4 MB までです", strings.NewReader("name=" + strings.Repeat("x", 5<<20))},
		{"declared, English", "/customers", "en", "This form can send at most 4 MB.", strings.NewReader("name=" + strings.Repeat("x", 5<<20))},
		{"chunked", "/customers", "ja", "このフォームで送れるのは 4 MB までです", unsized{strings.NewReader("name=" + strings.Repeat("x", 5<<20))}},
		{"images form", "/settings/images", "en", "This form can send at most 8 MB.", strings.NewReader(strings.Repeat("x", 9<<20))},
		{"sign-in form", "/login", "ja", "このフォームで送れるのは 4 MB までです", strings.NewReader("email=" + strings.Repeat("x", 5<<20))},
	} {
		r, err := http.NewRequest("POST", u.URL+tc.path, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		r.Header.Set("Accept-Language", tc.lang)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("X-Test-As", "A-admin")
		p := u.do("", r)
		if p.status != http.StatusRequestEntityTooLarge || p.doc.Find("header.top").Length() == 0 ||
			p.doc.Find("html").AttrOr("lang", "") != tc.lang {
			t.Errorf("%s: %d, want the styled 413 page in %s:\n%.400s", tc.name, p.status, tc.lang, p.body)
			continue
		}
		if got := p.doc.Find("main p.error").Text(); !strings.Contains(got, tc.want) {
			t.Errorf("%s: message %q, want %q", tc.name, got, tc.want)
		}
	}
	r, _ := http.NewRequest("POST", u.URL+"/api/v1/customers", strings.NewReader(`{"name":"`+strings.Repeat("x", 5<<20)+`"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Test-As", "A-admin")
	p := u.do("", r)
	var body errorBody
	if err := json.Unmarshal(p.body, &body); err != nil || p.status != 413 || body.Error.Code != domain.EBodyTooLarge ||
		!strings.Contains(body.Error.Message, "4 MB") {
		t.Errorf("API over the limit = %d %.300s (%v), want JSON body_too_large naming 4 MB", p.status, p.body, err)
	}
}
