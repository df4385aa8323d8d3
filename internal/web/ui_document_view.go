package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
)

// documentViewData is the document page: the document, its PDF preview and the actions its
// status and kind allow.
type documentViewData struct {
	Doc     document.Document
	Tab     string // "content" or "history"
	History []document.Event
	// HistoryNext is the link to the next page of the history ("" on the last).
	HistoryNext string
	// Confirm is the action being confirmed ("issue" or "cancel"), on the confirmation page.
	Confirm string
	// RegistrationMissing says, on the issue confirmation, that the organisation, a qualified
	// invoice issuer, has no registration number to print on this kind (it cannot issue it).
	RegistrationMissing bool
	// Problems are the reasons issuing was refused (a credit note beyond its invoice).
	Problems []string
	// Payments of an issued invoice (voided ones included), and the methods and today's date
	// for the 入金を記録 form.
	Payments []receivables.Payment
	Methods  []string
	Today    document.Date
	// Deliveries are the document's mails, newest first (issued and cancelled documents).
	Deliveries []store.Delivery
	// CanSend: the viewer may send and revoke links (member or admin).
	CanSend bool
}

// Opened reports whether a delivery's link has been opened (開封済み).
func (d documentViewData) Opened() bool {
	for _, dl := range d.Deliveries {
		if dl.OpenedAt != nil {
			return true
		}
	}
	return false
}

// Payable reports whether payments apply to the document (an issued invoice).
func (d documentViewData) Payable() bool { return receivables.Applies(d.Doc.Kind, d.Doc.Status) }

// HasReduced reports whether any line is at the reduced rate (the ※ legend is then printed).
func (d documentViewData) HasReduced() bool {
	for _, it := range d.Doc.Items {
		if it.TaxRate == document.RateReduced {
			return true
		}
	}
	return false
}

// lineRows writes the rows of the document page's lines table; t translates a catalogue key.
// They are written here rather than by the template, which evaluates every action by reflection
// (20 lines were some 140 actions, a third of the page's): each value is escaped as the template
// escapes HTML text (htmlText), so the rows are byte for byte those the template wrote.
func lineRows(items []document.Item, t func(string) string) template.HTML {
	var b strings.Builder
	for _, it := range items {
		reduced := it.TaxRate == document.RateReduced
		b.WriteString("<tr")
		if reduced {
			b.WriteString(` class="reduced"`)
		}
		b.WriteString("><td>")
		_, _ = htmlText.WriteString(&b, it.Name)
		if reduced {
			b.WriteString(" ※")
		}
		if it.Description != "" {
			b.WriteString(`<span class="item-desc-text">`)
			_, _ = htmlText.WriteString(&b, it.Description)
			b.WriteString("</span>")
		}
		b.WriteString(`</td><td class="num">`)
		_, _ = htmlText.WriteString(&b, it.Quantity.String()+" "+it.Unit)
		b.WriteString(`</td><td class="num">`)
		b.WriteString(document.FormatYen(it.UnitPrice))
		b.WriteString(`</td><td class="num">`)
		b.WriteString(document.FormatYen(it.Amount))
		b.WriteString("</td><td>")
		if it.TaxRate == 0 {
			_, _ = htmlText.WriteString(&b, t("category."+string(it.TaxCategory)))
		} else {
			b.WriteString(strconv.Itoa(int(it.TaxRate)) + "%")
		}
		b.WriteString("</td></tr>")
	}
	return template.HTML(b.String())
}

// htmlText escapes text as html/template's escaper of HTML text does (its replacement table).
var htmlText = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func (u *ui) documentView(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return u.renderDocumentView(w, r, p, r.PathValue("id"), http.StatusOK, view{Revalidate: true})
}

// renderDocumentView renders the document page with its payments; v carries a form's errors.
func (u *ui) renderDocumentView(w http.ResponseWriter, r *http.Request, p domain.Principal, id string, status int, v view) error {
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	act, err := u.Store.DocumentActivity(r.Context(), p.OrgID, d)
	if err != nil {
		return err
	}
	data := documentViewData{Doc: d, Tab: "content", Methods: receivables.Methods(), Today: u.today(),
		Payments: act.Payments, Deliveries: act.Deliveries, CanSend: p.Role.AtLeast(member)}
	v.Title, v.Nav, v.Data = "document.title", "documents", data
	return u.render(w, r, status, "document_view.html", v)
}

func (u *ui) documentHistory(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	evs, next, err := u.Store.History(r.Context(), p.OrgID, id, domain.Page{Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	if next != "" {
		next = "/documents/" + url.PathEscape(id) + "/history?cursor=" + url.QueryEscape(next)
	}
	return u.render(w, r, http.StatusOK, "document_view.html", view{Title: "document.title", Nav: "documents",
		Data: documentViewData{Doc: d, Tab: "history", History: evs, HistoryNext: next}})
}

// documentConfirm asks before issuing or cancelling, and says what it means: an issued document
// gets its number and can never be edited again; a cancelled one keeps its number.
func (u *ui) documentConfirm(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	action := "issue"
	if strings.HasSuffix(r.URL.Path, "/cancel") {
		action = "cancel"
	}
	return u.renderConfirm(w, r, http.StatusOK, d, action, nil)
}

// renderConfirm renders the confirmation of action on d; refused is why issuing failed, if it
// did. Before issuing, it says whether the registration number is missing, with the way to the
// settings, rather than letting the user meet the refusal.
func (u *ui) renderConfirm(w http.ResponseWriter, r *http.Request, st int, d document.Document, action string, refused error) error {
	data := documentViewData{Doc: d, Confirm: action}
	if action == "issue" && d.Issuer != nil {
		data.RegistrationMissing = document.CheckCanIssue(*d.Issuer, d.Kind) != nil
	}
	var de *domain.Error
	if errors.As(refused, &de) {
		data.RegistrationMissing = data.RegistrationMissing || de.Code == domain.ERegistrationMissing
		if de.Code == domain.EInvalid {
			for _, m := range de.Fields {
				data.Problems = append(data.Problems, m)
			}
			slices.Sort(data.Problems)
		}
	}
	return u.render(w, r, st, "document_confirm.html", view{Title: "confirm." + action, Nav: "documents", Data: data})
}

// documentIssue issues a draft. A second submission (a double click, a reload, another tab)
// meets the store's conflict and lands on the document with a notice instead of an error: the
// document is issued exactly once either way.
func (u *ui) documentIssue(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	_, err := u.Store.IssueDocument(r.Context(), p.OrgID, p.Actor(), id)
	switch domain.ErrorCode(err) {
	case "":
		return seeOther(w, r, "/documents/"+id+"?notice=issued")
	case domain.EConflict:
		return u.alreadyDone(w, r, p, id, document.Issued, "confirm.already_issued", err)
	case domain.ERegistrationMissing, domain.EInvalid:
		d, gerr := u.Store.GetDocument(r.Context(), p.OrgID, id)
		if gerr != nil {
			return err
		}
		return u.renderConfirm(w, r, http.StatusUnprocessableEntity, d, "issue", err)
	}
	return err
}

func (u *ui) documentCancel(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	_, err := u.Store.CancelDocument(r.Context(), p.OrgID, p.Actor(), id)
	switch domain.ErrorCode(err) {
	case "":
		return seeOther(w, r, "/documents/"+id+"?notice=cancelled")
	case domain.EConflict:
		return u.alreadyDone(w, r, p, id, document.Cancelled, "confirm.already_cancelled", err)
	}
	return err
}

// alreadyDone shows the document with an explanation of a refused action (409): the friendly
// message key when the document already is in the state the action leads to (a double
// submission), else the store's own message.
func (u *ui) alreadyDone(w http.ResponseWriter, r *http.Request, p domain.Principal, id string, done document.Status, key string, refused error) error {
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	msg := key
	var de *domain.Error
	if d.Status != done && errors.As(refused, &de) {
		msg = de.Message
	}
	return u.render(w, r, http.StatusConflict, "document_view.html", view{Title: "document.title", Nav: "documents",
		Error: msg, Data: documentViewData{Doc: d, Tab: "content"}})
}

// documentDelete deletes a draft (issued documents are kept for ever: the store refuses).
func (u *ui) documentDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := u.Store.DeleteDocument(r.Context(), p.OrgID, p.Actor(), r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, r, "/documents?notice=deleted")
}

// documentPDF serves the PDF for the browser: the API's handler (same rendering, ETag and pool),
// with a Content-Security-Policy that lets our own document page embed it in a frame; every
// other response keeps frame-ancestors 'none'.
func (u *ui) documentPDF(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'; plugin-types application/pdf")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	return u.app.documentPDF(w, r, p)
}
