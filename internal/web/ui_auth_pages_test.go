package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/auth"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustSignInUI is the application on db, as a new installation has it (nobody signed up yet), and
// its one-time setup URL.
func mustSignInUI(t *testing.T, db *store.DB) (*testUI, *url.URL) {
	t.Helper()
	lim := testLimits{maxInflight: 64, pdfWorkers: 1, maxBody: 4 << 20, noQueue: true}
	h, _ := mustApp(t, db, lim)
	ts := serveTest(t, db, h, h, lim)
	t.Cleanup(ts.Close)
	u := &testUI{t: t, db: db, URL: ts.URL, who: map[string]domain.Principal{},
		hc: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	setupURL, ok, err := h.a.Auth.SetupURL(t.Context())
	if err != nil || !ok {
		t.Fatalf("SetupURL = %v, %v", ok, err)
	}
	su, err := url.Parse(setupURL)
	if err != nil {
		t.Fatal(err)
	}
	return u, su
}

// TestAuthPagesLook: the sign-in and setup pages (package auth) are the UI's pages: its layout
// (header bar, language switch, main container), its stylesheet, labelled fields with their
// problems beside them, and no inline script or style that the CSP would block.
func TestAuthPagesLook(t *testing.T) {
	u, setup := mustSignInUI(t, storetest.Open(t))
	assets, _, err := hashedAssets()
	if err != nil {
		t.Fatal(err)
	}
	css := assets["app.css"]
	tests := []struct {
		name       string
		p          page
		wantStatus int
		fields     []string          // inputs that must have a label
		problems   map[string]string // field → part of the message beside it
		alert      string            // part of the message at the top
	}{
		{name: "login", p: u.get("", "/login"), wantStatus: http.StatusOK, fields: []string{"email", "password"}},
		{name: "failed login", p: u.post("", "/login", url.Values{"email": {"nobody@example.co.jp"}, "password": {"wrong"}}),
			wantStatus: http.StatusUnauthorized, fields: []string{"email", "password"}, alert: "メールアドレスまたはパスワード"},
		{name: "setup", p: u.get("", setup.RequestURI()), wantStatus: http.StatusOK, fields: []string{"org_name", "org_slug", "email", "password"}},
		{name: "setup with bad fields", p: u.post("", "/setup", url.Values{"token": {setup.Query().Get("token")}, "org_name": {"見本商事"},
			"org_slug": {"Bad Slug!"}, "email": {"admin@example.co.jp"}, "password": {"short"}}),
			wantStatus: http.StatusUnprocessableEntity, fields: []string{"org_name", "org_slug", "email", "password"},
			problems: map[string]string{"org_slug": "英小文字", "password": "12文字以上"}, alert: "入力内容に誤りがあります"},
		{name: "used setup link", p: u.get("", "/setup?token=wrong"), wantStatus: http.StatusForbidden, alert: "セットアップ用URLが無効"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.p.doc
			if tt.p.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d:\n%s", tt.p.status, tt.wantStatus, tt.p.body)
			}
			if got := doc.Find(`head link[rel=stylesheet]`).AttrOr("href", ""); got != css {
				t.Errorf("stylesheet = %q, want the UI's %q", got, css)
			}
			for _, sel := range []string{"html[lang=ja]", "a.skip[href='#main']", "header.top a.brand[href='/']",
				"header form[action='/lang'] button[value=en]", "main#main h1", "main .auth-box", "footer.bottom"} {
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
				if !strings.Contains(doc.Find(`input#`+f).AttrOr("aria-describedby", ""), f+"-error") {
					t.Errorf("%s is not described by its problem", f)
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
			if h := tt.p.header.Get("Content-Security-Policy"); !strings.Contains(h, "form-action 'self'") || !strings.Contains(h, "frame-ancestors 'none'") {
				t.Errorf("CSP = %q", h)
			}
		})
	}
	// The setup form keeps what was typed.
	if got := tests[3].p.val(t, "#org_name"); got != "見本商事" {
		t.Errorf("org_name after a bad setup = %q", got)
	}
}

// TestAuthPagesFollowTheBrowsersLanguage: the sign-in pages speak English to a browser that
// prefers English and Japanese otherwise, as the UI chooses (the lang cookie wins over
// Accept-Language).
func TestAuthPagesFollowTheBrowsersLanguage(t *testing.T) {
	u, setup := mustSignInUI(t, storetest.Open(t))
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
		{name: "setup in English", path: setup.RequestURI(), acceptLang: "en", wantEnglish: true, en: "Organisation name"},
		{name: "setup in Japanese", path: setup.RequestURI(), ja: "組織名"},
		{name: "used setup link in English", path: "/setup?token=wrong", cookie: "en", wantEnglish: true, en: "The setup link is invalid or expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.acceptLang != "" {
				hdr = append(hdr, "Accept-Language", tc.acceptLang)
			}
			if tc.cookie != "" {
				hdr = append(hdr, "Cookie", "lang="+tc.cookie)
			}
			p := u.get("", tc.path, hdr...)
			main := p.doc.Find("main").Text()
			lang := p.doc.Find("html").AttrOr("lang", "")
			if tc.wantEnglish {
				if lang != "en" || !strings.Contains(main, tc.en) || strings.IndexFunc(main, isJapanese) >= 0 {
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

// TestAuthPagesInBothLanguages: every page of package auth, with every message it can show,
// renders in Japanese and in English from the catalogue: no Japanese in the English page, a
// Japanese page in Japanese, and no catalogue key left untranslated.
func TestAuthPagesInBothLanguages(t *testing.T) {
	h, _ := mustApp(t, storetest.Open(t), testLimits{pdfWorkers: 1, noQueue: true})
	problem := func(key string, args ...any) map[string]auth.Text {
		return map[string]auth.Text{"email": {Key: key, Args: args}}
	}
	pages := map[string][]auth.Page{
		auth.PageLogin: {
			{Title: "auth.title.login", OIDC: true, Local: true, Notice: "auth.notice.no_users", Next: "/documents"},
			{Title: "auth.title.login", Local: true, Error: "auth.error.bad_login", Email: "taro@example.co.jp", Fields: problem("auth.field.email_invalid")},
			{Title: "auth.title.login", Local: true, Error: "auth.error.throttled"},
			{Title: "auth.title.login", Local: true, Error: "auth.error.hash_busy"},
		},
		auth.PageSetup: {
			{Title: "auth.title.setup_form", Token: "tok", Error: "auth.error.fix_fields", OrgSlug: "Bad!", Fields: map[string]auth.Text{
				"org_name": {Key: "auth.field.org_name_required"}, "org_slug": {Key: "auth.field.org_slug_invalid"},
				"email": {Key: "auth.field.email_invalid"}, "password": {Key: "auth.password.too_short", Args: []any{auth.MinPasswordLength}}}},
		},
		auth.PagePassword: {
			{Title: "auth.title.password", Notice: "auth.notice.must_set"},
			{Title: "auth.title.password", Notice: "auth.notice.password_changed"},
			{Title: "auth.title.password", Error: "auth.error.fix_fields", Fields: map[string]auth.Text{
				"current": {Key: "auth.field.current_wrong"}, "new": {Key: "auth.password.bad_chars"}}},
			{Title: "auth.title.password", Fields: map[string]auth.Text{"new": {Key: "auth.password.too_long"}}},
		},
		auth.PageMessage: {
			{Title: "auth.title.setup_done"},
			{Title: "auth.title.setup", Error: "auth.error.setup_link_invalid"},
			{Title: "auth.title.setup", Error: "auth.error.setup_link_used"},
			{Title: "auth.title.unavailable", Error: "auth.error.unavailable"},
			{Title: "auth.title.failed", Error: "auth.error.failed"},
		},
		auth.PageNoAccess:   {{Title: "auth.title.no_access", OIDC: true}},
		auth.PageUnverified: {{Title: "auth.title.unverified", Email: "hanako@example.co.jp", OIDC: true}},
		auth.PageSignedOut:  {{Title: "auth.title.signed_out", Refresh: "https://idp.example/logout?id_token_hint=x&post_logout_redirect_uri=y"}},
	}
	ja, en := messagesJA(), messagesEN()
	for _, name := range auth.PageNames() {
		if len(pages[name]) == 0 {
			t.Errorf("page %s is not tested", name)
		}
		for i, p := range pages[name] {
			p.MinLength = auth.MinPasswordLength
			for _, lang := range []string{"ja", "en"} {
				req := httptest.NewRequest(http.MethodGet, "/login", nil)
				req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
				rec := httptest.NewRecorder()
				h.a.ui.RenderPage(rec, req, http.StatusTeapot, name, p)
				doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("%s#%d in %s", name, i, lang)
				if rec.Code != http.StatusTeapot || doc.Find("html").AttrOr("lang", "") != lang || rec.Header().Get("Content-Language") != lang {
					t.Errorf("%s = %d, html lang %q:\n%s", what, rec.Code, doc.Find("html").AttrOr("lang", ""), rec.Body)
					continue
				}
				main := doc.Find("main").Text()
				if strings.Contains(main, "auth.") || strings.Contains(main, "%!") {
					t.Errorf("%s shows a key or a broken format: %q", what, main)
				}
				cat := ja
				if lang == "en" {
					cat = en
					if i := strings.IndexFunc(main, isJapanese); i >= 0 {
						t.Errorf("%s has Japanese: %q", what, main[i:])
					}
				} else if strings.IndexFunc(main, isJapanese) < 0 {
					t.Errorf("%s has no Japanese: %q", what, main)
				}
				for _, key := range []string{p.Title, p.Error, p.Notice} {
					if key != "" && !strings.Contains(main, cat[key]) {
						t.Errorf("%s lacks %s, %q", what, key, cat[key])
					}
				}
			}
		}
	}
	// The signed-out page navigates to the provider at once, and links it for when that is off.
	rec := httptest.NewRecorder()
	const to = "https://idp.example/logout?id_token_hint=x&post_logout_redirect_uri=y"
	h.a.ui.RenderPage(rec, httptest.NewRequest(http.MethodPost, "/logout", nil), http.StatusOK, auth.PageSignedOut, auth.Page{Title: "auth.title.signed_out", Refresh: to})
	doc, err := goquery.NewDocumentFromReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := doc.Find(`head meta[http-equiv=refresh]`).AttrOr("content", ""); got != "0;url="+to {
		t.Errorf("refresh = %q", got)
	}
	if got := doc.Find(`a#provider-logout`).AttrOr("href", ""); got != to {
		t.Errorf("provider logout link = %q", got)
	}
}

// isJapanese reports whether r is kana or a kanji.
func isJapanese(r rune) bool { return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) }
