package auth

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"reportapp/internal/auth/testprovider"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// The provider cases against a real OpenID provider (zitadel/oidc's op, in the test process),
// beside the mockoidc tests: its own discovery, JWKS with RS256 and ES256 keys, PKCE checked at
// its token endpoint, its login page and browser session, its end_session_endpoint.

// mustOPEnv is a Service whose only sign-in is the op provider, and that provider.
func mustOPEnv(t *testing.T, db *store.DB) (*env, *testprovider.Provider) {
	t.Helper()
	var p *testprovider.Provider
	e := mustEnv(t, db, func(o *Options, base string) {
		p = testprovider.Start(t, []string{base + "/auth/callback"}, []string{base + "/login"})
		o.LocalLogin = false
		o.OIDC = OIDCOptions{IssuerURL: p.Issuer(), ClientID: testprovider.ClientID, ClientSecret: testprovider.ClientSecret,
			RedirectURL: base + "/auth/callback"}
	})
	return e, p
}

// signInAtProvider starts our login (start is /auth/oidc/login with its query), follows the
// browser to the provider and, when it shows its login form, signs in there as email. It returns
// the response of our callback and whether the provider asked for the e-mail address.
func (c *client) signInAtProvider(p *testprovider.Provider, start, email string) (response, bool) {
	c.t.Helper()
	r := c.get(start)
	asked := false
	for range 10 {
		if r.status != http.StatusFound && r.status != http.StatusSeeOther {
			break
		}
		if strings.HasPrefix(r.location, c.e.srv.URL+"/auth/callback") {
			return c.get(r.location), asked
		}
		loc := r.location
		if strings.HasPrefix(loc, "/") {
			loc = p.Issuer() + loc
		}
		r = c.get(loc)
		if r.status == http.StatusOK && strings.Contains(r.body, `id="provider-login"`) {
			asked = true
			id := between(r.body, `name="id" value="`, `"`)
			req, err := http.NewRequest(http.MethodPost, p.Issuer()+"/login",
				strings.NewReader(url.Values{"id": {id}, "email": {email}}.Encode()))
			if err != nil {
				c.t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r = c.do(req)
		}
	}
	c.t.Fatalf("sign-in at the provider never reached our callback: %d %q %q", r.status, r.location, r.body)
	return response{}, asked
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(after, to)
	return v
}

// TestOPSignIn: code flow with PKCE against the op provider signs an invited user in with the
// provider's name stored; an identity nobody invited gets the no-access page and no account; an
// invited address the provider has not verified gets the page saying exactly that.
func TestOPSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, p := mustOPEnv(t, db)
		mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		p.AddUser(testprovider.User{Subject: "sub-taro", Email: "Taro@Example.co.jp", EmailVerified: true, Name: "山田 太郎"})
		p.AddUser(testprovider.User{Subject: "sub-stranger", Email: "stranger@example.com", EmailVerified: true})
		p.AddUser(testprovider.User{Subject: "sub-unverified", Email: "hanako@example.co.jp", EmailVerified: false})
		mustMember(t, db, "acme", "hanako@example.co.jp", domain.RoleViewer)

		c := e.mustClient(t)
		r, asked := c.signInAtProvider(p, "/auth/oidc/login?next=/documents", "taro@example.co.jp")
		if r.status != http.StatusSeeOther || r.location != "/documents" || !asked {
			t.Fatalf("sign-in = %d %q (provider asked: %v): %s", r.status, r.location, asked, r.body)
		}
		if got, want := c.whoami(), "user=taro@example.co.jp org=acme role=member"; got != want {
			t.Errorf("whoami = %q, want %q", got, want)
		}
		if u, err := db.GetUserByEmail(t.Context(), "taro@example.co.jp"); err != nil || u.Name != "山田 太郎" {
			t.Errorf("stored user = %+v, %v; want the provider's name", u, err)
		}
		if got := p.Signed(); len(got) != 1 || got[0] != jose.RS256 {
			t.Errorf("ID tokens signed with %v, want one RS256", got)
		}

		stranger := e.mustClient(t)
		r, _ = stranger.signInAtProvider(p, "/auth/oidc/login", "stranger@example.com")
		if r.status != http.StatusForbidden || r.page().Name != PageNoAccess {
			t.Errorf("uninvited = %d %q", r.status, r.body)
		}
		if _, err := db.GetUserByEmail(t.Context(), "stranger@example.com"); err == nil {
			t.Error("an account was made for an identity nobody invited")
		}
		if got := stranger.whoami(); got != "" {
			t.Errorf("uninvited is signed in as %q", got)
		}

		unverified := e.mustClient(t)
		r, _ = unverified.signInAtProvider(p, "/auth/oidc/login", "hanako@example.co.jp")
		if pg := r.page(); r.status != http.StatusForbidden || pg.Name != PageUnverified || pg.Email != "hanako@example.co.jp" {
			t.Errorf("email_verified false = %d %q", r.status, r.body)
		}
		if got := unverified.whoami(); got != "" {
			t.Errorf("unverified is signed in as %q", got)
		}
	})
}

// TestOPUseAnotherAccount: the provider signs a browser with a live session straight back in;
// "use another account" (?switch=1) sends prompt=login, and the provider then asks again, so a
// person can sign in as someone else after a no-access page.
func TestOPUseAnotherAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, p := mustOPEnv(t, db)
		mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleAdmin)
		p.AddUser(testprovider.User{Subject: "sub-taro", Email: "taro@example.co.jp", EmailVerified: true})
		p.AddUser(testprovider.User{Subject: "sub-private", Email: "taro.private@example.com", EmailVerified: true})

		c := e.mustClient(t)
		if r, _ := c.signInAtProvider(p, "/auth/oidc/login", "taro.private@example.com"); r.status != http.StatusForbidden {
			t.Fatalf("the wrong account = %d, want the no-access page", r.status)
		}
		// Plain login again: the provider's session answers without asking.
		if r, asked := c.signInAtProvider(p, "/auth/oidc/login", ""); r.status != http.StatusForbidden || asked {
			t.Errorf("login again = %d (asked: %v), want the same account signed straight back in", r.status, asked)
		}
		r, asked := c.signInAtProvider(p, "/auth/oidc/login?switch=1", "taro@example.co.jp")
		if r.status != http.StatusSeeOther || !asked {
			t.Fatalf("use another account = %d (asked: %v): %s", r.status, asked, r.body)
		}
		if got := p.Prompts(); len(got) != 3 || got[0] != "" || got[2] != "login" {
			t.Errorf("prompts sent = %q, want only the switch with prompt=login", got)
		}
		if got, want := c.whoami(), "user=taro@example.co.jp org=acme role=admin"; got != want {
			t.Errorf("whoami = %q, want %q", got, want)
		}
	})
}

// TestOPES256: ID tokens signed with ES256 (advertised in discovery, key in the JWKS) are accepted.
func TestOPES256(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, p := mustOPEnv(t, db)
		mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		p.AddUser(testprovider.User{Subject: "sub-taro", Email: "taro@example.co.jp", EmailVerified: true})
		p.SignWith(jose.ES256)
		c := e.mustClient(t)
		if r, _ := c.signInAtProvider(p, "/auth/oidc/login", "taro@example.co.jp"); r.status != http.StatusSeeOther {
			t.Fatalf("ES256 sign-in = %d %q", r.status, r.body)
		}
		if got := p.Signed(); !slices.Equal(got, []jose.SignatureAlgorithm{jose.ES256}) {
			t.Errorf("ID tokens signed with %v, want ES256", got)
		}
		if got, want := c.whoami(), "user=taro@example.co.jp org=acme role=member"; got != want {
			t.Errorf("whoami = %q, want %q", got, want)
		}
	})
}

// TestOPLogout: logout ends our session and navigates to the provider's end_session_endpoint with
// the ID token as hint, which ends the provider's session and returns to our /login; the next
// sign-in needs the provider's login again.
func TestOPLogout(t *testing.T) {
	db := storetest.Open(t)
	e, p := mustOPEnv(t, db)
	mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
	p.AddUser(testprovider.User{Subject: "sub-taro", Email: "taro@example.co.jp", EmailVerified: true})
	c := e.mustClient(t)
	if r, _ := c.signInAtProvider(p, "/auth/oidc/login", "taro@example.co.jp"); r.status != http.StatusSeeOther {
		t.Fatalf("sign-in = %d %q", r.status, r.body)
	}
	r := c.post("/logout", nil)
	target := r.page().Refresh
	if r.status != http.StatusOK || r.page().Name != PageSignedOut || !strings.HasPrefix(target, p.Issuer()+"/end_session?") || !strings.Contains(target, "id_token_hint=") {
		t.Fatalf("logout = %d, navigating to %q", r.status, target)
	}
	if got := c.whoami(); got != "" {
		t.Errorf("after logout whoami = %q", got)
	}
	r = c.get(target)
	if r.status != http.StatusFound || r.location != e.srv.URL+"/login" {
		t.Fatalf("end_session = %d %q %q, want back to our /login", r.status, r.location, r.body)
	}
	if got := p.EndedSessions(); !slices.Equal(got, []string{"sub-taro"}) || p.SignedIn("sub-taro") {
		t.Errorf("provider ended %q; still signed in: %v", got, p.SignedIn("sub-taro"))
	}
	if _, asked := c.signInAtProvider(p, "/auth/oidc/login", "taro@example.co.jp"); !asked {
		t.Error("after logout the provider signed the browser straight back in")
	}
}
