// Package testprovider runs a real OpenID provider inside a test process: zitadel/oidc's op
// package (discovery, authorisation code flow with PKCE, token endpoint, JWKS, end_session) over
// a small in-memory store, with RS256 and ES256 signing keys and a login page of its own that
// remembers who signed in with a cookie, as a provider's session does. Only tests import it.
package testprovider

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The client the provider knows.
const (
	ClientID     = "reportapp"
	ClientSecret = "reportapp-secret"
)

// User is an account at the provider.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Provider is a running OpenID provider. Its methods are safe for concurrent use.
type Provider struct {
	srv *httptest.Server
	op  op.OpenIDProvider
	st  *storage
}

// Start runs a provider on a loopback port until the test ends. The client ClientID may use the
// redirect URIs and post-logout redirect URIs given.
func Start(t testing.TB, redirectURIs, postLogoutURIs []string) *Provider {
	t.Helper()
	st, err := newStorage(redirectURIs, postLogoutURIs)
	if err != nil {
		t.Fatalf("testprovider: %v", err)
	}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	st.loginURL = srv.URL + "/login"
	cfg := &op.Config{CodeMethodS256: true, AuthMethodPost: true, DefaultLogoutRedirectURI: "/signed-out"}
	if _, err := rand.Read(cfg.CryptoKey[:]); err != nil {
		t.Fatal(err)
	}
	provider, err := op.NewProvider(cfg, st, op.StaticIssuer(srv.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("testprovider: %v", err)
	}
	p := &Provider{srv: srv, op: provider, st: st}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", p.loginPage)
	mux.HandleFunc("POST /login", p.loginSubmit)
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("signed out at the provider")) })
	mux.Handle("/", provider)
	handler = mux
	return p
}

// Issuer is the provider's issuer URL (OIDC_ISSUER_URL).
func (p *Provider) Issuer() string { return p.srv.URL }

// AddUser creates or replaces an account.
func (p *Provider) AddUser(u User) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.users[strings.ToLower(u.Email)] = u
}

// SignWith makes the provider sign ID tokens with the key of alg (jose.RS256 or jose.ES256);
// both keys are always in its JWKS and discovery.
func (p *Provider) SignWith(alg jose.SignatureAlgorithm) {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	p.st.signing = alg
}

// Signed is the algorithms of the ID tokens issued so far, in order.
func (p *Provider) Signed() []jose.SignatureAlgorithm {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return slices.Clone(p.st.signed)
}

// Prompts is the prompt parameter of each authorisation request so far, in order ("" for none).
func (p *Provider) Prompts() []string {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return slices.Clone(p.st.prompts)
}

// EndedSessions is the subjects whose session end_session ended, in order.
func (p *Provider) EndedSessions() []string {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	return slices.Clone(p.st.ended)
}

// SignedIn reports whether the provider's browser session of subject is alive.
func (p *Provider) SignedIn(subject string) bool {
	p.st.mu.Lock()
	defer p.st.mu.Unlock()
	for _, s := range p.st.sessions {
		if s == subject {
			return true
		}
	}
	return false
}

const sessionCookie = "provider_session"

var loginTmpl = template.Must(template.New("login").Parse(`<!doctype html><html lang="en"><head><title>Test provider: sign in</title></head>
<body><h1 id="provider-login">Sign in to the test provider</h1>
<form method="post" action="/login"><input type="hidden" name="id" value="{{.ID}}">
<label>E-mail <input id="provider-email" name="email" type="email"></label>
<button id="provider-submit" type="submit">Sign in</button></form>{{with .Error}}<p id="provider-error">{{.}}</p>{{end}}</body></html>`))

// loginPage is where the provider sends the browser to authenticate an authorisation request.
// A browser whose provider session is alive is signed straight back in, unless the request asks
// for prompt=login or select_account; otherwise the person types an e-mail address.
func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	req, ok := p.st.request(id)
	if !ok {
		http.Error(w, "no such authorisation request", http.StatusBadRequest)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil && !slices.Contains(req.prompt, "login") && !slices.Contains(req.prompt, "select_account") {
		if sub, ok := p.st.session(c.Value); ok {
			p.complete(w, r, id, sub)
			return
		}
	}
	_ = loginTmpl.Execute(w, map[string]string{"ID": id})
}

func (p *Provider) loginSubmit(w http.ResponseWriter, r *http.Request) {
	id, email := r.PostFormValue("id"), strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	p.st.mu.Lock()
	u, ok := p.st.users[email]
	p.st.mu.Unlock()
	if !ok {
		w.WriteHeader(http.StatusUnauthorized)
		_ = loginTmpl.Execute(w, map[string]string{"ID": id, "Error": "unknown account"})
		return
	}
	sid := rand.Text()
	p.st.mu.Lock()
	p.st.sessions[sid] = u.Subject
	p.st.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	p.complete(w, r, id, u.Subject)
}

// complete marks the authorisation request done for subject and sends the browser to the op's
// callback, which answers the client with a code.
func (p *Provider) complete(w http.ResponseWriter, r *http.Request, id, subject string) {
	p.st.mu.Lock()
	req, ok := p.st.requests[id]
	if ok {
		req.subject, req.done, req.authTime = subject, true, time.Now()
	}
	p.st.mu.Unlock()
	if !ok {
		http.Error(w, "no such authorisation request", http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(op.ContextWithIssuer(r.Context(), p.srv.URL), id), http.StatusFound)
}

// storage is op.Storage in memory.
type storage struct {
	mu       sync.Mutex
	loginURL string
	client   *client
	users    map[string]User // by lower-case e-mail
	requests map[string]*authRequest
	codes    map[string]string // code → request id
	sessions map[string]string // provider cookie → subject
	keys     map[jose.SignatureAlgorithm]*signingKey
	signing  jose.SignatureAlgorithm
	signed   []jose.SignatureAlgorithm
	prompts  []string
	ended    []string
}

func newStorage(redirectURIs, postLogoutURIs []string) (*storage, error) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &storage{
		client:   &client{redirects: redirectURIs, postLogout: postLogoutURIs},
		users:    map[string]User{},
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		sessions: map[string]string{},
		keys: map[jose.SignatureAlgorithm]*signingKey{
			jose.RS256: {id: "rs256-key", alg: jose.RS256, private: rsaKey, public: &rsaKey.PublicKey},
			jose.ES256: {id: "es256-key", alg: jose.ES256, private: ecKey, public: &ecKey.PublicKey},
		},
		signing: jose.RS256,
	}, nil
}

var errNotFound = errors.New("testprovider: not found")

func (s *storage) request(id string) (*authRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	return r, ok
}

func (s *storage) session(cookie string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.sessions[cookie]
	return sub, ok
}

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prompts = append(s.prompts, strings.Join(req.Prompt, " "))
	a := &authRequest{id: rand.Text(), clientID: req.ClientID, redirectURI: req.RedirectURI, state: req.State,
		nonce: req.Nonce, scopes: req.Scopes, responseType: req.ResponseType, responseMode: req.ResponseMode,
		prompt: req.Prompt}
	if req.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod}
	}
	s.requests[a.id] = a
	return a, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	if r, ok := s.request(id); ok {
		return r, nil
	}
	return nil, errNotFound
}

func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[s.codes[code]]; ok {
		return r, nil
	}
	return nil, errNotFound
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return rand.Text(), time.Now().Add(5 * time.Minute), nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("testprovider: no refresh tokens")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession ends the provider's browser sessions of userID (end_session).
func (s *storage) TerminateSession(_ context.Context, userID, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, userID)
	for c, sub := range s.sessions {
		if sub == userID {
			delete(s.sessions, c)
		}
	}
	return nil
}

func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signed = append(s.signed, s.signing)
	return s.keys[s.signing], nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256, jose.ES256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{s.keys[jose.RS256]}, publicKey{s.keys[jose.ES256]}}, nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != ClientID {
		return nil, errNotFound
	}
	c := *s.client
	c.loginURL = s.loginURL
	return &c, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != ClientID || secret != ClientSecret {
		return errors.New("testprovider: wrong client credentials")
	}
	return nil
}

// SetUserinfoFromScopes fills the ID token's claims (the client asserts userinfo claims in it).
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, subject, _ string, scopes []string) error {
	return s.userinfo(info, subject, scopes)
}

func (s *storage) userinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Subject != subject {
			continue
		}
		info.Subject = subject
		if slices.Contains(scopes, oidc.ScopeEmail) {
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
		}
		if slices.Contains(scopes, oidc.ScopeProfile) {
			info.Name = u.Name
		}
		return nil
	}
	return fmt.Errorf("testprovider: no user %q", subject)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, _, subject, _ string) error {
	return s.userinfo(info, subject, []string{oidc.ScopeEmail, oidc.ScopeProfile})
}

func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("testprovider: no introspection")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("testprovider: no JWT profile")
}

func (s *storage) Health(context.Context) error { return nil }

// authRequest is op.AuthRequest.
type authRequest struct {
	id, clientID, redirectURI, state, nonce string
	scopes                                  []string
	responseType                            oidc.ResponseType
	responseMode                            oidc.ResponseMode
	prompt                                  []string
	challenge                               *oidc.CodeChallenge
	subject                                 string
	done                                    bool
	authTime                                time.Time
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }

// client is op.Client: a confidential web application using client_secret_basic or _post.
type client struct {
	redirects, postLogout []string
	loginURL              string
}

func (c *client) GetID() string                       { return ClientID }
func (c *client) RedirectURIs() []string              { return c.redirects }
func (c *client) PostLogoutRedirectURIs() []string    { return c.postLogout }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return c.loginURL + "?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return 5 * time.Minute }
func (c *client) DevMode() bool                       { return true } // http redirect URIs on loopback
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }

// signingKey is op.SigningKey.
type signingKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private any
	public  any
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.private }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is op.Key: a signing key's public half for the JWKS.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return p.k.alg }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return p.k.public }
