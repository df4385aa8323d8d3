package web

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"reportapp/internal/auth"
	"reportapp/internal/auth/testprovider"
	"reportapp/internal/store/storetest"
)

// TestBrowserOPLogout signs in through a real OpenID provider (zitadel/oidc's op in this process,
// with an end_session_endpoint) by clicking in Chromium, then clicks 「ログアウト」: the browser must
// reach the provider's end-session endpoint, which ends the provider's session, and come back to
// our sign-in page, with no Content Security Policy violation on the way. Then signing in again
// must ask the provider for the account again.
func TestBrowserOPLogout(t *testing.T) {
	ctx := mustBrowser(t)
	db := storetest.Open(t)
	var p *testprovider.Provider
	base, _ := mustServer(t, db, func(o *auth.Options) {
		p = testprovider.Start(t, []string{o.BaseURL + "/auth/callback"}, []string{o.BaseURL + "/login"})
		o.LocalLogin = false
		o.OIDC = auth.OIDCOptions{IssuerURL: p.Issuer(), ClientID: testprovider.ClientID, ClientSecret: testprovider.ClientSecret,
			RedirectURL: o.BaseURL + "/auth/callback"}
	})
	mustInvitedAdmin(t, db, "op", "taro@example.co.jp")
	p.AddUser(testprovider.User{Subject: "sub-taro", Email: "taro@example.co.jp", EmailVerified: true, Name: "山田 太郎"})

	// Every console message and browser log entry of the tab, to find CSP reports in.
	cctx, stopConsole := context.WithCancel(ctx)
	var mu sync.Mutex
	var console []string
	messages := chromedp.Console(cctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			console = append(console, m.String())
			mu.Unlock()
		}
	}()

	f := flow{t: t, ctx: ctx, base: base}
	signIn := func(what string) {
		f.do(what, chromedp.Navigate(base+"/login"),
			chromedp.Click(chromedp.CSS("a[href='/auth/oidc/login']")),
			chromedp.WaitVisible(chromedp.CSS("#provider-email")),
			chromedp.SendKeys(chromedp.CSS("#provider-email"), "taro@example.co.jp"),
			chromedp.Click(chromedp.CSS("#provider-submit")),
			chromedp.WaitVisible(chromedp.CSS("#logout")))
	}
	signIn("sign in at the provider")
	if !p.SignedIn("sub-taro") {
		t.Fatal("the provider has no session after sign-in")
	}

	f.do("log out", chromedp.Click(chromedp.CSS("#logout")))
	// Our signed-out page navigates to the provider, which sends the browser back to /login.
	deadline := time.Now().Add(20 * time.Second)
	for len(p.EndedSessions()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := p.EndedSessions(); !slices.Equal(got, []string{"sub-taro"}) {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("the browser never reached the provider's end_session (ended %q; the page is at %q)", got, loc)
	}
	f.waitLocation(base + "/login")
	f.do("our sign-in page", chromedp.WaitVisible(chromedp.CSS("a[href='/auth/oidc/login']")))
	if p.SignedIn("sub-taro") {
		t.Error("the provider's session outlived logout")
	}

	// Signing in again needs the provider's login again: its session is gone.
	f.do("sign in again", chromedp.Click(chromedp.CSS("a[href='/auth/oidc/login']")),
		chromedp.WaitVisible(chromedp.CSS("#provider-email")))

	time.Sleep(200 * time.Millisecond) // let the last log entries arrive
	stopConsole()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for _, m := range console {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Content-Security-Policy") {
			t.Errorf("CSP violation in the browser: %s", m)
		}
	}
}
