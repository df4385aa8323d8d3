package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects a server's log output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is an environment for run: a fresh SQLite data dir, port 0, JSON logs, plus vars.
func testEnv(t *testing.T, vars map[string]string) func(string) string {
	t.Helper()
	m := map[string]string{
		"ADDR":           "127.0.0.1:0",
		"DATA_DIR":       t.TempDir(),
		"LOG_FORMAT":     "json",
		"SHUTDOWN_DELAY": "0s",
	}
	for k, v := range vars {
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// runningServer is reportapp serve started by run in this process.
type runningServer struct {
	URL    string
	Logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// mustStart starts `reportapp serve` through run and waits for its "listening" log line.
func mustStart(t *testing.T, getenv func(string) string) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServer{Logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- run(ctx, []string{"reportapp", "serve"}, getenv, strings.NewReader(""), io.Discard, s.Logs)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if addr := listeningAddr(s.Logs.String()); addr != "" {
			s.URL = "http://" + addr
			t.Cleanup(func() { s.stop(t) })
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("server exited before listening: %v\nlogs:\n%s", err, s.Logs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("server did not start listening; logs:\n%s", s.Logs)
	return nil
}

// stop cancels the server's context (as SIGTERM does) and returns run's result.
func (s *runningServer) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err, ok := <-s.done:
		if ok {
			close(s.done)
		}
		return err
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not stop")
	}
	return nil
}

func listeningAddr(logs string) string {
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
			return line.Addr
		}
	}
	return ""
}

// mustToken creates an organisation and an admin with `reportapp user create`, then a token with
// `reportapp token create`.
func mustToken(t *testing.T, getenv func(string) string, org, email string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"reportapp", "user", "create", "--org", org, "--email", email, "--role", "admin"}, getenv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("user create: %v\n%s", err, errOut.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"reportapp", "token", "create", "--org", org, "--email", email}, getenv, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

func mustGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeProbesAndHome(t *testing.T) {
	t.Parallel()
	s := mustStart(t, testEnv(t, nil))
	for _, p := range []struct {
		path string
		want int
	}{{"/healthz", 200}, {"/readyz", 200}, {"/", 200}, {"/metrics", 200}, {"/api/v1/openapi.json", 200}, {"/api/v1/documents", 401}, {"/no/such/page", 404}} {
		if code, body := mustGet(t, s.URL+p.path); code != p.want {
			t.Errorf("GET %s = %d, want %d: %s", p.path, code, p.want, body)
		}
	}
	if err := s.stop(t); err != nil {
		t.Errorf("clean shutdown returned %v", err)
	}
}

// TestGracefulShutdown: a request in flight when SIGTERM arrives completes; /readyz said 503
// during the delay; afterwards new connections are refused; run returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	// Production: in development a signal stops the server at once.
	getenv := testEnv(t, map[string]string{"SHUTDOWN_DELAY": "600ms", "SHUTDOWN_TIMEOUT": "10s", "APP_ENV": "production",
		"SECRET_KEY": strings.Repeat("k", 64), "BASE_URL": "http://localhost:5000"})
	token := mustToken(t, getenv, "acme", "admin@example.com")
	s := mustStart(t, getenv)

	// A slow request: the body of a customer is uploaded in two halves with a pause between.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/customers", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	result := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("slow request failed: %v", err)
			result <- 0
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	body := `{"name":"株式会社サンプル","honorific":"御中"}`
	io.WriteString(pw, body[:10])
	time.Sleep(100 * time.Millisecond) // the request is in flight

	stopped := make(chan error, 1)
	go func() { stopped <- s.stop(t) }()

	// During SHUTDOWN_DELAY the process still serves, and says it is not ready.
	time.Sleep(200 * time.Millisecond)
	if code, _ := mustGet(t, s.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during shutdown = %d, want 503", code)
	}
	time.Sleep(600 * time.Millisecond) // past the delay: the listener is closed
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "http://"), time.Second); err == nil {
		c.Close()
		t.Errorf("a new connection was accepted after the drain started")
	}
	io.WriteString(pw, body[10:])
	pw.Close()
	if code := <-result; code != http.StatusCreated {
		t.Errorf("slow request in flight = %d, want 201", code)
	}
	if err := <-stopped; err != nil {
		t.Errorf("run returned %v after a clean drain", err)
	}
}

func TestBodyLimitAndSlowUpload(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, map[string]string{"MAX_INFLIGHT": "1", "QUEUE_TIMEOUT": "200ms", "MAX_BODY_BYTES": "4096"})
	token := mustToken(t, getenv, "acme", "admin@example.com")
	s := mustStart(t, getenv)

	big := strings.NewReader(`{"name":"` + strings.Repeat("あ", 5000) + `"}`)
	req, _ := http.NewRequest("POST", s.URL+"/api/v1/customers", big)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body = %d, want 413", resp.StatusCode)
	}

	// A slow upload does not hold the only slot (its body is read before it takes one): the next
	// request is served at once. Load shedding itself is tested in internal/server.
	pr, pw := io.Pipe()
	slow, _ := http.NewRequest("POST", s.URL+"/api/v1/customers", pr)
	slow.Header.Set("Authorization", "Bearer "+token)
	slow.Header.Set("Content-Type", "application/json")
	done := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(slow)
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	io.WriteString(pw, `{"name":`)
	time.Sleep(150 * time.Millisecond)
	start := time.Now()
	r2, _ := http.NewRequest("GET", s.URL+"/api/v1/customers", nil)
	r2.Header.Set("Authorization", "Bearer "+token)
	resp2, err := http.DefaultClient.Do(r2)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if waited := time.Since(start); resp2.StatusCode != http.StatusOK || waited > 150*time.Millisecond {
		t.Errorf("request beside a slow upload = %d after %v, want 200 before QUEUE_TIMEOUT (200ms)", resp2.StatusCode, waited)
	}
	io.WriteString(pw, `"遅い株式会社"}`)
	pw.Close()
	if code := <-done; code != http.StatusCreated {
		t.Errorf("slow request = %d, want 201", code)
	}
}

// TestSlowHeadersCutOff: a client that trickles its request headers is disconnected by the
// server's ReadHeaderTimeout instead of holding a connection for ever.
func TestSlowHeadersCutOff(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the full ReadHeaderTimeout (10s)")
	}
	t.Parallel()
	s := mustStart(t, testEnv(t, nil))
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	head := "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 100)
	var werr error
	for i := 0; i < len(head) && time.Since(start) < 30*time.Second; i++ {
		if _, werr = c.Write([]byte{head[i]}); werr != nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if werr == nil {
		// The server may have closed without our write failing yet: a read tells.
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, werr = c.Read(make([]byte, 1))
	}
	if werr == nil {
		t.Fatal("connection still open after trickling headers")
	}
	if el := time.Since(start); el > 15*time.Second {
		t.Errorf("cut off after %v; want about ReadHeaderTimeout (10s)", el)
	}
}

// TestMetricsByRoutePattern: 1,000 requests to distinct ids of one route make one series.
func TestMetricsByRoutePattern(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	token := mustToken(t, getenv, "acme", "admin@example.com")
	s := mustStart(t, getenv)
	client := &http.Client{}
	for i := 0; i < 1000; i++ {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/documents/doc-%d", s.URL, i), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	_, metrics := mustGet(t, s.URL+"/metrics")
	series := 0
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "reportapp_http_requests_total{") && strings.Contains(line, "/api/v1/documents/") {
			series++
			if !strings.Contains(line, `route="GET /api/v1/documents/{id}"`) {
				t.Errorf("series not labelled by route pattern: %s", line)
			}
			if !strings.HasSuffix(line, " 1000") {
				t.Errorf("want 1000 requests in the series: %s", line)
			}
		}
	}
	if series != 1 {
		t.Log(metrics)
		t.Errorf("got %d series for the documents route, want 1", series)
	}
}

func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	s := mustStart(t, testEnv(t, nil))
	var out bytes.Buffer
	addr := strings.TrimPrefix(s.URL, "http://")
	if err := run(context.Background(), []string{"reportapp", "healthcheck"}, testEnv(t, map[string]string{"ADDR": addr}), nil, &out, io.Discard); err != nil {
		t.Errorf("healthcheck against a running server: %v", err)
	}
	s.stop(t)
	err := run(context.Background(), []string{"reportapp", "healthcheck", "--timeout", "1s"}, testEnv(t, map[string]string{"ADDR": addr}), nil, &out, io.Discard)
	if err == nil || exitCode(err) != 1 {
		t.Errorf("healthcheck against no server: err %v (exit %d), want exit 1", err, exitCode(err))
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"reportapp", "version"}, getenv, nil, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "reportapp ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"reportapp", "help"}, getenv, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "healthcheck") {
		t.Errorf("help: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"reportapp", "help", "config"}, getenv, nil, &out, &errOut); err != nil || !strings.Contains(out.String(), "DATABASE_URL") {
		t.Errorf("help config: %v %q", err, out.String())
	}
	for _, sub := range []string{"serve", "migrate", "healthcheck", "render", "version", "org", "user", "token", "export"} {
		errOut.Reset()
		if err := run(context.Background(), []string{"reportapp", sub, "-h"}, getenv, nil, &out, &errOut); err != nil || !strings.Contains(errOut.String(), "Usage: reportapp "+sub) {
			t.Errorf("%s -h: %v %q", sub, err, errOut.String())
		}
	}
	err := run(context.Background(), []string{"reportapp", "frobnicate"}, getenv, nil, &out, &errOut)
	if exitCode(err) != 2 {
		t.Errorf("unknown command: %v, exit %d, want 2", err, exitCode(err))
	}
	// Configuration errors are all reported, naming the variables.
	bad := testEnv(t, map[string]string{"REQUEST_TIMEOUT": "soon", "MAX_INFLIGHT": "-3"})
	err = run(context.Background(), []string{"reportapp", "migrate"}, bad, nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "REQUEST_TIMEOUT") || !strings.Contains(err.Error(), "MAX_INFLIGHT") {
		t.Errorf("bad config: %v", err)
	}
	if err := run(context.Background(), []string{"reportapp", "migrate"}, getenv, nil, &out, &errOut); err != nil {
		t.Errorf("migrate: %v", err)
	}
	if _, err := os.Stat(filepath.Join(getenv("DATA_DIR"), "reportapp.db")); err != nil {
		t.Errorf("migrate did not create the SQLite file: %v", err)
	}
}

// TestEnvFile: --env-file supplies variables; the real environment wins.
func TestEnvFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, ".env")
	os.WriteFile(f, []byte("DATA_DIR="+dir+"/fromfile\nLOG_FORMAT=text\n"), 0o600)
	getenv := testEnv(t, map[string]string{"DATA_DIR": dir + "/fromenv"})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"reportapp", "migrate", "--env-file", f}, getenv, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "fromenv", "reportapp.db")); err != nil {
		t.Errorf("the environment did not win over the env file: %v", err)
	}
}

// TestServeFirstRunBannerAndQuickStop: a fresh development server prints the setup URL as a
// banner on stderr, and stops at once on a signal although SHUTDOWN_DELAY is set.
func TestServeFirstRunBannerAndQuickStop(t *testing.T) {
	t.Parallel()
	s := mustStart(t, testEnv(t, map[string]string{"SHUTDOWN_DELAY": "30s"}))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(s.Logs.String(), "====\n") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := s.Logs.String()
	i := strings.Index(logs, "初回セットアップ / first-run setup")
	if i < 0 || !strings.Contains(logs[i:], s.URL+"/setup?token=") {
		t.Fatalf("no setup banner with the URL on stderr:\n%s", logs)
	}
	start := time.Now()
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("development server took %v to stop with SHUTDOWN_DELAY=30s, want at once", took)
	}
}
