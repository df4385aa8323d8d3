package web

import (
	"net/http"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

func (a *app) documentCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	d, _, err := document.DecodeDocument(data)
	if err != nil {
		return err
	}
	if err := a.prepare(r, p, &d); err != nil {
		return err
	}
	d, err = a.Store.CreateDocument(r.Context(), p.OrgID, p.Actor(), d)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/documents/"+d.ID)
	writeDocument(w, http.StatusCreated, d)
	return nil
}

// prepare fills the defaults that depend on the organisation and the date, then validates and
// computes the totals with the domain's rules.
func (a *app) prepare(r *http.Request, p domain.Principal, d *document.Document) error {
	if d.TaxRounding == "" {
		org, err := a.Store.GetOrganization(r.Context(), p.OrgID)
		if err != nil {
			return err
		}
		d.TaxRounding = org.DefaultTaxRounding
	}
	if d.IssueDate.IsZero() {
		d.IssueDate = a.today()
	}
	if d.Kind == document.Invoice && d.DueDate == nil && d.CustomerID != "" {
		c, err := a.Store.GetCustomer(r.Context(), p.OrgID, d.CustomerID)
		if err == nil {
			d.FillDueDate(c.PaymentTerms, a.calendar)
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return err
		} // an unknown customer is reported by the store with its field
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return a.resolveRelatedNumber(r, p, d)
}

// resolveRelatedNumber turns a credit note's related_document_number into its
// related_document_id: the organisation's invoice of that number.
func (a *app) resolveRelatedNumber(r *http.Request, p domain.Principal, d *document.Document) error {
	if d.RelatedDocumentNumber == "" {
		return nil
	}
	id, err := a.Store.DocumentIDByNumber(r.Context(), p.OrgID, document.Invoice, d.RelatedDocumentNumber)
	if domain.ErrorCode(err) == domain.ENotFound {
		return invalid("related_document_number", "この番号の請求書はありません (no invoice has this number)")
	}
	if err != nil {
		return err
	}
	if d.RelatedDocumentID != nil && *d.RelatedDocumentID != "" && *d.RelatedDocumentID != id {
		return invalid("related_document_number", "related_document_id と異なる請求書の番号です (names another invoice than related_document_id)")
	}
	d.RelatedDocumentID = &id
	return nil
}

func (a *app) documentGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeDocument(w, http.StatusOK, d)
	return nil
}

func (a *app) documentUpdate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	cur, err := a.Store.GetDocument(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	if cur.Status != document.Draft {
		return domain.Errorf(domain.EConflict, "発行済み・取消済みの書類は編集できません (a %s document cannot be edited)", cur.Status)
	}
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	d, version, err := document.DecodeDocument(data)
	if err != nil {
		return err
	}
	if version == nil {
		if version, err = ifMatchVersion(r); err != nil {
			return err
		}
	}
	if version == nil {
		return invalid("version", "更新には version (または If-Match) が必要です (version or If-Match is required)")
	}
	if err := a.prepare(r, p, &d); err != nil {
		return err
	}
	d.ID, d.Version = id, *version
	d, err = a.Store.UpdateDocument(r.Context(), p.OrgID, p.Actor(), d)
	if err != nil {
		return err
	}
	writeDocument(w, http.StatusOK, d)
	return nil
}

// ifMatchVersion reads the document version from If-Match: "3" or W/"3".
func ifMatchVersion(r *http.Request) (*int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil {
		return nil, invalid("If-Match", "If-Match は書類の version です (If-Match must be the document's version)")
	}
	return &v, nil
}

func (a *app) documentDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := a.Store.DeleteDocument(r.Context(), p.OrgID, p.Actor(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) documentIssue(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.IssueDocument(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeDocument(w, http.StatusOK, d)
	return nil
}

func (a *app) documentCancel(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.CancelDocument(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeDocument(w, http.StatusOK, d)
	return nil
}

// documentHistory pages the history: at most limit events (default 50), each with the document
// as it was before the change, as a summary unless include=items (see listPage).
func (a *app) documentHistory(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	page, full, err := listPage(r.URL.Query())
	if err != nil {
		return err
	}
	evs, next, err := a.Store.History(r.Context(), p.OrgID, r.PathValue("id"), page)
	if err != nil {
		return err
	}
	out := make([]eventView, len(evs))
	for i, e := range evs {
		out[i] = eventView{Event: e}
		if e.Before != nil {
			out[i].Before = summarize(*e.Before, full)
		}
	}
	writeJSON(w, http.StatusOK, listResponse[eventView]{Items: out, NextCursor: next})
	return nil
}

// writeDocument writes a document with its version as a weak ETag, for If-Match on PUT.
func writeDocument(w http.ResponseWriter, status int, d document.Document) {
	w.Header().Set("ETag", `W/"`+strconv.FormatInt(d.Version, 10)+`"`)
	writeJSON(w, status, d)
}
