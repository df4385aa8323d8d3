package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// editorData is the editor page: the form, the customers to choose from and the totals of what
// is typed so far.
type editorData struct {
	Form      editorForm
	Customers []document.Customer
	// Invoices are the issued invoices a credit note may correct: the customer's when one is
	// chosen, newest first.
	Invoices []document.Document
	Totals   totalsData
	// NewCustomer is the editor's inline "add a customer" form as typed; NewCustomerOpen keeps
	// it open after a problem; CustomerAdded names the customer just added and chosen.
	NewCustomer     document.Customer
	NewCustomerOpen bool
	CustomerAdded   string
}

// totalsData is the live totals fragment: computed by the domain's ComputeTotals, or the reason
// it could not be.
type totalsData struct {
	Kind     document.Kind // names the amount: ご請求金額, 御見積金額, 合計金額, 領収金額, 返還金額
	Totals   document.Totals
	Computed bool
	Problems []string
}

// computeTotals computes the totals of what the form holds, with the organisation's default
// rounding when the form names none, exactly as saving would.
func (u *ui) computeTotals(ctx context.Context, p domain.Principal, e editorForm) totalsData {
	fe := domain.FieldErrors{}
	d := e.withoutBlankLines().document(fe)
	if d.TaxRounding == "" {
		if org, err := u.Store.GetOrganization(ctx, p.OrgID); err == nil {
			d.TaxRounding = org.DefaultTaxRounding
		}
	}
	if len(fe) > 0 {
		return totalsData{Problems: []string{"totals.incomplete"}}
	}
	if err := document.ComputeTotals(&d); err != nil {
		var de *domain.Error
		td := totalsData{}
		if errors.As(err, &de) {
			for _, m := range de.Fields {
				td.Problems = append(td.Problems, m)
			}
		}
		if len(td.Problems) == 0 {
			td.Problems = []string{"totals.incomplete"}
		}
		return td
	}
	return totalsData{Kind: d.Kind, Totals: d.Totals, Computed: true}
}

// editorCustomers is how many customers the editor's list offers.
const editorCustomers = 500

// renderEditor renders the whole editor page.
func (u *ui) renderEditor(w http.ResponseWriter, r *http.Request, p domain.Principal, st int, e editorForm, v view) error {
	return u.renderEditorWith(w, r, p, st, editorData{Form: e, NewCustomer: newCustomerFromForm(r)}, v)
}

// renderEditorWith renders the editor page with d's form and inline customer form, adding the
// customers, invoices and totals.
func (u *ui) renderEditorWith(w http.ResponseWriter, r *http.Request, p domain.Principal, st int, d editorData, v view) error {
	cs, err := u.Store.ListCustomers(r.Context(), p.OrgID, "", editorCustomers, 0)
	if err != nil {
		return err
	}
	v.Nav = "documents"
	v.Title = "editor.new"
	if d.Form.ID != "" {
		v.Title = "editor.edit"
	}
	invoices, err := u.creditableInvoices(r.Context(), p, d.Form.CustomerID, "")
	if err != nil {
		return err
	}
	d.Customers, d.Invoices, d.Totals = cs, invoices, u.computeTotals(r.Context(), p, d.Form)
	v.Data = d
	return u.render(w, r, st, "document_edit.html", v)
}

// newCustomerFromForm reads the editor's inline customer form (honorific 御中 until one is
// chosen).
func newCustomerFromForm(r *http.Request) document.Customer {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	c := document.Customer{Counterparty: document.Counterparty{Name: f("new_customer_name"),
		Honorific: document.HonorificOnchu, RegistrationNumber: f("new_customer_registration_number")},
		NameKana: f("new_customer_name_kana")}
	if _, ok := r.PostForm["new_customer_honorific"]; ok {
		c.Honorific = f("new_customer_honorific")
	}
	return c
}

// documentCustomer adds a customer from the editor without leaving it: the posted draft comes
// back as it was, with the new customer chosen. With htmx only the customer picker is
// swapped; without JavaScript the whole editor is rendered again. Problems show beside the
// inline form's fields (the picker answers 200 then, since htmx swaps only successful
// responses).
func (u *ui) documentCustomer(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	e := editorFromRequest(r)
	nc := newCustomerFromForm(r)
	d := editorData{Form: e, NewCustomer: nc}
	err := nc.Validate()
	if err == nil {
		nc, err = u.Store.CreateCustomer(r.Context(), p.OrgID, nc)
	}
	st, v := http.StatusOK, view{}
	if fe, ok := fieldErrors(err); ok {
		errs := map[string]string{}
		for k, m := range fe {
			errs["new_customer."+k] = m
		}
		d.NewCustomerOpen, d.Form.Focus = true, "new_customer_name"
		st, v = http.StatusUnprocessableEntity, view{Error: "form.invalid", Errors: errs}
	} else if err != nil {
		return err
	} else {
		d.Form.CustomerID, d.Form.Focus, d.CustomerAdded = nc.ID, "customer_id", nc.Name
		d.NewCustomer = document.Customer{Counterparty: document.Counterparty{Honorific: document.HonorificOnchu}}
	}
	if !isHTMX(r) {
		return u.renderEditorWith(w, r, p, st, d, v)
	}
	cs, err := u.Store.ListCustomers(r.Context(), p.OrgID, "", editorCustomers, 0)
	if err != nil {
		return err
	}
	d.Customers = cs
	v.Data = d
	return u.render(w, r, http.StatusOK, "customer_picker_fragment", v)
}

// invoiceOptionsLimit is how many invoices the credit note's picker offers at once; typing
// part of a number narrows them.
const invoiceOptionsLimit = 50

// creditableInvoices returns the issued invoices of the customer (of any customer when
// customerID is "") whose number, subject or customer name contains query, newest first.
func (u *ui) creditableInvoices(ctx context.Context, p domain.Principal, customerID, query string) ([]document.Document, error) {
	docs, _, err := u.Store.SearchDocuments(ctx, p.OrgID, document.Filter{Kind: document.Invoice,
		Status: document.Issued, CustomerID: customerID, Query: query}, domain.Page{Limit: invoiceOptionsLimit})
	return docs, err
}

// documentInvoices answers the credit note's picker as the user types: the options of the
// invoices matching what is typed, of the chosen customer.
func (u *ui) documentInvoices(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	q := r.URL.Query()
	docs, err := u.creditableInvoices(r.Context(), p, q.Get("customer_id"), q.Get("related_document_number"))
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "invoice_options_fragment", view{Data: docs})
}

// documentNew opens the editor on a new draft: empty, or a copy of another document
// (?copy=ID), optionally as another kind (?kind=invoice converts a quote; ?kind=credit_note
// starts a credit note that refers to the invoice). Nothing is stored until the user saves.
func (u *ui) documentNew(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	q := r.URL.Query()
	today := u.today().String()
	org, err := u.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	e := editorForm{Kind: string(document.Invoice), IssueDate: today, TransactionDate: today,
		TaxRounding: string(org.DefaultTaxRounding), Lines: []lineForm{newLine()}, CustomerID: q.Get("customer_id")}
	if src := q.Get("copy"); src != "" {
		d, err := u.Store.GetDocument(r.Context(), p.OrgID, src)
		if err != nil {
			return err
		}
		e = editorFromDocument(d)
		e.ID, e.Version, e.IssueDate, e.DueDate, e.ValidUntil, e.SourceDocumentID = "", "", today, "", "", ""
		if k := document.Kind(q.Get("kind")); k.Valid() && k != d.Kind {
			convertForm(&e, d, k)
			if e.TransactionDate == "" && e.PeriodFrom == "" {
				e.TransactionDate = today
			}
		}
	}
	if k := document.Kind(q.Get("kind")); k.Valid() && q.Get("copy") == "" {
		e.Kind = string(k)
		if k == document.Quote {
			e.TransactionDate = ""
		}
	}
	return u.renderEditor(w, r, p, http.StatusOK, e, view{})
}

// convertForm turns the copy e of d into a draft of kind k made from d: a credit note names the
// invoice and starts without its 備考 (they were written for the invoice); an invoice, delivery
// note or receipt made from a quote links back to it and drops the quote's wording from the
// subject ("…のお見積り").
func convertForm(e *editorForm, d document.Document, k document.Kind) {
	e.Kind = string(k)
	e.RelatedNumber = ""
	switch {
	case k == document.CreditNote:
		e.Notes = ""
		if d.Number != nil {
			e.RelatedNumber = *d.Number
		}
	case d.Kind == document.Quote && d.Status == document.Issued:
		e.SourceDocumentID = d.ID
		e.Subject = document.SubjectWithoutQuote(e.Subject)
	}
	if k != document.Receipt {
		e.Purpose = ""
	}
}

func (u *ui) documentEdit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if d.Status != document.Draft {
		return domain.Errorf(domain.EConflict, "発行済み・取消済みの書類は編集できません (a %s document cannot be edited)", d.Status)
	}
	return u.renderEditor(w, r, p, http.StatusOK, editorFromDocument(d), view{})
}

// documentSave creates (POST /documents) or updates (POST /documents/{id}) a draft through the
// same defaults and validation as the API (app.prepare). Problems re-render the editor with
// the messages beside the fields and everything typed kept; a stale version says so.
func (u *ui) documentSave(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	e := editorFromRequest(r)
	if op := r.PostForm.Get("op"); op != "" { // a line button, submitted without htmx
		e.applyLineOp(op)
		return u.renderEditor(w, r, p, http.StatusOK, e, view{})
	}
	// Rows left empty are not lines; the messages then point at the rows that remain.
	e = e.withoutBlankLines()
	fe := domain.FieldErrors{}
	d := e.document(fe)
	var version int64
	if e.ID != "" {
		v, err := strconv.ParseInt(e.Version, 10, 64)
		if err != nil {
			fe.Add("version", "version")
		}
		version = v
	}
	// The domain's problems are shown too, beside those of values that could not be read.
	err := u.prepare(r, p, &d)
	if fields, ok := fieldErrors(err); ok {
		for k, v := range fields {
			fe.Add(k, v)
		}
	} else if err != nil {
		return err
	}
	err = fe.Err()
	if err == nil {
		if e.ID == "" {
			d, err = u.Store.CreateDocument(r.Context(), p.OrgID, p.Actor(), d)
		} else {
			d.Version = version
			d, err = u.Store.UpdateDocument(r.Context(), p.OrgID, p.Actor(), d)
		}
	}
	switch domain.ErrorCode(err) {
	case "":
		notice := "saved"
		if e.ID == "" {
			notice = "created"
		}
		return seeOther(w, r, "/documents/"+d.ID+"?notice="+notice)
	case domain.EInvalid:
		fields, _ := fieldErrors(err)
		if len(e.Lines) == 0 { // a row to type the first line into
			e.Lines = []lineForm{newLine()}
		}
		return u.renderEditor(w, r, p, http.StatusUnprocessableEntity, e, view{Error: "form.invalid", Errors: fields})
	case domain.EVersion:
		return u.renderEditor(w, r, p, http.StatusPreconditionFailed, e, view{Error: "editor.stale"})
	}
	return err
}

// documentLines applies a line button (add, remove, move up or down) to the posted form and
// returns the lines with their totals: the fragment for htmx, the whole editor otherwise.
func (u *ui) documentLines(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	e := editorFromRequest(r)
	e.applyLineOp(r.PostForm.Get("op"))
	if !isHTMX(r) {
		return u.renderEditor(w, r, p, http.StatusOK, e, view{})
	}
	return u.render(w, r, http.StatusOK, "editor_lines", view{Data: editorData{Form: e, Totals: u.computeTotals(r.Context(), p, e)}})
}

// documentTotals returns the totals fragment of the posted form: the live totals of the editor,
// computed on the server by the domain's code, never in the browser.
func (u *ui) documentTotals(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	return u.render(w, r, http.StatusOK, "totals_fragment", view{Data: u.computeTotals(r.Context(), p, editorFromRequest(r))})
}
