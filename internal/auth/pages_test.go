package auth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/store/storetest"
)

// TestPagesLook: the sign-in and setup pages link the application's stylesheet and share its
// layout (header bar, main container, labelled fields with their problems beside them), with no
// inline script or style that the CSP would block.
func TestPagesLook(t *testing.T) {
	const css = "/static/app.0123abcd.css"
	e := mustEnv(t, storetest.Open(t), func(o *Options, _ string) { o.Stylesheet = css })
	setupURL, ok, err := e.svc.SetupURL(context.Background())
	if err != nil || !ok {
		t.Fatalf("SetupURL = %v, %v", ok, err)
	}
	u, err := url.Parse(setupURL)
	if err != nil {
		t.Fatal(err)
	}
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
