package auth

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"reportapp/internal/domain"
	"reportapp/internal/server"
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
	return s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	}))
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
			unauthorized(w, r)
			return
		}
		p, err := s.db.Authenticate(r.Context(), strings.TrimSpace(token))
		switch domain.ErrorCode(err) {
		case "":
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		case domain.EUnauthorized:
			unauthorized(w, r)
		default:
			server.WriteError(w, r, err)
		}
	})
}

func unauthorized(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="reportapp"`)
	server.WriteError(w, r, domain.Errorf(domain.EUnauthorized, "認証に失敗しました (invalid token)"))
}

// CrossOrigin rejects (403, through server.WriteError) state-changing cross-origin browser
// requests, using Go's http.CrossOriginProtection (Sec-Fetch-Site, else Origin against Host).
// When Options.BaseURL is set, an Origin header must also be exactly its origin — scheme, host
// and port — so that "https://host" is not taken for "http://host" nor the other way round.
// Safe methods and requests without those headers (API clients, curl) pass. Wrap every browser
// route with it; together with SameSite=Lax cookies this is the CSRF defence.
func (s *Service) CrossOrigin(next http.Handler) http.Handler {
	deny := func(w http.ResponseWriter, r *http.Request) {
		server.WriteError(w, r, domain.Errorf(domain.EForbidden, "別のサイトからのリクエストは受け付けられません (cross-origin request rejected)"))
	}
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(deny))
	protected := c.Handler(next)
	base := ""
	if s != nil {
		base = originOf(s.opts.BaseURL)
	}
	if base == "" {
		return protected
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, base) {
				deny(w, r)
				return
			}
		}
		protected.ServeHTTP(w, r)
	})
}

// originOf returns the origin "scheme://host[:port]" of a URL, or "" when it has none.
func originOf(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if scheme == "https" {
		host = strings.TrimSuffix(host, ":443")
	} else if scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	}
	return scheme + "://" + host
}

// serverError writes err (a store failure, a timeout) as the application writes every error
// (server.WriteError): 503 with Retry-After when the database was too busy, else 500, logged.
func (s *Service) serverError(w http.ResponseWriter, r *http.Request, err error) {
	server.WriteError(w, r, err)
}
