package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"reportapp/internal/auth"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// csvFixture is an application on db behind the real server middleware, with n invoices of
// one organisation (5–20 lines each, most issued) and a viewer of it.
type csvFixture struct {
	app *Handler
	url string
	who domain.Principal
}

func mustCSVFixture(t testing.TB, db *store.DB, n int, lim testLimits) csvFixture {
	t.Helper()
	ctx := context.Background()
	h, _ := mustApp(t, db, lim)
	org, err := db.CreateOrganization(ctx, "csv", "株式会社シーエスブイ")
	if err != nil {
		t.Fatal(err)
	}
	org = storetest.MustRegister(t, db, org)
	usr, err := db.CreateUser(ctx, "viewer@csv.example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMember(ctx, org.ID, usr.ID, domain.RoleViewer); err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "株式会社サンプル", Honorific: "御中"}})
	if err != nil {
		t.Fatal(err)
	}
	var docs []document.Document
	for i := range n {
		date := document.Date{Year: 2025, Month: time.Month(1 + i%12), Day: 1 + i%28}
		d := document.Document{Kind: document.Invoice, CustomerID: c.ID, IssueDate: date, TransactionDate: &date,
			Subject: fmt.Sprintf("案件 %d", i), TaxRounding: document.Floor}
		for j := range 5 + i%16 {
			d.Items = append(d.Items, document.Item{Name: fmt.Sprintf("作業 %d", j), Quantity: 1000, UnitPrice: int64(1000 + i), TaxRate: 10})
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if i%10 != 0 {
			d.Status = document.Issued
		}
		if docs = append(docs, d); len(docs) == 500 || i == n-1 {
			if _, err := db.ImportDocuments(ctx, org.ID, "test", docs); err != nil {
				t.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	f := csvFixture{app: h, who: domain.Principal{OrgID: org.ID, OrgSlug: org.Slug, UserID: usr.ID, Email: usr.Email, Role: domain.RoleViewer}}
	inject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), f.who)))
	})
	ts := serveTest(t, db, inject, h, lim)
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// TestCSVFailureMidwayAbortsTheResponse: when a page after the first cannot be read, the CSV
// (status 200 and header already sent) is cut off so that the client's read fails, instead of a
// complete-looking file with a comment line at the end.
func TestCSVFailureMidwayAbortsTheResponse(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	f := mustCSVFixture(t, storetest.Open(t), 250, testLimits{maxInflight: 8, pdfWorkers: 1})
	var pages atomic.Int32
	f.app.a.csvSearch = func(ctx context.Context, orgID string, fl document.Filter, page domain.Page) ([]document.Document, string, error) {
		if pages.Add(1) > 1 {
			return nil, "", errors.New("the database went away")
		}
		page.Limit = 100 // the 250 documents are three pages
		return f.app.a.Store.SearchDocumentCSV(ctx, orgID, fl, page)
	}
	for _, path := range []string{"/documents.csv", "/api/v1/documents.csv"} {
		pages.Store(0)
		resp, err := http.Get(f.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Errorf("%s: status %d and a body of %d bytes read without error; the failure is invisible (ends %q)",
				path, resp.StatusCode, len(body), body[max(0, len(body)-80):])
		}
		if bytes.Contains(body, []byte("途中で失敗")) {
			t.Errorf("%s: the body still ends with a comment line", path)
		}
	}

	// A failure on the first page is a status.
	f.app.a.csvSearch = func(context.Context, string, document.Filter, domain.Page) ([]document.Document, string, error) {
		return nil, "", errors.New("the database went away")
	}
	resp, err := http.Get(f.url + "/api/v1/documents.csv")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("failure before the first row: status %d, want 500", resp.StatusCode)
	}
}

// TestCSVOutlivesRequestTimeout: the CSV has its own deadline (CSVTimeout), so a server whose
// REQUEST_TIMEOUT is far shorter than the export still sends every row; other routes keep the
// short deadline.
func TestCSVOutlivesRequestTimeout(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	f := mustCSVFixture(t, storetest.Open(t), 400, testLimits{maxInflight: 8, pdfWorkers: 1, requestTimeout: time.Millisecond})
	resp, err := http.Get(f.url + "/api/v1/documents.csv")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, read error %v", resp.StatusCode, err)
	}
	if n := strings.Count(string(body), "\n"); n != 401 {
		t.Errorf("%d lines, want the header and 400 rows", n)
	}
	if RouteTimeout(httptest.NewRequest(http.MethodGet, "/api/v1/documents", nil)) != 0 {
		t.Error("the document list got the CSV's deadline")
	}
}

// BenchmarkDocumentCSV streams the CSV of 5,000 invoices (5–20 lines each) through the real
// middleware, on SQLite and on PostgreSQL (when REPORTAPP_TEST_DATABASE_URL is set): rows per
// second (of wall time, and of this process's CPU time, server and client together; a
// PostgreSQL server's own CPU is not counted) and the peak of the heap during the request.
//
//	go test ./internal/web -run '^$' -bench DocumentCSV -benchtime 5x
func BenchmarkDocumentCSV(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkDocumentCSV(b, storetest.Open(b)) })
	b.Run("postgres", func(b *testing.B) { benchmarkDocumentCSV(b, storetest.OpenPostgres(b)) })
}

func benchmarkDocumentCSV(b *testing.B, db *store.DB) {
	const n = 5000
	f := mustCSVFixture(b, db, n, testLimits{maxInflight: 8, pdfWorkers: 1})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	var peak atomic.Uint64
	start := heap()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	cpu0 := cpu()
	b.ResetTimer()
	for b.Loop() {
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(2 * time.Millisecond):
					if h := heap(); h > peak.Load() {
						peak.Store(h)
					}
				}
			}
		}()
		resp, err := http.Get(f.url + "/api/v1/documents.csv")
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		close(done)
		if err != nil || resp.StatusCode != http.StatusOK || bytes.Count(body, []byte("\n")) != n+1 {
			b.Fatalf("status %d, %v, %d lines", resp.StatusCode, err, bytes.Count(body, []byte("\n")))
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	// On a shared machine wall time depends on the others' load; CPU time per row does not.
	b.ReportMetric(float64(n*b.N)/(cpu()-cpu0).Seconds(), "rows/cpu-s")
	b.ReportMetric(float64(int64(peak.Load())-int64(start))/(1<<20), "MB-peak-heap-growth")
}
