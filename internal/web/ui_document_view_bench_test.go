package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"reportapp/internal/auth"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/server"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// BenchmarkDocumentPageVsJSON serves one issued 20-line invoice as the browser page (signed in
// with a session cookie from a real login) and as JSON (a bearer token) through the whole
// handler stack: the server's middleware, then session or token, cross-origin protection and
// the route. The requests go straight to the handler, without a network, so the ratio is that of
// the application's own work (bench/run.sh adds the same HTTP cost to both). Each reports the
// process's CPU time per request; the pages also their requests per CPU second against the
// JSON's of the same run ("x-json", the ratio of issue 17 on a saturated machine). "page" is a
// view without the browser's copy, answered from the page cache after the first;
// "page-rendered" the same with the cache off, every view executing the template;
// "page-revisit" is the browser asking again with the ETag it holds, answered 304.
//
//	go test ./internal/web -run '^$' -bench DocumentPageVsJSON -benchmem
func BenchmarkDocumentPageVsJSON(b *testing.B) {
	for _, o := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.Open}, {"postgres", storetest.OpenPostgres}} {
		b.Run(o.name, func(b *testing.B) {
			e := mustDocumentBench(b, o.open(b))
			page := "/documents/" + e.id
			var jsonCPU float64
			b.Run("json", func(b *testing.B) {
				jsonCPU = serveBench(b, e.h, "/api/v1/documents/"+e.id, http.StatusOK, `"number"`, "Authorization", "Bearer "+e.token)
			})
			b.Run("page", func(b *testing.B) {
				if pageCPU := serveBench(b, e.h, page, http.StatusOK, `id="lines-view"`, "Cookie", e.cookie); jsonCPU > 0 {
					b.ReportMetric(jsonCPU/pageCPU, "x-json")
				}
			})
			b.Run("page-rendered", func(b *testing.B) {
				ui := e.app.a.ui
				kept := ui.kept
				ui.kept = nil // every view executes the template, as a page no one was shown yet
				defer func() { ui.kept = kept }()
				if pageCPU := serveBench(b, e.h, page, http.StatusOK, `id="lines-view"`, "Cookie", e.cookie); jsonCPU > 0 {
					b.ReportMetric(jsonCPU/pageCPU, "x-json")
				}
			})
			b.Run("page-revisit", func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, page, nil)
				req.Header.Set("Cookie", e.cookie)
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, req)
				tag := rec.Header().Get("ETag")
				if tag == "" {
					b.Fatalf("GET %s = %d without an ETag", page, rec.Code)
				}
				if pageCPU := serveBench(b, e.h, page, http.StatusNotModified, "", "Cookie", e.cookie, "If-None-Match", tag); jsonCPU > 0 {
					b.ReportMetric(jsonCPU/pageCPU, "x-json")
				}
			})
		})
	}
}

// serveBench GETs path with the headers hdr (name, value, …) from h in a loop, checks each answer
// has status and contains want, and returns and reports the CPU time of the process per request
// (the machine is shared: wall time per request varies with the others' load far more than CPU
// time).
func serveBench(b *testing.B, h http.Handler, path string, status int, want string, hdr ...string) float64 {
	b.ReportAllocs()
	var size int
	cpu0 := processCPU(b)
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != status || !strings.Contains(rec.Body.String(), want) {
			b.Fatalf("GET %s = %d, want %d with %q:\n%.2000s", path, rec.Code, status, want, rec.Body.String())
		}
		size = rec.Body.Len()
	}
	cpu := float64(processCPU(b)-cpu0) / float64(b.N)
	b.ReportMetric(float64(size), "bytes/resp")
	b.ReportMetric(cpu, "cpu-ns/op")
	return cpu
}

// processCPU is the user and system time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// documentBench is the application of BenchmarkDocumentPageVsJSON and what its requests need.
type documentBench struct {
	app           *Handler
	h             http.Handler // app behind the server's middleware
	cookie, token string       // the admin's session cookie and API token
	id            string       // the issued 20-line invoice
	p             domain.Principal
}

// mustDocumentBench builds the application behind the server's middleware on db, with an admin
// signed in by password and holding a token, and an issued 20-line invoice.
func mustDocumentBench(b testing.TB, db *store.DB) documentBench {
	b.Helper()
	ctx := context.Background()
	app, _ := mustApp(b, db, testLimits{maxInflight: 64, pdfWorkers: 2, noMail: true})
	srv, err := server.New(server.Options{WriteError: app.WriteError, RequestTimeout: 30 * time.Second, QueueTimeout: time.Second,
		MaxInflight: 64, BodyLimit: BodyLimit, RouteTimeout: RouteTimeout, Registry: prometheus.NewRegistry(), Ready: db.Ready}, app)
	if err != nil {
		b.Fatal(err)
	}
	e := documentBench{app: app, h: srv.Handler()}

	org, err := db.CreateOrganization(ctx, "bench", "株式会社ベンチ")
	if err != nil {
		b.Fatal(err)
	}
	org = storetest.MustRegister(b, db, org)
	usr, err := db.CreateUser(ctx, "admin@bench.example.com", "管理者")
	if err != nil {
		b.Fatal(err)
	}
	if err := db.SetMember(ctx, org.ID, usr.ID, domain.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	const password = "correct horse battery staple"
	hash, err := auth.HashNewPassword(password)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.SetPasswordHash(ctx, usr.ID, hash); err != nil {
		b.Fatal(err)
	}
	e.p = domain.Principal{OrgID: org.ID, OrgSlug: org.Slug, UserID: usr.ID, Email: usr.Email, Role: domain.RoleAdmin}
	if e.token, _, err = db.CreateToken(ctx, org.ID, usr.ID, "bench", domain.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	cust, err := db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "株式会社サンプル", Honorific: "御中"}})
	if err != nil {
		b.Fatal(err)
	}
	d := document.Document{Kind: document.Invoice, CustomerID: cust.ID, IssueDate: document.Date{Year: 2026, Month: 11, Day: 27},
		TransactionDate: &document.Date{Year: 2026, Month: 11, Day: 20}, DueDate: &document.Date{Year: 2026, Month: 12, Day: 31},
		Subject: "11月分", TaxRounding: document.Floor}
	for i := 1; i <= 20; i++ {
		rate := document.TaxRate(10)
		if i%3 == 0 {
			rate = 8
		}
		d.Items = append(d.Items, document.Item{Name: fmt.Sprintf("品目 %d", i), Quantity: 1500, Unit: "時間", UnitPrice: int64(1000 * i), TaxRate: rate})
	}
	if err := d.Validate(); err != nil {
		b.Fatal(err)
	}
	if d, err = db.CreateDocument(ctx, org.ID, usr.ID, d); err != nil {
		b.Fatal(err)
	}
	if d, err = db.IssueDocument(ctx, org.ID, usr.ID, d.ID); err != nil {
		b.Fatal(err)
	}

	form := url.Values{"email": {usr.Email}, "password": {password}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	var cookies []string
	for _, c := range rec.Result().Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	if rec.Code != http.StatusSeeOther || len(cookies) == 0 {
		b.Fatalf("login = %d, cookies %v:\n%s", rec.Code, cookies, rec.Body)
	}
	e.cookie, e.id = strings.Join(cookies, "; "), d.ID
	return e
}

// serve sends one request with the headers hdr (name, value, …) straight to the application
// behind the server's middleware, and returns its answer.
func (e documentBench) serve(method, path string, body []byte, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}
