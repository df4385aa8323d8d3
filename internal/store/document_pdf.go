package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Renditions of a stored PDF: the document as issued, and as cancelled (with the 取消 mark and
// without the seal). Both are kept; a cancelled document is downloaded as its cancelled
// rendition unless the original is asked for.
const (
	RenditionOriginal  = "original"
	RenditionCancelled = "cancelled"
)

// StoredPDF is a document's PDF as it was rendered when it was issued or cancelled.
type StoredPDF struct {
	PDF       []byte
	SHA256    string // hex
	Renderer  string // the program version that rendered it
	CreatedAt time.Time
}

// RenderFunc renders the PDF of d with its organisation's logo and seal. It runs inside the
// transaction that issues or cancels d, so that a document is never issued without its PDF.
type RenderFunc func(ctx context.Context, d document.Document, logo, seal []byte) (pdf []byte, renderer string, err error)

// SetRenderer makes IssueDocument and CancelDocument store the rendered PDF of the document in
// their transaction (document_pdfs), and EnsureDocumentPDF render the PDFs of documents issued
// before. Without it no PDF is stored.
func (db *DB) SetRenderer(f RenderFunc) { db.render.Store(&f) }

// Renders reports whether SetRenderer gave the store a renderer.
func (db *DB) Renders() bool {
	f := db.render.Load()
	return f != nil && *f != nil
}

// ActionStorePDF is the history event of a PDF stored after the document was issued: the
// original of a document issued before PDFs were stored (BackfillDocumentPDF, EnsureDocumentPDF).
const ActionStorePDF = "store_pdf"

// storePDF renders d (as it is now, in q's transaction) and stores it as rendition, returning
// its hash; it does nothing without a renderer (""), and keeps a rendition already stored
// ("": only the transaction that stored it records it).
func (db *DB) storePDF(ctx context.Context, q querier, orgID string, d document.Document, rendition string) (string, error) {
	render := db.render.Load()
	if render == nil || *render == nil {
		return "", nil
	}
	org, err := db.getOrganization(ctx, q, true, "id = ?", orgID)
	if err != nil {
		return "", err
	}
	pdf, renderer, err := (*render)(ctx, d, org.Logo, org.Seal)
	if err != nil {
		return "", fmt.Errorf("render the %s PDF: %w", rendition, err)
	}
	sum := sha256.Sum256(pdf)
	res, err := q.exec(ctx, `INSERT INTO document_pdfs (org_id, document_id, rendition, pdf, sha256, renderer, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_id, rendition) DO NOTHING`,
		orgID, d.ID, rendition, pdf, hex.EncodeToString(sum[:]), renderer, timeArg(db.nowUTC()))
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// recordPDF names the PDF stored with the document's event of action at seq in the history.
func recordPDF(ctx context.Context, q querier, orgID, docID, action string, seq int64, sum string) error {
	if sum == "" {
		return nil
	}
	_, err := q.exec(ctx, `UPDATE document_events SET pdf_sha256 = ? WHERE org_id = ? AND document_id = ? AND action = ? AND seq = ?`,
		sum, orgID, docID, action, seq)
	return err
}

// GetDocumentPDF returns the stored rendition of a document of the organisation, or ENotFound.
func (db *DB) GetDocumentPDF(ctx context.Context, orgID, id, rendition string) (StoredPDF, error) {
	return db.getDocumentPDF(ctx, db.q(), orgID, id, rendition)
}

func (db *DB) getDocumentPDF(ctx context.Context, q querier, orgID, id, rendition string) (StoredPDF, error) {
	if !validID(orgID) || !validID(id) {
		return StoredPDF{}, errPDFNotFound()
	}
	var p StoredPDF
	err := q.queryRow(ctx, `SELECT pdf, sha256, renderer, created_at FROM document_pdfs
		WHERE org_id = ? AND document_id = ? AND rendition = ?`, orgID, id, rendition).
		Scan(&p.PDF, &p.SHA256, &p.Renderer, scanTime(&p.CreatedAt))
	if notFound(err) {
		return StoredPDF{}, errPDFNotFound()
	}
	if err != nil {
		return StoredPDF{}, fmt.Errorf("store: get document PDF %s: %w", id, err)
	}
	return p, nil
}

// EnsureDocumentPDF returns the stored rendition of an issued or cancelled document, rendering
// and storing it first when it has none (documents issued before PDFs were stored; their
// original is rendered as issued, without the cancellation), with a "store_pdf" event by actor
// that records its hash. Drafts have none: EConflict.
func (db *DB) EnsureDocumentPDF(ctx context.Context, orgID, actor, id, rendition string) (StoredPDF, error) {
	p, _, err := db.ensureDocumentPDF(ctx, orgID, actor, id, rendition)
	return p, err
}

// StoreMissingPDF is EnsureDocumentPDF of the original, saying whether this call stored it
// (false when it was there already, or another replica stored it meanwhile).
func (db *DB) StoreMissingPDF(ctx context.Context, orgID, actor, id string) (bool, error) {
	_, stored, err := db.ensureDocumentPDF(ctx, orgID, actor, id, RenditionOriginal)
	return stored, err
}

func (db *DB) ensureDocumentPDF(ctx context.Context, orgID, actor, id, rendition string) (StoredPDF, bool, error) {
	if p, err := db.GetDocumentPDF(ctx, orgID, id, rendition); err == nil || domain.ErrorCode(err) != domain.ENotFound {
		return p, false, err
	}
	var out StoredPDF
	stored := false
	err := db.inTx(ctx, func(q querier) error {
		d, err := db.getDocument(ctx, q, orgID, id, true)
		if err != nil {
			return err
		}
		switch {
		case d.Status == document.Draft, rendition == RenditionCancelled && d.Status != document.Cancelled:
			return domain.Errorf(domain.EConflict, "この書類には保存された PDF がありません (no stored %s PDF: the document is %s)", rendition, d.Status)
		case rendition == RenditionOriginal:
			d.Status, d.CancelledAt = document.Issued, nil
		}
		sum, err := db.storePDF(ctx, q, orgID, d, rendition)
		if err != nil {
			return err
		}
		if sum != "" { // the history says when the original was stored, and its hash
			stored = true
			if err := db.addEvent(ctx, q, orgID, id, d.Version, ActionStorePDF, actor, &d); err != nil {
				return err
			}
			if err := recordPDF(ctx, q, orgID, id, ActionStorePDF, d.Version, sum); err != nil {
				return err
			}
		}
		out, err = db.getDocumentPDF(ctx, q, orgID, id, rendition)
		return err
	})
	if err != nil {
		return StoredPDF{}, false, fmt.Errorf("store: ensure document PDF %s: %w", id, err)
	}
	return out, stored, nil
}

// pdfSHA256 is the hash of the document's stored original, or "".
func (db *DB) pdfSHA256(ctx context.Context, q querier, orgID, id string) (string, error) {
	var sum string
	err := q.queryRow(ctx, `SELECT sha256 FROM document_pdfs WHERE org_id = ? AND document_id = ? AND rendition = ?`,
		orgID, id, RenditionOriginal).Scan(&sum)
	if notFound(err) {
		return "", nil
	}
	return sum, err
}

func errPDFNotFound() error {
	return domain.Errorf(domain.ENotFound, "保存された PDF がありません (no stored PDF)")
}

// DocumentRef names a document of an organisation.
type DocumentRef struct{ OrgID, ID string }

// DocumentsWithoutPDF returns up to limit issued or cancelled documents of any organisation
// that have no stored original, in id order after the id after ("" from the start): the work
// of the background backfill, which continues from the last one it did.
func (db *DB) DocumentsWithoutPDF(ctx context.Context, after string, limit int) ([]DocumentRef, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	rows, err := db.q().query(ctx, `SELECT d.org_id, d.id FROM documents d
		WHERE d.status IN ('issued', 'cancelled') AND d.id > ?
		AND NOT EXISTS (SELECT 1 FROM document_pdfs p WHERE p.document_id = d.id AND p.rendition = 'original')
		ORDER BY d.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: documents without PDF: %w", err)
	}
	defer rows.Close()
	var out []DocumentRef
	for rows.Next() {
		var r DocumentRef
		if err := rows.Scan(&r.OrgID, &r.ID); err != nil {
			return nil, fmt.Errorf("store: documents without PDF: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
