package main

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"reportapp/internal/store/storetest"
)

// tcpProxy forwards a local port to a target, and can be taken down and brought back up on the
// same port, to make a real database unreachable to the server under test.
type tcpProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func mustProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { io.Copy(u, c); u.Close() }()
			go func() { io.Copy(c, u); c.Close() }()
		}
	}()
}

// down closes the listener and every connection through it.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.serve(ln)
}

// TestReadyzFollowsTheDatabase: /readyz goes 503 when PostgreSQL is unreachable and back to 200
// when it returns, while /healthz stays 200 throughout.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	// A schema of its own: the server migrates it, and other tests' schemas are not touched.
	dsn := storetest.PostgresDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := mustProxy(t, u.Host)
	u.Host = proxy.addr
	s := mustStart(t, testEnv(t, map[string]string{"DATABASE_URL": u.String()}))

	waitFor := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, body := mustGet(t, s.URL+"/readyz")
			if code == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz = %d (%s), want %d", code, body, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor(200)
	proxy.down()
	waitFor(503)
	if code, _ := mustGet(t, s.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d while the database is down, want 200", code)
	}
	proxy.up(t)
	waitFor(200)
}
