package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustExportAPI is mustAPI, whose job queue runs, and that queue.
func mustExportAPI(t *testing.T, db *store.DB) (*testAPI, *jobs.Queue) {
	t.Helper()
	a := mustAPI(t, db)
	return a, a.queue
}

func TestExportAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a, _ := mustExportAPI(t, db)
		cust, _, _ := a.fixture() // a draft and an issued invoice
		var more document.Document
		a.mustJSON(201, &more, "A-member", "POST", "/api/v1/documents", invoiceBody(cust.ID))

		// Only the issued invoice, by a body filter; the same by query.
		var e jobs.Export
		code, hdr, body := a.do("A-member", "POST", "/api/v1/exports", map[string]any{"status": "issued", "kind": "invoice"})
		if code != 202 {
			t.Fatalf("create = %d: %s", code, body)
		}
		mustUnmarshal(t, body, &e)
		if e.Status != jobs.Queued || hdr.Get("Location") != "/api/v1/exports/"+e.ID {
			t.Errorf("created %+v, Location %q", e, hdr.Get("Location"))
		}
		deadline := time.Now().Add(60 * time.Second)
		for e.Status != jobs.Done {
			if time.Now().After(deadline) || e.Status == jobs.Failed {
				t.Fatalf("export = %+v", e)
			}
			time.Sleep(30 * time.Millisecond)
			a.mustJSON(200, &e, "A-viewer", "GET", "/api/v1/exports/"+e.ID, nil)
		}
		if e.Done != 1 || e.Total != 1 {
			t.Errorf("done export = %+v, want 1 of 1", e)
		}
		code, hdr, data := a.do("A-viewer", "GET", "/api/v1/exports/"+e.ID+"/download", nil)
		if code != 200 || hdr.Get("Content-Type") != "application/zip" || !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''") {
			t.Fatalf("download = %d %v", code, hdr)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if len(names) != 2 || !strings.HasPrefix(names[0], "請求書_INV-") || names[1] != "index.csv" {
			t.Errorf("ZIP holds %q, want the issued invoice and index.csv", names)
		}

		// Organisation B sees none of it.
		for _, p := range []string{"/api/v1/exports/" + e.ID, "/api/v1/exports/" + e.ID + "/download"} {
			if code, _, body := a.do("B-admin", "GET", p, nil); code != 404 || bytes.Contains(body, []byte(e.ID)) {
				t.Errorf("B GET %s = %d: %s", p, code, body)
			}
		}

		for _, tc := range []struct {
			name, query string
			body        any
			want        int
		}{
			{"query filter", "?kind=invoice&date_from=2026-01-01", nil, 202},
			{"bad date", "?date_from=2026-13-01", nil, 422},
			{"bad body date", "", map[string]any{"date_to": "yesterday"}, 422},
			{"unknown field", "", map[string]any{"colour": "red"}, 400},
			{"not an object", "", `[1]`, 400},
			{"nested value", "", map[string]any{"kind": []string{"invoice"}}, 422},
		} {
			code, _, body := a.do("A-member", "POST", "/api/v1/exports"+tc.query, tc.body)
			if code != tc.want {
				t.Errorf("%s: %d, want %d: %s", tc.name, code, tc.want, body)
			}
		}
		if code, _, _ := a.do("A-viewer", "POST", "/api/v1/exports", nil); code != 403 {
			t.Errorf("viewer creates an export: %d, want 403", code)
		}
	})
}

// TestExportWithoutQueue: a process built without a job queue refuses new exports with 503 and
// knows of no export.
func TestExportWithoutQueue(t *testing.T) {
	db := storetest.Open(t)
	a, stop := startAPIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20, noQueue: true})
	t.Cleanup(stop)
	if code, _, _ := a.do("A-member", "POST", "/api/v1/exports", nil); code != 503 {
		t.Errorf("create without a queue = %d, want 503", code)
	}
	for _, p := range []string{"/api/v1/exports/00000000-0000-0000-0000-000000000000", "/api/v1/exports/x/download"} {
		if code, _, _ := a.do("A-viewer", "GET", p, nil); code != 404 {
			t.Errorf("GET %s without a queue = %d, want 404", p, code)
		}
	}
}

func mustUnmarshal(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}
