package jobs

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/pdf"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

var testRenderer = sync.OnceValues(pdf.New)

func mustRenderer(t testing.TB) *pdf.Renderer {
	t.Helper()
	r, err := testRenderer()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mustDB opens a migrated store (ours and River's) on each database.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := Migrate(context.Background(), db, nil); err != nil {
			t.Fatalf("river migrate: %v", err)
		}
		fn(t, db)
	})
}

func mustOrg(t testing.TB, db *store.DB, slug string) document.Organization {
	t.Helper()
	org, err := db.CreateOrganization(context.Background(), slug, "株式会社"+slug)
	if err != nil {
		t.Fatal(err)
	}
	return storetest.MustRegister(t, db, org)
}

// mustDocuments creates n invoices in org, issued unless i%5 == 4 (drafts, which share a file
// name), on dates spread over 2026.
func mustDocuments(t testing.TB, db *store.DB, orgID string, n int) []document.Document {
	t.Helper()
	ctx := context.Background()
	var out []document.Document
	cust, err := db.CreateCustomer(ctx, orgID, document.Customer{Counterparty: document.Counterparty{Name: "株式会社サンプル", Honorific: document.HonorificOnchu}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		d := document.Document{
			Kind:        document.Invoice,
			CustomerID:  cust.ID,
			IssueDate:   document.Date{Year: 2026, Month: time.Month(1 + i%12), Day: 1 + i%28},
			Subject:     fmt.Sprintf("%d月分 保守", 1+i%12),
			TaxRounding: document.Floor,
			Items: []document.Item{
				{Name: "保守作業", Quantity: document.Quantity(2 * document.QuantityScale), Unit: "時間", UnitPrice: int64(10000 + i), TaxRate: document.RateStandard},
				{Name: "お弁当", Quantity: document.Quantity(3 * document.QuantityScale), Unit: "個", UnitPrice: 540, TaxRate: document.RateReduced},
			},
		}
		if err := document.ComputeTotals(&d); err != nil {
			t.Fatal(err)
		}
		d, err := db.CreateDocument(ctx, orgID, "", d)
		if err != nil {
			t.Fatalf("create document %d: %v", i, err)
		}
		if i%5 != 4 {
			if d, err = db.IssueDocument(ctx, orgID, "", d.ID); err != nil {
				t.Fatalf("issue document %d: %v", i, err)
			}
		}
		out = append(out, d)
	}
	return out
}

// failing renders like the real renderer except for one document, which fails: the real
// renderer never fails on a document's content, so this is the only way to see one failure
// among successes.
type failing struct {
	Renderer
	id string
}

func (f failing) Render(ctx context.Context, w io.Writer, d document.Document, a pdf.Assets) (pdf.Result, error) {
	if d.ID == f.id {
		return pdf.Result{}, errors.New("boom")
	}
	return f.Renderer.Render(ctx, w, d, a)
}

// zipContents reads a ZIP: the file names in order and index.csv's rows (BOM stripped).
func mustReadZIP(t *testing.T, data []byte) (*zip.Reader, [][]string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	f, err := zr.Open(IndexName)
	if err != nil {
		t.Fatalf("no %s: %v", IndexName, err)
	}
	defer f.Close()
	raw, _ := io.ReadAll(f)
	if !bytes.HasPrefix(raw, []byte("\uFEFF")) {
		t.Errorf("index.csv has no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("index.csv: %v", err)
	}
	return zr, rows
}

func TestWriteZIP(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		docs := mustDocuments(t, db, org.ID, 11)
		other := mustOrg(t, db, "other")
		mustDocuments(t, db, other.ID, 2)

		x := &Exporter{Store: db, Renderer: failing{mustRenderer(t), docs[3].ID}, Workers: 3}
		var calls [][2]int
		var buf bytes.Buffer
		sum, err := x.WriteZIP(ctx, &buf, org.ID, document.Filter{}, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(Summary{Total: 11, Done: 11, Failed: 1, Bytes: int64(buf.Len())}, sum); diff != "" {
			t.Errorf("summary (-want +got):\n%s", diff)
		}
		if len(calls) != 12 || calls[0] != [2]int{0, 11} || calls[11] != [2]int{11, 11} {
			t.Errorf("progress calls = %v, want 0/11 … 11/11", calls)
		}
		for i := 1; i < len(calls); i++ {
			if calls[i][0] != calls[i-1][0]+1 {
				t.Errorf("progress not one by one: %v", calls)
				break
			}
		}

		zr, rows := mustReadZIP(t, buf.Bytes())
		if got := len(zr.File); got != 11 { // 10 PDFs + index.csv
			t.Errorf("%d files in the ZIP, want 11", got)
		}
		if diff := cmp.Diff(document.CSVHeadings(document.CSVJapanese, indexColumns...), rows[0]); diff != "" {
			t.Errorf("index header (-want +got):\n%s", diff)
		}
		if len(rows) != 12 {
			t.Fatalf("index has %d rows, want header + 11", len(rows))
		}
		names := map[string]bool{}
		for _, f := range zr.File {
			if nonASCII := strings.ContainsFunc(f.Name, func(r rune) bool { return r > 0x7F }); nonASCII && f.Flags&0x800 == 0 {
				t.Errorf("%s: UTF-8 flag (bit 11) not set", f.Name)
			}
			names[f.Name] = true
			if strings.HasSuffix(f.Name, ".pdf") {
				rc, _ := f.Open()
				head := make([]byte, 5)
				io.ReadFull(rc, head)
				rc.Close()
				if string(head) != "%PDF-" {
					t.Errorf("%s is not a PDF: %q", f.Name, head)
				}
			}
		}
		for _, want := range []string{"請求書_下書き.pdf", "請求書_下書き_2.pdf", IndexName} {
			if !names[want] {
				t.Errorf("no %s in %v", want, names)
			}
		}
		ids := map[string]bool{}
		for _, row := range rows[1:] {
			ids[row[8]] = true
			switch {
			case row[8] == docs[3].ID:
				if row[0] != "" || !strings.Contains(row[9], "boom") {
					t.Errorf("failed document's row = %q, want no file and the error", row)
				}
			case !names[row[0]] || row[9] != "":
				t.Errorf("row %q names no file of the ZIP or has an error", row)
			}
		}
		for _, d := range docs {
			if !ids[d.ID] {
				t.Errorf("document %s missing from the index", d.ID)
			}
		}

		// A filter: only drafts.
		buf.Reset()
		sum, err = x.WriteZIP(ctx, &buf, org.ID, document.Filter{Status: document.Draft}, nil)
		if err != nil || sum.Total != 2 || sum.Done != 2 {
			t.Errorf("drafts only: %+v, %v; want 2", sum, err)
		}

		// A cancelled context is an error, not a list of failures.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := x.WriteZIP(cctx, io.Discard, org.ID, document.Filter{}, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled export: err %v, want context.Canceled", err)
		}
	})
}

// clock is a settable clock for the queue.
type clock struct{ d atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.d.Load())) }
func (c *clock) advance(d time.Duration) { c.d.Add(int64(d)) }

// mustQueue starts a queue on db, stopped when the test ends.
func mustQueue(t *testing.T, db *store.DB, opts Options) *Queue {
	t.Helper()
	if opts.Renderer == nil {
		opts.Renderer = mustRenderer(t)
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 50 * time.Millisecond
	}
	q, err := New(db, opts)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func startQueue(t *testing.T, q *Queue) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, 10*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("queue run: %v", err)
		}
	})
}

// waitExport polls the export until it is done or failed.
func waitExport(t *testing.T, q *Queue, orgID, id string, within time.Duration) Export {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		e, err := q.GetExport(context.Background(), orgID, id)
		if err != nil {
			t.Fatal(err)
		}
		if e.Status == Done || e.Status == Failed {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("export still %s (%d/%d) after %v", e.Status, e.Done, e.Total, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func code(err error) domain.Code {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

func TestExportJob(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		other := mustOrg(t, db, "other")
		mustDocuments(t, db, org.ID, 6)
		q := mustQueue(t, db, Options{})

		e, err := q.CreateExport(ctx, org.ID, "", document.Filter{Kind: document.Invoice})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != Queued || e.ExpiresAt.Sub(e.CreatedAt) != DefaultRetention {
			t.Errorf("new export = %+v", e)
		}
		// Not started yet: queued, and no download.
		got, err := q.GetExport(ctx, org.ID, e.ID)
		if err != nil || got.Status != Queued {
			t.Errorf("queued export = %+v, %v", got, err)
		}
		if _, _, err := q.ExportZIP(ctx, org.ID, e.ID); code(err) != domain.ENotFound {
			t.Errorf("download before done: err %v, want not_found", err)
		}

		startQueue(t, q)
		done := waitExport(t, q, org.ID, e.ID, 60*time.Second)
		if done.Status != Done || done.Done != 6 || done.Total != 6 || done.Failed != 0 || done.Attempts != 1 || done.Worker != q.ID() {
			t.Errorf("finished export = %+v", done)
		}
		got2, data, err := q.ExportZIP(ctx, org.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got2.Size != int64(len(data)) {
			t.Errorf("size %d, ZIP has %d bytes", got2.Size, len(data))
		}
		zr, rows := mustReadZIP(t, data)
		if len(zr.File) != 7 || len(rows) != 7 {
			t.Errorf("ZIP has %d files and %d index rows, want 7 and 7", len(zr.File), len(rows))
		}

		// Another organisation, or a garbage id, sees nothing.
		for _, tc := range []struct{ org, id string }{{other.ID, e.ID}, {org.ID, "nope"}, {org.ID, "00000000-0000-0000-0000-000000000000"}} {
			if _, err := q.GetExport(ctx, tc.org, tc.id); code(err) != domain.ENotFound {
				t.Errorf("GetExport(%s, %s): %v, want not_found", tc.org, tc.id, err)
			}
			if _, _, err := q.ExportZIP(ctx, tc.org, tc.id); code(err) != domain.ENotFound {
				t.Errorf("ExportZIP(%s, %s): %v, want not_found", tc.org, tc.id, err)
			}
		}
	})
}

func TestDeleteExpired(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		c := &clock{}
		q := mustQueue(t, db, Options{Now: c.now, Retention: time.Hour})
		old, err := q.CreateExport(ctx, org.ID, "", document.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		c.advance(50 * time.Minute)
		fresh, err := q.CreateExport(ctx, org.ID, "", document.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		c.advance(20 * time.Minute) // old expired 10 minutes ago; fresh has 40 left
		if _, err := q.GetExport(ctx, org.ID, old.ID); code(err) != domain.ENotFound {
			t.Errorf("expired export still visible: %v", err)
		}
		n, _, err := q.DeleteExpired(ctx)
		if err != nil || n != 1 {
			t.Errorf("DeleteExpired = %d, %v; want 1", n, err)
		}
		var left []string
		rows, err := db.SQL().QueryContext(ctx, "SELECT id FROM exports")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			left = append(left, id)
		}
		rows.Close()
		if !slices.Equal(left, []string{fresh.ID}) {
			t.Errorf("exports left = %v, want only %s", left, fresh.ID)
		}
	})
}

// TestCleanupRunsPeriodically: the periodic job, run at start by the queue, deletes expired
// exports without anyone calling DeleteExpired.
func TestCleanupRunsPeriodically(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		c := &clock{}
		q := mustQueue(t, db, Options{Now: c.now, Retention: time.Minute, CleanupInterval: 200 * time.Millisecond})
		if _, err := q.CreateExport(ctx, org.ID, "", document.Filter{Kind: document.Quote}); err != nil {
			t.Fatal(err)
		}
		c.advance(2 * time.Minute)
		startQueue(t, q)
		deadline := time.Now().Add(30 * time.Second)
		for {
			var n int
			if err := db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM exports").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d expired exports still there after 30s", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
