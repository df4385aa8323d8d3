package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

const goodPassword = "正しいパスワード-correct-horse"

func TestFirstRunSetupWorksOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		ctx := context.Background()
		setupURL, ok, err := e.svc.SetupURL(ctx)
		if err != nil || !ok {
			t.Fatalf("SetupURL = %q, %v, %v; want a URL", setupURL, ok, err)
		}
		u, err := url.Parse(setupURL)
		if err != nil {
			t.Fatal(err)
		}
		token := u.Query().Get("token")
		c := e.mustClient(t)
		// Before setup the login page says where the way in is; afterwards it does not.
		if r := c.get("/login"); r.page().Notice != msgNoUsers {
			t.Errorf("the login page of a new installation does not point to the setup URL:\n%s", r.body)
		}
		if r := c.get("/setup?token=wrong"); r.status != http.StatusForbidden {
			t.Errorf("GET /setup with a wrong token = %d, want 403", r.status)
		}
		if r := c.get(u.RequestURI()); r.status != http.StatusOK || r.page().Name != PageSetup || r.page().Token != token {
			t.Fatalf("GET setup URL = %d %q", r.status, r.body)
		}
		// A bad form re-renders with errors and keeps what was typed.
		r := c.post("/setup", url.Values{"token": {token}, "org_name": {"見本商事"}, "org_slug": {"Bad Slug!"},
			"email": {"admin@example.co.jp"}, "password": {"short"}})
		if pg := r.page(); r.status != http.StatusUnprocessableEntity || pg.Email != "admin@example.co.jp" || pg.OrgName != "見本商事" ||
			pg.Fields["password"].Key != "auth.password.too_short" || pg.Fields["org_slug"].Key != "auth.field.org_slug_invalid" {
			t.Fatalf("POST /setup with bad fields = %d %q", r.status, r.body)
		}
		form := url.Values{"token": {token}, "org_name": {"見本商事"}, "org_slug": {"mihon"},
			"email": {"Admin@Example.co.jp"}, "password": {goodPassword}}
		if r := c.post("/setup", form); r.status != http.StatusSeeOther {
			t.Fatalf("POST /setup = %d %q, want 303", r.status, r.body)
		}
		if got, want := c.whoami(), "user=admin@example.co.jp org=mihon role=admin"; got != want {
			t.Errorf("after setup whoami = %q, want %q", got, want)
		}
		// Never again: the same form, a new client, a new URL.
		if r := e.mustClient(t).post("/setup", form); r.status != http.StatusNotFound {
			t.Errorf("second POST /setup = %d, want 404", r.status)
		}
		if _, ok, err := e.svc.SetupURL(ctx); ok || err != nil {
			t.Errorf("SetupURL after setup = %v, %v; want false, nil", ok, err)
		}
		if pg := e.mustClient(t).get("/login").page(); pg.Name != PageLogin || pg.Notice != "" {
			t.Errorf("the login page still speaks of setup after it was done")
		}
		// The admin can sign in with the password chosen at setup.
		c2 := e.mustClient(t)
		if r := c2.post("/login", url.Values{"email": {"admin@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusSeeOther {
			t.Errorf("login after setup = %d %q", r.status, r.body)
		}
	})
}

func TestSetupTokenSingleUseEvenWithoutUsers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.CreateSetupToken(ctx, store.HashSecret("tok"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.UseSetupToken(ctx, store.HashSecret("tok")); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if err := db.UseSetupToken(ctx, store.HashSecret("tok")); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Errorf("second use = %v, want unauthorized", err)
		}
	})
}

func TestLocalLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)

		c := e.mustClient(t)
		if r := c.get("/touch"); r.status != http.StatusOK {
			t.Fatalf("GET /touch = %d", r.status)
		}
		before := c.sessionCookie()
		if before == "" {
			t.Fatal("no session cookie before login")
		}
		r := c.post("/login", url.Values{"email": {"TARO@example.co.jp "}, "password": {goodPassword}})
		if r.status != http.StatusSeeOther || r.location != "/" {
			t.Fatalf("login = %d %q %q", r.status, r.location, r.body)
		}
		after := c.sessionCookie()
		if after == "" || after == before {
			t.Errorf("session token not renewed at login: before %q after %q", before, after)
		}
		if got, want := c.whoami(), "user=taro@example.co.jp org=acme role=member"; got != want {
			t.Errorf("whoami = %q, want %q", got, want)
		}
		// The pre-login token is worthless.
		old := e.mustClient(t)
		old.hc.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: e.svc.CookieName(), Value: before}})
		if got := old.whoami(); got != "" {
			t.Errorf("pre-login cookie gives %q, want anonymous", got)
		}

		// Logout ends the session on the server: replaying the cookie fails.
		if r := c.post("/logout", nil); r.status != http.StatusSeeOther || r.location != "/login" {
			t.Errorf("logout = %d %q", r.status, r.location)
		}
		if got := c.whoami(); got != "" {
			t.Errorf("after logout whoami = %q", got)
		}
		replay := e.mustClient(t)
		replay.hc.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: e.svc.CookieName(), Value: after}})
		if got := replay.whoami(); got != "" {
			t.Errorf("replayed logged-out cookie gives %q, want anonymous", got)
		}
		// Before logout the row existed under the keyed id (checked in TestSessionKey).
		if _, _, found, err := db.FindSession(context.Background(), sessionStore{db: db, key: []byte(e.svc.opts.SecretKey)}.id(after)); found || err != nil {
			t.Errorf("session row after logout: found %v, err %v", found, err)
		}
	})
}

func TestLocalLoginFailuresLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		mustMember(t, db, "acme", "nopass@example.co.jp", domain.RoleMember) // OIDC user: no password

		type outcome struct {
			Status int
			Error  string
		}
		errorOf := func(r response) outcome { return outcome{r.status, r.page().Error} }
		want := outcome{http.StatusUnauthorized, msgBadLogin}
		for _, tt := range []struct{ name, email, password string }{
			{"wrong password", "taro@example.co.jp", "wrong-password-123"},
			{"unknown email", "nobody@example.co.jp", "wrong-password-123"},
			{"user without password", "nopass@example.co.jp", "wrong-password-123"},
			{"empty", "", ""},
		} {
			r := e.mustClient(t).post("/login", url.Values{"email": {tt.email}, "password": {tt.password}})
			if diff := cmp.Diff(want, errorOf(r)); diff != "" {
				t.Errorf("%s: (-want +got)\n%s", tt.name, diff)
			}
			if r.page().Email != strings.ToLower(tt.email) {
				t.Errorf("%s: the form lost the typed email", tt.name)
			}
		}
	})
}

func TestLocalLoginThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		c := e.mustClient(t)
		const attacker, office = "192.0.2.66", "198.51.100.7"
		wrong := url.Values{"email": {"taro@example.co.jp"}, "password": {"wrong-password-123"}}
		right := url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}
		for i := range pairFree {
			if r := c.postAt(attacker, "/login", wrong); r.status != http.StatusUnauthorized {
				t.Fatalf("failure %d = %d, want 401", i+1, r.status)
			}
		}
		// The account is delayed at the failing address, even with the right password; the
		// response says so and when to retry.
		res, err := c.hc.Do(withIP(e.formRequest(t, "/login", right), attacker))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("right password at the failing address = %d, want 429", res.StatusCode)
		}
		if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); ra < 1 || ra > int(pairBase/time.Second) {
			t.Errorf("Retry-After = %q, want 1..%d", res.Header.Get("Retry-After"), int(pairBase/time.Second))
		}
		// The real user at another address is not blocked by someone else's failures.
		if r := e.mustClient(t).postAt(office, "/login", right); r.status != http.StatusSeeOther {
			t.Errorf("right password from an address that has not failed = %d %q, want 303", r.status, r.body)
		}
		// An unknown account is throttled the same way (no enumeration through blocking).
		ghost := url.Values{"email": {"ghost@example.co.jp"}, "password": {"wrong-password-123"}}
		for range pairFree {
			c.postAt(attacker, "/login", ghost)
		}
		if r := c.postAt(attacker, "/login", ghost); r.status != http.StatusTooManyRequests {
			t.Errorf("unknown account after failures = %d, want 429", r.status)
		}
		// Another account at the attacker's address is not delayed yet (the address has more
		// slack, for an office behind one address).
		q := mustMember(t, db, "acme", "hanako@example.co.jp", domain.RoleViewer)
		mustPassword(t, db, q.UserID, goodPassword)
		if r := e.mustClient(t).postAt(attacker, "/login", url.Values{"email": {"hanako@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusSeeOther {
			t.Errorf("other account = %d, want 303", r.status)
		}
	})
}

func withIP(r *http.Request, ip string) *http.Request {
	r.Header.Set(testIPHeader, ip)
	return r
}

// TestLocalLoginThrottleRace sends many wrong passwords for one account at once: the attempts are
// counted before they are checked, so only the free ones are checked and the rest are refused
// without computing a hash.
func TestLocalLoginThrottleRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		const n = 40
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				r := e.mustClient(t).postAt("192.0.2.66", "/login",
					url.Values{"email": {"taro@example.co.jp"}, "password": {"wrong-password-123"}})
				statuses <- r.status
			})
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		want := map[int]int{http.StatusUnauthorized: pairFree, http.StatusTooManyRequests: n - pairFree}
		if diff := cmp.Diff(want, count); diff != "" {
			t.Errorf("statuses of %d concurrent wrong passwords (-want +got)\n%s", n, diff)
		}
	})
}

// TestLocalLoginSuccessesDoNotDelayAnOffice: everyone behind one address signing in successfully
// is never delayed, because a success takes its attempt back from the address.
func TestLocalLoginSuccessesDoNotDelayAnOffice(t *testing.T) {
	db := storetest.Open(t)
	e := mustEnv(t, db, nil)
	p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
	mustPassword(t, db, p.UserID, goodPassword)
	for i := range addrFree + 5 {
		r := e.mustClient(t).postAt("198.51.100.7", "/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("login %d from the office = %d, want 303", i+1, r.status)
		}
	}
	// Guessing across many accounts from one address is delayed after addrFree attempts, briefly.
	// (The accounts exist, with cheap hashes, only to keep the test fast.)
	c := e.mustClient(t)
	for i := range addrFree {
		email := fmt.Sprintf("guess%d@example.co.jp", i)
		mustPassword(t, db, mustMember(t, db, "acme", email, domain.RoleViewer).UserID, goodPassword)
		if r := c.postAt("192.0.2.66", "/login", url.Values{"email": {email}, "password": {"wrong-password-123"}}); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d = %d, want 401", i+1, r.status)
		}
	}
	res, err := c.hc.Do(withIP(e.formRequest(t, "/login", url.Values{"email": {"another@example.co.jp"}, "password": {"x"}}), "192.0.2.66"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != http.StatusTooManyRequests || ra < 1 || ra > int(addrBase/time.Second) {
		t.Errorf("after %d guesses from one address = %d Retry-After %q, want 429 within %v", addrFree, res.StatusCode, res.Header.Get("Retry-After"), addrBase)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{1, 0}, {4, 0}, {5, 15 * time.Second}, {6, 30 * time.Second}, {7, time.Minute},
		{10, 8 * time.Minute}, {11, 15 * time.Minute}, {100, 15 * time.Minute},
	}
	for _, tt := range tests {
		if got := backoff(tt.attempts, pairFree, pairBase, pairMax); got != tt.want {
			t.Errorf("backoff(%d) = %v, want %v", tt.attempts, got, tt.want)
		}
	}
}

func TestCrossOriginPostRejected(t *testing.T) {
	e := mustEnv(t, storetest.Open(t), nil)
	p := mustMember(t, e.db, "acme", "taro@example.co.jp", domain.RoleMember)
	mustPassword(t, e.db, p.UserID, goodPassword)
	form := url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}
	c := e.mustClient(t)
	if r := c.postFrom("https://evil.example", "cross-site", "/login", form); r.status != http.StatusForbidden {
		t.Errorf("cross-site POST /login = %d, want 403", r.status)
	}
	// Without Sec-Fetch-Site, the Origin is compared with the Host.
	if r := c.postFrom("https://evil.example", "", "/login", form); r.status != http.StatusForbidden {
		t.Errorf("cross-origin POST /login (Origin only) = %d, want 403", r.status)
	}
	if got := c.whoami(); got != "" {
		t.Fatalf("a rejected POST signed in: %q", got)
	}
	if r := c.post("/login", form); r.status != http.StatusSeeOther {
		t.Errorf("same-origin POST /login = %d, want 303", r.status)
	}
	if r := c.postFrom("https://evil.example", "cross-site", "/logout", nil); r.status != http.StatusForbidden {
		t.Errorf("cross-site POST /logout = %d, want 403", r.status)
	}
	if c.whoami() == "" {
		t.Error("a cross-site logout ended the session")
	}
}

func TestPasswordChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		c := e.mustClient(t)
		if r := c.post("/account/password", url.Values{"current": {goodPassword}, "new": {"new-password-12345"}}); r.status != http.StatusSeeOther || r.location != "/login" {
			t.Fatalf("anonymous password change = %d %q, want redirect to /login", r.status, r.location)
		}
		c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}})
		if r := c.post("/account/password", url.Values{"current": {"wrong-password-1"}, "new": {"new-password-12345"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("change with wrong current = %d, want 422", r.status)
		}
		if r := c.post("/account/password", url.Values{"current": {goodPassword}, "new": {"short"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("change to a short password = %d, want 422", r.status)
		}
		// Another browser of the same user is signed in too; the change ends it, and says so.
		other := e.mustClient(t)
		other.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}})
		if other.whoami() == "" {
			t.Fatal("second browser not signed in")
		}
		r := c.post("/account/password", url.Values{"current": {goodPassword}, "new": {"new-password-12345"}})
		if r.status != http.StatusOK || r.page().Notice != msgPasswordChanged {
			t.Fatalf("change = %d %q", r.status, r.body)
		}
		if got := other.whoami(); got != "" {
			t.Errorf("the other session after a password change: %q, want anonymous", got)
		}
		if got := c.whoami(); !strings.Contains(got, "taro@example.co.jp") {
			t.Errorf("the session that changed the password: %q, want still signed in", got)
		}
		for pw, want := range map[string]int{goodPassword: http.StatusUnauthorized, "new-password-12345": http.StatusSeeOther} {
			if r := e.mustClient(t).post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {pw}}); r.status != want {
				t.Errorf("login with %q after change = %d, want %d", pw, r.status, want)
			}
		}
	})
}

func TestRemovedMemberLosesSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		admin := mustMember(t, db, "acme", "admin@example.co.jp", domain.RoleAdmin)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		c := e.mustClient(t)
		c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}})
		if err := e.svc.ChangeRole(context.Background(), admin, p.UserID, domain.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if got, want := c.whoami(), "user=taro@example.co.jp org=acme role=viewer"; got != want {
			t.Errorf("after demotion whoami = %q, want %q", got, want)
		}
		if err := e.svc.RemoveMember(context.Background(), admin, p.UserID); err != nil {
			t.Fatal(err)
		}
		if got := c.whoami(); got != "" {
			t.Errorf("removed member still signed in: %q", got)
		}
	})
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSessionKey: sessions are kept under an HMAC of the cookie with SECRET_KEY, so another
// replica with the same key serves the session and a rotated key ends it.
func TestSessionKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		keyA, keyB := strings.Repeat("a", 32), strings.Repeat("b", 32)
		e1 := mustEnv(t, db, func(o *Options, _ string) { o.SecretKey = keyA })
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		c := e1.mustClient(t)
		if r := c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}}); r.status != http.StatusSeeOther {
			t.Fatalf("login = %d %q", r.status, r.body)
		}
		cookie := c.sessionCookie()
		if _, _, found, err := db.FindSession(context.Background(), cookie); found || err != nil {
			t.Errorf("the session is stored under the raw cookie value (found %v, err %v)", found, err)
		}
		if _, _, found, err := db.FindSession(context.Background(), sessionStore{db: db, key: []byte(keyA)}.id(cookie)); !found || err != nil {
			t.Errorf("the session is not stored under its keyed id (found %v, err %v)", found, err)
		}
		for _, tc := range []struct {
			key  string
			want bool
		}{{keyA, true}, {keyB, false}} {
			e := mustEnv(t, db, func(o *Options, _ string) { o.SecretKey = tc.key })
			other := e.mustClient(t)
			other.hc.Jar.SetCookies(mustURL(t, e.srv.URL), []*http.Cookie{{Name: e.svc.CookieName(), Value: cookie}})
			if got := other.whoami() != ""; got != tc.want {
				t.Errorf("another server with key %.1s…: signed in %v, want %v", tc.key, got, tc.want)
			}
		}
	})
}

// TestTemporaryPasswordMustBeReplaced: after an administrator reset the password, the user signs
// in with it and is sent to choose their own before anything else; the reset ended their sessions.
func TestTemporaryPasswordMustBeReplaced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		admin := mustMember(t, db, "acme", "boss@example.co.jp", domain.RoleAdmin)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		mustPassword(t, db, p.UserID, goodPassword)
		old := e.mustClient(t)
		old.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {goodPassword}})

		temp, err := e.svc.ResetPassword(context.Background(), admin, p.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if got := old.whoami(); got != "" {
			t.Errorf("session from before the reset: %q, want ended", got)
		}
		c := e.mustClient(t)
		if r := c.post("/login", url.Values{"email": {"taro@example.co.jp"}, "password": {temp}}); r.status != http.StatusSeeOther {
			t.Fatalf("login with the temporary password = %d", r.status)
		}
		if r := c.get("/"); r.status != http.StatusSeeOther || r.location != "/account/password" {
			t.Fatalf("GET / with a temporary password = %d %q, want 303 to /account/password", r.status, r.location)
		}
		if r := c.get("/account/password"); r.status != http.StatusOK || r.page().Notice != msgMustSet {
			t.Errorf("password page = %d, does not say why", r.status)
		}
		if r := c.post("/account/password", url.Values{"current": {temp}, "new": {"my-own-password-1"}}); r.status != http.StatusOK {
			t.Fatalf("choosing a password = %d %q", r.status, r.body)
		}
		if got := c.whoami(); !strings.Contains(got, "taro@example.co.jp") {
			t.Errorf("after choosing a password: %q", got)
		}
		if pw, err := db.Password(context.Background(), p.UserID); err != nil || pw.Temporary {
			t.Errorf("stored password after the change: temporary=%v, %v", pw.Temporary, err)
		}
	})
}
