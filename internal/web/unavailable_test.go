package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestFullDiskAnswers503: when the database cannot grow, writes answer 503 with Retry-After (not
// 500), the API's JSON says "unavailable", and /readyz stops being ready once writes fail.
func TestFullDiskAnswers503(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	db := storetest.Open(t)
	a := mustAPI(t, db)
	if code, _, _ := a.do("", "GET", "/readyz", nil); code != 200 {
		t.Fatalf("/readyz = %d before", code)
	}
	if _, err := db.SQL().ExecContext(t.Context(), "PRAGMA max_page_count = 1"); err != nil {
		t.Fatal(err)
	}
	var code int
	var hdr http.Header
	var data []byte
	for i := 0; i < 200; i++ {
		code, hdr, data = a.do("A-member", "POST", "/api/v1/customers", map[string]any{"name": fmt.Sprintf("顧客 %d %0150d", i, i), "address": fmt.Sprintf("%0150d", i)})
		if code != http.StatusCreated {
			break
		}
	}
	var body errorBody
	_ = json.Unmarshal(data, &body)
	if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || body.Error.Code != domain.EUnavailable {
		t.Errorf("write to a full database = %d (Retry-After %q): %s; want 503 unavailable with Retry-After", code, hdr.Get("Retry-After"), data)
	}
	if _, err := db.SQL().ExecContext(t.Context(), "PRAGMA query_only = ON"); err != nil {
		t.Fatal(err)
	}
	if code, _, data := a.do("", "GET", "/readyz", nil); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz with failing writes = %d %s, want 503", code, data)
	}
}

// TestPostgresDownAnswers503: with PostgreSQL unreachable (the connection to it cut and refused),
// the API answers 503 with Retry-After, not 500.
func TestPostgresDownAnswers503(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	dsn := storetest.PostgresDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	db, err := store.Open(context.Background(), store.DriverPostgres, u.String(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := mustAPI(t, db)
	if code, _, data := a.do("A-viewer", "GET", "/api/v1/customers", nil); code != 200 {
		t.Fatalf("before: %d %s", code, data)
	}
	proxy.stop()
	for _, path := range []string{"/api/v1/customers", "/api/v1/organization"} {
		code, hdr, data := a.do("A-viewer", "GET", path, nil)
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
			t.Errorf("GET %s with PostgreSQL down = %d (Retry-After %q): %s; want 503", path, code, hdr.Get("Retry-After"), data)
		}
	}
}

// proxy forwards TCP connections to a database until stop, which cuts them and refuses more.
type proxy struct {
	addr  string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String(), ln: ln}
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(d, c); d.Close() }()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}
