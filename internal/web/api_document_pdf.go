package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"reportapp/internal/domain"
	"reportapp/internal/pdf"
)

// documentPDF renders a document through the bounded renderer pool. The ETag is a hash of
// everything the PDF is a pure function of (the document, the organisation's images and the
// program's version), so a repeat request is answered 304 without rendering.
func (a *app) documentPDF(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
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
	h.Write([]byte(a.Version))
	etag := `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`

	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if match := r.Header.Get("If-None-Match"); match != "" && (match == etag || match == "*") {
		w.WriteHeader(http.StatusNotModified)
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
	name := pdf.Filename(d)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	disp := "inline"
	if r.URL.Query().Get("download") != "" {
		disp = "attachment"
	}
	w.Header().Set("Content-Disposition", disp+`; filename="document.pdf"; filename*=UTF-8''`+url.PathEscape(name))
	_, _ = w.Write(buf.Bytes())
	return nil
}
