package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestExportBoundsActive: an organisation has at most ExportLimits.Active exports queued or
// running; beyond that POST /api/v1/exports is 429 rate_limited with Retry-After, also when the
// requests arrive at once, and another organisation is not affected.
func TestExportBoundsActive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, stop := startAPIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20, idleQueue: true,
			exportLimits: store.ExportLimits{Active: 2}})
		t.Cleanup(stop)

		// Five at once: exactly two are taken.
		var mu sync.Mutex
		statuses := map[int]int{}
		var refused http.Header
		var refusedBody []byte
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				code, hdr, body := a.do("A-member", "POST", "/api/v1/exports", nil)
				mu.Lock()
				defer mu.Unlock()
				statuses[code]++
				if code == http.StatusTooManyRequests {
					refused, refusedBody = hdr, body
				}
			})
		}
		wg.Wait()
		if statuses[202] != 2 || statuses[429] != 3 {
			t.Fatalf("five exports at once with a bound of 2: statuses %v, want 2×202 and 3×429", statuses)
		}
		if refused.Get("Retry-After") != "30" || !strings.Contains(string(refusedBody), `"code":"rate_limited"`) ||
			!strings.Contains(string(refusedBody), "at most 2 exports") {
			t.Errorf("refusal: Retry-After %q, body %s", refused.Get("Retry-After"), refusedBody)
		}
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM exports WHERE org_id = '` + a.orgA.ID + `'`).Scan(&n); err != nil {
			t.Fatal(err)
		} else if n != 2 {
			t.Errorf("organisation A has %d exports stored, want 2", n)
		}
		// B has its own bound.
		if code, _, body := a.do("B-admin", "POST", "/api/v1/exports", nil); code != 202 {
			t.Errorf("B's first export = %d: %s", code, body)
		}
	})
}

// TestExportBoundsStored: once an organisation's kept exports hold ExportLimits.StoredBytes, a
// new export is 409 conflict naming the limit; an export whose ZIP would pass the limit fails
// while it is written, saying why; other organisations are not affected.
func TestExportBoundsStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, stop := startAPIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20,
			exportLimits: store.ExportLimits{StoredBytes: 2000}})
		t.Cleanup(stop)
		a.fixture() // an issued invoice: its PDF alone is far more than 2000 bytes

		// The ZIP outgrows the limit while it is written: the export fails, saying why.
		var e jobs.Export
		a.mustJSON(202, &e, "A-member", "POST", "/api/v1/exports", nil)
		e = waitExport(t, a, "A-member", e.ID)
		if e.Status != jobs.Failed || !strings.Contains(e.Error, "2 KB") {
			t.Errorf("export over the stored limit = %+v, want failed naming 2 KB", e)
		}
		var chunks int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM export_chunks`).Scan(&chunks); err != nil || chunks != 0 {
			t.Errorf("the failed export left %d chunks (%v)", chunks, err)
		}

		// An organisation whose kept exports hold the limit gets 409 before anything is queued.
		now := time.Now()
		done, err := db.CreateExport(ctx, a.orgA.ID, "", document.Filter{}, now, now.Add(time.Hour), store.ExportLimits{},
			func(context.Context, *sql.Tx, string) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.StartExportAttempt(ctx, done.ID, "test", now); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.FinishExport(ctx, done.ID, 1, 0, 0, 0, 2000, now); !ok || err != nil {
			t.Fatalf("finish = %v, %v", ok, err)
		}
		code, _, body := a.do("A-member", "POST", "/api/v1/exports", nil)
		if code != http.StatusConflict || !strings.Contains(string(body), `"code":"conflict"`) || !strings.Contains(string(body), "2 KB") {
			t.Errorf("export with the storage full = %d: %s", code, body)
		}
		// Expired exports no longer count.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE exports SET expires_at = created_at`); err != nil {
			t.Fatal(err)
		}
		if code, _, body := a.do("A-member", "POST", "/api/v1/exports", map[string]any{"status": "draft"}); code != 202 {
			t.Errorf("export once the old ones expired = %d: %s", code, body)
		}
		if code, _, body := a.do("B-admin", "POST", "/api/v1/exports", nil); code != 202 {
			t.Errorf("B's export = %d: %s", code, body)
		}
	})
}

// waitExport polls export id until it is done or failed (60 s at most).
func waitExport(t *testing.T, a *testAPI, who, id string) jobs.Export {
	t.Helper()
	var e jobs.Export
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(30 * time.Millisecond) {
		a.mustJSON(200, &e, who, "GET", "/api/v1/exports/"+id, nil)
		if e.Status == jobs.Done || e.Status == jobs.Failed {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("export still %s after 60 s", e.Status)
		}
	}
}

// TestUIExportBounds: in the browser, a refused export re-renders the export page with the reason
// in the user's language, a button that asks again for the same search, and the way back to it.
func TestUIExportBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 4 << 20,
			exportLimits: store.ExportLimits{Active: 1}})
		filters := url.Values{"customer_id": {u.custA.ID}, "total_min": {"1"}}
		u.mustExport(filters) // the queue is not running: it stays queued

		for _, tc := range []struct{ accept, want string }{
			{"ja", "エクスポートは同時に 1 件までです"},
			{"en", "at most 1 exports may be queued or running at once"},
		} {
			p := u.post("A-member", "/exports", filters, "Accept-Language", tc.accept)
			if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") != "30" {
				t.Fatalf("%s: refused export = %d, Retry-After %q:\n%s", tc.accept, p.status, p.header.Get("Retry-After"), p.body)
			}
			if msg := p.text(t, "p.error[role=alert]"); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: message %q, want %q", tc.accept, msg, tc.want)
			}
			got := url.Values{}
			p.doc.Find("form#export-retry[method=post][action='/exports'] input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
				got.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
			})
			if got.Encode() != filters.Encode() {
				t.Errorf("%s: retry form carries %v, want %v", tc.accept, got, filters)
			}
			if href := p.doc.Find("a[href^='/documents']").Last().AttrOr("href", ""); href != "/documents?"+filters.Encode() {
				t.Errorf("%s: back link %q", tc.accept, href)
			}
		}
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM exports").Scan(&n); err != nil || n != 1 {
			t.Errorf("exports = %d, %v; want the first one only", n, err)
		}
	})
}
