// Package web is reportapp's HTTP layer: the route table, the JSON API under /api/v1, the
// browser pages, and the one place where errors become HTTP statuses.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"reportapp/internal/auth"
	"reportapp/internal/config"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// Deps are what the HTTP layer needs; main builds them.
type Deps struct {
	Config config.Config
	Store  *store.DB
	Auth   *auth.Service
	PDF    *pdf.Pool
	// Jobs is the background job queue (bulk exports); nil answers the export routes with 503.
	Jobs   *jobs.Queue
	Logger *slog.Logger
	Now    func() time.Time
	// Version is the program's version; it is part of the PDF ETag, since a new release may
	// lay documents out differently.
	Version string
}

// app holds the dependencies of the handlers.
type app struct {
	Deps
	loc      *time.Location
	calendar *document.BusinessCalendar // Japan's business days, for due dates
	// pageError renders an error as an HTML page on browser routes (set by the UI).
	pageError func(w http.ResponseWriter, r *http.Request, err error)
}

// New returns the application's handler: every route of routes.go on one ServeMux.
func New(ctx context.Context, d Deps) (http.Handler, error) {
	if d.Store == nil || d.PDF == nil || d.Auth == nil {
		return nil, errors.New("web: store, auth and PDF pool are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &app{Deps: d, loc: d.Config.TimeZone, calendar: document.NewBusinessCalendar()}
	if a.loc == nil {
		a.loc = time.UTC
	}
	// Issuing and cancelling store the PDF as rendered then; downloads of issued documents serve it.
	d.Store.SetRenderer(func(ctx context.Context, doc document.Document, logo, seal []byte) ([]byte, string, error) {
		var buf bytes.Buffer
		if _, err := d.PDF.Render(ctx, &buf, doc, pdf.Assets{Logo: logo, Seal: seal}); err != nil {
			return nil, "", err
		}
		return buf.Bytes(), "reportapp " + d.Version, nil
	})
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.wrap(rt))
	}
	d.Auth.Mount(mux)
	mux.Handle("/api/", apiNotFound(mux))
	// API requests authenticate by bearer token only and never by cookie, so they need no CSRF
	// protection; browser requests use the session and are checked for cross-origin requests.
	api := d.Auth.BearerMiddleware(mux)
	browser := auth.CrossOrigin(d.Auth.Middleware(mux))
	return a.checkInput(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The middleware below hands the mux a copy of r, so the route is recorded here.
		if _, pattern := mux.Handler(r); pattern != "" {
			server.SetRoute(r.Context(), pattern)
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			api.ServeHTTP(w, r)
			return
		}
		browser.ServeHTTP(w, r)
	})), nil
}

// handlerFunc is the shape of every handler: it returns an error instead of writing one, and
// errorResponse turns it into a status in exactly one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p domain.Principal) error

type errorBody struct {
	Error struct {
		Code    domain.Code       `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// classify turns err into the code and user-facing message of its response, and the
// Retry-After to send (or ""). Unknown errors are internal, with no message.
func classify(err error) (code domain.Code, msg, retryAfter string) {
	var de *domain.Error
	switch {
	case errors.As(err, &de):
		return de.Code, de.Message, ""
	case server.IsBodyTooLarge(err):
		return domain.EBodyTooLarge, "リクエストが大きすぎます (request body too large)", ""
	case errors.Is(err, pdf.ErrBusy):
		return domain.EUnavailable, "混み合っています。しばらくしてから再試行してください (busy, retry later)", "2"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return domain.EUnavailable, "処理が時間内に終わりませんでした (timed out)", "5"
	}
	return domain.EInternal, "", ""
}

// writeError renders err as JSON; unknown errors are logged in full and shown generically. On a
// browser route it renders the UI's error page instead.
func (a *app) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if a.pageError != nil && !strings.HasPrefix(r.URL.Path, "/api/") {
		a.pageError(w, r, err)
		return
	}
	var body errorBody
	var retry string
	body.Error.Code, body.Error.Message, retry = classify(err)
	if de := (*domain.Error)(nil); errors.As(err, &de) {
		body.Error.Fields = de.Fields
	}
	if retry != "" {
		w.Header().Set("Retry-After", retry)
	}
	st := body.Error.Code.Status()
	if st == http.StatusInternalServerError {
		server.Logger(r.Context()).Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path)
		body.Error.Code, body.Error.Message, body.Error.Fields = domain.EInternal, "内部エラーが発生しました (internal error)", nil
	}
	writeJSON(w, st, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// readJSON reads a JSON request body (the server's body limit applies): 415 unless the content
// type is JSON, 413 past the limit, 400 when empty.
func readJSON(r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, &domain.Error{Code: domain.EUnsupportedMedia, Message: "Content-Type は application/json にしてください (body must be application/json)"}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if server.IsBodyTooLarge(err) {
			return nil, err
		}
		return nil, domain.Errorf(domain.EBadRequest, "リクエスト本文を読めません (cannot read body): %v", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, domain.Errorf(domain.EBadRequest, "リクエスト本文が空です (empty body)")
	}
	return data, nil
}

// invalid returns an EInvalid error for one field.
func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EInvalid, Message: fmt.Sprintf("%s: %s", field, msg), Fields: map[string]string{field: msg}}
}

// apiNotFound answers requests under /api/ that no route matched with a JSON error: 405 with
// Allow when the path exists with other methods, else 404.
func apiNotFound(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/api/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, errorBodyOf(domain.EMethodNotAllowed, "このメソッドは使えません (method not allowed; use "+strings.Join(allow, ", ")+")"))
			return
		}
		writeJSON(w, http.StatusNotFound, errorBodyOf(domain.ENotFound, "そのような API はありません (no such API route; see /api/v1/openapi.json)"))
	})
}

func errorBodyOf(code domain.Code, msg string) errorBody {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	return b
}
