package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"reportapp/internal/domain"
	"reportapp/internal/server"
	"reportapp/internal/store/storetest"
)

// syncBuffer is a log sink that handlers may write from several goroutines.
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

// TestFailedLoginLogLine (issue 11 item 14): a failed password login is logged with the
// request's id (the one the server answers in X-Request-ID), a hash of the account and the
// address, never the e-mail address or the password.
func TestFailedLoginLogLine(t *testing.T) {
	db := storetest.Open(t)
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	svc, err := New(context.Background(), db, Options{LocalLogin: true, Logger: logger, ClientIP: testClientIP})
	if err != nil {
		t.Fatal(err)
	}
	svc.SetPages(jsonPages{})
	mux := http.NewServeMux()
	svc.Mount(mux)
	srv, err := server.New(server.Options{Registry: prometheus.NewRegistry(), Logger: logger}, svc.Middleware(mux))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
	mustPassword(t, db, p.UserID, goodPassword)

	const wrong = "wrong-password-123456"
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login",
		strings.NewReader(url.Values{"email": {"Taro@example.co.jp"}, "password": {wrong}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set(testIPHeader, "198.51.100.7")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	id := res.Header.Get("X-Request-ID")
	if res.StatusCode != http.StatusUnauthorized || id == "" {
		t.Fatalf("failed login = %d, X-Request-ID %q", res.StatusCode, id)
	}
	var line map[string]any
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "password login failed") {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
		}
	}
	if line == nil {
		t.Fatalf("no failed-login line in:\n%s", logs.String())
	}
	if line["request_id"] != id || line["account"] != accountLogID("taro@example.co.jp") || line["ip"] != "198.51.100.7" {
		t.Errorf("failed-login line = %v, want request_id %s, the account's hash and the address", line, id)
	}
	if all := logs.String(); strings.Contains(strings.ToLower(all), "taro@example.co.jp") || strings.Contains(all, wrong) {
		t.Errorf("the log holds the e-mail address or the password:\n%s", all)
	}
}
