package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/munnerz/goautoneg"

	"reportapp/internal/domain"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// errorBody is the JSON shape of every error: {"error":{"code","message","fields"?}}.
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
		if de.Code == domain.EUnavailable {
			retryAfter = "5"
		}
		return de.Code, de.Message, retryAfter
	case server.IsBodyTooLarge(err):
		limit, _ := server.BodyLimitOf(err)
		size := domain.SizeText(limit)
		return domain.EBodyTooLarge, fmt.Sprintf("リクエストが大きすぎます。送れるのは %s までです (the request body is larger than its limit of %s)", size, size), ""
	case errors.Is(err, pdf.ErrBusy):
		return domain.EUnavailable, "混み合っています。しばらくしてから再試行してください (busy, retry later)", "2"
	case store.Unavailable(err):
		return domain.EUnavailable, "データベースが一時的に使えません。しばらくしてから再試行してください (the database is unavailable; retry later)", "5"
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return domain.EUnavailable, "処理が時間内に終わりませんでした (timed out)", "5"
	}
	return domain.EInternal, "", ""
}

// writeError is the one function that writes an error response, for every route of the process:
// the server's middleware (body limit, load shedding, timeouts, panics), auth, the API and the
// UI. The status is the code's (domain.Code.Status). Under the API, and for clients that prefer
// JSON, the body is {"error":{"code","message","fields"}}; in the browser it is the UI's error
// page in the user's language. Unknown errors are logged in full and shown generically.
func (a *app) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg, retry := classify(err)
	var fields map[string]string
	if de := (*domain.Error)(nil); errors.As(err, &de) {
		fields = de.Fields
	}
	st := code.Status()
	if st == http.StatusInternalServerError {
		server.Logger(r.Context()).Error("internal error", "err", err, "method", r.Method, "path", r.URL.Path)
		code, msg, fields = domain.EInternal, "", nil
	}
	h := w.Header()
	if retry != "" && h.Get("Retry-After") == "" {
		h.Set("Retry-After", retry)
	}
	h.Del("Content-Length")
	if a.isAPI(r) || prefersJSON(r.Header.Values("Accept")) || a.ui == nil {
		var body errorBody
		body.Error.Code, body.Error.Message, body.Error.Fields = code, msg, fields
		if msg == "" {
			body.Error.Message = codeMessage(st)
		}
		writeJSON(w, st, body)
		return
	}
	if limit, ok := server.BodyLimitOf(err); ok && code == domain.EBodyTooLarge {
		// A browser's form: say its limit as a person reads it.
		size := domain.SizeText(limit)
		msg = fmt.Sprintf("このフォームで送れるのは %s までです。内容を減らしてから、もう一度送ってください (This form can send at most %s. Send less and try again.)", size, size)
	}
	a.ui.errorPage(w, r, st, msg)
}

// codeMessage is the generic message of a status in both languages, "日本語 (English)", as the
// API's messages are.
func codeMessage(status int) string {
	key := "error." + strconv.Itoa(status)
	return messagesJA()[key] + " (" + strings.TrimSuffix(messagesEN()[key], ".") + ")"
}

// notFound answers the paths of a mount that no route matched: 405 with Allow when the path
// exists with other methods, else 404 — as an error like any other.
func (a *app) notFound(mux *http.ServeMux, mount string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != mount && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			a.writeError(w, r, domain.Errorf(domain.EMethodNotAllowed, "このメソッドは使えません (method not allowed; use %s)", strings.Join(allow, ", ")))
			return
		}
		msg := "ページが見つかりません (no such page)"
		if mount == apiMount {
			msg = "そのような API はありません (no such API route; see /api/v1/openapi.json)"
		}
		a.writeError(w, r, domain.Errorf(domain.ENotFound, "%s", msg))
	})
}

// prefersJSON reports whether the Accept header values rank application/json above text/html
// (goautoneg sorts the ranges by quality, then specificity). A wildcard counts for HTML, so a
// browser's "text/html,...,*/*;q=0.8" or curl's "*/*" gets HTML; a range with q=0 is refused.
func prefersJSON(accept []string) bool {
	for _, c := range goautoneg.ParseAccept(strings.Join(accept, ",")) {
		switch {
		case c.Q <= 0:
		case c.Type == "application" && c.SubType == "json":
			return true
		case c.Type == "*", c.Type == "text" && (c.SubType == "html" || c.SubType == "*"):
			return false
		}
	}
	return false
}
