package auth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/store/storetest"
)

// TestAuthErrorsGoThroughTheOneWriter: auth's own failures - a session the database cannot
// save, a password login while local login is off - are written by server.WriteError (here its
// JSON fallback, in the application the UI's error page), not as plain text.
func TestAuthErrorsGoThroughTheOneWriter(t *testing.T) {
	t.Run("session store fails", func(t *testing.T) {
		db := storetest.Open(t)
		e := mustEnv(t, db, nil)
		c := e.mustClient(t)
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		r := c.get("/touch") // writes to the session, which the closed database cannot save
		if r.status < 500 || !strings.Contains(r.body, `"error"`) {
			t.Errorf("GET /touch with the database closed = %d %q, want the error writer's 5xx body", r.status, r.body)
		}
	})
	t.Run("no page renderer", func(t *testing.T) {
		e := mustEnv(t, storetest.Open(t), nil)
		e.svc.SetPages(nil)
		if r := e.mustClient(t).get("/login"); r.status != http.StatusInternalServerError || !strings.Contains(r.body, `"internal"`) {
			t.Errorf("GET /login before SetPages = %d %q, want the error writer's 500", r.status, r.body)
		}
	})
	t.Run("local login off", func(t *testing.T) {
		e := mustOIDCEnv(t, storetest.Open(t), mustProvider(t), false)
		r := e.mustClient(t).post("/login", url.Values{"email": {"a@example.jp"}, "password": {"x"}})
		if r.status != http.StatusNotFound || !strings.Contains(r.body, `"not_found"`) {
			t.Errorf("POST /login with local login off = %d %q, want 404 not_found", r.status, r.body)
		}
	})
}
