package jobs

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/pdf"
	"reportapp/internal/store"
)

// TestBackfillPDFs: documents issued (and cancelled) before PDFs were stored get their original
// stored by the backfill, in batches, once each even when two replicas run it at once, each with
// a "store_pdf" history event naming the stored hash; drafts get none; a second run finds
// nothing to do; the periodic job does the same through River.
func TestBackfillPDFs(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		docs := mustDocuments(t, db, org.ID, 7) // issued without a renderer: no stored PDFs; every fifth a draft
		if _, err := db.CancelDocument(ctx, org.ID, "", docs[0].ID); err != nil {
			t.Fatal(err)
		}
		r := mustRenderer(t)
		db.SetRenderer(func(ctx context.Context, d document.Document, logo, seal []byte) ([]byte, string, error) {
			var buf bytes.Buffer
			if _, err := r.Render(ctx, &buf, d, pdf.Assets{Logo: logo, Seal: seal}); err != nil {
				return nil, "", err
			}
			return buf.Bytes(), "test", nil
		})
		q := mustQueue(t, db, Options{BackfillInterval: -1, BackfillBatch: 2, BackfillPause: time.Millisecond})
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 2 { // two replicas at once
			wg.Go(func() {
				stored, failed, err := q.BackfillPDFs(ctx)
				if err != nil || failed != 0 {
					t.Errorf("backfill: %d stored, %d failed, %v", stored, failed, err)
				}
				mu.Lock()
				total += stored
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != 6 {
			t.Errorf("stored %d PDFs, want 6 (the issued and cancelled documents, once each)", total)
		}
		for i, d := range docs {
			p, err := db.GetDocumentPDF(ctx, org.ID, d.ID, store.RenditionOriginal)
			if d.Status == document.Draft {
				if domain.ErrorCode(err) != domain.ENotFound {
					t.Errorf("draft %d has a stored PDF (%v)", i, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			events, _, err := db.History(ctx, org.ID, d.ID, domain.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var recorded []string
			for _, e := range events {
				if e.Action == store.ActionStorePDF {
					recorded = append(recorded, e.PDFSHA256)
				}
			}
			if len(recorded) != 1 || recorded[0] != p.SHA256 {
				t.Errorf("document %d: store_pdf events name %v, want once the stored %s", i, recorded, p.SHA256)
			}
		}
		if stored, _, err := q.BackfillPDFs(ctx); stored != 0 || err != nil {
			t.Errorf("a second run stored %d (%v), want none", stored, err)
		}

		// An issue now stores the PDF and its event names it.
		d := mustDocuments(t, db, org.ID, 1)[0]
		events, _, err := db.History(ctx, org.ID, d.ID, domain.Page{})
		if err != nil || len(events) != 2 || events[1].Action != store.ActionIssue || events[1].PDFSHA256 != d.PDFSHA256 || d.PDFSHA256 == "" {
			t.Errorf("issue event = %+v (%v), want the hash %q", events, err, d.PDFSHA256)
		}

		// Through River: the periodic job runs at start.
		later := mustDocuments(t, db, org.ID, 1)[0]
		if _, err := db.SQL().ExecContext(ctx, "DELETE FROM document_pdfs WHERE document_id = '"+later.ID+"'"); err != nil {
			t.Fatal(err)
		}
		startQueue(t, mustQueue(t, db, Options{BackfillInterval: time.Hour}))
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, err := db.GetDocumentPDF(ctx, org.ID, later.ID, store.RenditionOriginal); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the periodic backfill did not store the PDF within 30s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
