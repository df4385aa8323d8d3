package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"reportapp/internal/config"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// linkOf sends doc with body and returns the delivery and the token of the link that arrived.
func (a *testAPI) linkOf(docID string, body map[string]any, nth int) (deliveryJSON, string) {
	a.t.Helper()
	var d deliveryJSON
	a.mustJSON(202, &d, "A-member", "POST", "/api/v1/documents/"+docID+"/send", body)
	msgs := a.smtp.Wait(a.t, nth, 30*time.Second)
	p := mailtest.Parse(a.t, msgs[nth-1].Data)
	m := linkPattern.FindStringSubmatch(p.Text)
	if m == nil {
		a.t.Fatalf("no link in %q", p.Text)
	}
	a.waitDelivery(docID, d.ID)
	return d, m[1]
}

// get fetches path of the test server with c (no API token), returning status, headers, body.
func (a *testAPI) get(c *http.Client, path string) (int, http.Header, []byte) {
	a.t.Helper()
	resp, err := c.Get(a.URL + path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestDeliveryLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		doc := a.sendFixture()
		d, token := a.linkOf(doc.ID, map[string]any{"attach_pdf": false}, 1)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

		code, hdr, page := a.get(c, "/d/"+token)
		if code != 200 || !strings.Contains(string(page), *doc.Number) || !strings.Contains(string(page), "株式会社テスト") ||
			!strings.Contains(string(page), "株式会社org-a") || !strings.Contains(string(page), "/d/"+token+"/pdf") {
			t.Fatalf("link page = %d:\n%s", code, page)
		}
		if hdr.Get("Content-Security-Policy") == "" || hdr.Get("Referrer-Policy") != "no-referrer" || hdr.Get("X-Frame-Options") != "DENY" {
			t.Errorf("security headers %v", hdr)
		}
		var list struct{ Items []deliveryJSON }
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/documents/"+doc.ID+"/deliveries", nil)
		if list.Items[0].OpenedAt == nil || list.Items[0].Downloads != 0 {
			t.Errorf("after a view: %+v", list.Items[0])
		}
		code, hdr, pdf := a.get(c, "/d/"+token+"/pdf")
		_, _, apiPDF := a.do("A-viewer", "GET", "/api/v1/documents/"+doc.ID+"/pdf", nil)
		if code != 200 || hdr.Get("Content-Type") != "application/pdf" || !bytes.Equal(pdf, apiPDF) {
			t.Errorf("link PDF = %d %s (%d bytes), want the stored PDF (%d bytes)", code, hdr.Get("Content-Type"), len(pdf), len(apiPDF))
		}
		var detail struct {
			deliveryJSON
			Accesses []store.LinkAccess `json:"accesses"`
		}
		a.mustJSON(200, &detail, "A-viewer", "GET", "/api/v1/deliveries/"+d.ID, nil)
		if detail.Downloads != 1 || len(detail.Accesses) != 2 || detail.Accesses[0].Kind != "view" ||
			detail.Accesses[1].Kind != "download" || detail.Accesses[0].IP == "" || detail.Accesses[0].UserAgent == "" {
			t.Errorf("access log %+v", detail)
		}

		// Revoked: 410, said plainly.
		a.mustJSON(200, nil, "A-member", "POST", "/api/v1/deliveries/"+d.ID+"/revoke-link", nil)
		for _, p := range []string{"/d/" + token, "/d/" + token + "/pdf"} {
			if code, _, body := a.get(c, p); code != 410 || !strings.Contains(string(body), "取り消されました") {
				t.Errorf("revoked %s = %d %s", p, code, body)
			}
		}
		// Expired: 410.
		_, token2 := a.linkOf(doc.ID, map[string]any{"attach_pdf": false}, 2)
		if code, _, _ := a.get(c, "/d/"+token2); code != 200 {
			t.Fatalf("second link = %d", code)
		}
		if _, err := db.SQL().Exec(`UPDATE document_links SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE token_hash = '` + store.HashSecret(token2) + `'`); err != nil {
			t.Fatal(err)
		}
		if code, _, body := a.get(c, "/d/"+token2); code != 410 || !strings.Contains(string(body), "有効期限が切れました") {
			t.Errorf("expired = %d %s", code, body)
		}
		// Unknown: 404.
		if code, _, _ := a.get(c, "/d/"+strings.Repeat("A", 43)); code != 404 {
			t.Errorf("unknown token = %d", code)
		}
	})
}

func TestDeliveryLinkAccessCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		doc := a.sendFixture()
		_, token := a.linkOf(doc.ID, map[string]any{"attach_pdf": false, "access_code": "246810"}, 1)
		// What the database keeps does not give the code away to whoever has a copy of it.
		l, err := db.LinkByToken(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(l.AccessCodeHash, "hmac:") || l.AccessCodeHash == store.HashSecret("access-code:246810") {
			t.Errorf("access code kept as %q: want an HMAC under SECRET_KEY", l.AccessCodeHash)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		code, _, page := a.get(c, "/d/"+token)
		if code != 200 || !strings.Contains(string(page), `id="link-code-form"`) || strings.Contains(string(page), *doc.Number+"</h1>") {
			t.Fatalf("page before the code = %d %s", code, page)
		}
		if code, _, _ := a.get(c, "/d/"+token+"/pdf"); code != 200 { // redirected to the code form
			t.Errorf("PDF before the code = %d", code)
		}
		post := func(code string) int {
			resp, err := c.PostForm(a.URL+"/d/"+token, url.Values{"code": {code}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if st := post("135799"); st != 422 {
			t.Errorf("wrong code = %d, want 422", st)
		}
		if st := post("246810"); st != 200 {
			t.Fatalf("right code = %d", st)
		}
		code, _, page = a.get(c, "/d/"+token)
		if code != 200 || !strings.Contains(string(page), `id="link-download"`) {
			t.Errorf("after the code = %d", code)
		}
		// The throttle: five wrong codes lock the link, even for the right code.
		_, token2 := a.linkOf(doc.ID, map[string]any{"attach_pdf": false, "access_code": "112233"}, 2)
		jar2, _ := cookiejar.New(nil)
		c2 := &http.Client{Jar: jar2}
		token = token2
		c = c2
		for i := 0; i < 5; i++ {
			if st := post("999999"); st != 422 {
				t.Errorf("wrong code %d = %d", i+1, st)
			}
		}
		if st := post("112233"); st != 429 {
			t.Errorf("right code after five wrong ones = %d, want 429", st)
		}
		if code, _, page := a.get(c, "/d/"+token); strings.Contains(string(page), `id="link-download"`) {
			t.Errorf("the locked link opened: %d", code)
		}
	})
}

// TestAccessCodeMatches: a code is checked against the HMAC kept now and against the plain hash
// links made before it kept; another code or another key does not match.
func TestAccessCodeMatches(t *testing.T) {
	a := &app{Deps: Deps{Config: config.Config{SecretKey: "one key of at least thirty-two bytes"}}}
	other := &app{Deps: Deps{Config: config.Config{SecretKey: "another key of at least 32 bytes!!"}}}
	kept := a.accessCodeHash("246810")
	legacy := store.HashSecret("access-code:246810")
	for _, tt := range []struct {
		a          *app
		code, kept string
		want       bool
	}{
		{a, "246810", kept, true},
		{a, "246811", kept, false},
		{other, "246810", kept, false},
		{a, "246810", legacy, true},
		{a, "246811", legacy, false},
		{a, "246810", "", false},
	} {
		if got := tt.a.accessCodeMatches(tt.code, tt.kept); got != tt.want {
			t.Errorf("accessCodeMatches(%q, %q) = %v, want %v", tt.code, tt.kept, got, tt.want)
		}
	}
}
