package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"reportapp/internal/domain"
)

// contentSecurityPolicy allows only our own origin; data: images are for
// inline logos and seals in previews.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

// responseWriter records what the layers inside it wrote, for the access
// log and the metrics. Unwrap lets http.ResponseController reach the real
// connection (flush, deadlines, hijack).
type responseWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (rw *responseWriter) WriteHeader(code int) {
	if !rw.wroteHeader {
		if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
			// Informational responses (103 Early Hints) come before the real one.
			rw.ResponseWriter.WriteHeader(code)
			return
		}
		rw.status, rw.wroteHeader = code, true
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *responseWriter) Write(b []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += int64(n)
	return n, err
}

// ReadFrom keeps io.Copy to the response on the fast path (sendfile).
func (rw *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := io.Copy(rw.ResponseWriter, src)
	rw.bytes += n
	return n, err
}

// Flush serves handlers that stream (PDFs, exports) and assert http.Flusher.
func (rw *responseWriter) Flush() {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(rw.ResponseWriter).Flush()
}

func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// withRequestID is the outermost layer: it settles the request id, echoes it
// in X-Request-ID, and puts it and a logger carrying it in the context.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set("X-Request-ID", id)
		info := &requestInfo{
			id:      id,
			logger:  s.logger.With(slog.String("request_id", id)),
			trusted: s.opts.TrustedProxies,
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
	})
}

// withObservation counts, times and logs every request. Only the method,
// the route pattern and the path are logged: never the query string (it may
// hold tokens), Authorization or cookies.
func (s *Server) withObservation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inflight.Inc()
		rw := &responseWriter{ResponseWriter: w}
		aborted := true
		defer func() {
			s.metrics.inflight.Dec()
			elapsed := time.Since(start)
			method := methodLabel(r.Method)
			route := routeUnmatched
			if info := infoFrom(r.Context()); info != nil && info.route != "" {
				route = info.route
			}
			status := rw.status
			if !rw.wroteHeader {
				status = http.StatusOK // what net/http sends for a handler that wrote nothing
			}
			code := strconv.Itoa(status)
			if aborted {
				code = "aborted" // the connection was cut (http.ErrAbortHandler)
			}
			s.metrics.requests.WithLabelValues(method, route, code).Inc()
			s.metrics.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			switch {
			case status >= 500 || aborted:
				level = slog.LevelWarn
			case status < 400 && s.isProbe(r.URL.Path):
				// Load balancer probes every few seconds would drown the log.
				level = slog.LevelDebug
			}
			Logger(r.Context()).LogAttrs(r.Context(), level, "http request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.String("path", r.URL.Path),
				slog.String("status", code),
				slog.Int64("bytes", rw.bytes),
				slog.Duration("duration", elapsed),
				slog.String("client_ip", ClientIP(r)),
			)
		}()
		next.ServeHTTP(rw, r)
		aborted = false
	})
}

// withRecovery turns a handler panic into a logged 500 so one bad request
// does not take the process down. http.ErrAbortHandler is passed on: it is
// how a handler asks net/http to cut the connection.
func (s *Server) withRecovery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(p)
			}
			Logger(r.Context()).LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.Any("panic", p),
				slog.String("stack", string(debug.Stack())),
			)
			if rw, ok := w.(*responseWriter); ok && rw.wroteHeader {
				// Part of a response is out; a 500 now would be appended to
				// it. Cutting the connection tells the client it is broken.
				panic(http.ErrAbortHandler)
			}
			s.writeError(w, r, fmt.Errorf("server: panic: %v", p))
		}()
		next.ServeHTTP(w, r)
	})
}

// withSecurityHeaders sets the headers every response carries. Handlers may
// override them (a PDF preview embedded in our own page, for instance).
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if IsHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// withShedding lets at most MaxInflight requests run at once. A request
// waits up to QueueTimeout for a slot and is then refused with 503 and
// Retry-After, which a load balancer or client can act on, instead of
// queueing without bound and timing out everyone.
func (s *Server) withShedding(next http.Handler) http.Handler {
	if s.slots == nil {
		return next
	}
	retryAfter := strconv.Itoa(max(1, int((s.opts.QueueTimeout+time.Second-1)/time.Second)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.slots <- struct{}{}:
		default:
			if !s.waitForSlot(r.Context()) {
				if r.Context().Err() != nil {
					// The client gave up while queued; nobody reads this.
					s.writeError(w, r, domain.Errorf(domain.EUnavailable, "リクエストは取り消されました (the request was cancelled)"))
					return
				}
				s.metrics.shed.Inc()
				w.Header().Set("Retry-After", retryAfter)
				s.writeError(w, r, domain.Errorf(domain.EUnavailable, "混み合っています。しばらくしてから再試行してください (busy, retry later)"))
				return
			}
		}
		defer func() { <-s.slots }()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) waitForSlot(ctx context.Context) bool {
	if s.opts.QueueTimeout <= 0 {
		return false
	}
	t := time.NewTimer(s.opts.QueueTimeout)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// withBodyLimit refuses a declared Content-Length over MaxBodyBytes (or the
// route's BodyLimit) at once
// and caps any other body, so that a chunked upload fails with
// *http.MaxBytesError (see IsBodyTooLarge) once it passes the limit. Either
// way the refused body is then drained (see drainBody) before the connection
// is closed, so that the client reads the 413 instead of a reset.
func (s *Server) withBodyLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		limit := s.opts.MaxBodyBytes
		if s.opts.BodyLimit != nil {
			limit = max(limit, s.opts.BodyLimit(r))
		}
		raw := r.Body
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			s.writeError(w, r, &http.MaxBytesError{Limit: limit})
			drainBody(w, raw)
			return
		}
		capped := &limitedBody{ReadCloser: http.MaxBytesReader(w, raw, limit)}
		r.Body = capped
		next.ServeHTTP(w, r)
		if capped.over {
			drainBody(w, raw)
		}
	})
}

// withDeadline gives the handler's context a deadline of RequestTimeout.
// http.TimeoutHandler is not used: it buffers the whole response, which
// would hold streamed PDFs in memory and break Flush. A handler that ignores
// its context is still cut off at the connection level by the http.Server's
// WriteTimeout (RequestTimeout + 5s).
//
// A route with its own longer deadline (RouteTimeout) gets it for the context and, past
// the server's WriteTimeout, for the connection's writes.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		timeout := s.opts.RequestTimeout
		if s.opts.RouteTimeout != nil {
			if t := s.opts.RouteTimeout(r); t > timeout {
				timeout = t
				// The connection's read deadline (ReadTimeout) would cancel the context too, from
				// net/http's background read. Not every ResponseWriter supports deadlines.
				rc := http.NewResponseController(w)
				_ = rc.SetReadDeadline(time.Now().Add(t))
				_ = rc.SetWriteDeadline(time.Now().Add(t + writeTimeoutSlack))
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withRoute is the innermost layer. The ServeMux sets Pattern on the very
// request it is given, so after it returns (or panics) the pattern it
// matched can be read here and handed to the outer layers through the
// context, whose copies of the request never see it.
func withRoute(app http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if info := infoFrom(r.Context()); info != nil && r.Pattern != "" {
				info.route = r.Pattern
			}
		}()
		app.ServeHTTP(w, r)
	})
}
