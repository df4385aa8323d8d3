package auth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/store/storetest"
)

// TestPagesLook: the sign-in and setup pages link the application's stylesheet and share its
// layout (header bar, main container, labelled fields with their problems beside them), with no
// inline script or style that the CSP would block.
func TestPagesLook(t *testing.T) {
	const css = "/static/app.0123abcd.css"
	e := mustEnv(t, storetest.Open(t), func(o *Options, _ string) { o.Stylesheet = css })
	u := mustSetupURL(t, e)
	c := e.mustClient(t)
	tests := []struct {
		name       string
		r          response
		wantStatus int
		fields     []string          // inputs that must have a label
		problems   map[string]string // field → part of the message beside it
		alert      string            // part of the message at the top
	}{
		{name: "login", r: c.get("/login"), wantStatus: http.StatusOK, fields: []string{"email", "password"}},
		{name: "failed login", r: c.post("/login", url.Values{"email": {"nobody@example.co.jp"}, "password": {"wrong"}}),
			wantStatus: http.StatusUnauthorized, fields: []string{"email", "password"}, alert: "メールアドレスまたはパスワード"},
		{name: "setup", r: c.get(u.RequestURI()), wantStatus: http.StatusOK, fields: []string{"org_name", "org_slug", "email", "password"}},
		{name: "setup with bad fields", r: c.post("/setup", url.Values{"token": {u.Query().Get("token")}, "org_name": {"見本商事"},
			"org_slug": {"Bad Slug!"}, "email": {"admin@example.co.jp"}, "password": {"short"}}),
			wantStatus: http.StatusUnprocessableEntity, fields: []string{"org_name", "org_slug", "email", "password"},
			problems: map[string]string{"org_slug": "", "password": "12"}},
		{name: "used setup link", r: c.get("/setup?token=wrong"), wantStatus: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d:\n%s", tt.r.status, tt.wantStatus, tt.r.body)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(tt.r.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Find(`head link[rel=stylesheet]`).AttrOr("href", ""); got != css {
				t.Errorf("stylesheet = %q, want %q", got, css)
			}
			for _, sel := range []string{"html[lang=ja]", "a.skip[href='#main']", "header.top a.brand[href='/']", "main#main h1", "footer.bottom"} {
				if doc.Find(sel).Length() != 1 {
					t.Errorf("no %s", sel)
				}
			}
			for _, f := range tt.fields {
				if doc.Find(`label[for="`+f+`"]`).Length() != 1 || doc.Find(`input#`+f+`[name="`+f+`"]`).Length() != 1 {
					t.Errorf("field %s has no input with a label", f)
				}
			}
			for f, want := range tt.problems {
				msg := doc.Find(`input#` + f + `[aria-invalid=true] + span.field-error#` + f + `-error`)
				if msg.Length() != 1 || !strings.Contains(msg.Text(), want) {
					t.Errorf("no problem %q beside %s", want, f)
				}
			}
			if n := doc.Find("span.field-error").Length(); n != len(tt.problems) {
				t.Errorf("%d field problems shown, want %d", n, len(tt.problems))
			}
			if tt.alert != "" && !strings.Contains(doc.Find("main p.error[role=alert]").Text(), tt.alert) {
				t.Errorf("no alert %q", tt.alert)
			}
			if n := doc.Find("script:not([src]), style, [style]").Length(); n > 0 {
				t.Errorf("%d inline scripts or styles", n)
			}
		})
	}
	// Without a stylesheet the pages still work, unstyled.
	plain := mustEnv(t, storetest.Open(t), nil).mustClient(t).get("/login")
	if plain.status != http.StatusOK || strings.Contains(plain.body, "stylesheet") {
		t.Errorf("login without a stylesheet = %d:\n%s", plain.status, plain.body)
	}
}

// TestPagesFollowTheBrowsersLanguage: the sign-in pages speak English to a browser that prefers
// English and Japanese otherwise, as the UI chooses (the lang cookie wins over Accept-Language).
func TestPagesFollowTheBrowsersLanguage(t *testing.T) {
	e := mustEnv(t, storetest.Open(t), nil)
	u := mustSetupURL(t, e)
	get := func(path, acceptLanguage, cookie string) *goquery.Document {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if acceptLanguage != "" {
			req.Header.Set("Accept-Language", acceptLanguage)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "lang", Value: cookie})
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		doc, err := goquery.NewDocumentFromReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	for _, tc := range []struct {
		name, path         string
		ja, en             string // text of <main> in the language wanted
		acceptLang, cookie string
		wantEnglish        bool
	}{
		{name: "login by default", path: "/login", ja: "パスワード"},
		{name: "login in English", path: "/login", acceptLang: "en-US,en;q=0.9,ja;q=0.5", wantEnglish: true, en: "Password"},
		{name: "login, Japanese preferred", path: "/login", acceptLang: "ja,en;q=0.8", ja: "パスワード"},
		{name: "login, cookie wins", path: "/login", acceptLang: "en", cookie: "ja", ja: "パスワード"},
		{name: "setup in English", path: u.RequestURI(), acceptLang: "en", wantEnglish: true, en: "Organisation name"},
		{name: "setup in Japanese", path: u.RequestURI(), ja: "組織名"},
		{name: "used setup link in English", path: "/setup?token=wrong", cookie: "en", wantEnglish: true, en: "The setup link is invalid or expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := get(tc.path, tc.acceptLang, tc.cookie)
			main := doc.Find("main").Text()
			lang := doc.Find("html").AttrOr("lang", "")
			if tc.wantEnglish {
				if lang != "en" || !strings.Contains(main, tc.en) || strings.IndexFunc(doc.Find("h1").Text(), isKana) >= 0 {
					t.Errorf("lang %q, main %q: want English with %q", lang, main, tc.en)
				}
				return
			}
			if lang != "ja" || !strings.Contains(main, tc.ja) {
				t.Errorf("lang %q, main %q: want Japanese with %q", lang, main, tc.ja)
			}
		})
	}
}

func isKana(r rune) bool { return unicode.In(r, unicode.Hiragana, unicode.Katakana) }

// mustSetupURL is the one-time setup URL of e's service.
func mustSetupURL(t *testing.T, e *env) *url.URL {
	t.Helper()
	setupURL, ok, err := e.svc.SetupURL(context.Background())
	if err != nil || !ok {
		t.Fatalf("SetupURL = %v, %v", ok, err)
	}
	u, err := url.Parse(setupURL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
