package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"reportapp/internal/domain"
)

// Defaults for the zero values of Options.
const (
	// DefaultReadHeaderTimeout bounds how long a client may take to send
	// its request headers (slowloris).
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultRequestTimeout is Gunicorn's default worker timeout.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultBodyReadTimeout bounds how long a client may take to send a
	// request body: 1 MiB at 1 Mbit/s takes about 8s.
	DefaultBodyReadTimeout = 10 * time.Second
	// DefaultShutdownTimeout leaves a margin under the 30s stop timeout of
	// ECS and Kubernetes.
	DefaultShutdownTimeout = 25 * time.Second
	// DefaultMaxBodyBytes fits a bulk import or an attached seal image.
	DefaultMaxBodyBytes = 10 << 20

	idleTimeout    = 120 * time.Second
	maxHeaderBytes = 64 << 10
	// writeTimeoutSlack lets a handler that hit its deadline still write
	// its error response before the connection is cut.
	writeTimeoutSlack = 5 * time.Second
	readyTimeout      = time.Second
)

// Options configure a Server. main fills them from the configuration; a
// zero duration or size means the default documented on the field.
type Options struct {
	// WriteError writes the server's own error responses (a panic, a full
	// queue, a body over the limit or too slow) like the application's
	// errors; the JSON error body when nil.
	WriteError ErrorWriter
	// Addr is the address ListenAndServe listens on, e.g. ":8080".
	Addr string
	// MetricsAddr, when set, moves GET /metrics to a listener of its own
	// (kept off the public port); "" serves it on the main listener.
	MetricsAddr string
	// MetricsToken, when set, is required as "Authorization: Bearer <token>"
	// by GET /metrics on whichever listener serves it.
	MetricsToken string
	// NoMetrics leaves GET /metrics off the main listener (production without
	// MetricsAddr or MetricsToken: the metrics are not for the public).
	NoMetrics bool

	// RequestTimeout is the deadline of each request's context and the
	// http.Server ReadTimeout; WriteTimeout is 5s more. Default 30s.
	RequestTimeout time.Duration
	// QueueTimeout is how long a request waits for one of MaxInflight
	// slots before it is refused with 503. Zero refuses at once.
	QueueTimeout time.Duration
	// ShutdownDelay is how long the server keeps serving after ctx is
	// cancelled while /readyz answers 503, so the load balancer can take it
	// out of rotation before connections are refused.
	ShutdownDelay time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests after the
	// delay. Default 25s.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout bounds reading request headers. Default 10s.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds reading a request body, counted from the end of
	// its headers. Default 10s.
	BodyReadTimeout time.Duration

	// MaxBodyBytes is the largest request body accepted. Default 10 MiB.
	MaxBodyBytes int64
	// BodyLimit, when set, gives a larger body limit than MaxBodyBytes for a request whose route
	// needs one (an upload form that takes two images), or 0. The larger of the two applies.
	BodyLimit func(r *http.Request) int64
	// RouteTimeout, when set, gives a request whose route streams a long response (the CSV of
	// the document list) a longer deadline than RequestTimeout, or 0. The larger applies, to the
	// context and to the connection's write deadline alike.
	RouteTimeout func(r *http.Request) time.Duration
	// MaxInflight is how many requests may run at once; zero means no
	// limit. /healthz, /readyz and /metrics do not count.
	MaxInflight int

	// TrustedProxies are the networks whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (see ClientIP, IsHTTPS).
	TrustedProxies []netip.Prefix

	// Logger receives the access log and server errors; nil discards.
	Logger *slog.Logger
	// Registry is the process's metrics registry. New registers the HTTP
	// collectors and the Go and process collectors on it; nil makes a
	// private one.
	Registry *prometheus.Registry
	// Ready is the readiness probe (a database ping), called by /readyz
	// with a 1s timeout; nil means always ready.
	Ready func(ctx context.Context) error
	// OnListen, when set, is called with each bound address once Serve is
	// accepting connections: the main one first, then the metrics one.
	OnListen func(net.Addr)
}

// Server is the HTTP process around the application's handler. Create it
// with New; it serves once.
type Server struct {
	opts     Options
	logger   *slog.Logger
	registry *prometheus.Registry
	metrics  *metrics
	slots    chan struct{} // nil when MaxInflight is 0
	handler  http.Handler
	metricsH http.Handler
	health   *http.ServeMux

	draining     atomic.Bool  // readiness is off: shutdown has begun
	bodyBuffered atomic.Int64 // bytes of request bodies read ahead (withBodyRead)
	bodyBudget   int64        // bodyBufferBudget; tests lower it

	mu          sync.Mutex
	started     bool
	addr        net.Addr
	metricsAddr net.Addr
}

// New wraps app (the application's http.Handler, usually an
// *http.ServeMux) in the middleware chain and adds GET /healthz,
// GET /readyz and, unless MetricsAddr is set, GET /metrics. Those three are
// answered before load shedding, the body limit and the deadline, so probes
// work while the server is saturated; they shadow the same paths in app.
// It fails on negative limits or if the metrics cannot be registered.
func New(opts Options, app http.Handler) (*Server, error) {
	if app == nil {
		return nil, errors.New("server: new: nil application handler")
	}
	if err := opts.setDefaults(); err != nil {
		return nil, fmt.Errorf("server: new: %w", err)
	}
	s := &Server{opts: opts, logger: opts.Logger, registry: opts.Registry, bodyBudget: bodyBufferBudget}
	m, err := newMetrics(s.registry)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if opts.MaxInflight > 0 {
		s.slots = make(chan struct{}, opts.MaxInflight)
	}
	s.metricsH = withBearer(opts.MetricsToken, promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.logger.Handler(), slog.LevelError),
	}))
	s.health = http.NewServeMux()
	s.health.HandleFunc("GET /healthz", s.handleHealthz)
	s.health.HandleFunc("GET /readyz", s.handleReadyz)
	if s.metricsOnMain() {
		s.health.Handle("GET /metrics", s.metricsH)
	}

	probes := withRoute(s.health)
	appChain := s.withBodyLimit(s.withBodyRead(s.withShedding(s.withDeadline(withRoute(app)))))
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.isProbe(r.URL.Path) {
			probes.ServeHTTP(w, r)
			return
		}
		appChain.ServeHTTP(w, r)
	})
	h = withSecurityHeaders(h)
	h = s.withRecovery(h)
	h = s.withObservation(h)
	s.handler = s.withRequestID(h)
	return s, nil
}

func (o *Options) setDefaults() error {
	var errs []error
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"RequestTimeout", &o.RequestTimeout, DefaultRequestTimeout},
		{"QueueTimeout", &o.QueueTimeout, 0},
		{"ShutdownDelay", &o.ShutdownDelay, 0},
		{"ShutdownTimeout", &o.ShutdownTimeout, DefaultShutdownTimeout},
		{"ReadHeaderTimeout", &o.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{"BodyReadTimeout", &o.BodyReadTimeout, DefaultBodyReadTimeout},
	} {
		switch {
		case *d.v < 0:
			errs = append(errs, fmt.Errorf("%s is negative (%s)", d.name, *d.v))
		case *d.v == 0:
			*d.v = d.def
		}
	}
	switch {
	case o.MaxBodyBytes < 0:
		errs = append(errs, fmt.Errorf("MaxBodyBytes is negative (%d)", o.MaxBodyBytes))
	case o.MaxBodyBytes == 0:
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxInflight < 0 {
		errs = append(errs, fmt.Errorf("MaxInflight is negative (%d)", o.MaxInflight))
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	return errors.Join(errs...)
}

func (s *Server) isProbe(path string) bool {
	switch path {
	case "/healthz", "/readyz":
		return true
	case "/metrics":
		return s.metricsOnMain()
	}
	return false
}

func (s *Server) metricsOnMain() bool { return s.opts.MetricsAddr == "" && !s.opts.NoMetrics }

// withBearer requires "Authorization: Bearer <token>" when token is set.
func withBearer(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			WriteError(w, r, domain.Errorf(domain.EUnauthorized, "メトリクスのトークンが必要です (a metrics token is required)"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Handler returns the full middleware chain with the application inside,
// for tests and for embedding in another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Addr returns the address Serve is bound to, or nil before it serves.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// MetricsAddr returns the address of the metrics listener, or nil when
// MetricsAddr is unset or before Serve.
func (s *Server) MetricsAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.metricsAddr
}

// ListenAndServe listens on Options.Addr and calls Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.opts.Addr, err)
	}
	return s.Serve(ctx, ln)
}

func (s *Server) newHTTPServer(ctx context.Context, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.RequestTimeout,
		WriteTimeout:      s.opts.RequestTimeout + writeTimeoutSlack,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		// Requests must outlive ctx: cancelling it starts a drain, and the
		// drain is for letting them finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// Serve serves on ln (and on a listener on MetricsAddr, if set) until ctx is
// cancelled, then shuts down gracefully: /readyz turns 503 at once, the
// server keeps serving for ShutdownDelay, then stops accepting connections
// and waits up to ShutdownTimeout for in-flight requests. It returns nil on
// a clean drain, and an error if serving failed or the drain timed out (the
// remaining connections are then closed). ln is closed when Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		ln.Close()
		return errors.New("server: serve: already served")
	}
	s.started = true
	s.mu.Unlock()

	servers := []*http.Server{s.newHTTPServer(ctx, s.handler)}
	listeners := []net.Listener{ln}
	if s.opts.MetricsAddr != "" {
		var lc net.ListenConfig
		mln, err := lc.Listen(ctx, "tcp", s.opts.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("server: listen for metrics on %s: %w", s.opts.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.metricsH)
		servers = append(servers, s.newHTTPServer(ctx, mux))
		listeners = append(listeners, mln)
	}

	s.mu.Lock()
	s.addr = ln.Addr()
	if len(listeners) > 1 {
		s.metricsAddr = listeners[1].Addr()
	}
	s.mu.Unlock()

	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	for _, l := range listeners {
		// main's OnListen usually logs this with more context.
		s.logger.Debug("listening", slog.String("addr", l.Addr().String()))
		if s.opts.OnListen != nil {
			s.opts.OnListen(l.Addr())
		}
	}

	var serveErr error
	select {
	case <-ctx.Done():
		s.draining.Store(true)
		s.logger.Info("shutting down", slog.Duration("delay", s.opts.ShutdownDelay),
			slog.Duration("timeout", s.opts.ShutdownTimeout))
		// Answer with Connection: close from now on, so clients and the
		// load balancer open their next connection elsewhere.
		for _, srv := range servers {
			srv.SetKeepAlivesEnabled(false)
		}
		time.Sleep(s.opts.ShutdownDelay)
	case err := <-errc:
		// A listener failed; stop the other one too.
		serveErr = fmt.Errorf("server: serve: %w", err)
		s.draining.Store(true)
	}

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	var shutdownErr error
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
			shutdownErr = errors.Join(shutdownErr, err)
		}
	}
	if shutdownErr != nil {
		shutdownErr = fmt.Errorf("server: shutdown: %w", shutdownErr)
	}
	if err := errors.Join(serveErr, shutdownErr); err != nil {
		return err
	}
	s.logger.Info("shut down cleanly")
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type probeStatus struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// handleHealthz is the liveness probe: the process answers. It never
// touches the database, so a database outage does not get every replica
// restarted.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, probeStatus{Status: "ok"})
}

// handleReadyz is the readiness probe: 503 once shutdown has begun or while
// Ready fails, so the load balancer stops sending traffic here.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, probeStatus{Status: "unavailable", Reason: "shutting down"})
		return
	}
	if err := s.checkReady(r.Context()); err != nil {
		// The details (hosts, users) stay in the log, not on a public port.
		Logger(r.Context()).Warn("readiness check failed", slog.Any("err", err))
		reason := "readiness check failed"
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "readiness check timed out"
		}
		writeJSON(w, http.StatusServiceUnavailable, probeStatus{Status: "unavailable", Reason: reason})
		return
	}
	writeJSON(w, http.StatusOK, probeStatus{Status: "ready"})
}

// checkReady calls Ready with a 1s timeout and returns by then even if
// Ready ignores its context.
func (s *Server) checkReady(ctx context.Context) error {
	if s.opts.Ready == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("ready: panic: %v", p)
			}
		}()
		done <- s.opts.Ready(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("ready: %w", ctx.Err())
	}
}
