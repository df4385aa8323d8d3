package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"

	"reportapp/internal/server"
	"reportapp/internal/store"
)

// OIDCOptions configure login through an OpenID Connect provider. OIDC is on when IssuerURL and
// ClientID are both set.
type OIDCOptions struct {
	IssuerURL    string // "https://tenant.auth0.com/" for Auth0, any issuer with discovery otherwise
	ClientID     string
	ClientSecret string
	RedirectURL  string // the callback, e.g. "https://reportapp.example.jp/auth/callback"
	Auth0        bool   // logout through Auth0's /v2/logout instead of end_session_endpoint
}

// Enabled reports whether OIDC login is configured.
func (o OIDCOptions) Enabled() bool { return o.IssuerURL != "" && o.ClientID != "" }

// Options configure the Service. The zero value, plus LocalLogin, is a working development setup.
type Options struct {
	Production bool   // secure cookies with the __Host- prefix
	SecretKey  string // keys the sessions (SECRET_KEY); changing it ends every session
	BaseURL    string // the public address, e.g. "https://reportapp.example.jp"; used in links
	OIDC       OIDCOptions
	LocalLogin bool // email + password login; when false POST /login is refused (404)

	IdleTimeout time.Duration // a session ends after this long unused (12h when 0)
	Lifetime    time.Duration // and after this long whatever happens (7 days when 0)

	// HTTPClient talks to the OIDC provider (http.DefaultClient when nil); every call to the
	// provider ends after ProviderTimeout (10 s when 0).
	HTTPClient      *http.Client
	ProviderTimeout time.Duration
	// ClientIP returns the address used to throttle failed logins (the host of RemoteAddr when
	// nil). Put the real client address there behind a trusted proxy.
	ClientIP func(*http.Request) string
	Now      func() time.Time // time.Now when nil
	Logger   *slog.Logger     // discarded when nil

	// HashMemory bounds the memory that concurrent argon2id computations may hold, in bytes
	// (64 MiB each): a quarter of GOMEMLIMIT, between 64 and 128 MiB, when 0. HashWait is how long
	// a login waits for it before the answer is 503 with Retry-After (3 s when 0).
	HashMemory int64
	HashWait   time.Duration
}

// Service signs users in and out and answers who is calling. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	sessions *scs.SessionManager
	pages    atomic.Pointer[PageRenderer] // SetPages
	oidc     *oidcClient                  // nil when OIDC is off
	hasher   *hasher
}

// Session keys.
const (
	keyUserID  = "auth.user"
	keyOrgID   = "auth.org"
	keyIDToken = "auth.oidc.id_token"
	keyNext    = "auth.next"        // where to go after the login that is finishing
	keyEpoch   = "auth.epoch"       // the user's session epoch at login (store.ChangePassword)
	keyMustSet = "auth.must_set_pw" // signed in with a temporary password: choose one first
)

// New builds the Service. With OIDC configured it starts reading the provider's discovery document
// in the background, retrying until the provider answers; New itself never waits for it.
func New(ctx context.Context, db *store.DB, opts Options) (*Service, error) {
	if db == nil {
		return nil, errors.New("auth: new: nil store")
	}
	if !opts.LocalLogin && !opts.OIDC.Enabled() {
		return nil, errors.New("auth: new: neither local login nor OIDC is enabled: nobody could sign in")
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 12 * time.Hour
	}
	if opts.Lifetime <= 0 {
		opts.Lifetime = 7 * 24 * time.Hour
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.ClientIP == nil {
		opts.ClientIP = remoteHost
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Service{db: db, opts: opts, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.HashMemory <= 0 {
		opts.HashMemory = defaultHashMemory()
	}
	if opts.HashWait <= 0 {
		opts.HashWait = defaultHashWait
	}
	s.hasher = newHasher(opts.HashMemory, opts.HashWait)
	s.sessions = newSessionManager(db, opts, s.log)
	if opts.OIDC.Enabled() {
		// Discovery does not hold up start-up: it runs in the background until the provider
		// answers (local accounts and API tokens work meanwhile), and a login tries it too.
		s.oidc = newOIDCClient(opts, s.log)
		go s.oidc.discoverInBackground(ctx)
	}
	return s, nil
}

// newSessionManager configures scs: sessions in the database, idle and absolute lifetimes, a
// host-only HttpOnly SameSite=Lax cookie, Secure with the __Host- prefix in production.
func newSessionManager(db *store.DB, opts Options, log *slog.Logger) *scs.SessionManager {
	m := scs.New()
	m.Codec = sessionCodec{}
	m.Store = sessionStore{db: db, key: []byte(opts.SecretKey), idle: opts.IdleTimeout, touchEvery: touchInterval(opts.IdleTimeout)}
	m.Lifetime = opts.Lifetime
	m.Cookie.Name = "reportapp_session"
	m.Cookie.Path = "/"
	m.Cookie.Domain = ""
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Persist = true
	m.Cookie.Secure = opts.Production
	if opts.Production {
		m.Cookie.Name = "__Host-reportapp_session"
	}
	m.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.ErrorContext(r.Context(), "auth: session", "err", err)
		server.WriteError(w, r, fmt.Errorf("auth: session: %w", err))
	}
	return m
}

// CookieName is the name of the session cookie.
func (s *Service) CookieName() string { return s.sessions.Cookie.Name }

// remoteHost is the default Options.ClientIP.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// sessionStore is the scs store over the store's sessions table: one implementation for SQLite
// and PostgreSQL, shared by every replica.
//
// The row is found by an HMAC of the cookie's token under SECRET_KEY, as Flask's sessions were
// signed with it: rotating the key ends every session, and the database alone holds nothing that
// could be turned back into a cookie.
//
// The idle timeout is the store's, not scs's: scs, given one, marks every session it loads as
// modified, and re-encodes, re-writes and re-sends it on every response. Here a session is
// written when its values change (scs commits it, until min(its lifetime, now + idle)), and a
// read pushes the stored expiry on only when it lags more than touchEvery behind now + idle. So
// a page view writes nothing, an active session's row is written about once per touchEvery, and
// an idle session ends between idle − touchEvery and idle after its last use; every replica sees
// the same row. The cookie lasts the session's lifetime: the row decides.
type sessionStore struct {
	db         *store.DB
	key        []byte
	idle       time.Duration
	touchEvery time.Duration
}

// touchInterval is how far a session's stored expiry may lag behind: 5 minutes, or a tenth of a
// short idle timeout.
func touchInterval(idle time.Duration) time.Duration { return min(5*time.Minute, idle/10) }

// id is the name under which the session of token is kept.
func (ss sessionStore) id(token string) string {
	m := hmac.New(sha256.New, ss.key)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var _ scs.CtxStore = sessionStore{}

func (ss sessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

func (ss sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

func (ss sessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}

func (ss sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	id := ss.id(token)
	data, expiry, found, err := ss.db.FindSession(ctx, id)
	if err != nil || !found {
		return nil, false, err
	}
	if now := time.Now(); now.Add(ss.idle).Sub(expiry) >= ss.touchEvery {
		// Used again: the session lives idle from now, never beyond its lifetime (its deadline,
		// which only the encoded data holds).
		deadline, _, err := sessionCodec{}.Decode(data)
		if err != nil {
			return nil, false, fmt.Errorf("auth: session: %w", err)
		}
		if next := earlier(now.Add(ss.idle), deadline); next.After(expiry) {
			if err := ss.db.TouchSession(ctx, id, next); err != nil {
				return nil, false, err
			}
		}
	}
	return data, true, nil
}

// CommitCtx writes a changed session until min(expiry, now + idle); scs's expiry is the
// session's lifetime.
func (ss sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return ss.db.CommitSession(ctx, ss.id(token), b, earlier(expiry, time.Now().Add(ss.idle)))
}

// earlier is the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func (ss sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return ss.db.DeleteSession(ctx, ss.id(token))
}

// LocalLoginEnabled reports whether email + password login is on.
func (s *Service) LocalLoginEnabled() bool { return s.opts.LocalLogin }
