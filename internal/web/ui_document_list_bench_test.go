package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/store/storetest"
)

// BenchmarkUIDocumentList measures the document list page of an organisation with 1,000
// documents: time to first byte and page weight (50 rows a page), on SQLite.
//
//	go test ./internal/web -run '^$' -bench UIDocumentList -benchtime 200x
func BenchmarkUIDocumentList(b *testing.B) {
	u := mustUI(b, storetest.Open(b))
	ctx := context.Background()
	for i := range 1000 {
		d := document.Document{Kind: document.Invoice, CustomerID: u.custA.ID, IssueDate: document.Date{Year: 2026, Month: 11, Day: 1 + i%27},
			TransactionDate: &document.Date{Year: 2026, Month: 11, Day: 1 + i%27}, Subject: fmt.Sprintf("案件 %d", i), TaxRounding: document.Floor,
			Items: []document.Item{{Name: "作業", Quantity: 1000, UnitPrice: int64(1000 + i), TaxRate: 10}, {Name: "お菓子", Quantity: 2000, UnitPrice: 540, TaxRate: 8}}}
		if err := d.Validate(); err != nil {
			b.Fatal(err)
		}
		if _, err := u.db.CreateDocument(ctx, u.orgA.ID, "bench", d); err != nil {
			b.Fatal(err)
		}
	}
	var ttfb time.Duration
	var bytes int64
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, u.URL+"/documents", nil)
		req.Header.Set("X-Test-As", "A-viewer")
		start := time.Now()
		resp, err := u.hc.Do(req) // returns once the headers (the first byte) arrived
		if err != nil {
			b.Fatal(err)
		}
		ttfb += time.Since(start)
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		bytes += n
	}
	b.ReportMetric(float64(ttfb.Microseconds())/float64(b.N)/1000, "ms-ttfb")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/page")
}
