package auth

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"reportapp/internal/domain"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// Throttling of password attempts. Every attempt is counted before the password is checked (so
// concurrent attempts cannot slip past the count) against two keys:
//   - the account at the client's address (the typed e-mail, existing or not, so blocking tells
//     nothing): pairFree attempts free, then it waits pairBase, twice that after the next
//     failure, and so on up to pairMax. A success forgets them. Failures at one address never
//     delay the account at another, so the real user is not locked out by someone guessing.
//   - the address alone, for guessing across many accounts: addrFree attempts free (an office
//     shares one address), then addrBase doubling up to addrMax. A success takes its attempt back.
//
// Counts older than failureWindow are forgotten. The delays are short by design: nobody is locked
// out for long, and a guesser gets a few attempts an hour.
const (
	pairFree      = 5
	pairBase      = 15 * time.Second
	pairMax       = 15 * time.Minute
	addrFree      = 50
	addrBase      = 5 * time.Second
	addrMax       = time.Minute
	failureWindow = 24 * time.Hour
)

// backoff returns how long a key must wait after its attempts-th counted attempt when free
// attempts are allowed without waiting: base after the free ones, doubling up to most.
func backoff(attempts, free int, base, most time.Duration) time.Duration {
	if attempts < free {
		return 0
	}
	d := base
	for i := free; i < attempts && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// loginThrottle is what a password attempt for email from address counts against.
type loginThrottle struct {
	pair, addr store.ThrottleRule
}

func newLoginThrottle(email, address string) loginThrottle {
	return loginThrottle{
		pair: store.ThrottleRule{Key: "login:" + store.HashSecret(email+"\x00"+address),
			Block: func(n int) time.Duration { return backoff(n, pairFree, pairBase, pairMax) }},
		addr: store.ThrottleRule{Key: "ip:" + address,
			Block: func(n int) time.Duration { return backoff(n, addrFree, addrBase, addrMax) }},
	}
}

// reserve counts the attempt; wait > 0 means it was refused and when to come back.
func (t loginThrottle) reserve(ctx context.Context, db *store.DB) (time.Duration, error) {
	return db.ReserveAuthAttempt(ctx, failureWindow, t.pair, t.addr)
}

// succeeded forgets the account's failures at the address and takes the attempt back from the
// address.
func (t loginThrottle) succeeded(ctx context.Context, db *store.DB) error {
	if err := db.ClearAuthAttempts(ctx, t.pair.Key); err != nil {
		return err
	}
	return db.ReleaseAuthAttempt(ctx, t.addr)
}

// unchecked takes back an attempt whose password was never checked (hashing was busy).
func (t loginThrottle) unchecked(ctx context.Context, db *store.DB) error {
	return errors.Join(db.ReleaseAuthAttempt(ctx, t.pair), db.ReleaseAuthAttempt(ctx, t.addr))
}

// reserveAttempt counts a password attempt for email from the request's address. When the attempt
// is refused it renders the page name with p (429 with Retry-After) and returns false.
func (s *Service) reserveAttempt(w http.ResponseWriter, r *http.Request, email, name string, p Page) (loginThrottle, bool) {
	throttle := newLoginThrottle(email, s.opts.ClientIP(r))
	wait, err := throttle.reserve(r.Context(), s.db)
	if err != nil {
		s.serverError(w, r, err)
		return throttle, false
	}
	if wait > 0 {
		w.Header().Set("Retry-After", retryAfter(wait))
		p.Error = msgThrottled
		s.render(w, r, http.StatusTooManyRequests, name, p)
		return throttle, false
	}
	return throttle, true
}

// The catalogue keys of the pages' messages (Page).
const (
	msgBadLogin  = "auth.error.bad_login"
	msgThrottled = "auth.error.throttled"
	msgHashBusy  = "auth.error.hash_busy"
	msgFixFields = "auth.error.fix_fields"

	msgPasswordChanged = "auth.notice.password_changed"
	msgMustSet         = "auth.notice.must_set"
	msgNoUsers         = "auth.notice.no_users"

	msgSetupLinkInvalid = "auth.error.setup_link_invalid"
	msgSetupLinkUsed    = "auth.error.setup_link_used"

	titleLogin     = "auth.title.login"
	titleSignedOut = "auth.title.signed_out"
	titleSetup     = "auth.title.setup"
	titleSetupForm = "auth.title.setup_form"
	titleSetupDone = "auth.title.setup_done"
	titlePassword  = "auth.title.password"
)

func (s *Service) loginPage(p Page) Page {
	p.Title = titleLogin
	p.OIDC = s.oidc != nil
	p.Local = s.opts.LocalLogin
	return p
}

func (s *Service) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := PrincipalFrom(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p := s.loginPage(Page{Next: safeNext(r.URL.Query().Get("next"))})
	// On a new installation nobody can sign in yet: say where the way in is.
	if has, err := s.db.HasUsers(r.Context()); err == nil && !has {
		p.Notice = msgNoUsers
	}
	s.render(w, r, http.StatusOK, PageLogin, p)
}

// handleLogin checks email and password. Unknown email and wrong password look the same: one
// message, one argon2 computation, one attempt counted. The attempt is counted before the
// password is checked, and a refused attempt computes no hash.
func (s *Service) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.opts.LocalLogin {
		server.WriteError(w, r, domain.Errorf(domain.ENotFound, "パスワードでのログインは無効です (password sign-in is off)"))
		return
	}
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	throttle, ok := s.reserveAttempt(w, r, email, PageLogin, s.loginPage(Page{Email: email, Next: next}))
	if !ok {
		return
	}
	checked, ok, err := s.checkPassword(ctx, email, password)
	if errors.Is(err, errHashBusy) {
		if err := throttle.unchecked(ctx, s.db); err != nil {
			s.log.ErrorContext(ctx, "auth: take back unchecked login attempt", "err", err)
		}
		w.Header().Set("Retry-After", hashRetryAfter)
		s.render(w, r, http.StatusServiceUnavailable, PageLogin, s.loginPage(Page{Error: msgHashBusy, Email: email, Next: next}))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.log.InfoContext(ctx, "auth: password login failed", "request_id", server.RequestID(ctx),
			"account", accountLogID(email), "ip", s.opts.ClientIP(r))
		s.render(w, r, http.StatusUnauthorized, PageLogin, s.loginPage(Page{Error: msgBadLogin, Email: email, Next: next}))
		return
	}
	if err := throttle.succeeded(ctx, s.db); err != nil {
		s.serverError(w, r, err)
		return
	}
	if checked.password.Temporary {
		s.sessions.Put(ctx, keyMustSet, true)
	}
	s.sessions.Put(ctx, keyNext, next)
	s.startSession(w, r, checked.userID)
}

// accountLogID is how logs name a typed account: a short hash, so that the log can tell repeated
// attempts on one account apart from spraying without holding the addresses people typed (often
// a password typed into the wrong field). It is the first 12 hex digits of SHA-256(e-mail).
func accountLogID(email string) string { return store.HashSecret(email)[:12] }

func retryAfter(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(max(secs, 1))
}

// checkedUser is the account a password was checked against.
type checkedUser struct {
	userID   string
	password store.Password
}

// checkPassword reports whether password is the password of the user with email. For an unknown
// user, or one without a password, it verifies against dummyHash so that the time taken does not
// tell whether the account exists. It waits for hashing memory like every hash (errHashBusy).
func (s *Service) checkPassword(ctx context.Context, email, password string) (checkedUser, bool, error) {
	var c checkedUser
	hash := dummyHash
	if len(password) > maxPasswordBytes {
		password = password[:maxPasswordBytes] // same work, never a match for a stored password
	}
	u, err := s.db.GetUserByEmail(ctx, email)
	switch domain.ErrorCode(err) {
	case "":
		pw, err := s.db.Password(ctx, u.ID)
		switch domain.ErrorCode(err) {
		case "":
			c, hash = checkedUser{userID: u.ID, password: pw}, pw.Hash
		case domain.ENotFound:
		default:
			return checkedUser{}, false, err
		}
	case domain.ENotFound:
	default:
		return checkedUser{}, false, err
	}
	ok, err := s.hasher.verify(ctx, password, hash)
	if errors.Is(err, errBadHash) {
		s.log.ErrorContext(ctx, "auth: stored password hash unreadable", "user", c.userID, "err", err)
		return checkedUser{}, false, nil
	}
	if err != nil {
		return checkedUser{}, false, err
	}
	if !ok || c.userID == "" {
		return checkedUser{}, false, nil
	}
	return c, true, nil
}

// handleLogout ends the session server-side and, for OIDC, at the provider too. The provider's
// logout is another origin, which the pages' CSP (form-action 'self') forbids a form submission to
// redirect to; so the answer is a page of ours that navigates there itself (meta refresh, and a
// link for when that is off).
func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	idToken := s.sessions.GetString(ctx, keyIDToken)
	if err := s.sessions.Destroy(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	if s.oidc != nil {
		if u := s.oidc.logoutURL(s.opts.BaseURL+"/login", idToken); u != "" {
			// The session has ended: the page shows nobody signed in.
			r = r.WithContext(withoutPrincipal(ctx))
			s.render(w, r, http.StatusOK, PageSignedOut, Page{Title: titleSignedOut, Refresh: u})
			return
		}
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// SetupURL returns, while no user exists, a fresh one-time URL of the first-run setup page (valid
// for 24 hours; the token is stored hashed). main logs it at start-up. ok is false once a user
// exists.
func (s *Service) SetupURL(ctx context.Context) (string, bool, error) {
	has, err := s.db.HasUsers(ctx)
	if err != nil || has {
		return "", false, err
	}
	token, err := randomToken(32)
	if err != nil {
		return "", false, err
	}
	if err := s.db.CreateSetupToken(ctx, store.HashSecret(token), s.now().Add(24*time.Hour)); err != nil {
		return "", false, err
	}
	return s.opts.BaseURL + "/setup?token=" + token, true, nil
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// setupAllowed reports whether the setup page may be shown: no user yet and a valid token.
func (s *Service) setupAllowed(w http.ResponseWriter, r *http.Request, token string) bool {
	ctx := r.Context()
	has, err := s.db.HasUsers(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if has {
		s.render(w, r, http.StatusNotFound, PageMessage, Page{Title: titleSetupDone})
		return false
	}
	valid, err := s.db.SetupTokenValid(ctx, store.HashSecret(token))
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if !valid {
		s.render(w, r, http.StatusForbidden, PageMessage, Page{Title: titleSetup, Error: msgSetupLinkInvalid})
		return false
	}
	return true
}

func (s *Service) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if s.setupAllowed(w, r, token) {
		s.render(w, r, http.StatusOK, PageSetup, Page{Title: titleSetupForm, Token: token})
	}
}

// handleSetup creates the first organisation and its admin, once.
func (s *Service) handleSetup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PostFormValue("token")
	if !s.setupAllowed(w, r, token) {
		return
	}
	p := Page{Title: titleSetupForm, Token: token, Fields: map[string]Text{},
		OrgName: strings.TrimSpace(r.PostFormValue("org_name")),
		OrgSlug: strings.ToLower(strings.TrimSpace(r.PostFormValue("org_slug"))),
		Email:   strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))}
	password := r.PostFormValue("password")
	if p.OrgName == "" {
		p.Fields["org_name"] = Text{Key: "auth.field.org_name_required"}
	}
	if !slugPattern.MatchString(p.OrgSlug) {
		p.Fields["org_slug"] = Text{Key: "auth.field.org_slug_invalid"}
	}
	if !domain.ValidEmail(p.Email) {
		p.Fields["email"] = Text{Key: "auth.field.email_invalid"}
	}
	if problem, ok := checkPasswordPolicy(password); !ok {
		p.Fields["password"] = problem.text()
	}
	if len(p.Fields) > 0 {
		p.Error = msgFixFields
		s.render(w, r, http.StatusUnprocessableEntity, PageSetup, p)
		return
	}
	hash, err := s.hasher.hash(ctx, password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.UseSetupToken(ctx, store.HashSecret(token)); err != nil {
		if domain.ErrorCode(err) == domain.EUnauthorized {
			s.render(w, r, http.StatusForbidden, PageMessage, Page{Title: titleSetup, Error: msgSetupLinkUsed})
			return
		}
		s.serverError(w, r, err)
		return
	}
	org, err := s.db.CreateOrganization(ctx, p.OrgSlug, p.OrgName)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	user, err := s.db.CreateUser(ctx, p.Email, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.SetMember(ctx, org.ID, user.ID, domain.RoleAdmin); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.SetPasswordHash(ctx, user.ID, hash); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "auth: first-run setup done", "org", org.Slug, "admin", user.ID)
	s.login(w, r, domain.Principal{OrgID: org.ID, OrgSlug: org.Slug, UserID: user.ID, Email: user.Email, Role: domain.RoleAdmin})
}

func (s *Service) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.sessionPrincipal(w, r); ok {
		p := Page{Title: titlePassword}
		if s.sessions.GetBool(r.Context(), keyMustSet) {
			p.Notice = msgMustSet
		}
		s.render(w, r, http.StatusOK, PagePassword, p)
	}
}

// handlePasswordChange changes the signed-in user's password after checking the current one.
func (s *Service) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	p, ok := s.sessionPrincipal(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	current, next := r.PostFormValue("current"), r.PostFormValue("new")
	pg := Page{Title: titlePassword, Fields: map[string]Text{}}
	throttle, ok := s.reserveAttempt(w, r, p.Email, PagePassword, pg)
	if !ok {
		return
	}
	_, ok, err := s.checkPassword(ctx, p.Email, current)
	if errors.Is(err, errHashBusy) {
		err = errors.Join(err, throttle.unchecked(ctx, s.db))
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if ok {
		err = throttle.succeeded(ctx, s.db)
	} else {
		pg.Fields["current"] = Text{Key: "auth.field.current_wrong"}
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if problem, ok := checkPasswordPolicy(next); !ok {
		pg.Fields["new"] = problem.text()
	}
	if len(pg.Fields) > 0 {
		pg.Error = msgFixFields
		s.render(w, r, http.StatusUnprocessableEntity, PagePassword, pg)
		return
	}
	hash, err := s.hasher.hash(ctx, next)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Every session of the user ends with the change; this one continues under a new token.
	epoch, err := s.db.ChangePassword(ctx, p.UserID, hash, false)
	if err == nil {
		err = s.sessions.RenewToken(ctx)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(ctx, keyEpoch, epoch)
	s.sessions.Remove(ctx, keyMustSet)
	s.log.InfoContext(ctx, "auth: password changed; other sessions ended", "user", p.UserID)
	s.render(w, r, http.StatusOK, PagePassword, Page{Title: titlePassword, Notice: msgPasswordChanged})
}

// sessionPrincipal returns the signed-in browser user or redirects to the login page.
func (s *Service) sessionPrincipal(w http.ResponseWriter, r *http.Request) (domain.Principal, bool) {
	p, ok := PrincipalFrom(r.Context())
	if !ok || p.TokenID != "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return domain.Principal{}, false
	}
	return p, true
}

// Route is one of auth's routes: a ServeMux pattern and its handler. All are public; the handlers
// that need a signed-in user check it themselves.
type Route struct {
	Pattern string
	Handler http.Handler
}

// Routes is the table of the login, logout, OIDC, setup, no-access and password routes, for the
// browser UI's mount. The handlers need Middleware around them (sessions); the state-changing
// ones are wrapped with CrossOrigin here as well, so they are protected however they are mounted.
// The OIDC routes are there when OIDC is configured (never on a nil Service, whose table is
// only for reading).
func (s *Service) Routes() []Route {
	post := func(h http.HandlerFunc) http.Handler { return s.CrossOrigin(limitForm(h)) }
	routes := []Route{
		{"GET /login", http.HandlerFunc(s.handleLoginForm)},
		{"POST /login", post(s.handleLogin)},
		{"POST /logout", post(s.handleLogout)},
		{"GET /setup", http.HandlerFunc(s.handleSetupForm)},
		{"POST /setup", post(s.handleSetup)},
		{"GET /no-access", http.HandlerFunc(s.noAccess)},
		{"GET /account/password", http.HandlerFunc(s.handlePasswordForm)},
		{"POST /account/password", post(s.handlePasswordChange)},
	}
	if s != nil && s.oidc != nil {
		routes = append(routes,
			Route{"GET /auth/oidc/login", http.HandlerFunc(s.handleOIDCLogin)},
			Route{"GET " + s.oidc.callbackPath(), http.HandlerFunc(s.handleOIDCCallback)})
	}
	return routes
}

// Mount registers Routes on mux (for tests of this package; the application mounts the table).
func (s *Service) Mount(mux *http.ServeMux) {
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, rt.Handler)
	}
}

// limitForm bounds the size of the small forms of this package.
func limitForm(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		h(w, r)
	}
}
