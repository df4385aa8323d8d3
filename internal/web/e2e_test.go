package web

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"
	"github.com/prometheus/client_golang/prometheus"

	"reportapp/internal/auth"
	"reportapp/internal/config"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/mail"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

var update = flag.Bool("update", false, "also save the browser tests' screenshots into docs/screenshots")

// chromiumPath is where Debian installs Chromium (.ci/run installs it).
const chromiumPath = "/usr/bin/chromium"

// mustBrowser starts a headless Chromium for the test, or skips (fails under
// REPORTAPP_TEST_STRICT=1) when it is not installed.
func mustBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv(storetest.EnvStrict) == "1" {
			t.Fatalf("browser test: %s not found and %s=1", chromiumPath, storetest.EnvStrict)
		}
		t.Skipf("browser test skipped: %s not found (apt-get install chromium)", chromiumPath)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.Env("FONTCONFIG_FILE="+mustFontConfig(t)),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("lang", "ja-JP"), chromedp.Flag("accept-lang", "ja-JP,ja"))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	logConsole(t, ctx)
	return ctx
}

// failureLog keeps the last lines of what a test's browser or server did and prints them,
// each after its prefix, when the test fails.
type failureLog struct {
	mu    sync.Mutex
	lines []string
}

func newFailureLog(t *testing.T, prefix string) *failureLog {
	l := &failureLog{}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, line := range l.lines {
			t.Log(prefix + " " + line)
		}
	})
	return l
}

// add keeps line with the time, dropping the oldest past 200.
func (l *failureLog) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) == 200 {
		l.lines = l.lines[1:]
	}
	l.lines = append(l.lines, time.Now().Format("15:04:05.000")+" "+line)
}

// logConsole keeps what the page writes to the console and the exceptions it throws, and
// prints them when the test fails, so that a browser test failing on a loaded machine says
// what the page did.
func logConsole(t *testing.T, ctx context.Context) {
	log := newFailureLog(t, "browser")
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			parts := make([]string, 0, len(ev.Args))
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					parts = append(parts, strings.Trim(string(a.Value), `"`))
				} else {
					parts = append(parts, a.Description)
				}
			}
			log.add(fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			line := fmt.Sprintf("exception: %s at %s:%d:%d", d.Text, d.URL, d.LineNumber+1, d.ColumnNumber+1)
			if d.Exception != nil {
				line += " " + d.Exception.Description
			}
			log.add(line)
		}
	})
	if err != nil {
		t.Fatalf("listen to the browser's console: %v", err)
	}
}

// logRequests keeps the method, path, status and time of the last 200 requests the test
// server answered, and prints them when the test fails.
func logRequests(t *testing.T, next http.Handler) http.Handler {
	log := newFailureLog(t, "server")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.add(fmt.Sprintf("%s %s %d in %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Millisecond)))
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) { s.status = code; s.ResponseWriter.WriteHeader(code) }

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// mustFontConfig writes a fontconfig file that adds the PDF's embedded IPAexGothic to the
// system's fonts, so that pages (and screenshots) show Japanese text on machines without a
// Japanese font, measured as a user would see it.
func mustFontConfig(t *testing.T) string {
	t.Helper()
	fonts, err := filepath.Abs(filepath.Join("..", "pdf", "font"))
	if err != nil {
		t.Fatal(err)
	}
	conf := `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>` +
		`<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>` + fonts + `</dir></fontconfig>`
	p := filepath.Join(t.TempDir(), "fonts.conf")
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustServer runs the whole application (real sessions, real middleware) on a loopback port;
// mod adjusts the auth options once the address is known.
func mustServer(t *testing.T, db *store.DB, mod func(o *auth.Options)) (string, *auth.Service) {
	t.Helper()
	base, authSvc, _ := mustServerWithMail(t, db, mod)
	return base, authSvc
}

// mustServerWithMail is mustServer sending mail to an SMTP server of the test, which it returns.
func mustServerWithMail(t *testing.T, db *store.DB, mod func(o *auth.Options)) (string, *auth.Service, *mailtest.Server) {
	t.Helper()
	ctx := context.Background()
	smtp := mailtest.Start(t, mailtest.Options{})
	var h http.Handler
	ts := httptest.NewServer(checkContract(t, logRequests(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) })), false))
	t.Cleanup(ts.Close)
	opts := auth.Options{BaseURL: ts.URL, LocalLogin: true}
	if mod != nil {
		mod(&opts)
	}
	authSvc, err := auth.New(ctx, db, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := testRenderer()
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	sender, err := mail.NewSender(mail.Options{Host: smtp.Host, Port: smtp.Port, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := jobs.New(db, jobs.Options{Renderer: r, PollInterval: 50 * time.Millisecond, Mail: sender,
		MailFrom: "請求書 <billing@issuer.example>", BaseURL: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	qctx, stopQueue := context.WithCancel(ctx)
	queueDone := make(chan error, 1)
	go func() { queueDone <- queue.Run(qctx, 5*time.Second) }()
	t.Cleanup(func() {
		stopQueue()
		if err := <-queueDone; err != nil {
			t.Errorf("job queue: %v", err)
		}
	})
	tz, _ := time.LoadLocation("Asia/Tokyo")
	app, err := New(ctx, Deps{Config: config.Config{TimeZone: tz, MaxBodyBytes: 1 << 20,
		Mail: config.Mail{Host: smtp.Host, Port: smtp.Port, From: "請求書 <billing@issuer.example>"}}, Store: db, Auth: authSvc,
		PDF: pdf.NewPool(r, 2, 5*time.Second), Jobs: queue, Version: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Options{WriteError: app.WriteError, RequestTimeout: 30 * time.Second, QueueTimeout: time.Second, MaxInflight: 64,
		MaxBodyBytes: 1 << 20, BodyLimit: BodyLimit, Registry: prometheus.NewRegistry(), Ready: db.Ready}, app)
	if err != nil {
		t.Fatal(err)
	}
	h = srv.Handler()
	return ts.URL, authSvc, smtp
}

// flow drives the browser as an office worker would; it starts signed in on the dashboard.
type flow struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot bool // save screenshots
}

func (f flow) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 60*time.Second) // generous: a loaded CI machine hashes passwords slowly
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		f.t.Fatalf("%s: %v", what, err)
	}
}

func (f flow) text(sel string) string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		f.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// waitText waits until the element's text is want (htmx swaps it in).
func (f flow) waitText(sel, want string) {
	f.t.Helper()
	expr := `(document.querySelector(` + jsString(sel) + `)||{}).textContent === ` + jsString(want)
	ctx, cancel := context.WithTimeout(f.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		f.t.Fatalf("%s never became %q (it is %q): %v", sel, want, f.text(sel), err)
	}
}

// waitLocation waits until the page's URL contains part (after a form submission navigates).
func (f flow) waitLocation(part string) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		loc, err := chromedp.Run(f.ctx, chromedp.Location())
		if err == nil && strings.Contains(loc, part) {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("the page never reached a URL with %q (at %q, %v)", part, loc, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// screenshot saves the whole page into the test's temp dir and, with -update, into
// docs/screenshots.
func (f flow) screenshot(name string) {
	f.t.Helper()
	f.saveScreenshot(name, chromedp.FullScreenshot(100))
}

// viewportScreenshot saves what the viewport shows (a phone's screen), as screenshot does.
func (f flow) viewportScreenshot(name string) {
	f.t.Helper()
	f.saveScreenshot(name, chromedp.CaptureScreenshot())
}

// saveScreenshot takes the screenshot and writes the PNG into the test's temp dir and, with
// -update, docs/screenshots.
func (f flow) saveScreenshot(name string, shoot chromedp.Action[[]byte]) {
	f.t.Helper()
	if !f.shot {
		return
	}
	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, shoot)
	if err != nil {
		f.t.Fatalf("screenshot %s: %v", name, err)
	}
	dirs := []string{f.t.TempDir()}
	if *update {
		dirs = append(dirs, filepath.Join("..", "..", "docs", "screenshots"))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
}

// run is the flow after login: a customer, an invoice with 10% and 8% lines whose live totals
// change, issuing it, its PDF's text, finding it by amount range, logging out.
func (f flow) run() {
	t := f.t
	f.do("dashboard", chromedp.WaitVisible(chromedp.CSS("svg[role=img]")))
	f.screenshot("dashboard")

	f.do("create a customer", chromedp.Navigate(f.base+"/customers/new"),
		chromedp.SendKeys(chromedp.CSS("#name"), "株式会社ブラウザ商事"),
		chromedp.SendKeys(chromedp.CSS("#registration_number"), "T7123456789012"),
		chromedp.Submit(chromedp.CSS("#name")),
		chromedp.WaitVisible(chromedp.CSS("#customers")))
	if got := f.text("#customers tbody td a"); !strings.Contains(got, "株式会社ブラウザ商事") {
		t.Fatalf("customer list shows %q", got)
	}
	f.screenshot("customers")

	customerID, err := chromedp.Run(f.ctx, chromedp.Evaluate[string](`document.querySelector('#customers tbody td a').getAttribute('href').split('/').pop()`))
	if err != nil {
		t.Fatal(err)
	}
	f.do("open the editor", chromedp.Navigate(f.base+"/documents/new"),
		chromedp.SetValue(chromedp.CSS("#customer_id"), customerID),
		chromedp.SendKeys(chromedp.CSS("#subject"), "ブラウザテスト"),
		chromedp.SendKeys(chromedp.CSS("#item-name-0"), "コンサルティング"),
		chromedp.SendKeys(chromedp.CSS("#item-price-0"), "10000"))
	f.waitText("#total-gross", "¥11,000")
	f.do("add an 8% line", chromedp.Click(chromedp.CSS("#add-line")), chromedp.WaitVisible(chromedp.CSS("#item-name-1")),
		chromedp.SendKeys(chromedp.CSS("#item-name-1"), "お菓子"),
		chromedp.SetValue(chromedp.CSS("#item-qty-1"), "2"),
		chromedp.SendKeys(chromedp.CSS("#item-price-1"), "540"),
		chromedp.SetValue(chromedp.CSS("#item-rate-1"), "8"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#item-rate-1').dispatchEvent(new Event('change', {bubbles: true}))`))
	f.waitText("#total-gross", "¥12,166") // 10,000 + 1,000 tax; 1,080 + 86 tax (8%, floored once)
	f.screenshot("editor")

	f.do("save the draft", chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#issue")))
	f.do("issue", chromedp.Click(chromedp.CSS("#issue")), chromedp.WaitVisible(chromedp.CSS("#confirm-issue")))
	f.screenshot("issue-confirmation")
	f.do("confirm", chromedp.Click(chromedp.CSS("#confirm-issue")), chromedp.WaitVisible(chromedp.CSS("#cancel")))
	number := f.text("#doc-number")
	if !strings.HasPrefix(number, "INV-") || f.text("#doc-status") != "発行済み" {
		t.Fatalf("after issuing: number %q, status %q", number, f.text("#doc-status"))
	}
	// The PDF preview is a same-origin frame: its response allows framing by our pages only.
	framed, err := chromedp.Run(f.ctx, chromedp.Poll[bool](`(() => { const e = performance.getEntriesByType('resource').find(e => e.name.endsWith('/pdf')); return !!e })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !framed {
		t.Errorf("the PDF preview did not load in its frame: %v", err)
	}
	f.screenshot("document")

	b64, err := chromedp.Run(f.ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#download').href).then(r => r.arrayBuffer()).then(b => { let s = ''; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s) })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("download the PDF: %v", err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !strings.HasPrefix(string(data), "%PDF-") {
		t.Fatalf("the download is not a PDF (%d bytes, %v)", len(data), err)
	}
	if text := pdfText(t, data); !strings.Contains(text, number) || !strings.Contains(text, "株式会社ブラウザ商事") || !strings.Contains(text, "12,166") {
		t.Errorf("the PDF's text lacks the number, customer or total:\n%s", text)
	}

	f.do("search by amount", chromedp.Navigate(f.base+"/documents"),
		chromedp.SendKeys(chromedp.CSS("#total_min"), "12000"), chromedp.SendKeys(chromedp.CSS("#total_max"), "12500"),
		chromedp.Submit(chromedp.CSS("#total_min")))
	f.waitLocation("total_min=12000")
	f.do("results", chromedp.WaitVisible(chromedp.CSS("#results")))
	if got := f.text("#results table.docs tbody tr td a"); got != number {
		t.Errorf("search by amount found %q, want %s", got, number)
	}
	f.screenshot("documents")

	// Export the search result: the progress page polls until the ZIP is ready.
	f.do("bulk export", chromedp.Click(chromedp.CSS("#export")), chromedp.WaitVisible(chromedp.CSS("#export-download")))
	if got := f.text("#export-count"); got != "1 / 1 件" {
		t.Errorf("export progress shows %q, want 1 / 1 件", got)
	}
	f.screenshot("export")
	zipHead, err := chromedp.Run(f.ctx, chromedp.Evaluate[string](`fetch(document.querySelector('#export-download').href).then(r => r.arrayBuffer()).then(b => String.fromCharCode(...new Uint8Array(b.slice(0, 2))))`, chromedp.EvalAwaitPromise))
	if err != nil || zipHead != "PK" {
		t.Errorf("the export download is not a ZIP (starts %q, %v)", zipHead, err)
	}

	f.do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.Sleep(300*time.Millisecond), chromedp.Navigate(f.base+"/"))
	loc, err := chromedp.Run(f.ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login") {
		t.Errorf("after logout / leads to %q, want the login page", loc)
	}
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils), skipping without it.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv(storetest.EnvStrict) == "1" {
			t.Fatal("pdftotext not found")
		}
		t.Skip("pdftotext not found (apt-get install poppler-utils)")
	}
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestBrowserLocalFlow: first-run setup, then the whole office flow, in Chromium.
func TestBrowserLocalFlow(t *testing.T) {
	ctx := mustBrowser(t)
	db := storetest.Open(t)
	base, authSvc := mustServer(t, db, nil)
	setup, ok, err := authSvc.SetupURL(context.Background())
	if err != nil || !ok {
		t.Fatalf("SetupURL = %v, %v", ok, err)
	}
	f := flow{t: t, ctx: ctx, base: base, shot: true}
	f.do("first-run setup", chromedp.Navigate(setup),
		chromedp.SendKeys(chromedp.CSS("input[name=org_name]"), "株式会社テスト"),
		chromedp.SendKeys(chromedp.CSS("input[name=org_slug]"), "test"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "admin@example.co.jp"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "correct horse battery staple"),
		chromedp.Submit(chromedp.CSS("input[name=org_name]")))
	f.do("after setup", chromedp.WaitVisible(chromedp.CSS("#logout")))
	// A qualified invoice issuer (the default) needs its registration number to issue invoices.
	f.do("enter the registration number", chromedp.Navigate(base+"/settings"),
		chromedp.SendKeys(chromedp.CSS("#registration_number"), "T7123456789012"),
		chromedp.Submit(chromedp.CSS("#registration_number")),
		chromedp.WaitVisible(chromedp.CSS("p.notice")),
		chromedp.Navigate(base+"/"))
	f.run()
	f.do("login page", chromedp.WaitVisible(chromedp.CSS("form[action='/login']")))
	f.screenshot("login")
}

// TestBrowserOIDCFlow: the same flow after signing in through an in-process OIDC provider.
func TestBrowserOIDCFlow(t *testing.T) {
	ctx := mustBrowser(t)
	db := storetest.Open(t)
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("start mock OIDC provider: %v", err)
	}
	m.CodeChallengeMethodsSupported = []string{"S256"}
	t.Cleanup(func() { _ = m.Shutdown() })
	base, _ := mustServer(t, db, func(o *auth.Options) {
		o.LocalLogin = false
		o.OIDC = auth.OIDCOptions{IssuerURL: m.Issuer(), ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			RedirectURL: o.BaseURL + "/auth/callback"}
	})
	// An admin invited the provider's user (the CLI's `user create` does the same).
	mustInvitedAdmin(t, db, "oidc", mockoidc.DefaultUser().Email)
	f := flow{t: t, ctx: ctx, base: base}
	f.do("OIDC login", chromedp.Navigate(base+"/login"),
		chromedp.Click(chromedp.CSS("a[href='/auth/oidc/login']")),
		chromedp.WaitVisible(chromedp.CSS("#logout")))
	f.run()
}

// mustInvitedAdmin makes organisation slug with email as its admin, who has no password: an
// identity provider signs them in.
func mustInvitedAdmin(t *testing.T, db *store.DB, slug, email string) {
	t.Helper()
	bg := context.Background()
	org, err := db.CreateOrganization(bg, slug, "株式会社"+slug)
	if err != nil {
		t.Fatal(err)
	}
	org = storetest.MustRegister(t, db, org)
	u, err := db.CreateUser(bg, email, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMember(bg, org.ID, u.ID, domain.RoleAdmin); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserSetupSlugPattern: the setup form's 組織ID pattern is a regular expression Chromium
// accepts (it compiles pattern attributes in the v-flag mode, where an unescaped "-" in a class is
// an error and the check is silently off), so the browser itself refuses a bad 組織ID.
func TestBrowserSetupSlugPattern(t *testing.T) {
	ctx := mustBrowser(t)
	base, authSvc := mustServer(t, storetest.Open(t), nil)
	setup, ok, err := authSvc.SetupURL(context.Background())
	if err != nil || !ok {
		t.Fatalf("SetupURL = %v, %v", ok, err)
	}
	f := flow{t: t, ctx: ctx, base: base}
	f.do("setup page", chromedp.Navigate(setup), chromedp.WaitVisible(chromedp.CSS("#org_slug")))
	for value, wantMismatch := range map[string]bool{"Yamada Shoji": true, "-abc": true, "yamada-shoji": false, "acme2": false} {
		f.do("type "+value, chromedp.SetValue(chromedp.CSS("#org_slug"), value))
		mismatch, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('org_slug').validity.patternMismatch`))
		if err != nil {
			t.Fatal(err)
		}
		if mismatch != wantMismatch {
			t.Errorf("組織ID %q: patternMismatch = %v, want %v (an invalid pattern is ignored by the browser)", value, mismatch, wantMismatch)
		}
	}
}
