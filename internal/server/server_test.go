package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"reportapp/internal/domain"
)

// syncBuffer is a log sink that the server's goroutines and the test can
// share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a Server serving on a real listener on 127.0.0.1:0.
type testServer struct {
	*Server
	url    string
	client *http.Client
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error // receives Serve's result
}

// mustStart starts a Server for app with opts and stops it when the test
// ends. It fills the Logger and Registry unless set.
func mustStart(t *testing.T, opts Options, app http.Handler) *testServer {
	t.Helper()
	logs := &syncBuffer{}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	listened := make(chan net.Addr, 2)
	opts.OnListen = func(a net.Addr) { listened <- a }
	s, err := New(opts, app)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: s, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- s.Serve(ctx, ln) }()
	select {
	case a := <-listened:
		if a.String() != s.Addr().String() {
			t.Fatalf("OnListen got %v, Addr() = %v", a, s.Addr())
		}
	case err := <-ts.done:
		t.Fatalf("Serve returned early: %v", err)
	}
	ts.url = "http://" + s.Addr().String()
	transport := &http.Transport{}
	ts.client = &http.Client{Transport: transport, Timeout: 10 * time.Second}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		cancel()
		select {
		case <-ts.done:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return within 10s of cancel")
		}
	})
	return ts
}

// mustDo sends req and returns the response with its body read.
func (ts *testServer) mustDo(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

func (ts *testServer) mustGet(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	return ts.mustDo(t, mustRequest(t, http.MethodGet, ts.url+path, nil))
}

func mustRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	return req
}

func mustPrefixes(t *testing.T, cidrs ...string) []netip.Prefix {
	t.Helper()
	var ps []netip.Prefix
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			t.Fatalf("parse prefix %q: %v", c, err)
		}
		ps = append(ps, p)
	}
	return ps
}

func okHandler(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }

func TestGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(1500 * time.Millisecond)
		io.WriteString(w, "done")
	})
	ts := mustStart(t, Options{ShutdownDelay: 500 * time.Millisecond, ShutdownTimeout: 5 * time.Second}, mux)
	addr := ts.Addr().String()

	type result struct {
		status int
		body   string
		err    error
		at     time.Time
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := ts.client.Get(ts.url + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{status: resp.StatusCode, body: string(b), err: err, at: time.Now()}
	}()
	<-started
	ts.cancel() // what SIGTERM does in main

	// During the delay the server still accepts connections, but says it
	// is not ready.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	var readyStatus int
	deadline := time.Now().Add(400 * time.Millisecond)
	for time.Now().Before(deadline) {
		resp, err := fresh.Get(ts.url + "/readyz")
		if err != nil {
			t.Fatalf("GET /readyz during the shutdown delay: %v", err)
		}
		resp.Body.Close()
		readyStatus = resp.StatusCode
		if readyStatus == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if readyStatus != http.StatusServiceUnavailable {
		t.Fatalf("/readyz during the shutdown delay = %d, want 503", readyStatus)
	}

	// After the delay the listener closes while /slow is still running.
	var refusedAt time.Time
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refusedAt = time.Now()
			break
		}
		c.Close()
	}
	if refusedAt.IsZero() {
		t.Fatal("new connections were still accepted 2s after the drain started")
	}

	res := <-slow
	if res.err != nil {
		t.Fatalf("slow request failed during the drain: %v", res.err)
	}
	if res.status != http.StatusOK || res.body != "done" {
		t.Errorf("slow request = %d %q, want 200 \"done\"", res.status, res.body)
	}
	if !refusedAt.Before(res.at) {
		t.Errorf("connections were refused only after the slow request finished; want refusal while it was in flight")
	}
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a clean drain", err)
		}
		ts.done <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the drain")
	}
}

func TestShutdownTimeoutReturnsError(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stuck", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	ts := mustStart(t, Options{ShutdownTimeout: 200 * time.Millisecond}, mux)
	go func() {
		if resp, err := ts.client.Get(ts.url + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	ts.cancel()
	select {
	case err := <-ts.done:
		if err == nil || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Serve = %v, want a shutdown deadline error", err)
		}
		ts.done <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not give up after ShutdownTimeout")
	}
}

func TestReadHeaderTimeoutCutsSlowClient(t *testing.T) {
	ts := mustStart(t, Options{ReadHeaderTimeout: 200 * time.Millisecond}, http.HandlerFunc(okHandler))
	conn, err := net.Dial("tcp", ts.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	request := "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: slowloris\r\n\r\n"
	go func() {
		for i := range len(request) {
			if _, err := conn.Write([]byte{request[i]}); err != nil {
				return // cut off, as intended
			}
			time.Sleep(50 * time.Millisecond) // the whole header takes ~2.5s
		}
	}()
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(conn)
	elapsed := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after 5s")
	}
	if strings.Contains(string(got), "200 OK") {
		t.Fatalf("slow client was served: %q", got)
	}
	if elapsed > 1500*time.Millisecond {
		t.Errorf("cut off after %v, want about 200ms", elapsed)
	}
}

func TestBodyLimit(t *testing.T) {
	var handled atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		b, err := io.ReadAll(r.Body)
		if IsBodyTooLarge(err) {
			WriteError(w, r, domain.Errorf(domain.EBodyTooLarge, "%s", "too large"))
			return
		}
		if err != nil {
			WriteError(w, r, domain.Errorf(domain.EBadRequest, "%s", err.Error()))
			return
		}
		fmt.Fprintf(w, "%d", len(b))
	})
	ts := mustStart(t, Options{MaxBodyBytes: 1024}, mux)

	// unsized hides the length so that the client sends the body chunked.
	type unsized struct{ io.Reader }
	tests := []struct {
		name        string
		body        io.Reader
		wantStatus  int
		wantBody    string
		wantHandled int32
	}{
		{"content-length within", strings.NewReader(strings.Repeat("a", 1024)), 200, "1024", 1},
		{"content-length over", strings.NewReader(strings.Repeat("a", 1025)), 413, "", 0},
		{"chunked within", unsized{strings.NewReader(strings.Repeat("a", 1000))}, 200, "1000", 1},
		{"chunked over", unsized{strings.NewReader(strings.Repeat("a", 64<<10))}, 413, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			handled.Store(0)
			req := mustRequest(t, http.MethodPost, ts.url+"/upload", tt.body)
			req.Header.Set("Accept", "application/json")
			resp, body := ts.mustDo(t, req)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == 413 {
				var e errorBody
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != "body_too_large" {
					t.Errorf("body = %q (%v), want a body_too_large JSON error", body, err)
				}
			} else if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
			if got := handled.Load(); got != tt.wantHandled {
				t.Errorf("handler ran %d times, want %d", got, tt.wantHandled)
			}
		})
	}
}

func TestPanicRecovery(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	mux.HandleFunc("GET /panic-late", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		panic("late boom")
	})
	mux.HandleFunc("GET /abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	mux.HandleFunc("GET /ok", okHandler)
	ts := mustStart(t, Options{}, mux)

	req := mustRequest(t, http.MethodGet, ts.url+"/panic", nil)
	req.Header.Set("Accept", "application/json")
	resp, body := ts.mustDo(t, req)
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET /panic = %d, want 500", resp.StatusCode)
	}
	want := errorBody{Error: errorDetail{Code: "internal", Message: "内部エラーが発生しました (internal error)"}}
	var got errorBody
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error body (-want +got):\n%s", diff)
	}
	if resp.Header.Get("Content-Security-Policy") == "" {
		t.Error("500 after a panic lacks the security headers")
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, `"panic":"boom"`) || !strings.Contains(logs, "server_test.go") {
		t.Errorf("panic and stack not logged:\n%s", logs)
	}

	// Once a response has started, the connection is cut rather than a
	// 500 being glued onto it; ErrAbortHandler cuts it too.
	for _, path := range []string{"/panic-late", "/abort"} {
		resp, err := ts.client.Get(ts.url + path)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("GET %s completed normally; want the connection cut", path)
		}
	}

	resp, body = ts.mustGet(t, "/ok")
	if resp.StatusCode != http.StatusOK || body != "ok" {
		t.Errorf("GET /ok after panics = %d %q, want 200 \"ok\"", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		route, code string
	}{{"GET /panic", "500"}, {"GET /abort", "aborted"}, {"GET /ok", "200"}} {
		if got := testutil.ToFloat64(ts.metrics.requests.WithLabelValues("GET", tc.route, tc.code)); got != 1 {
			t.Errorf("requests{route=%q,code=%q} = %v, want 1", tc.route, tc.code, got)
		}
	}
}

func TestLoadShedding(t *testing.T) {
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		io.WriteString(w, "slow")
	})
	mux.HandleFunc("GET /ok", okHandler)
	ts := mustStart(t, Options{MaxInflight: 1, QueueTimeout: 300 * time.Millisecond}, mux)

	slowDone := make(chan int, 1)
	go func() {
		resp, err := ts.client.Get(ts.url + "/slow")
		if err != nil {
			slowDone <- 0
			return
		}
		resp.Body.Close()
		slowDone <- resp.StatusCode
	}()
	<-started

	start := time.Now()
	resp, _ := ts.mustGet(t, "/ok")
	waited := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("second request = %d, want 503", resp.StatusCode)
	}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q, want a positive number of seconds", resp.Header.Get("Retry-After"))
	}
	if waited < 300*time.Millisecond {
		t.Errorf("refused after %v, want after QueueTimeout (300ms)", waited)
	}
	if got := testutil.ToFloat64(ts.metrics.shed); got != 1 {
		t.Errorf("shed_total = %v, want 1", got)
	}

	// Probes bypass the limit.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if resp, _ := ts.mustGet(t, path); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s while saturated = %d, want 200", path, resp.StatusCode)
		}
	}

	// A queued request gets the slot when it frees up within QueueTimeout.
	queued := make(chan int, 1)
	go func() {
		resp, err := ts.client.Get(ts.url + "/ok")
		if err != nil {
			queued <- 0
			return
		}
		resp.Body.Close()
		queued <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond)
	close(release)
	if got := <-slowDone; got != http.StatusOK {
		t.Errorf("slow request = %d, want 200", got)
	}
	if got := <-queued; got != http.StatusOK {
		t.Errorf("queued request = %d, want 200", got)
	}
}

func TestRouteLabelBoundsSeries(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.PathValue("id"))
	})
	ts := mustStart(t, Options{}, mux)
	for i := range 1000 {
		resp, body := ts.mustGet(t, fmt.Sprintf("/items/%d", i))
		if resp.StatusCode != 200 || body != strconv.Itoa(i) {
			t.Fatalf("GET /items/%d = %d %q", i, resp.StatusCode, body)
		}
	}
	for i := range 50 {
		ts.mustGet(t, fmt.Sprintf("/nothing/here/%d", i))
	}

	families, err := ts.registry.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "reportapp_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var route, code string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "route":
					route = l.GetValue()
				case "code":
					code = l.GetValue()
				}
			}
			got[route+" "+code] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"GET /items/{id} 200": 1000, "unmatched 404": 50}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request series (-want +got):\n%s", diff)
	}
	if n := testutil.CollectAndCount(ts.metrics.duration); n != 2 {
		t.Errorf("duration histogram has %d series, want 2", n)
	}
}

func TestRequestID(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /id", func(w http.ResponseWriter, r *http.Request) {
		Logger(r.Context()).Info("handler log line")
		io.WriteString(w, RequestID(r.Context()))
	})
	ts := mustStart(t, Options{}, mux)
	tests := []struct {
		name, sent string
		keep       bool
	}{
		{"none", "", false},
		{"sane", "abc-123_X.y", true},
		{"64 chars", strings.Repeat("a", 64), true},
		{"65 chars", strings.Repeat("a", 65), false},
		{"space", "bad id", false},
		{"log injection", `x","level":"ERROR`, false},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := mustRequest(t, http.MethodGet, ts.url+"/id", nil)
			if tt.sent != "" {
				req.Header.Set("X-Request-ID", tt.sent)
			}
			resp, body := ts.mustDo(t, req)
			echoed := resp.Header.Get("X-Request-ID")
			if body != echoed {
				t.Errorf("RequestID in handler = %q, header = %q", body, echoed)
			}
			if tt.keep {
				if echoed != tt.sent {
					t.Errorf("X-Request-ID = %q, want %q kept", echoed, tt.sent)
				}
			} else {
				if echoed == tt.sent || !validRequestID(echoed) {
					t.Errorf("X-Request-ID = %q, want a fresh valid id", echoed)
				}
				if seen[echoed] {
					t.Errorf("generated id %q twice", echoed)
				}
				seen[echoed] = true
			}
			// Both the handler's line and the access log carry the id.
			if n := strings.Count(ts.logs.String(), `"request_id":"`+echoed+`"`); n != 2 {
				t.Errorf("%d log lines carry request_id %q, want 2", n, echoed)
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	wantCommon := map[string]string{
		"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"X-Frame-Options":         "DENY",
	}
	const hsts = "max-age=63072000; includeSubDomains"
	tests := []struct {
		name     string
		trusted  []string
		proto    string
		wantHSTS string
	}{
		{"plain http", nil, "", ""},
		{"forwarded https from an untrusted peer", []string{"10.0.0.0/8"}, "https", ""},
		{"forwarded https from a trusted proxy", []string{"127.0.0.0/8"}, "https", hsts},
		{"forwarded http from a trusted proxy", []string{"127.0.0.0/8"}, "http", ""},
		{"chain ending in https", []string{"127.0.0.0/8"}, "http, https", hsts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := mustStart(t, Options{TrustedProxies: mustPrefixes(t, tt.trusted...)}, http.HandlerFunc(okHandler))
			req := mustRequest(t, http.MethodGet, ts.url+"/", nil)
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			resp, _ := ts.mustDo(t, req)
			got := map[string]string{}
			for k := range wantCommon {
				got[k] = resp.Header.Get(k)
			}
			if diff := cmp.Diff(wantCommon, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
			if got := resp.Header.Get("Strict-Transport-Security"); got != tt.wantHSTS {
				t.Errorf("Strict-Transport-Security = %q, want %q", got, tt.wantHSTS)
			}
		})
	}
}

func TestClientIPOverListener(t *testing.T) {
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, ClientIP(r)) })
	trusting := mustStart(t, Options{TrustedProxies: mustPrefixes(t, "127.0.0.0/8", "10.0.0.0/8")}, app)
	untrusting := mustStart(t, Options{TrustedProxies: mustPrefixes(t, "10.0.0.0/8")}, app)
	tests := []struct {
		name string
		ts   *testServer
		xff  []string
		want string
	}{
		{"untrusted peer, header ignored", untrusting, []string{"203.0.113.7"}, "127.0.0.1"},
		{"trusted peer, no header", trusting, nil, "127.0.0.1"},
		{"trusted peer, one hop", trusting, []string{"203.0.113.7"}, "203.0.113.7"},
		{"trusted inner proxy skipped", trusting, []string{"203.0.113.7, 10.1.2.3"}, "203.0.113.7"},
		{"spoofed left entry ignored", trusting, []string{"6.6.6.6, 203.0.113.7"}, "203.0.113.7"},
		{"several header lines", trusting, []string{"6.6.6.6", "203.0.113.7, 10.0.0.1"}, "203.0.113.7"},
		{"garbage stops the walk", trusting, []string{"203.0.113.7, nonsense"}, "127.0.0.1"},
		{"all trusted", trusting, []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"ipv6 client", trusting, []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := mustRequest(t, http.MethodGet, tt.ts.url+"/", nil)
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			_, got := tt.ts.mustDo(t, req)
			if got != tt.want {
				t.Errorf("ClientIP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClientIPWithoutServer(t *testing.T) {
	// Outside the middleware nothing is trusted.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "[::ffff:192.0.2.1]:1234"
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	r.Header.Set("X-Forwarded-Proto", "https")
	if got := ClientIP(r); got != "192.0.2.1" {
		t.Errorf("ClientIP = %q, want 192.0.2.1", got)
	}
	if IsHTTPS(r) {
		t.Error("IsHTTPS believed X-Forwarded-Proto with no trusted proxies")
	}
	if got := RequestID(r.Context()); got != "" {
		t.Errorf("RequestID = %q outside the server", got)
	}
	if Logger(r.Context()) == nil {
		t.Error("Logger returned nil outside the server")
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("127.0.0.1:80", "203.0.113.7, 10.0.0.1")
	f.Add("[::1]:1", ",,, ::ffff:1.2.3.4 ,")
	f.Add("garbage", "")
	trusted := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		got := clientIP(remote, []string{xff}, trusted)
		if _, ok := parseRemoteAddr(remote); ok {
			if _, err := netip.ParseAddr(got); err != nil {
				t.Errorf("clientIP(%q, %q) = %q, not an address", remote, xff, got)
			}
		}
	})
}

func TestReadyz(t *testing.T) {
	var failing atomic.Bool
	var hang atomic.Bool
	ready := func(ctx context.Context) error {
		if hang.Load() {
			<-ctx.Done()
			return ctx.Err()
		}
		if failing.Load() {
			return errors.New("dial tcp db.internal:5432: connection refused")
		}
		return nil
	}
	ts := mustStart(t, Options{Ready: ready}, http.NotFoundHandler())
	steps := []struct {
		name     string
		failing  bool
		hang     bool
		want     probeStatus
		wantCode int
	}{
		{"ready", false, false, probeStatus{Status: "ready"}, 200},
		{"database down", true, false, probeStatus{Status: "unavailable", Reason: "readiness check failed"}, 503},
		{"back up", false, false, probeStatus{Status: "ready"}, 200},
		{"hangs past 1s", false, true, probeStatus{Status: "unavailable", Reason: "readiness check timed out"}, 503},
	}
	for _, st := range steps {
		failing.Store(st.failing)
		hang.Store(st.hang)
		start := time.Now()
		resp, body := ts.mustGet(t, "/readyz")
		var got probeStatus
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s: decode %q: %v", st.name, body, err)
		}
		if resp.StatusCode != st.wantCode {
			t.Errorf("%s: status = %d, want %d", st.name, resp.StatusCode, st.wantCode)
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s: body (-want +got):\n%s", st.name, diff)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("%s: took %v, want at most ~1s", st.name, elapsed)
		}
	}
	if strings.Contains(ts.mustHealthz(t), "db.internal") {
		t.Error("readiness error details leaked")
	}
	if !strings.Contains(ts.logs.String(), "db.internal") {
		t.Error("readiness error not logged")
	}
}

// mustHealthz checks /healthz and returns its body.
func (ts *testServer) mustHealthz(t *testing.T) string {
	t.Helper()
	resp, body := ts.mustGet(t, "/healthz")
	if resp.StatusCode != 200 || body != "{\"status\":\"ok\"}\n" {
		t.Fatalf("GET /healthz = %d %q", resp.StatusCode, body)
	}
	return body
}

func TestHealthzNeverCallsReady(t *testing.T) {
	var calls atomic.Int32
	ts := mustStart(t, Options{Ready: func(context.Context) error { calls.Add(1); return errors.New("down") }}, http.NotFoundHandler())
	ts.mustHealthz(t)
	if n := calls.Load(); n != 0 {
		t.Errorf("/healthz called Ready %d times", n)
	}
}

func TestRequestDeadline(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wait", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Deadline(); !ok {
			WriteError(w, r, domain.Errorf(domain.EInternal, "%s", "no deadline"))
			return
		}
		select {
		case <-r.Context().Done():
			WriteError(w, r, domain.Errorf(domain.EUnavailable, "%s", "took too long"))
		case <-time.After(5 * time.Second):
			io.WriteString(w, "no timeout")
		}
	})
	ts := mustStart(t, Options{RequestTimeout: 200 * time.Millisecond}, mux)
	start := time.Now()
	resp, _ := ts.mustGet(t, "/wait")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503 from the handler seeing its deadline", resp.StatusCode)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %v, want about 200ms", elapsed)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	t.Run("on the main listener", func(t *testing.T) {
		ts := mustStart(t, Options{}, http.NotFoundHandler())
		resp, body := ts.mustGet(t, "/metrics")
		if resp.StatusCode != 200 {
			t.Fatalf("GET /metrics = %d", resp.StatusCode)
		}
		for _, name := range []string{"reportapp_http_inflight", "go_goroutines", "process_cpu_seconds_total"} {
			if !strings.Contains(body, name) {
				t.Errorf("/metrics lacks %s", name)
			}
		}
	})
	t.Run("on its own listener", func(t *testing.T) {
		ts := mustStart(t, Options{MetricsAddr: "127.0.0.1:0"}, http.NotFoundHandler())
		if resp, _ := ts.mustGet(t, "/metrics"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics on the main listener = %d, want 404 (the app's)", resp.StatusCode)
		}
		resp, body := ts.mustDo(t, mustRequest(t, http.MethodGet, "http://"+ts.MetricsAddr().String()+"/metrics", nil))
		if resp.StatusCode != 200 || !strings.Contains(body, "reportapp_http_requests_total") {
			t.Errorf("GET /metrics on the metrics listener = %d, body lacks the request counter", resp.StatusCode)
		}
	})
}

func TestAccessLogOmitsSecrets(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/things/{id}", okHandler)
	ts := mustStart(t, Options{}, mux)
	req := mustRequest(t, http.MethodGet, ts.url+"/api/v1/things/42?token=SECRETQUERY", nil)
	req.Header.Set("Authorization", "Bearer SECRETBEARER")
	req.Header.Set("Cookie", "session=SECRETCOOKIE")
	ts.mustDo(t, req)
	var line map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(ts.logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		if m["msg"] == "http request" {
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no access log line in:\n%s", ts.logs.String())
	}
	for _, secret := range []string{"SECRETQUERY", "SECRETBEARER", "SECRETCOOKIE"} {
		if strings.Contains(ts.logs.String(), secret) {
			t.Errorf("log contains %s", secret)
		}
	}
	want := map[string]any{"method": "GET", "route": "GET /api/v1/things/{id}", "path": "/api/v1/things/42",
		"status": "200", "bytes": float64(2), "client_ip": "127.0.0.1"}
	got := map[string]any{}
	for k := range want {
		got[k] = line[k]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("access log fields (-want +got):\n%s", diff)
	}
	for _, k := range []string{"duration", "request_id"} {
		if _, ok := line[k]; !ok {
			t.Errorf("access log lacks %s", k)
		}
	}
}

func TestProbesLogAtDebug(t *testing.T) {
	logs := &syncBuffer{}
	ts := mustStart(t, Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))}, http.HandlerFunc(okHandler))
	ts.mustHealthz(t)
	if strings.Contains(logs.String(), "/healthz") {
		t.Errorf("a healthy probe was logged at Info: %s", logs)
	}
	ts.mustGet(t, "/page")
	if !strings.Contains(logs.String(), `"path":"/page"`) {
		t.Errorf("an application request was not logged at Info: %s", logs)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		app  http.Handler
		want []string
	}{
		{"nil app", Options{}, nil, []string{"nil application handler"}},
		{"negatives", Options{RequestTimeout: -1, MaxBodyBytes: -1, MaxInflight: -1}, http.NotFoundHandler(),
			[]string{"RequestTimeout is negative", "MaxBodyBytes is negative", "MaxInflight is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts, tt.app)
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	t.Run("same registry twice", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		if _, err := New(Options{Registry: reg}, http.NotFoundHandler()); err != nil {
			t.Fatalf("first New: %v", err)
		}
		if _, err := New(Options{Registry: reg}, http.NotFoundHandler()); err == nil {
			t.Error("second New on the same registry succeeded; its metrics would be lost")
		}
	})
}

func TestServeTwice(t *testing.T) {
	ts := mustStart(t, Options{}, http.NotFoundHandler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Serve(context.Background(), ln); err == nil {
		t.Error("second Serve succeeded")
	}
}

// BenchmarkChain measures what the middleware adds to a trivial handler.
func BenchmarkChain(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	s, err := New(Options{MaxInflight: 64, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))}, mux)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"bare mux", mux}, {"full chain", s.Handler()}} {
		b.Run(bc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				bc.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// TestMetricsNotPublicUnlessConfigured is issue 11 item 14: in production /metrics is off the
// main listener unless a token protects it (or it has its own listener, above).
func TestMetricsNotPublicUnlessConfigured(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		ts := mustStart(t, Options{NoMetrics: true}, http.NotFoundHandler())
		if resp, _ := ts.mustGet(t, "/metrics"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics = %d, want 404 (the app's)", resp.StatusCode)
		}
	})
	t.Run("token", func(t *testing.T) {
		ts := mustStart(t, Options{MetricsToken: "s3cret"}, http.NotFoundHandler())
		for _, tt := range []struct {
			auth string
			want int
		}{{"", 401}, {"Bearer wrong", 401}, {"Bearer s3cret", 200}} {
			req := mustRequest(t, http.MethodGet, ts.url+"/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if resp, _ := ts.mustDo(t, req); resp.StatusCode != tt.want {
				t.Errorf("GET /metrics with %q = %d, want %d", tt.auth, resp.StatusCode, tt.want)
			}
		}
	})
}
