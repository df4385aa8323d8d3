package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/pdf"
	"reportapp/internal/store"
)

// documentPDF answers a document's PDF. An issued or cancelled document is answered with the
// PDF stored when it was issued (or cancelled: ?rendition=original gives a cancelled document's
// original), never a re-rendering, with its SHA-256 as a strong ETag; one issued before PDFs were
// stored gets its PDF rendered and stored on the first download. A draft is rendered live
// through the bounded renderer pool; its ETag is a hash of everything that PDF is a pure function
// of (the document, the organisation's images and the program that renders it: buildKey, the
// executable's hash, which a version string is not when a build from source says "dev" in every
// release), so a repeat request is answered 304 without rendering.
func (a *app) documentPDF(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if d.Status != document.Draft {
		rendition := store.RenditionOriginal
		if d.Status == document.Cancelled && r.URL.Query().Get("rendition") != store.RenditionOriginal {
			rendition = store.RenditionCancelled
		}
		sp, err := a.Store.EnsureDocumentPDF(r.Context(), p.OrgID, p.Actor(), d.ID, rendition)
		if err != nil {
			return err
		}
		if notModified(w, r, `"`+sp.SHA256+`"`) {
			return nil
		}
		writePDF(w, r, d, sp.PDF)
		return nil
	}
	org, err := a.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	assets := pdf.Assets{Logo: org.Logo, Seal: org.Seal}
	h := sha256.New()
	_ = json.NewEncoder(h).Encode(d)
	h.Write([]byte{0})
	h.Write(assets.Logo)
	h.Write([]byte{0})
	h.Write(assets.Seal)
	h.Write(buildKey())
	etag := `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
	if notModified(w, r, etag) {
		return nil
	}
	var buf bytes.Buffer
	res, err := a.PDF.Render(r.Context(), &buf, d, assets)
	if err != nil {
		w.Header().Del("ETag")
		return err
	}
	if len(res.Missing) > 0 {
		a.Logger.Warn("characters missing from the PDF font", "document", d.ID, "missing", string(res.Missing))
	}
	writePDF(w, r, d, buf.Bytes())
	return nil
}

// writePDF writes the PDF of d, inline unless ?download is set.
func writePDF(w http.ResponseWriter, r *http.Request, d document.Document, data []byte) {
	name := pdf.Filename(d)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	disp := "inline"
	if r.URL.Query().Get("download") != "" {
		disp = "attachment"
	}
	w.Header().Set("Content-Disposition", disp+`; filename="document.pdf"; filename*=UTF-8''`+url.PathEscape(name))
	_, _ = w.Write(data)
}
