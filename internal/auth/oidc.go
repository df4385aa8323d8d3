package auth

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"reportapp/internal/domain"
)

// oidcClient is the configured OpenID Connect relying party.
type oidcClient struct {
	provider   *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	config     oauth2.Config
	httpClient *http.Client
	endSession string // the provider's end_session_endpoint, "" when it has none
	logoutURL  string // Auth0's /v2/logout, "" for other providers
}

func newOIDCClient(ctx context.Context, opts Options) (*oidcClient, error) {
	o := opts.OIDC
	c := &oidcClient{httpClient: opts.HTTPClient}
	var err error
	c.provider, err = oidc.NewProvider(oidc.ClientContext(ctx, c.httpClient), o.IssuerURL)
	if err != nil {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %w", o.IssuerURL, err)
	}
	c.verifier = c.provider.Verifier(&oidc.Config{ClientID: o.ClientID, Now: opts.Now})
	redirect := o.RedirectURL
	if redirect == "" {
		redirect = opts.BaseURL + "/auth/callback"
	}
	c.config = oauth2.Config{
		ClientID:     o.ClientID,
		ClientSecret: o.ClientSecret,
		Endpoint:     c.provider.Endpoint(),
		RedirectURL:  redirect,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := c.provider.Claims(&meta); err != nil {
		return nil, fmt.Errorf("auth: oidc discovery of %s: %w", o.IssuerURL, err)
	}
	c.endSession = meta.EndSession
	if o.Auth0 {
		c.logoutURL = strings.TrimRight(o.IssuerURL, "/") + "/v2/logout"
	}
	return c, nil
}

// callbackPath is the path of the redirect URL, where Mount serves the callback.
func (c *oidcClient) callbackPath() string {
	u, err := url.Parse(c.config.RedirectURL)
	if err != nil || u.Path == "" {
		return "/auth/callback"
	}
	return u.Path
}

// providerLogoutURL is where logout sends the browser after our session ended: Auth0's
// /v2/logout, else the end_session_endpoint, else "" (stay with us).
func (c *oidcClient) providerLogoutURL(returnTo, idToken string) string {
	q := url.Values{}
	switch {
	case c.logoutURL != "":
		q.Set("client_id", c.config.ClientID)
		q.Set("returnTo", returnTo)
		return c.logoutURL + "?" + q.Encode()
	case c.endSession != "":
		q.Set("client_id", c.config.ClientID)
		q.Set("post_logout_redirect_uri", returnTo)
		if idToken != "" {
			q.Set("id_token_hint", idToken)
		}
		sep := "?"
		if strings.Contains(c.endSession, "?") {
			sep = "&"
		}
		return c.endSession + sep + q.Encode()
	}
	return ""
}

// handleOIDCLogin starts the authorisation code flow: fresh state, nonce and PKCE verifier are kept
// in the session (single use) and the browser goes to the provider.
func (s *Service) handleOIDCLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
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
	verifier := oauth2.GenerateVerifier()
	s.sessions.Put(ctx, keyState, state)
	s.sessions.Put(ctx, keyNonce, nonce)
	s.sessions.Put(ctx, keyVerifier, verifier)
	http.Redirect(w, r, s.oidc.config.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
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

// handleOIDCCallback finishes the flow: state checked against the session, code exchanged with the
// PKCE verifier, ID token verified (signature, issuer, audience, expiry) and its nonce checked,
// then the identity is admitted or sent to the no-access page.
func (s *Service) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// Pop: state, nonce and verifier are good for one callback only.
	state := s.sessions.PopString(ctx, keyState)
	nonce := s.sessions.PopString(ctx, keyNonce)
	verifier := s.sessions.PopString(ctx, keyVerifier)
	fail := func(reason string, err error) {
		s.log.WarnContext(ctx, "auth: oidc callback rejected", "reason", reason, "err", err)
		s.render(w, r, http.StatusUnauthorized, "message", page{Title: "ログインできませんでした",
			Error: "認証に失敗しました。もう一度ログインしてください。"})
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		fail("provider error", fmt.Errorf("%w: %s: %s", errLoginFailed, e, q.Get("error_description")))
		return
	}
	if state == "" || nonce == "" || verifier == "" || subtle.ConstantTimeCompare([]byte(state), []byte(q.Get("state"))) != 1 {
		fail("state mismatch", errLoginFailed)
		return
	}
	xctx := oidc.ClientContext(ctx, s.oidc.httpClient)
	tok, err := s.oidc.config.Exchange(xctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		fail("code exchange", err)
		return
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		fail("no id_token", errLoginFailed)
		return
	}
	idt, err := s.oidc.verifier.Verify(xctx, raw)
	if err != nil {
		fail("id token", err)
		return
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
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
		s.noAccess(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(ctx, keyIDToken, raw)
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
	s.sessions.Put(ctx, keyUserID, p.UserID)
	s.sessions.Put(ctx, keyOrgID, p.OrgID)
	s.log.InfoContext(ctx, "auth: signed in", "user", p.UserID, "org", p.OrgID)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Service) noAccess(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "noaccess", page{Title: "アクセス権がありません"})
}
