package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"reportapp/internal/domain"
)

// IsBodyTooLarge reports whether err comes from reading a request body past
// Options.MaxBodyBytes. Handlers that decode a body answer 413 when it does.
func IsBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// BodyLimitOf returns the limit that a body over its limit (IsBodyTooLarge) passed, so that the
// answer can say it.
func BodyLimitOf(err error) (limit int64, ok bool) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return mbe.Limit, true
	}
	return 0, false
}

// An ErrorWriter writes err as the response to r: the status of its
// domain.Code, a body in the form the route answers in. The application
// provides the one ErrorWriter of the process (Options.WriteError, and
// WithErrorWriter for the requests it serves).
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

type errorWriterKey struct{}

// WithErrorWriter returns a context in which WriteError uses write.
func WithErrorWriter(ctx context.Context, write ErrorWriter) context.Context {
	return context.WithValue(ctx, errorWriterKey{}, write)
}

// WriteError writes err as the response through the request's ErrorWriter
// (see WithErrorWriter). Packages below the application (auth) call it, so
// that their errors look like every other. Without an ErrorWriter it writes
// the JSON error body with the code's status.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if write, ok := r.Context().Value(errorWriterKey{}).(ErrorWriter); ok && write != nil {
		write(w, r, err)
		return
	}
	writePlainError(w, r, err)
}

// writeError writes the server's own errors (panics, shedding, body
// limits) through Options.WriteError.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if s.opts.WriteError != nil {
		s.opts.WriteError(w, r, err)
		return
	}
	writePlainError(w, r, err)
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    domain.Code `json:"code"`
	Message string      `json:"message"`
}

// writePlainError is the fallback when no ErrorWriter is installed (tests
// of the packages below the application): the JSON error body, the message
// of a domain error only; a deadline is 503 with Retry-After.
func writePlainError(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := domain.ErrorCode(err), ""
	var de *domain.Error
	if errors.As(err, &de) {
		msg = de.Message
	}
	if code == domain.EInternal && IsBodyTooLarge(err) {
		code, msg = domain.EBodyTooLarge, "リクエストが大きすぎます (request body too large)"
	}
	if code == domain.EInternal && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		code, msg = domain.EUnavailable, "処理が時間内に終わりませんでした (timed out)"
		w.Header().Set("Retry-After", "5")
	}
	if code == domain.EInternal {
		Logger(r.Context()).Error("internal error", "err", err)
		msg = "内部エラーが発生しました (internal error)"
	}
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code.Status())
	_ = json.NewEncoder(w).Encode(errorBody{Error: errorDetail{Code: code, Message: msg}})
}
