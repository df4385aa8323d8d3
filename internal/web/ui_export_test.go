package web

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustExport starts a bulk export through the document list's button as A's member and returns
// its id.
func (u *testUI) mustExport(filters url.Values) string {
	u.t.Helper()
	p := u.post("A-member", "/exports", filters)
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/exports/") {
		u.t.Fatalf("POST /exports = %d %q:\n%s", p.status, loc, p.body)
	}
	return strings.TrimPrefix(loc, "/exports/")
}

// runQueue works the harness's jobs until the test ends.
func (u *testUI) runQueue() {
	u.t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- u.queue.Run(ctx, 5*time.Second) }()
	u.t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			u.t.Errorf("job queue: %v", err)
		}
	})
}

// TestUIExport: the document list's button exports the current search; the export page shows a
// progress bar that htmx polls while the job is queued or running, and a download link once it is
// done; the ZIP holds the matching documents; other organisations get 404.
func TestUIExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		u.mustDraft()
		u.mustDraft()
		filters := url.Values{"customer_id": {u.custA.ID}, "total_min": {"1"}}

		// The button carries the list's current filters, and only for those who may export.
		list := u.get("A-member", "/documents?"+filters.Encode()+"&cursor=ignored")
		got := map[string]string{}
		list.doc.Find("form#export-form[method=post][action='/exports'] input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
			got[s.AttrOr("name", "")] = s.AttrOr("value", "")
		})
		if diff := cmp.Diff(map[string]string{"customer_id": u.custA.ID, "total_min": "1"}, got); diff != "" {
			t.Errorf("export form's filters (-want +got):\n%s", diff)
		}
		if btn := list.text(t, "form#export-form button#export"); btn != "この検索結果をZIPで一括ダウンロード" {
			t.Errorf("export button = %q", btn)
		}
		if n := u.get("A-viewer", "/documents").doc.Find("#export-form").Length(); n != 0 {
			t.Errorf("a viewer sees the export button")
		}

		// Queued (the queue is not running yet): the bar is indeterminate and htmx polls.
		id := u.mustExport(filters)
		p := u.get("A-viewer", "/exports/"+id)
		if p.status != http.StatusOK {
			t.Fatalf("GET /exports/%s = %d:\n%s", id, p.status, p.body)
		}
		sec := p.doc.Find("section#export-progress")
		if sec.AttrOr("hx-get", "") != "/exports/"+id || sec.AttrOr("hx-trigger", "") != "every 1s" || sec.AttrOr("hx-swap", "") != "outerHTML" {
			h, _ := goquery.OuterHtml(sec)
			t.Errorf("queued export does not poll: %s", h)
		}
		if _, ok := p.doc.Find("progress#export-bar").Attr("value"); ok {
			t.Errorf("queued export's bar has a value")
		}
		if p.doc.Find("#export-download").Length() != 0 {
			t.Errorf("queued export offers a download")
		}
		if got := p.text(t, "#export-status .badge"); got != "待機中" {
			t.Errorf("status = %q, want 待機中", got)
		}

		// Poll as htmx does until the job is done: each answer is the fragment alone.
		u.runQueue()
		var frag page
		deadline := time.Now().Add(30 * time.Second)
		for {
			frag = u.get("A-viewer", "/exports/"+id, "HX-Request", "true")
			if frag.status != http.StatusOK {
				t.Fatalf("poll = %d:\n%s", frag.status, frag.body)
			}
			if frag.doc.Find("header.top, main, h1").Length() != 0 || frag.doc.Find("section#export-progress").Length() != 1 {
				t.Fatalf("poll answered more than the fragment:\n%s", frag.body)
			}
			if _, polling := frag.doc.Find("section#export-progress").Attr("hx-trigger"); !polling {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("export never finished:\n%s", frag.body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		bar := frag.doc.Find("progress#export-bar")
		if bar.AttrOr("max", "") != "2" || bar.AttrOr("value", "") != "2" {
			h, _ := goquery.OuterHtml(bar)
			t.Errorf("finished bar = %s, want 2 of 2", h)
		}
		if got := frag.text(t, "#export-count"); got != "2 / 2 件" {
			t.Errorf("count = %q", got)
		}
		link := frag.doc.Find("a#export-download").AttrOr("href", "")
		if link != "/exports/"+id+"/download" {
			t.Fatalf("download link = %q:\n%s", link, frag.body)
		}

		// The viewer downloads the ZIP: the two documents and the index.
		resp := u.get("A-viewer", link)
		if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download = %d %q", resp.status, resp.header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader(resp.body), int64(len(resp.body)))
		if err != nil {
			t.Fatal(err)
		}
		var pdfs, csvs int
		for _, f := range zr.File {
			switch {
			case strings.HasSuffix(f.Name, ".pdf"):
				pdfs++
			case f.Name == "index.csv":
				csvs++
			}
		}
		if pdfs != 2 || csvs != 1 || len(zr.File) != 3 {
			t.Errorf("ZIP holds %d PDFs and %d indexes in %d files, want 2, 1, 3", pdfs, csvs, len(zr.File))
		}

		// Another organisation sees neither the export nor its ZIP.
		for _, path := range []string{"/exports/" + id, link} {
			if p := u.get("B-admin", path); p.status != http.StatusNotFound {
				t.Errorf("B GET %s = %d, want 404", path, p.status)
			}
		}
		// A page still polling an export that is gone is told to stop (htmx's 286).
		if p := u.get("A-viewer", "/exports/01a21b43-0000-7000-8000-000000000000", "HX-Request", "true"); p.status != 286 {
			t.Errorf("polling a vanished export = %d, want 286", p.status)
		}
	})
}

// TestUIExportBadFilter: filters that do not parse re-render the document list with the message
// beside the field and the input kept; no export is queued.
func TestUIExportBadFilter(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	p := u.post("A-member", "/exports", url.Values{"total_min": {"abc"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("POST /exports with a bad amount = %d:\n%s", p.status, p.body)
	}
	if p.doc.Find("#total_min + .field-error").Length() != 1 || p.val(t, "#total_min") != "abc" {
		t.Errorf("no message beside total_min, or the input was lost:\n%s", p.body)
	}
	var n int
	if err := u.db.SQL().QueryRow("SELECT count(*) FROM exports").Scan(&n); err != nil || n != 0 {
		t.Errorf("exports = %d, %v; want none", n, err)
	}
}
