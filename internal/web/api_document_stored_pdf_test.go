package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestIssuedPDFIsStored: the PDF of an issued document is the one stored when it was issued —
// its bytes do not change when what the renderer would produce does (a new logo, a new
// organisation name) — while a draft's PDF is rendered live.
func TestIssuedPDFIsStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		_, draft, issued := a.fixture()
		if len(issued.PDFSHA256) != 64 {
			t.Fatalf("issued document's pdf_sha256 = %q", issued.PDFSHA256)
		}
		if draft.PDFSHA256 != "" {
			t.Errorf("a draft has pdf_sha256 %q", draft.PDFSHA256)
		}
		get := func(id, query string) ([]byte, string) {
			t.Helper()
			code, hdr, body := a.do("A-viewer", "GET", "/api/v1/documents/"+id+"/pdf"+query, nil)
			if code != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
				t.Fatalf("GET pdf%s = %d %.100q", query, code, body)
			}
			return body, hdr.Get("ETag")
		}
		original, etag := get(issued.ID, "")
		sum := sha256.Sum256(original)
		if hex.EncodeToString(sum[:]) != issued.PDFSHA256 || etag != `"`+issued.PDFSHA256+`"` {
			t.Errorf("ETag %s, pdf_sha256 %s, hash of the bytes %x", etag, issued.PDFSHA256, sum)
		}
		draftBefore, _ := get(draft.ID, "")

		// What the renderer would make changes: a logo, and a new name of the issuer.
		var logo bytes.Buffer
		_ = png.Encode(&logo, image.NewGray(image.Rect(0, 0, 40, 20)))
		if err := db.SetOrganizationImages(context.Background(), a.orgA.ID, logo.Bytes(), nil); err != nil {
			t.Fatal(err)
		}
		a.mustJSON(200, nil, "A-admin", "PUT", "/api/v1/organization", map[string]any{"name": "株式会社A（新社名）"})
		if after, _ := get(draft.ID, ""); bytes.Equal(after, draftBefore) {
			t.Fatal("the draft's PDF did not change: the test changes nothing the renderer uses")
		}
		if again, _ := get(issued.ID, ""); !bytes.Equal(again, original) {
			t.Error("the issued document's PDF changed with the renderer's output")
		}

		// Cancelling stores a cancelled rendition; the original stays as it was.
		var cancelled document.Document
		a.mustJSON(200, &cancelled, "A-member", "POST", "/api/v1/documents/"+issued.ID+"/cancel", nil)
		if cancelled.PDFSHA256 != issued.PDFSHA256 {
			t.Errorf("pdf_sha256 after cancelling = %s, want the original's", cancelled.PDFSHA256)
		}
		rendition, _ := get(issued.ID, "")
		// The watermark is drawn rotated: pdftotext gives its two characters apart.
		if text := pdfText(t, rendition); bytes.Equal(rendition, original) || !strings.Contains(text, "取") || !strings.Contains(text, "消") {
			t.Errorf("a cancelled document's PDF is not its cancelled rendition:\n%s", text)
		}
		if orig, _ := get(issued.ID, "?rendition=original"); !bytes.Equal(orig, original) {
			t.Error("?rendition=original is not the stored original")
		}
	})
}

func TestUIDocumentShowsPDFHash(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	id := u.mustDraft()
	if n := u.get("A-viewer", "/documents/"+id).doc.Find("#pdf-sha256").Length(); n != 0 {
		t.Errorf("a draft shows a PDF hash")
	}
	if p := u.post("A-member", "/documents/"+id+"/issue", nil); p.status != http.StatusSeeOther {
		t.Fatalf("issue = %d", p.status)
	}
	p := u.get("A-viewer", "/documents/"+id)
	d, err := u.db.GetDocument(context.Background(), u.orgA.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.text(t, "#pdf-sha256"); got != d.PDFSHA256 || len(got) != 64 || !strings.Contains(string(p.body), "原本の SHA-256") {
		t.Errorf("shown hash %q, stored %q", got, d.PDFSHA256)
	}
}

// TestExportReadsStoredPDFs: a bulk export holds an issued document's stored PDF, not a new
// rendering, after what the renderer would produce has changed.
func TestExportReadsStoredPDFs(t *testing.T) {
	db := storetest.Open(t)
	a, _ := mustExportAPI(t, db)
	_, _, issued := a.fixture()
	_, _, original := a.do("A-viewer", "GET", "/api/v1/documents/"+issued.ID+"/pdf", nil)
	var logo bytes.Buffer // a new logo changes what the renderer would make of the issued document
	_ = png.Encode(&logo, image.NewGray(image.Rect(0, 0, 40, 20)))
	if err := db.SetOrganizationImages(context.Background(), a.orgA.ID, logo.Bytes(), nil); err != nil {
		t.Fatal(err)
	}
	var e jobs.Export
	a.mustJSON(202, &e, "A-member", "POST", "/api/v1/exports", map[string]any{"status": "issued"})
	deadline := time.Now().Add(60 * time.Second)
	for e.Status != jobs.Done {
		if time.Now().After(deadline) || e.Status == jobs.Failed {
			t.Fatalf("export = %+v", e)
		}
		time.Sleep(30 * time.Millisecond)
		a.mustJSON(200, &e, "A-viewer", "GET", "/api/v1/exports/"+e.ID, nil)
	}
	_, _, data := a.do("A-viewer", "GET", "/api/v1/exports/"+e.ID+"/download", nil)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	f, err := zr.Open(zr.File[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	if !bytes.Equal(got, original) {
		t.Errorf("the exported PDF %s is not the stored original", zr.File[0].Name)
	}
}
