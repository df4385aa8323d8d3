package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"reportapp/internal/domain"
	"reportapp/internal/store/storetest"
)

// TestOIDCProviderDownAtStart: with the provider refusing connections the service starts, local
// accounts work, and an OIDC login gets the "did not answer" page (503), not a failure.
func TestOIDCProviderDownAtStart(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	issuer := dead.URL
	dead.Close() // connections are refused from now on
	db := storetest.Open(t)
	e := mustEnv(t, db, func(o *Options, base string) {
		o.OIDC = OIDCOptions{IssuerURL: issuer, ClientID: "cid", ClientSecret: "secret", RedirectURL: base + "/auth/callback"}
		o.ProviderTimeout = 500 * time.Millisecond
	})
	p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
	mustPassword(t, db, p.UserID, goodPassword)
	c := e.mustClient(t)
	if r := c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusSeeOther {
		t.Errorf("local login with the provider down = %d", r.status)
	}
	r := e.mustClient(t).get("/auth/oidc/login")
	if r.status != http.StatusServiceUnavailable || r.page().Error != "auth.error.unavailable" {
		t.Errorf("OIDC login with the provider down = %d %q", r.status, r.body)
	}
}

// TestOIDCHungProvider: a token endpoint that never answers ends after ProviderTimeout with the
// "did not answer" page, distinct from "sign-in failed".
func TestOIDCHungProvider(t *testing.T) {
	hang := make(chan struct{})
	var base string
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]any{"issuer": base, "authorization_endpoint": base + "/authorize",
				"token_endpoint": base + "/token", "jwks_uri": base + "/jwks"})
		case "/token":
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	base = idp.URL
	t.Cleanup(func() { close(hang); idp.Close() })
	e := mustEnv(t, storetest.Open(t), func(o *Options, b string) {
		o.OIDC = OIDCOptions{IssuerURL: base + "/", ClientID: "cid", ClientSecret: "secret", RedirectURL: b + "/auth/callback"}
		o.ProviderTimeout = 300 * time.Millisecond
	})
	c := e.mustClient(t)
	r := c.get("/auth/oidc/login")
	if r.status != http.StatusFound {
		t.Fatalf("login = %d %q", r.status, r.body)
	}
	state := mustURL(t, r.location).Query().Get("state")
	start := time.Now()
	r = c.get("/auth/callback?code=abc&state=" + url.QueryEscape(state))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("callback took %v with a 300ms provider timeout", took)
	}
	if r.status != http.StatusServiceUnavailable || r.page().Error != "auth.error.unavailable" {
		t.Errorf("callback with a hung token endpoint = %d %q", r.status, r.body)
	}
}

// namedUser is a provider user whose ID token carries a name.
type namedUser struct {
	*mockoidc.MockUser
	name string
}

func (u namedUser) Claims(_ []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return jwt.MapClaims{"iss": c.Issuer, "sub": u.Subject, "aud": c.Audience, "exp": c.ExpiresAt, "iat": c.IssuedAt,
		"nbf": c.NotBefore, "nonce": c.Nonce, "email": u.Email, "email_verified": u.EmailVerified, "name": u.name}, nil
}

// TestOIDCFlowDetails: two tabs starting a login both succeed, ?next= survives the round trip
// (and only as a path of this site), a trailing "/" on the issuer is accepted, "use another
// account" asks the provider for a fresh login, and the provider's name is stored.
func TestOIDCFlowDetails(t *testing.T) {
	db := storetest.Open(t)
	m := mustProvider(t)
	e := mustEnv(t, db, func(o *Options, base string) {
		o.LocalLogin = false
		o.OIDC = OIDCOptions{IssuerURL: m.Issuer() + "/", ClientID: m.ClientID, ClientSecret: m.ClientSecret, RedirectURL: base + "/auth/callback"}
	})
	mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
	c := e.mustClient(t)
	tab1 := c.get("/auth/oidc/login?next=/documents?kind=invoice")
	tab2 := c.get("/auth/oidc/login?next=//evil.example/")
	if tab1.status != http.StatusFound || tab2.status != http.StatusFound {
		t.Fatalf("logins = %d, %d", tab1.status, tab2.status)
	}
	follow := func(authURL string) response {
		r := c.get(authURL)
		if r.status != http.StatusFound {
			t.Fatalf("provider authorize = %d %q", r.status, r.body)
		}
		return c.get(r.location)
	}
	m.QueueUser(namedUser{user("sub-taro", "taro@example.co.jp", true), "山田 太郎"})
	if r := follow(tab2.location); r.status != http.StatusSeeOther || r.location != "/" {
		t.Errorf("second tab's callback = %d %q, want 303 to / (the foreign next dropped)", r.status, r.location)
	}
	m.QueueUser(namedUser{user("sub-taro", "taro@example.co.jp", true), "山田 太郎"})
	if r := follow(tab1.location); r.status != http.StatusSeeOther || r.location != "/documents?kind=invoice" {
		t.Errorf("first tab's callback = %d %q, want 303 to its next", r.status, r.location)
	}
	if got := c.whoami(); !strings.Contains(got, "taro@example.co.jp") {
		t.Errorf("whoami = %q", got)
	}
	u, err := db.GetUserByEmail(context.Background(), "taro@example.co.jp")
	if err != nil || u.Name != "山田 太郎" {
		t.Errorf("stored name = %q, %v", u.Name, err)
	}
	sw := e.mustClient(t).get("/auth/oidc/login?switch=1")
	if q := mustURL(t, sw.location).Query(); q.Get("prompt") != "login" {
		t.Errorf("use another account: prompt = %q, want login", q.Get("prompt"))
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/documents?x=1": "/documents?x=1", "": "", "//evil.example": "", "/\\evil.example": "",
		"https://evil.example/": "", "/\t/evil.example": "", "documents": "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLogoutNavigatesToProvider: with an end_session_endpoint, logout ends our session and
// answers a page of ours that navigates to the provider (a redirect of the form submission to
// another origin is what form-action 'self' blocks).
func TestLogoutNavigatesToProvider(t *testing.T) {
	var base string
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": base, "authorization_endpoint": base + "/authorize",
			"token_endpoint": base + "/token", "jwks_uri": base + "/jwks", "end_session_endpoint": base + "/end_session"})
	}))
	base = idp.URL
	t.Cleanup(idp.Close)
	e := mustEnv(t, storetest.Open(t), func(o *Options, b string) {
		o.OIDC = OIDCOptions{IssuerURL: base, ClientID: "cid", ClientSecret: "secret", RedirectURL: b + "/auth/callback"}
	})
	if _, err := e.svc.oidc.provider(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := e.mustClient(t).post("/logout", nil)
	want := base + "/end_session?client_id=cid&post_logout_redirect_uri="
	if pg := r.page(); r.status != http.StatusOK || pg.Name != PageSignedOut || !strings.HasPrefix(pg.Refresh, want) {
		t.Errorf("logout = %d %q, want a page navigating to the provider", r.status, r.body)
	}
}
