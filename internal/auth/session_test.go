package auth

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestPageViewsDoNotWrite: a signed-in user's page views write nothing to the database, a
// change of the session still does, the expiry is pushed on once touchEvery has passed, and an
// idle session still ends.
func TestPageViewsDoNotWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const idle = 2 * time.Second // touchEvery is a tenth: 200 ms
		e := mustEnv(t, db, func(o *Options, _ string) { o.IdleTimeout = idle })
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		c := e.mustClient(t)
		if r := c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusSeeOther {
			t.Fatalf("login = %d %q", r.status, r.body)
		}

		// touchEvery is short so that the test below need not wait long; on a loaded machine 20
		// page views may take longer than that, and then one write is due. Count the writes of
		// the views that came within touchEvery of the login.
		before := db.Writes()
		start := time.Now()
		views := 0
		for range 20 {
			if c.whoami() == "" {
				t.Fatal("signed out during page views")
			}
			if time.Since(start) > idle/20 {
				break // later views may rightly write; 0 writes is only promised before
			}
			views++
		}
		if n := db.Writes() - before; n != 0 && time.Since(start) <= idle/10 {
			t.Errorf("%d page views within touchEvery wrote %d statements, want 0", views, n)
		}
		if views == 0 {
			t.Log("the machine is too slow to view a page within touchEvery/2; the no-write check had nothing to check")
		}

		// Nor do they send the cookie again: only a change of the session does.
		if r := c.get("/"); len(r.setCookie) != 0 {
			t.Errorf("a page view sent Set-Cookie %q, want none", r.setCookie)
		}

		// A change of the session is written at once.
		before = db.Writes()
		if r := c.get("/touch"); r.status != http.StatusOK {
			t.Fatalf("GET /touch = %d", r.status)
		}
		if n := db.Writes() - before; n != 1 {
			t.Errorf("a session change wrote %d statements, want 1", n)
		}

		// Past touchEvery the expiry moves on: one write, then none again. Page views 300 ms
		// apart for longer than the idle timeout keep the session alive.
		before = db.Writes()
		for range 9 {
			time.Sleep(300 * time.Millisecond)
			if c.whoami() == "" {
				t.Fatal("an active session ended")
			}
		}
		if n := db.Writes() - before; n < 1 || n > 9 {
			t.Errorf("9 page views 300 ms apart wrote %d statements, want 1..9", n)
		}

		// Unused for longer than the idle timeout, it ends.
		time.Sleep(idle + 100*time.Millisecond)
		if got := c.whoami(); got != "" {
			t.Errorf("idle session still signed in as %q", got)
		}
	})
}

// TestSessionEndsAtItsLifetime: moving the idle expiry on never carries a session past its
// absolute lifetime, however active it is.
func TestSessionEndsAtItsLifetime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const lifetime = 1500 * time.Millisecond // idle 10 s: touchEvery is 1 s
		e := mustEnv(t, db, func(o *Options, _ string) { o.IdleTimeout, o.Lifetime = 10*time.Second, lifetime })
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		c := e.mustClient(t)
		start := time.Now()
		if r := c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusSeeOther {
			t.Fatalf("login = %d %q", r.status, r.body)
		}
		for time.Since(start) < lifetime-200*time.Millisecond {
			if c.whoami() == "" {
				t.Fatalf("signed out %v after login, before the lifetime of %v", time.Since(start), lifetime)
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Until(start.Add(lifetime + 300*time.Millisecond)))
		if got := c.whoami(); got != "" {
			t.Errorf("still signed in as %q %v after login, past the lifetime of %v", got, time.Since(start), lifetime)
		}
	})
}
