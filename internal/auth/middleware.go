package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"reportapp/internal/domain"
)

type principalKey struct{}

// WithPrincipal returns a context carrying p; Middleware and BearerMiddleware use it, tests of
// handlers may too.
func WithPrincipal(ctx context.Context, p domain.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns who is calling, as set by Middleware or BearerMiddleware. ok is false for
// an anonymous request.
func PrincipalFrom(ctx context.Context) (domain.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(domain.Principal)
	return p, ok
}

// Middleware loads and saves the browser session (scs LoadAndSave) and, when the session belongs
// to a signed-in member, puts their principal into the request context. The membership is read on
// every request, so a removed member or a changed role takes effect at once. Wrap the browser
// routes with it (and with CrossOrigin); Mount's handlers need it.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return withLoadedSession(s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		userID, orgID := s.sessions.GetString(ctx, keyUserID), s.sessions.GetString(ctx, keyOrgID)
		if userID != "" && orgID != "" {
			p, err := s.db.SessionPrincipal(ctx, orgID, userID, s.sessions.GetInt64(ctx, keyEpoch))
			switch domain.ErrorCode(err) {
			case "":
				r = r.WithContext(WithPrincipal(ctx, p))
				if s.sessions.GetBool(ctx, keyMustSet) && !allowedBeforePasswordSet(r.URL.Path) {
					http.Redirect(w, r, "/account/password", http.StatusSeeOther)
					return
				}
			case domain.EUnauthorized:
				// No longer a member, or the user's sessions were ended: the session is worthless.
				if err := s.sessions.Destroy(ctx); err != nil {
					s.serverError(w, r, err)
					return
				}
			default:
				s.serverError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})))
}

// allowedBeforePasswordSet reports whether a user who signed in with a temporary password may
// reach path before choosing their own: the password page, logout and the static files.
func allowedBeforePasswordSet(path string) bool {
	return path == "/account/password" || path == "/logout" || path == "/favicon.ico" || strings.HasPrefix(path, "/static/")
}

// BearerMiddleware authenticates API requests by "Authorization: Bearer rpt_…" and puts the
// token's principal (TokenID set) into the context. It reads no cookie, so API requests need no
// CSRF protection. A request without the header passes through anonymous; a bad token is 401.
func (s *Service) BearerMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			unauthorized(w)
			return
		}
		p, err := s.db.Authenticate(r.Context(), strings.TrimSpace(token))
		switch domain.ErrorCode(err) {
		case "":
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		case domain.EUnauthorized:
			unauthorized(w)
		default:
			w.Header().Set("Content-Type", "application/json")
			if overloaded(w, err) {
				_, _ = w.Write([]byte(`{"error":{"code":"busy","message":"混み合っています。しばらくしてから再試行してください (busy, retry later)"}}` + "\n"))
				return
			}
			s.log.ErrorContext(r.Context(), "auth: bearer", "err", err)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":{"code":"internal","message":"内部エラーが発生しました (internal error)"}}` + "\n"))
		}
	})
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="reportapp"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"認証に失敗しました (invalid token)"}}` + "\n"))
}

// CrossOrigin rejects (403) state-changing cross-origin browser requests, using Go's
// http.CrossOriginProtection (Sec-Fetch-Site, else Origin against Host). Safe methods and
// requests without those headers (API clients, curl) pass. Wrap every browser route with it;
// together with SameSite=Lax cookies this is the CSRF defence.
func CrossOrigin(next http.Handler) http.Handler {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "別のサイトからのリクエストは受け付けられません (cross-origin request rejected)", http.StatusForbidden)
	}))
	return c.Handler(next)
}

func (s *Service) serverError(w http.ResponseWriter, r *http.Request, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if overloaded(w, err) {
		_, _ = w.Write([]byte("混み合っています。しばらくしてから再試行してください (busy, retry later)\n"))
		return
	}
	s.log.ErrorContext(r.Context(), "auth: internal error", "path", r.URL.Path, "err", err)
	http.Error(w, "内部エラーが発生しました", http.StatusInternalServerError)
}

// overloaded answers 503 with Retry-After when err is the request's deadline or cancellation
// (the database was too busy to answer in time) or password hashing at its memory budget: load,
// not a fault.
func overloaded(w http.ResponseWriter, err error) bool {
	if errors.Is(err, errHashBusy) {
		w.Header().Set("Retry-After", hashRetryAfter)
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return false
	}
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	return true
}
