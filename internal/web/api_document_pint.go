package web

import (
	"net/http"
	"net/url"
	"strconv"

	"reportapp/internal/domain"
	"reportapp/internal/pint"
)

// documentPINT answers the JP PINT (Peppol UBL) XML of an issued invoice or credit note: 409 for
// drafts and other kinds, 422 for what JP PINT cannot express (withholding tax, a customer
// without an electronic address). The XML is built in memory: at most MaxItems lines of bounded
// text, about 2 KB a line.
func (a *app) documentPINT(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	out, err := pint.Build(d)
	if err != nil {
		return err
	}
	name := pint.FileName(d)
	h := w.Header()
	h.Set("Content-Type", pint.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(out)))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Disposition", `attachment; filename="`+asciiFileName(name)+`"; filename*=UTF-8''`+url.PathEscape(name))
	_, _ = w.Write(out)
	return nil
}

// asciiFileName is name with every byte outside printable ASCII (and quotes, backslashes)
// replaced by "_", for the plain filename parameter older clients read.
func asciiFileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b[i] = '_'
		}
	}
	return string(b)
}
