package web

import (
	"maps"
	"net/http"
	"net/url"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// documentListData is the document list with the search form of 電子帳簿保存法 (date range,
// amount range, customer, kind, status, free text; combinable).
type documentListData struct {
	Query url.Values // the form as typed, for re-rendering
	// CustomerName is the customer field's text; CustomerOptions its suggestions.
	CustomerName    string
	CustomerOptions []document.Customer
	Docs            []document.Document
	Next            string // URL of the next page ("" on the last)
	First           string // URL of the first page when not on it
	CSV             string // URL of the CSV export of the whole result
	Export          bool   // whether the caller may export the result as a ZIP (a member, with a job queue)
}

func (u *ui) documentList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	q := r.URL.Query()
	kept := url.Values{}
	// The search form's parameters; anything else is dropped from the paging and export links.
	for _, k := range []string{"kind", "status", "customer_id", "date_from", "date_to", "total_min", "total_max", "q", "payment_status", "due_from", "due_to"} {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	d := documentListData{Query: kept, Export: u.Jobs != nil && p.Role.AtLeast(member)}
	// The customer is typed by name (or reading) and resolved to its id, which the paging and
	// CSV links carry; a link with customer_id shows that customer's name.
	var customerErr error
	if typed := strings.TrimSpace(q.Get("customer")); typed != "" {
		c, options, err := u.resolveCustomer(r.Context(), p.OrgID, typed)
		d.CustomerName, d.CustomerOptions, customerErr = typed, options, err
		if _, ok := fieldErrors(err); err != nil && !ok {
			return err
		}
		if err == nil {
			d.CustomerName = c.Name
			kept.Set("customer_id", c.ID)
			q.Set("customer_id", c.ID)
		}
	} else if id := q.Get("customer_id"); id != "" {
		c, err := u.Store.GetCustomer(r.Context(), p.OrgID, id)
		if err != nil && domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		d.CustomerName = c.Name
	}
	link := func(path string, extra ...string) string {
		v := url.Values{}
		for k, vs := range kept {
			v[k] = vs
		}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	f, page, _, err := parseSearch(q)
	fe, ok := fieldErrors(err)
	if cfe, cok := fieldErrors(customerErr); cok {
		fe, ok = maps.Clone(cfe), true
		if perr, _ := fieldErrors(err); perr != nil {
			maps.Copy(fe, perr)
		}
	}
	if ok {
		return u.render(w, r, http.StatusUnprocessableEntity, "documents.html", view{Title: "documents.title", Nav: "documents",
			Error: "form.invalid", Errors: fe, Data: d})
	}
	if err != nil {
		return err
	}
	docs, next, err := u.Store.SearchDocumentSummaries(r.Context(), p.OrgID, f, page)
	if fe, ok := fieldErrors(err); ok { // a cursor that was tampered with
		return u.render(w, r, http.StatusUnprocessableEntity, "documents.html", view{Title: "documents.title", Nav: "documents",
			Error: "form.invalid", Errors: fe, Data: d})
	}
	if err != nil {
		return err
	}
	d.Docs = docs
	if next != "" {
		d.Next = link("/documents", "cursor", next)
	}
	if page.Cursor != "" {
		d.First = link("/documents")
	}
	d.CSV = link("/documents.csv")
	return u.render(w, r, http.StatusOK, "documents.html", view{Title: "documents.title", Nav: "documents", Data: d})
}
