package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"reportapp/internal/domain"
)

// Every call to the provider (discovery, JWKS, code exchange) ends after defaultProviderTimeout
// (Options.ProviderTimeout), so a hung provider costs a login seconds, never the request's whole
// deadline.
const defaultProviderTimeout = 10 * time.Second

// Discovery runs in the background from start-up until it succeeds, retrying after
// discoveryRetryMin, doubling up to discoveryRetryMax; a login that finds it not done yet tries
// once more itself. Start-up and readiness never wait for the provider.
const (
	discoveryRetryMin = 2 * time.Second
	discoveryRetryMax = time.Minute
)

// maxPendingFlows bounds the logins one browser may have started and not finished (one per tab).
const maxPendingFlows = 5

// oidcClient is the configured OpenID Connect relying party. What discovery tells is in an
// oidcProvider, made once the provider has answered.
type oidcClient struct {
	opts        OIDCOptions
	redirectURL string
	httpClient  *http.Client
	timeout     time.Duration
	now         func() time.Time
	log         *slog.Logger

	mu  sync.Mutex
	p   *oidcProvider // nil until discovery succeeded
	err error         // the last discovery failure
}

// oidcProvider is the relying party once discovery succeeded.
type oidcProvider struct {
	verifier      *oidc.IDTokenVerifier
	config        oauth2.Config
	endSession    string // the provider's end_session_endpoint, "" when it has none
	logoutURL     string // Auth0's /v2/logout, "" for other providers
	selectAccount bool   // prompt=select_account is supported
}

func newOIDCClient(opts Options, log *slog.Logger) *oidcClient {
	o := opts.OIDC
	redirect := o.RedirectURL
	if redirect == "" {
		redirect = opts.BaseURL + "/auth/callback"
	}
	timeout := opts.ProviderTimeout
	if timeout <= 0 {
		timeout = defaultProviderTimeout
	}
	// A copy of the configured client with the timeout, so that no call can hang.
	hc := *opts.HTTPClient
	if hc.Timeout <= 0 || hc.Timeout > timeout {
		hc.Timeout = timeout
	}
	return &oidcClient{opts: o, redirectURL: redirect, httpClient: &hc, timeout: timeout, now: opts.Now, log: log}
}

// discoverInBackground retries discovery until it succeeds or ctx ends.
func (c *oidcClient) discoverInBackground(ctx context.Context) {
	wait := discoveryRetryMin
	for {
		if _, err := c.provider(ctx); err == nil {
			return
		} else {
			c.log.WarnContext(ctx, "auth: oidc provider not reachable yet; local accounts and API tokens work meanwhile",
				"issuer", c.opts.IssuerURL, "retry_in", wait.String(), "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, discoveryRetryMax)
	}
}

// provider returns the discovered provider, discovering it now if that has not succeeded yet.
func (c *oidcClient) provider(ctx context.Context) (*oidcProvider, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p != nil {
		return c.p, nil
	}
	p, err := c.discover(ctx)
	if err != nil {
		c.err = err
		return nil, err
	}
	c.p = p
	c.log.InfoContext(ctx, "auth: oidc provider discovered", "issuer", c.opts.IssuerURL)
	return p, nil
}

// discoveryDoc holds the fields of the discovery document we read.
type discoveryDoc struct {
	Issuer      string   `json:"issuer"`
	AuthURL     string   `json:"authorization_endpoint"`
	TokenURL    string   `json:"token_endpoint"`
	UserInfoURL string   `json:"userinfo_endpoint"`
	JWKSURL     string   `json:"jwks_uri"`
	Algorithms  []string `json:"id_token_signing_alg_values_supported"`
	EndSession  string   `json:"end_session_endpoint"`
	Prompts     []string `json:"prompt_values_supported"`
}

// discover reads the provider's discovery document. The configured issuer may differ from the
// announced one by a trailing slash (OIDC_ISSUER_URL=https://idp.example/realms/x/ for an issuer
// without one, or the reverse); the announced one is then what ID tokens are checked against.
func (c *oidcClient) discover(ctx context.Context) (*oidcProvider, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	issuer := strings.TrimSuffix(c.opts.IssuerURL, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %w", c.opts.IssuerURL, err)
	}
	res, err := c.httpClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %w", c.opts.IssuerURL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %w", c.opts.IssuerURL, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %s", c.opts.IssuerURL, res.Status)
	}
	var doc discoveryDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %w", c.opts.IssuerURL, err)
	}
	if strings.TrimSuffix(doc.Issuer, "/") != issuer {
		return nil, fmt.Errorf("auth: oidc discovery of %s: the provider names itself %q", c.opts.IssuerURL, doc.Issuer)
	}
	if doc.AuthURL == "" || doc.TokenURL == "" || doc.JWKSURL == "" {
		return nil, fmt.Errorf("auth: oidc discovery of %s: endpoints missing", c.opts.IssuerURL)
	}
	pc := oidc.ProviderConfig{IssuerURL: doc.Issuer, AuthURL: doc.AuthURL, TokenURL: doc.TokenURL,
		UserInfoURL: doc.UserInfoURL, JWKSURL: doc.JWKSURL, Algorithms: doc.Algorithms}
	// The key set keeps this context for its fetches: it carries the client with the timeout.
	prov := pc.NewProvider(oidc.ClientContext(context.Background(), c.httpClient))
	p := &oidcProvider{
		verifier: prov.Verifier(&oidc.Config{ClientID: c.opts.ClientID, Now: c.now}),
		config: oauth2.Config{
			ClientID:     c.opts.ClientID,
			ClientSecret: c.opts.ClientSecret,
			Endpoint:     prov.Endpoint(),
			RedirectURL:  c.redirectURL,
			Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
		},
		endSession:    doc.EndSession,
		selectAccount: slices.Contains(doc.Prompts, "select_account"),
	}
	if c.opts.Auth0 {
		p.logoutURL = strings.TrimSuffix(c.opts.IssuerURL, "/") + "/v2/logout"
	}
	return p, nil
}

// callbackPath is the path of the redirect URL, where Mount serves the callback.
func (c *oidcClient) callbackPath() string {
	u, err := url.Parse(c.redirectURL)
	if err != nil || u.Path == "" {
		return "/auth/callback"
	}
	return u.Path
}

// logoutURL is where logout sends the browser after our session ended: the provider's logout
// (see oidcProvider.logoutURL), or "" when the provider is not known yet or has none.
func (c *oidcClient) logoutURL(returnTo, idToken string) string {
	c.mu.Lock()
	p := c.p
	c.mu.Unlock()
	if p == nil {
		return ""
	}
	return p.providerLogoutURL(returnTo, idToken)
}

// providerLogoutURL is Auth0's /v2/logout, else the end_session_endpoint, else "".
func (p *oidcProvider) providerLogoutURL(returnTo, idToken string) string {
	q := url.Values{}
	switch {
	case p.logoutURL != "":
		q.Set("client_id", p.config.ClientID)
		q.Set("returnTo", returnTo)
		return p.logoutURL + "?" + q.Encode()
	case p.endSession != "":
		q.Set("client_id", p.config.ClientID)
		q.Set("post_logout_redirect_uri", returnTo)
		if idToken != "" {
			q.Set("id_token_hint", idToken)
		}
		sep := "?"
		if strings.Contains(p.endSession, "?") {
			sep = "&"
		}
		return p.endSession + sep + q.Encode()
	}
	return ""
}

// providerUnavailable reports whether err means the provider did not answer (timeout, refused
// connection, its own server error), as opposed to refusing the login.
func providerUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 500
}

// unavailable is the page for a provider that did not answer: distinct from a failed sign-in,
// since trying again later is the remedy.
func (s *Service) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.log.WarnContext(r.Context(), "auth: oidc provider did not answer", "err", err)
	w.Header().Set("Retry-After", "10")
	s.render(w, r, http.StatusServiceUnavailable, PageMessage, Page{Title: "auth.title.unavailable", Error: "auth.error.unavailable"})
}

// pendingFlow is one login started and not finished, kept in the session under its state: one per
// tab, so that two tabs starting a login both succeed.
type pendingFlow struct {
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"next,omitempty"`
	Started  time.Time `json:"t"`
}

const keyFlowPrefix = "auth.oidc.flow."

// handleOIDCLogin starts the authorisation code flow: fresh state, nonce and PKCE verifier are kept
// in the session (single use, per state) and the browser goes to the provider. ?switch=1 asks the
// provider to let the person choose or sign in to another account; ?next= is where to go after.
func (s *Service) handleOIDCLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.oidc.provider(ctx)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	state, err := randomToken(32)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	nonce, err := randomToken(32)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	flow := pendingFlow{Nonce: nonce, Verifier: oauth2.GenerateVerifier(), Next: safeNext(r.URL.Query().Get("next")), Started: s.now()}
	b, err := json.Marshal(flow)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.keepPendingFlows(ctx, maxPendingFlows-1)
	s.sessions.Put(ctx, keyFlowPrefix+state, string(b))
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(flow.Verifier)}
	if r.URL.Query().Get("switch") != "" {
		prompt := "login"
		if p.selectAccount {
			prompt = "select_account"
		}
		opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
	}
	http.Redirect(w, r, p.config.AuthCodeURL(state, opts...), http.StatusFound)
}

// keepPendingFlows removes the oldest pending flows of the session beyond keep.
func (s *Service) keepPendingFlows(ctx context.Context, keep int) {
	type started struct {
		key string
		at  time.Time
	}
	var flows []started
	for _, k := range s.sessions.Keys(ctx) {
		if strings.HasPrefix(k, keyFlowPrefix) {
			var f pendingFlow
			_ = json.Unmarshal([]byte(s.sessions.GetString(ctx, k)), &f)
			flows = append(flows, started{k, f.Started})
		}
	}
	slices.SortFunc(flows, func(a, b started) int { return a.at.Compare(b.at) })
	for len(flows) > keep {
		s.sessions.Remove(ctx, flows[0].key)
		flows = flows[1:]
	}
}

// popFlow returns and forgets the pending flow of state; ok is false when there is none.
func (s *Service) popFlow(ctx context.Context, state string) (pendingFlow, bool) {
	if state == "" || strings.ContainsAny(state, ".") {
		return pendingFlow{}, false
	}
	raw := s.sessions.PopString(ctx, keyFlowPrefix+state)
	var f pendingFlow
	if raw == "" || json.Unmarshal([]byte(raw), &f) != nil || f.Nonce == "" || f.Verifier == "" {
		return pendingFlow{}, false
	}
	return f, true
}

// idClaims are the claims we read beyond sub and iss. email_verified is a boolean in the spec
// but a string ("true") from some providers (Cognito).
type idClaims struct {
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
}

func (c idClaims) verified() bool {
	v := strings.Trim(string(c.EmailVerified), `"`)
	return v == "true"
}

// errLoginFailed is a failed OIDC callback: the user sees one generic message, the log the cause.
var errLoginFailed = errors.New("oidc login failed")

// handleOIDCCallback finishes the flow: state looked up in the session, code exchanged with the
// PKCE verifier, ID token verified (signature, issuer, audience, expiry) and its nonce checked,
// then the identity is admitted or sent to the no-access page. The provider has its timeout
// (ProviderTimeout) to answer each call; a provider that did not answer gets its own page.
func (s *Service) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	fail := func(reason string, err error) {
		s.log.WarnContext(ctx, "auth: oidc callback rejected", "reason", reason, "err", err)
		s.render(w, r, http.StatusUnauthorized, PageMessage, Page{Title: "auth.title.failed", Error: "auth.error.failed"})
	}
	// Pop: the flow of this state is good for one callback only.
	flow, ok := s.popFlow(ctx, q.Get("state"))
	if e := q.Get("error"); e != "" {
		fail("provider error", fmt.Errorf("%w: %s: %s", errLoginFailed, e, q.Get("error_description")))
		return
	}
	if !ok {
		fail("unknown state", errLoginFailed)
		return
	}
	p, err := s.oidc.provider(ctx)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	xctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, s.oidc.httpClient), s.oidc.timeout)
	defer cancel()
	tok, err := p.config.Exchange(xctx, q.Get("code"), oauth2.VerifierOption(flow.Verifier))
	if providerUnavailable(err) {
		s.unavailable(w, r, err)
		return
	}
	if err != nil {
		fail("code exchange", err)
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		fail("no id_token", errLoginFailed)
		return
	}
	idt, err := p.verifier.Verify(xctx, raw)
	if providerUnavailable(err) {
		s.unavailable(w, r, err)
		return
	}
	if err != nil {
		fail("id token", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		fail("nonce mismatch", errLoginFailed)
		return
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		fail("claims", err)
		return
	}
	email := ""
	if claims.verified() {
		email = claims.Email
	}
	userID, err := s.admitIdentity(ctx, idt.Issuer, idt.Subject, email, claims.Name)
	if errors.Is(err, errNoAccess) {
		s.log.InfoContext(ctx, "auth: oidc identity without access", "issuer", idt.Issuer, "subject", idt.Subject,
			"email_verified", claims.verified())
		if claims.Email != "" && !claims.verified() {
			s.render(w, r, http.StatusForbidden, PageUnverified, Page{Title: "auth.title.unverified", Email: claims.Email, OIDC: true})
			return
		}
		s.noAccess(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(ctx, keyIDToken, raw)
	s.sessions.Put(ctx, keyNext, flow.Next)
	s.startSession(w, r, userID)
}

// errNoAccess means the person proved who they are but no organisation lets them in.
var errNoAccess = errors.New("auth: no organisation admits this identity")

// admitIdentity returns the user of an OIDC identity, linking it on first login when a member
// invited the verified email (the user exists and belongs to an organisation) or an organisation
// allows its domain. email is "" when the provider did not verify it. Anyone else is errNoAccess;
// no organisation is ever created here.
func (s *Service) admitIdentity(ctx context.Context, issuer, subject, email, name string) (string, error) {
	userID, err := s.db.UserIDByIdentity(ctx, issuer, subject)
	if err == nil {
		return userID, nil
	}
	if domain.ErrorCode(err) != domain.ENotFound {
		return "", err
	}
	if email == "" {
		return "", errNoAccess
	}
	user, err := s.db.GetUserByEmail(ctx, email)
	switch domain.ErrorCode(err) {
	case "":
		ms, err := s.db.UserMemberships(ctx, user.ID)
		if err != nil {
			return "", err
		}
		if len(ms) > 0 {
			if user.Name == "" && name != "" {
				// The provider's name for an invited user, who had none yet.
				if err := s.db.SetUserName(ctx, user.ID, name); err != nil {
					return "", err
				}
			}
			return user.ID, s.db.LinkIdentity(ctx, issuer, subject, user.ID)
		}
	case domain.ENotFound:
	default:
		return "", err
	}
	rules, err := s.db.AllowedDomainsFor(ctx, email)
	if err != nil {
		return "", err
	}
	if len(rules) == 0 {
		return "", errNoAccess
	}
	if user.ID == "" {
		user, err = s.db.CreateUser(ctx, email, name)
		if domain.ErrorCode(err) == domain.EConflict { // created by a concurrent login
			user, err = s.db.GetUserByEmail(ctx, email)
		}
		if err != nil {
			return "", err
		}
	}
	for _, rule := range rules {
		if _, err := s.db.GetMember(ctx, rule.OrgID, user.ID); domain.ErrorCode(err) == domain.ENotFound {
			if err := s.db.SetMember(ctx, rule.OrgID, user.ID, rule.Role); err != nil {
				return "", err
			}
			s.log.InfoContext(ctx, "auth: joined through allowed domain", "org", rule.OrgID, "user", user.ID, "role", rule.Role)
		} else if err != nil {
			return "", err
		}
	}
	return user.ID, s.db.LinkIdentity(ctx, issuer, subject, user.ID)
}

// startSession signs userID in: a new session token (no fixation), the user's first organisation.
// A user with no membership goes to the no-access page instead.
func (s *Service) startSession(w http.ResponseWriter, r *http.Request, userID string) {
	ctx := r.Context()
	ms, err := s.db.UserMemberships(ctx, userID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(ms) == 0 {
		s.noAccess(w, r)
		return
	}
	s.login(w, r, ms[0])
}

func (s *Service) login(w http.ResponseWriter, r *http.Request, p domain.Principal) {
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	epoch, err := s.db.SessionEpoch(ctx, p.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(ctx, keyUserID, p.UserID)
	s.sessions.Put(ctx, keyOrgID, p.OrgID)
	s.sessions.Put(ctx, keyEpoch, epoch)
	s.log.InfoContext(ctx, "auth: signed in", "user", p.UserID, "org", p.OrgID)
	next := s.sessions.PopString(ctx, keyNext)
	if next == "" || s.sessions.GetBool(ctx, keyMustSet) {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Service) noAccess(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, PageNoAccess, Page{Title: "auth.title.no_access", OIDC: s.oidc != nil})
}

// safeNext returns next when it is a path of this site to go to after login, else "": it must
// start with one "/" (not "//" or "/\", which browsers read as another host) and hold no control
// characters or backslashes.
func safeNext(next string) string {
	if len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	return next
}
