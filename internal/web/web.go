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
	ui       *ui                        // the browser pages' templates and assets
	root     *http.ServeMux             // the mounts: the API under /api/, the browser UI under /
	// csvSearch reads the CSV's pages (the store's SearchDocumentCSV; tests make it fail midway).
	csvSearch searchPage
}

// Handler is the application: every route, and the one function that writes errors.
type Handler struct {
	a     *app
	serve http.Handler // a.root behind the input check
}

// ServeHTTP serves r through the mount of its path, with WriteError as the request's error
// writer (server.WriteError), so that auth's errors look like every other.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.serve.ServeHTTP(w, r.WithContext(server.WithErrorWriter(r.Context(), h.a.writeError)))
}

// WriteError writes err as the response to r, as the route r belongs to answers: the server's
// own errors (server.Options.WriteError) go through it.
func (h *Handler) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	h.a.writeError(w, r, err)
}

// The mounts. The API and the browser UI each have their own route table, mux and middleware;
// only mount decides by the path which one a request is for.
const (
	apiMount = "/api/"
	uiMount  = "/"
)

// New returns the application's handler: the API's routes (apiRoutes) mounted under /api/ behind
// the bearer-token middleware, the browser's (uiRoutes and auth's) under / behind the session
// and cross-origin protection.
func New(ctx context.Context, d Deps) (*Handler, error) {
	if d.Store == nil || d.PDF == nil || d.Auth == nil {
		return nil, errors.New("web: store, auth and PDF pool are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	a := &app{Deps: d, loc: d.Config.TimeZone, calendar: document.NewBusinessCalendar(), csvSearch: d.Store.SearchDocumentCSV}
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
	a.ui = newUI(a)
	// auth's pages are the UI's: same templates, layout and catalogue.
	d.Auth.SetPages(a.ui)

	api := http.NewServeMux()
	for _, rt := range a.apiRoutes() {
		api.Handle(rt.pattern, a.wrap(rt, false))
	}
	api.Handle(apiMount, a.notFound(api, apiMount))
	browser := http.NewServeMux()
	for _, rt := range a.browserRoutes() {
		browser.Handle(rt.pattern, a.wrap(rt, true))
	}
	browser.Handle(uiMount, a.notFound(browser, uiMount))

	a.root = http.NewServeMux()
	// API requests authenticate by bearer token only and never by cookie, so they need no CSRF
	// protection; browser requests use the session and are checked for cross-origin requests.
	a.root.Handle(apiMount, d.Auth.BearerMiddleware(api))
	a.root.Handle(uiMount, d.Auth.CrossOrigin(d.Auth.Middleware(browser)))
	// Text input is checked before the mounts, so it covers every route alike.
	return &Handler{a: a, serve: a.checkInput(a.root)}, nil
}

// today is today's date in the time zone of the calendar dates (TIME_ZONE).
func (a *app) today() document.Date { return document.Today(a.Now(), a.loc) }

// isAPI reports whether r is for the API's mount (and is answered in JSON).
func (a *app) isAPI(r *http.Request) bool {
	if a.root == nil {
		return false
	}
	_, pattern := a.root.Handler(r)
	return pattern == apiMount
}

// handlerFunc is the shape of every handler: it returns an error instead of writing one, and
// errorResponse turns it into a status in exactly one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p domain.Principal) error

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
	if err := requireJSON(r); err != nil {
		return nil, err
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

// requireJSON returns an EUnsupportedMedia error unless the request's body is JSON
// (application/json or a +json type).
func requireJSON(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &domain.Error{Code: domain.EUnsupportedMedia, Message: "Content-Type は application/json にしてください (body must be application/json)"}
	}
	return nil
}

// invalid returns an EInvalid error for one field.
func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EInvalid, Message: fmt.Sprintf("%s: %s", field, msg), Fields: map[string]string{field: msg}}
}
