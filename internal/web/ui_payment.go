package web

import (
	"net/http"
	"strings"

	"reportapp/internal/bank"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
)

// paymentForm reads the 入金を記録 form of the document page.
func paymentForm(r *http.Request, today document.Date) (receivables.Payment, error) {
	fe := domain.FieldErrors{}
	p := receivables.Payment{Date: today, Method: r.PostFormValue("method"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if v := strings.TrimSpace(r.PostFormValue("date")); v != "" {
		d, err := document.ParseDate(v)
		if err != nil {
			fe.Add("date", err.Error())
		}
		p.Date = d
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"amount", &p.Amount}, {"fee", &p.Fee}} {
		v := strings.TrimSpace(r.PostFormValue(f.name))
		if v == "" {
			continue
		}
		n, err := document.ParseYen(v)
		if err != nil {
			fe.Add(f.name, "整数 (円) で入力してください (an integer amount of yen)")
		}
		*f.dst = n
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	return p, p.Validate()
}

// documentPayment records a payment from the document page; problems re-render the page with
// the form's messages.
func (u *ui) documentPayment(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	pay, err := paymentForm(r, u.today())
	if err == nil {
		_, err = u.Store.RecordPayment(r.Context(), p.OrgID, p.Actor(), id, pay)
	}
	if fe, ok := fieldErrors(err); ok {
		return u.renderDocumentView(w, r, p, id, http.StatusUnprocessableEntity, view{Error: "form.invalid", Errors: fe})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/documents/"+id+"?notice=payment_recorded#payments")
}

// paymentVoidPage voids a payment from the document page (with the reason typed beside it).
func (u *ui) paymentVoidPage(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	pay, err := u.Store.VoidPayment(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"), r.PostFormValue("reason"))
	if fe, ok := fieldErrors(err); ok {
		docID := r.PostFormValue("document_id")
		if docID == "" {
			return err
		}
		return u.renderDocumentView(w, r, p, docID, http.StatusUnprocessableEntity, view{Error: "form.invalid", Errors: fe})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/documents/"+pay.DocumentID+"?notice=payment_voided#payments")
}

// reconcileData is the 入金消込 page: the upload form, or a statement under review.
type reconcileData struct {
	Statement *store.BankStatement
	Lines     []reconcileLine
	Open      []receivables.OpenInvoice // the open invoices one may choose instead
	Numbers   map[string]string         // document id → number, for the proposals
	Results   map[string]store.ApplyResult
}

// reconcileLine is a line of the review table with its proposal.
type reconcileLine struct {
	store.BankLine
	Proposed string // the proposed invoices' ids, comma-separated
	Label    string // their numbers
}

// Done reports whether nothing more can be recorded from the line.
func (l reconcileLine) Done() bool {
	return l.AppliedAt != nil || l.Status == receivables.LineDuplicate
}

func (u *ui) reconcileNew(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return u.render(w, r, http.StatusOK, "reconcile.html", view{Title: "reconcile.title", Nav: "reconcile", Data: reconcileData{}})
}

// reconcileUpload imports a bank file and shows its review table; a file that cannot be read
// re-renders the upload form with the parser's message.
func (u *ui) reconcileUpload(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	st, err := u.importStatement(r, p)
	if fe, ok := fieldErrors(err); ok {
		return u.render(w, r, http.StatusUnprocessableEntity, "reconcile.html", view{Title: "reconcile.title", Nav: "reconcile",
			Error: "form.invalid", Errors: fe, Data: reconcileData{}})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/reconcile/"+st.ID)
}

func (u *ui) reconcileView(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	st, err := u.Store.GetStatement(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return u.renderReconcile(w, r, p, http.StatusOK, st, nil)
}

func (u *ui) renderReconcile(w http.ResponseWriter, r *http.Request, p domain.Principal, status int, st store.BankStatement, results []store.ApplyResult) error {
	open, err := u.Store.OpenInvoices(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	d := reconcileData{Statement: &st, Open: open, Numbers: map[string]string{}, Results: map[string]store.ApplyResult{}}
	for _, inv := range open {
		d.Numbers[inv.ID] = inv.Number
	}
	for _, res := range results {
		d.Results[res.LineID] = res
	}
	for _, l := range st.Lines {
		var labels []string
		for _, id := range l.Match.DocumentIDs {
			if n, ok := d.Numbers[id]; ok {
				labels = append(labels, n)
			} else {
				labels = append(labels, id[:8])
			}
		}
		d.Lines = append(d.Lines, reconcileLine{BankLine: l, Proposed: strings.Join(l.Match.DocumentIDs, ","), Label: strings.Join(labels, ", ")})
	}
	return u.render(w, r, status, "reconcile.html", view{Title: "reconcile.title", Nav: "reconcile", Data: d})
}

// reconcileApply applies the review table in one submit: for each line, "confirm" takes the
// proposal, "other" the invoice chosen in its select, "skip" (the default) nothing.
func (u *ui) reconcileApply(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	st, err := u.Store.GetStatement(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (bad form): %v", err)
	}
	var matches []store.ApplyMatch
	fe := domain.FieldErrors{}
	for _, l := range st.Lines {
		var docs []string
		switch r.PostFormValue("action_" + l.ID) {
		case "confirm":
			docs = l.Match.DocumentIDs
		case "other":
			if v := r.PostFormValue("doc_" + l.ID); v != "" {
				docs = []string{v}
			}
		default:
			continue
		}
		if len(docs) == 0 {
			fe.Add("line_"+l.ID, "請求書を選んでください (choose an invoice)")
			continue
		}
		fee := int64(0)
		if v := strings.TrimSpace(r.PostFormValue("fee_" + l.ID)); v != "" {
			n, err := document.ParseYen(v)
			if err != nil || n < 0 || n > bank.MaxFileSize {
				fe.Add("line_"+l.ID, "手数料は 0 以上の整数です (fee must be a non-negative integer)")
				continue
			}
			fee = n
		}
		matches = append(matches, store.ApplyMatch{LineID: l.ID, DocumentIDs: docs, Fee: fee})
	}
	if len(fe) > 0 {
		return u.renderReconcileErrors(w, r, p, st, fe)
	}
	st, results, err := u.Store.ApplyStatement(r.Context(), p.OrgID, p.Actor(), id, matches)
	if err != nil {
		return err
	}
	return u.renderReconcile(w, r, p, http.StatusOK, st, results)
}

func (u *ui) renderReconcileErrors(w http.ResponseWriter, r *http.Request, p domain.Principal, st store.BankStatement, fe domain.FieldErrors) error {
	results := make([]store.ApplyResult, 0, len(fe))
	for k, msg := range fe {
		results = append(results, store.ApplyResult{LineID: strings.TrimPrefix(k, "line_"), Result: store.ApplyRejected, Message: msg})
	}
	return u.renderReconcile(w, r, p, http.StatusUnprocessableEntity, st, results)
}
