package auth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// env is a Service mounted on a real HTTP server, with a test page at "/" that prints who is
// signed in.
type env struct {
	svc *Service
	db  *store.DB
	srv *httptest.Server
}

// mustEnv starts the server; opts may be adjusted by mod after the server URL is known.
func mustEnv(t *testing.T, db *store.DB, mod func(o *Options, baseURL string)) *env {
	t.Helper()
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	opts := Options{BaseURL: srv.URL, LocalLogin: true, ClientIP: testClientIP}
	if mod != nil {
		mod(&opts, srv.URL)
	}
	svc, err := New(context.Background(), db, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	svc.SetPages(jsonPages{})
	mux := http.NewServeMux()
	svc.Mount(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "anonymous", http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "user="+p.Email+" org="+p.OrgSlug+" role="+string(p.Role))
	})
	// /touch writes to the session, so that a session exists before login.
	mux.HandleFunc("GET /touch", func(w http.ResponseWriter, r *http.Request) {
		svc.sessions.Put(r.Context(), "touched", "yes")
	})
	handler = svc.Middleware(mux)
	return &env{svc: svc, db: db, srv: srv}
}

// jsonPages is the page renderer of this package's tests: it writes the page's name and Page as
// JSON, so that the tests here check which page a request gets and what it says (catalogue keys
// and values); how the pages look in each language is internal/web's to test.
type jsonPages struct{}

func (jsonPages) RenderPage(w http.ResponseWriter, _ *http.Request, status int, name string, p Page) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(renderedPage{Name: name, Page: p})
}

// renderedPage is what jsonPages writes.
type renderedPage struct {
	Name string
	Page
}

// page is the page r rendered; a response that is not one is a zero renderedPage.
func (r response) page() renderedPage {
	var p renderedPage
	_ = json.Unmarshal([]byte(r.body), &p)
	return p
}

// client is a browser: a cookie jar, redirects not followed so tests see each step.
type client struct {
	t  *testing.T
	hc *http.Client
	e  *env
}

func (e *env) mustClient(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status    int
	body      string
	location  string
	setCookie []string // the response's Set-Cookie headers
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: res.StatusCode, body: string(b), location: res.Header.Get("Location"), setCookie: res.Header.Values("Set-Cookie")}
}

// get fetches path (relative to the server) or an absolute URL.
func (c *client) get(target string) response {
	c.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = c.e.srv.URL + target
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post submits a same-origin form, as a browser does (Origin and Sec-Fetch-Site set).
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	return c.postFrom(c.e.srv.URL, "same-origin", path, form)
}

func (c *client) postFrom(origin, fetchSite, path string, form url.Values) response {
	c.t.Helper()
	req := c.e.formRequest(c.t, path, form)
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", fetchSite)
	return c.do(req)
}

// postAt submits a same-origin form as a browser at the client address ip would.
func (c *client) postAt(ip, path string, form url.Values) response {
	c.t.Helper()
	req := c.e.formRequest(c.t, path, form)
	req.Header.Set(testIPHeader, ip)
	return c.do(req)
}

// formRequest is a same-origin form POST to path.
func (e *env) formRequest(t testing.TB, path string, form url.Values) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

// whoami returns the test page's description of the signed-in user, "" when anonymous.
func (c *client) whoami() string {
	c.t.Helper()
	r := c.get("/")
	if r.status == http.StatusUnauthorized {
		return ""
	}
	if r.status != http.StatusOK {
		c.t.Fatalf("GET / = %d %q", r.status, r.body)
	}
	return r.body
}

// sessionCookie returns the value of the session cookie in the jar, "" if none.
func (c *client) sessionCookie() string {
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == c.e.svc.CookieName() {
			return ck.Value
		}
	}
	return ""
}

// mustMember creates an organisation (if slug is new) and a member of it with role.
func mustMember(t *testing.T, db *store.DB, slug, email string, role domain.Role) domain.Principal {
	t.Helper()
	ctx := context.Background()
	org, err := db.GetOrganizationBySlug(ctx, slug)
	if err != nil {
		if org, err = db.CreateOrganization(ctx, slug, slug+" 株式会社"); err != nil {
			t.Fatal(err)
		}
	}
	u, err := db.GetUserByEmail(ctx, email)
	if err != nil {
		if u, err = db.CreateUser(ctx, email, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetMember(ctx, org.ID, u.ID, role); err != nil {
		t.Fatal(err)
	}
	return domain.Principal{OrgID: org.ID, OrgSlug: org.Slug, UserID: u.ID, Email: u.Email, Role: role}
}

// testIPHeader names the client address in tests, so that one test can play several offices.
const testIPHeader = "X-Test-Client-IP"

// testClientIP is the Options.ClientIP of mustEnv: testIPHeader, else the connection's host.
func testClientIP(r *http.Request) string {
	if ip := r.Header.Get(testIPHeader); ip != "" {
		return ip
	}
	return remoteHost(r)
}

// cheapArgon makes test passwords quick to verify; the hash records its parameters, so the code
// under test verifies it like any other. Unknown users still cost a full dummyHash.
var cheapArgon = argonParams{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32}

// mustPassword sets the local password of the user (hashed with cheapArgon).
func mustPassword(t *testing.T, db *store.DB, userID, pw string) {
	t.Helper()
	h, err := hashPasswordWith(pw, cheapArgon)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetPasswordHash(context.Background(), userID, h); err != nil {
		t.Fatal(err)
	}
}
