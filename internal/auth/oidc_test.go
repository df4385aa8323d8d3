package auth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustProvider starts an in-process OIDC provider (discovery, JWKS, PKCE) for the test.
func mustProvider(t *testing.T) *mockoidc.MockOIDC {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start mock OIDC provider: %v", err)
	}
	m.CodeChallengeMethodsSupported = []string{"S256"}
	t.Cleanup(func() { _ = m.Shutdown() })
	return m
}

func mustOIDCEnv(t *testing.T, db *store.DB, m *mockoidc.MockOIDC, local bool) *env {
	t.Helper()
	return mustEnv(t, db, func(o *Options, base string) {
		o.LocalLogin = local
		o.OIDC = OIDCOptions{IssuerURL: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			RedirectURL: base + "/auth/callback"}
	})
}

// tweakedUser changes the ID token claims the provider signs.
type tweakedUser struct {
	*mockoidc.MockUser
	tweak func(c *mockoidc.IDTokenClaims)
}

func (u tweakedUser) Claims(scope []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	u.tweak(c)
	return u.MockUser.Claims(scope, c)
}

func user(sub, email string, verified bool) *mockoidc.MockUser {
	return &mockoidc.MockUser{Subject: sub, Email: email, EmailVerified: verified}
}

// authorize starts the login and lets the provider authenticate; it returns our callback URL with
// code and state, not yet visited.
func (c *client) authorize() string {
	c.t.Helper()
	r := c.get("/auth/oidc/login")
	if r.status != http.StatusFound {
		c.t.Fatalf("GET /auth/oidc/login = %d %q", r.status, r.body)
	}
	for _, p := range []string{"code_challenge_method=S256", "nonce=", "state=", "code_challenge="} {
		if !strings.Contains(r.location, p) {
			c.t.Errorf("authorisation URL %q lacks %s", r.location, p)
		}
	}
	r = c.get(r.location)
	if r.status != http.StatusFound || !strings.HasPrefix(r.location, c.e.srv.URL+"/auth/callback?") {
		c.t.Fatalf("provider authorize = %d %q", r.status, r.location)
	}
	return r.location
}

func TestOIDCLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		m := mustProvider(t)
		e := mustOIDCEnv(t, db, m, false)
		mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		past := func(c *mockoidc.IDTokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.NotBefore = c.IssuedAt
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		}
		tests := []struct {
			name     string
			user     mockoidc.User
			mangle   func(callback string) string
			wantCode int
			wantWho  string
			wantPage string // the name of a 403 page
		}{
			{name: "success", user: user("sub-ok", "Taro@example.co.jp", true),
				wantCode: http.StatusSeeOther, wantWho: "user=taro@example.co.jp org=acme role=member"},
			{name: "wrong state", user: user("sub-state", "taro@example.co.jp", true),
				mangle: func(cb string) string { return setQuery(t, cb, "state", "forged") }, wantCode: http.StatusUnauthorized},
			{name: "nonce mismatch", user: tweakedUser{user("sub-nonce", "taro@example.co.jp", true),
				func(c *mockoidc.IDTokenClaims) { c.Nonce = "another-nonce" }}, wantCode: http.StatusUnauthorized},
			{name: "expired id token", user: tweakedUser{user("sub-exp", "taro@example.co.jp", true), past},
				wantCode: http.StatusUnauthorized},
			{name: "wrong audience", user: tweakedUser{user("sub-aud", "taro@example.co.jp", true),
				func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-client"} }}, wantCode: http.StatusUnauthorized},
			// An invited address the provider has not verified: the page says exactly that.
			{name: "unverified email", user: user("sub-unverified", "taro@example.co.jp", false),
				wantCode: http.StatusForbidden, wantPage: PageUnverified},
			{name: "not invited", user: user("sub-stranger", "stranger@example.com", true),
				wantCode: http.StatusForbidden, wantPage: PageNoAccess},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := e.mustClient(t)
				m.QueueUser(tt.user)
				cb := c.authorize()
				if tt.mangle != nil {
					cb = tt.mangle(cb)
				}
				r := c.get(cb)
				if r.status != tt.wantCode {
					t.Fatalf("callback = %d %q, want %d", r.status, r.body, tt.wantCode)
				}
				if tt.wantCode == http.StatusForbidden && r.page().Name != tt.wantPage {
					t.Errorf("page %q, want %q: %q", r.page().Name, tt.wantPage, r.body)
				}
				if got := c.whoami(); got != tt.wantWho {
					t.Errorf("whoami = %q, want %q", got, tt.wantWho)
				}
			})
		}
		// No organisation was created for the stranger, and no user.
		if _, err := db.GetUserByEmail(context.Background(), "stranger@example.com"); err == nil {
			t.Error("a user was created for an identity nobody invited")
		}
	})
}

func TestOIDCReplayedCodeAndState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		m := mustProvider(t)
		e := mustOIDCEnv(t, db, m, false)
		mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleAdmin)
		c := e.mustClient(t)
		m.QueueUser(user("sub-1", "taro@example.co.jp", true))
		first := c.authorize()
		if r := c.get(first); r.status != http.StatusSeeOther {
			t.Fatalf("first callback = %d %q", r.status, r.body)
		}
		// The same callback again: the state was used up.
		if r := c.get(first); r.status != http.StatusUnauthorized {
			t.Errorf("replayed callback = %d, want 401", r.status)
		}
		// A fresh login's valid state with the old code: the provider refuses the code.
		attacker := e.mustClient(t)
		second := attacker.authorize()
		replay := setQuery(t, second, "code", mustURL(t, first).Query().Get("code"))
		if r := attacker.get(replay); r.status != http.StatusUnauthorized {
			t.Errorf("replayed code = %d, want 401", r.status)
		}
		if got := attacker.whoami(); got != "" {
			t.Errorf("replayed code signed in as %q", got)
		}
	})
}

func TestOIDCIdentityLinkAndAllowedDomain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		m := mustProvider(t)
		e := mustOIDCEnv(t, db, m, false)
		admin := mustMember(t, db, "acme", "admin@example.co.jp", domain.RoleAdmin)
		if _, err := e.svc.AllowDomain(ctx, admin, "@Example.co.jp", domain.RoleViewer); err != nil {
			t.Fatal(err)
		}
		c := e.mustClient(t)
		m.QueueUser(user("sub-hanako", "hanako@example.co.jp", true))
		if r := c.get(c.authorize()); r.status != http.StatusSeeOther {
			t.Fatalf("domain login = %d %q", r.status, r.body)
		}
		if got, want := c.whoami(), "user=hanako@example.co.jp org=acme role=viewer"; got != want {
			t.Errorf("whoami = %q, want %q", got, want)
		}
		// Later logins find the linked identity even if the provider's email changed or is unverified.
		c2 := e.mustClient(t)
		m.QueueUser(user("sub-hanako", "hanako.new@elsewhere.example", false))
		if r := c2.get(c2.authorize()); r.status != http.StatusSeeOther {
			t.Fatalf("linked identity login = %d %q", r.status, r.body)
		}
		if got, want := c2.whoami(), "user=hanako@example.co.jp org=acme role=viewer"; got != want {
			t.Errorf("whoami = %q, want %q", got, want)
		}
		// A lookalike domain is not allowed.
		c3 := e.mustClient(t)
		m.QueueUser(user("sub-evil", "mallory@evil-example.co.jp", true))
		if r := c3.get(c3.authorize()); r.status != http.StatusForbidden {
			t.Errorf("lookalike domain = %d, want 403", r.status)
		}
		// Logout goes to the provider's end_session_endpoint when discovery lists one, else home.
		if r := c.post("/logout", nil); r.status != http.StatusSeeOther || r.location != "/login" {
			t.Errorf("logout = %d %q", r.status, r.location)
		}
		if got := c.whoami(); got != "" {
			t.Errorf("after logout whoami = %q", got)
		}
	})
}

func TestProductionOIDCOnlyRefusesPasswordLogin(t *testing.T) {
	db := storetest.Open(t)
	m := mustProvider(t)
	e := mustEnv(t, db, func(o *Options, base string) {
		o.Production, o.LocalLogin = true, false
		o.OIDC = OIDCOptions{IssuerURL: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret, RedirectURL: base + "/auth/callback"}
	})
	p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleAdmin)
	mustPassword(t, db, p.UserID, goodPassword)
	c := e.mustClient(t)
	if r := c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusNotFound {
		t.Errorf("POST /login = %d, want 404", r.status)
	}
	r := c.get("/login")
	if pg := r.page(); r.status != http.StatusOK || pg.Name != PageLogin || pg.Local || !pg.OIDC {
		t.Errorf("GET /login = %d %q: want the OIDC button and no password form", r.status, r.body)
	}
	if got := e.svc.CookieName(); got != "__Host-reportapp_session" {
		t.Errorf("production cookie name = %q", got)
	}
}

func TestProviderLogoutURL(t *testing.T) {
	auth0 := &oidcProvider{logoutURL: "https://tenant.auth0.com/v2/logout"}
	auth0.config.ClientID = "cid"
	generic := &oidcProvider{endSession: "https://idp.example/logout"}
	generic.config.ClientID = "cid"
	tests := []struct {
		c    *oidcProvider
		want string
	}{
		{auth0, "https://tenant.auth0.com/v2/logout?client_id=cid&returnTo=https%3A%2F%2Fapp.example%2Flogin"},
		{generic, "https://idp.example/logout?client_id=cid&id_token_hint=tok&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Flogin"},
		{&oidcProvider{}, ""},
	}
	for _, tt := range tests {
		if got := tt.c.providerLogoutURL("https://app.example/login", "tok"); got != tt.want {
			t.Errorf("providerLogoutURL = %q, want %q", got, tt.want)
		}
	}
}

func setQuery(t *testing.T, raw, key, value string) string {
	t.Helper()
	u := mustURL(t, raw)
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
