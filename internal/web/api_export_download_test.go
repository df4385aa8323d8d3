package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"testing"
	"time"

	"reportapp/internal/jobs"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestExportDownloadChunked: an export whose ZIP is stored in many chunks downloads through the
// API intact: Content-Length is the ZIP's size, every file reads back (CRC checked), and
// index.csv lists every document.
func TestExportDownloadChunked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const chunkSize = 8 << 10
		a, stop := startAPIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20, chunkSize: chunkSize})
		t.Cleanup(stop)
		cust, _, _ := a.fixture()
		for range 10 {
			a.mustJSON(201, nil, "A-member", "POST", "/api/v1/documents", invoiceBody(cust.ID))
		}
		const docs = 12 // the fixture's two and ten more drafts

		var e jobs.Export
		a.mustJSON(202, &e, "A-member", "POST", "/api/v1/exports", nil)
		deadline := time.Now().Add(2 * time.Minute)
		for e.Status != jobs.Done {
			if time.Now().After(deadline) || e.Status == jobs.Failed {
				t.Fatalf("export = %+v", e)
			}
			time.Sleep(30 * time.Millisecond)
			a.mustJSON(200, &e, "A-viewer", "GET", "/api/v1/exports/"+e.ID, nil)
		}
		if e.Size < 4*chunkSize {
			t.Fatalf("ZIP of %d bytes is under 4 chunks of %d: the test does not cover chunking", e.Size, chunkSize)
		}

		code, hdr, data := a.do("A-viewer", "GET", "/api/v1/exports/"+e.ID+"/download", nil)
		if code != 200 || hdr.Get("Content-Length") != strconv.FormatInt(e.Size, 10) || int64(len(data)) != e.Size {
			t.Fatalf("download = %d, Content-Length %q, %d bytes; want 200 and %d", code, hdr.Get("Content-Length"), len(data), e.Size)
		}
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var index []byte
		files := map[string]bool{}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			b, err := io.ReadAll(rc) // checks the CRC-32 at EOF
			rc.Close()
			if err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
			if f.Name == jobs.IndexName {
				index = b
				continue
			}
			files[f.Name] = true
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(index, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatalf("index.csv: %v", err)
		}
		if len(rows) != docs+1 || len(files) != docs {
			t.Fatalf("index has %d rows and the ZIP %d PDFs, want %d and %d", len(rows), len(files), docs+1, docs)
		}
		for _, row := range rows[1:] {
			if !files[row[0]] {
				t.Errorf("index lists %q, not in the ZIP", row[0])
			}
		}
	})
}
