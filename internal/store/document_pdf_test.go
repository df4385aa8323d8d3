package store_test

import (
	"context"
	"errors"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func TestDocumentPDFs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustOrg(t, db, "acme"), mustOrg(t, db, "other")
		c := mustCustomer(t, db, a.ID, "株式会社サンプル")
		newDoc := func() document.Document {
			return mustCreateDoc(t, db, a.ID, newDraft(t, c.ID, document.Invoice, "2026-01-10", "", 1))
		}

		// Issued before PDFs were stored: none, until the first EnsureDocumentPDF renders it once.
		old := mustIssue(t, db, a.ID, newDoc().ID)
		if _, err := db.GetDocumentPDF(ctx, a.ID, old.ID, store.RenditionOriginal); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("before a renderer: err = %v, want not found", err)
		}
		renders := 0
		var failWith error
		db.SetRenderer(func(ctx context.Context, d document.Document, logo, seal []byte) ([]byte, string, error) {
			renders++
			if failWith != nil {
				return nil, "", failWith
			}
			return []byte("%PDF-" + string(d.Status) + " " + *d.Number), "test 1", nil
		})
		for range 2 {
			p, err := db.EnsureDocumentPDF(ctx, a.ID, "tester", old.ID, store.RenditionOriginal)
			if err != nil || string(p.PDF) != "%PDF-issued INV-0001" || p.Renderer != "test 1" || len(p.SHA256) != 64 {
				t.Fatalf("EnsureDocumentPDF = %q %+v, %v", p.PDF, p, err)
			}
		}
		if renders != 1 {
			t.Errorf("rendered %d times, want once", renders)
		}
		if _, err := db.EnsureDocumentPDF(ctx, b.ID, "tester", old.ID, store.RenditionOriginal); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("another organisation's document: err = %v, want not found", err)
		}
		if _, err := db.EnsureDocumentPDF(ctx, a.ID, "tester", newDoc().ID, store.RenditionOriginal); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("a draft: err = %v, want conflict", err)
		}

		// Issuing stores the PDF in its transaction: a failed render leaves the document a draft.
		d := newDoc()
		failWith = errors.New("renderer down")
		if _, err := db.IssueDocument(ctx, a.ID, "u1", d.ID); err == nil {
			t.Fatal("issued although its PDF could not be rendered")
		}
		if got, _ := db.GetDocument(ctx, a.ID, d.ID); got.Status != document.Draft {
			t.Errorf("after a failed render the document is %s", got.Status)
		}
		failWith = nil
		issued := mustIssue(t, db, a.ID, d.ID)
		got, err := db.GetDocument(ctx, a.ID, d.ID)
		if err != nil || got.PDFSHA256 == "" || got.PDFSHA256 != issued.PDFSHA256 {
			t.Errorf("pdf_sha256: issued %q, read %q (%v)", issued.PDFSHA256, got.PDFSHA256, err)
		}
		cancelled, err := db.CancelDocument(ctx, a.ID, "u1", d.ID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.GetDocumentPDF(ctx, a.ID, d.ID, store.RenditionCancelled)
		if err != nil || string(p.PDF) != "%PDF-cancelled "+*issued.Number || cancelled.PDFSHA256 != issued.PDFSHA256 {
			t.Errorf("cancelled rendition %q (%v); pdf_sha256 %q", p.PDF, err, cancelled.PDFSHA256)
		}
	})
}
