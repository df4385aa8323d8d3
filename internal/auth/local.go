package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// Throttling of failed password logins. An account (keyed by the typed email, existing or not, so
// blocking tells nothing) may fail accountFreeFailures times, then waits 30 s, 1 min, 2 min… up to
// maxBlock after each further failure. A client address gets more slack because an office shares
// one address. Failures older than failureWindow are forgotten.
const (
	accountFreeFailures = 5
	ipFreeFailures      = 50
	baseBlock           = 30 * time.Second
	maxBlock            = time.Hour
	failureWindow       = 24 * time.Hour
)

// backoff returns how long a key must wait after its failures-th failure when free failures are
// allowed without waiting.
func backoff(failures, free int) time.Duration {
	if failures < free {
		return 0
	}
	d := baseBlock
	for i := free; i < failures && d < maxBlock; i++ {
		d *= 2
	}
	return min(d, maxBlock)
}

const (
	msgBadLogin  = "メールアドレスまたはパスワードが正しくありません"
	msgThrottled = "ログインの失敗が続いたため、しばらく時間をおいてから再度お試しください"
)

func (s *Service) loginPage(p page) page {
	p.Title = "ログイン"
	p.OIDC = s.oidc != nil
	p.Local = s.opts.LocalLogin
	return p
}

func (s *Service) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := PrincipalFrom(r.Context()); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p := s.loginPage(page{})
	// On a new installation nobody can sign in yet: say where the way in is.
	if has, err := s.db.HasUsers(r.Context()); err == nil && !has {
		p.Notice = "まだユーザーがいません。サーバーのログに出力された初回セットアップ用の URL を開いて、最初の組織と管理者を作成してください。 (No user yet: open the one-time setup URL printed in the server's log.)"
	}
	s.render(w, r, http.StatusOK, "login", p)
}

// handleLogin checks email and password. Unknown email and wrong password look the same: one
// message, one argon2 computation, one failure counted.
func (s *Service) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.opts.LocalLogin {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	keys := []struct {
		key  string
		free int
	}{{"account:" + email, accountFreeFailures}, {"ip:" + s.opts.ClientIP(r), ipFreeFailures}}
	now := s.now()
	for _, k := range keys {
		t, err := s.db.GetAuthThrottle(ctx, k.key)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if t.Blocked(now) {
			w.Header().Set("Retry-After", retryAfter(t.BlockedUntil.Sub(now)))
			s.render(w, r, http.StatusTooManyRequests, "login", s.loginPage(page{Error: msgThrottled, Email: email}))
			return
		}
	}
	userID, ok, err := s.checkPassword(ctx, email, password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		for _, k := range keys {
			free := k.free
			if _, err := s.db.RecordAuthFailure(ctx, k.key, failureWindow, func(n int) time.Duration { return backoff(n, free) }); err != nil {
				s.serverError(w, r, err)
				return
			}
		}
		s.log.InfoContext(ctx, "auth: password login failed", "ip", s.opts.ClientIP(r))
		s.render(w, r, http.StatusUnauthorized, "login", s.loginPage(page{Error: msgBadLogin, Email: email}))
		return
	}
	if err := s.db.ClearAuthFailures(ctx, keys[0].key); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.startSession(w, r, userID)
}

func retryAfter(d time.Duration) string {
	secs := int(d.Round(time.Second) / time.Second)
	return strconv.Itoa(max(secs, 1))
}

// checkPassword reports whether password is the password of the user with email. For an unknown
// user, or one without a password, it verifies against a dummy hash so that the time taken does
// not tell whether the account exists.
func (s *Service) checkPassword(ctx context.Context, email, password string) (string, bool, error) {
	hash, err := s.dummyHash()
	if err != nil {
		return "", false, fmt.Errorf("auth: dummy hash: %w", err)
	}
	userID := ""
	if len(password) > maxPasswordBytes {
		password = password[:maxPasswordBytes] // same work, never a match for a stored password
	}
	u, err := s.db.GetUserByEmail(ctx, email)
	switch document.ErrorCode(err) {
	case "":
		h, err := s.db.PasswordHash(ctx, u.ID)
		switch document.ErrorCode(err) {
		case "":
			hash, userID = h, u.ID
		case document.ENotFound:
		default:
			return "", false, err
		}
	case document.ENotFound:
	default:
		return "", false, err
	}
	ok, err := verifyPassword(password, hash)
	if err != nil {
		s.log.ErrorContext(ctx, "auth: stored password hash unreadable", "user", userID, "err", err)
		return "", false, nil
	}
	return userID, ok && userID != "", nil
}

// handleLogout ends the session server-side and, for OIDC, at the provider too.
func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	idToken := s.sessions.GetString(ctx, keyIDToken)
	if err := s.sessions.Destroy(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	target := "/login"
	if s.oidc != nil {
		if u := s.oidc.providerLogoutURL(s.opts.BaseURL+"/login", idToken); u != "" {
			target = u
		}
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
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
	if err := s.db.CreateSetupToken(ctx, hashSecret(token), s.now().Add(24*time.Hour)); err != nil {
		return "", false, err
	}
	return s.opts.BaseURL + "/setup?token=" + token, true, nil
}

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
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
		s.render(w, r, http.StatusNotFound, "message", page{Title: "セットアップは完了しています"})
		return false
	}
	valid, err := s.db.SetupTokenValid(ctx, hashSecret(token))
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if !valid {
		s.render(w, r, http.StatusForbidden, "message", page{Title: "セットアップ",
			Error: "セットアップ用URLが無効か、期限切れです。サーバーのログに出力されたURLを使ってください。"})
		return false
	}
	return true
}

func (s *Service) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	if s.setupAllowed(w, r, token) {
		s.render(w, r, http.StatusOK, "setup", page{Title: "初期設定", Token: token})
	}
}

// handleSetup creates the first organisation and its admin, once.
func (s *Service) handleSetup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PostFormValue("token")
	if !s.setupAllowed(w, r, token) {
		return
	}
	p := page{Title: "初期設定", Token: token, Fields: map[string]string{},
		OrgName: strings.TrimSpace(r.PostFormValue("org_name")),
		OrgSlug: strings.ToLower(strings.TrimSpace(r.PostFormValue("org_slug"))),
		Email:   strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))}
	password := r.PostFormValue("password")
	if p.OrgName == "" {
		p.Fields["org_name"] = "組織名を入力してください"
	}
	if !slugPattern.MatchString(p.OrgSlug) {
		p.Fields["org_slug"] = "英小文字・数字・ハイフンで入力してください"
	}
	if at := strings.Index(p.Email, "@"); at < 1 || at == len(p.Email)-1 {
		p.Fields["email"] = "メールアドレスが正しくありません"
	}
	if msg := checkPasswordPolicy(password); msg != "" {
		p.Fields["password"] = msg
	}
	if len(p.Fields) > 0 {
		p.Error = "入力内容に誤りがあります"
		s.render(w, r, http.StatusUnprocessableEntity, "setup", p)
		return
	}
	hash, err := hashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.UseSetupToken(ctx, hashSecret(token)); err != nil {
		if document.ErrorCode(err) == document.EUnauthorized {
			s.render(w, r, http.StatusForbidden, "message", page{Title: "セットアップ", Error: "セットアップ用URLは既に使用されています。"})
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
	if err := s.db.SetMember(ctx, org.ID, user.ID, store.RoleAdmin); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.db.SetPasswordHash(ctx, user.ID, hash); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.InfoContext(ctx, "auth: first-run setup done", "org", org.Slug, "admin", user.ID)
	s.login(w, r, store.Principal{OrgID: org.ID, OrgSlug: org.Slug, UserID: user.ID, Email: user.Email, Role: store.RoleAdmin})
}

func (s *Service) handlePasswordForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.sessionPrincipal(w, r); ok {
		s.render(w, r, http.StatusOK, "password", page{Title: "パスワードの変更"})
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
	pg := page{Title: "パスワードの変更", Fields: map[string]string{}}
	key := "account:" + p.Email
	t, err := s.db.GetAuthThrottle(ctx, key)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if t.Blocked(s.now()) {
		pg.Error = msgThrottled
		s.render(w, r, http.StatusTooManyRequests, "password", pg)
		return
	}
	_, ok, err = s.checkPassword(ctx, p.Email, current)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		if _, err := s.db.RecordAuthFailure(ctx, key, failureWindow, func(n int) time.Duration { return backoff(n, accountFreeFailures) }); err != nil {
			s.serverError(w, r, err)
			return
		}
		pg.Fields["current"] = "現在のパスワードが正しくありません"
	}
	if msg := checkPasswordPolicy(next); msg != "" {
		pg.Fields["new"] = msg
	}
	if len(pg.Fields) > 0 {
		pg.Error = "入力内容に誤りがあります"
		s.render(w, r, http.StatusUnprocessableEntity, "password", pg)
		return
	}
	hash, err := hashPassword(next)
	if err == nil {
		err = s.db.SetPasswordHash(ctx, p.UserID, hash)
	}
	if err == nil {
		err = s.sessions.RenewToken(ctx)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "password", page{Title: "パスワードの変更", Notice: "パスワードを変更しました"})
}

// sessionPrincipal returns the signed-in browser user or redirects to the login page.
func (s *Service) sessionPrincipal(w http.ResponseWriter, r *http.Request) (store.Principal, bool) {
	p, ok := PrincipalFrom(r.Context())
	if !ok || p.TokenID != "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return store.Principal{}, false
	}
	return p, true
}

// Mount registers the login, logout, OIDC, setup, no-access and password routes on mux. The
// handlers need Middleware around mux (sessions); the state-changing ones are wrapped with
// CrossOrigin here as well, so they are protected however mux is mounted.
func (s *Service) Mount(mux *http.ServeMux) {
	post := func(h http.HandlerFunc) http.Handler { return CrossOrigin(limitForm(h)) }
	mux.HandleFunc("GET /login", s.handleLoginForm)
	mux.Handle("POST /login", post(s.handleLogin))
	mux.Handle("POST /logout", post(s.handleLogout))
	mux.HandleFunc("GET /setup", s.handleSetupForm)
	mux.Handle("POST /setup", post(s.handleSetup))
	mux.HandleFunc("GET /no-access", s.noAccess)
	mux.HandleFunc("GET /account/password", s.handlePasswordForm)
	mux.Handle("POST /account/password", post(s.handlePasswordChange))
	if s.oidc != nil {
		mux.HandleFunc("GET /auth/oidc/login", s.handleOIDCLogin)
		mux.HandleFunc("GET "+s.oidc.callbackPath(), s.handleOIDCCallback)
	}
}

// limitForm bounds the size of the small forms of this package.
func limitForm(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		h(w, r)
	}
}
