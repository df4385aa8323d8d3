package web

import (
	"net/http"
	"sort"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// closingRow is a customer whose closing day is the chosen date, with its unbilled notes.
type closingRow struct {
	Customer document.Customer
	Period   document.Period
	Count    int
	Gross    int64
}

// closingResult is what the closing page did for one customer or invoice.
type closingResult struct {
	CustomerName string
	Doc          *document.Document
	Error        string
}

// closingData is the 締め処理 page: the closing date, the customers due, and what was done.
type closingData struct {
	Date    string
	Rows    []closingRow
	Results []closingResult
	Issued  bool
}

// closingRows finds the customers whose payment terms close on date and who have unbilled
// delivery notes in the period that ends then.
func (u *ui) closingRows(r *http.Request, p domain.Principal, date document.Date) ([]closingRow, error) {
	cs, err := u.Store.CustomersWithTerms(r.Context(), p.OrgID)
	if err != nil {
		return nil, err
	}
	byPeriod := map[document.Period][]document.Customer{}
	for _, c := range cs {
		if period, ok := c.PaymentTerms.PeriodEnding(date); ok {
			byPeriod[period] = append(byPeriod[period], c)
		}
	}
	var rows []closingRow
	for period, cs := range byPeriod {
		unbilled, err := u.Store.UnbilledDeliveryNotes(r.Context(), p.OrgID, period)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if n := unbilled[c.ID]; n.Count > 0 {
				rows = append(rows, closingRow{Customer: c, Period: period, Count: n.Count, Gross: n.Gross})
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Customer.ID < rows[j].Customer.ID })
	return rows, nil
}

// closingDate reads the closing date (today in the organisation's zone by default).
func (u *ui) closingDate(s string) (document.Date, error) {
	if s == "" {
		return u.today(), nil
	}
	d, err := document.ParseDate(s)
	if err != nil {
		return document.Date{}, &domain.Error{Code: domain.EInvalid, Message: err.Error(), Fields: map[string]string{"date": err.Error()}}
	}
	return d, nil
}

func (u *ui) closingPage(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	date, err := u.closingDate(r.URL.Query().Get("date"))
	if fe, ok := fieldErrors(err); ok {
		return u.render(w, r, http.StatusUnprocessableEntity, "closing.html", view{Title: "closing.title", Nav: "schedules",
			Error: "form.invalid", Errors: fe, Data: closingData{Date: r.URL.Query().Get("date")}})
	}
	rows, err := u.closingRows(r, p, date)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "closing.html", view{Title: "closing.title", Nav: "schedules",
		Data: closingData{Date: date.String(), Rows: rows}})
}

// closingCreate makes the draft summary invoices of the ticked customers.
func (u *ui) closingCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	date, err := u.closingDate(r.PostFormValue("date"))
	if err != nil {
		return err
	}
	rows, err := u.closingRows(r, p, date)
	if err != nil {
		return err
	}
	chosen := map[string]bool{}
	for _, id := range r.PostForm["customer_id"] {
		chosen[id] = true
	}
	var results []closingResult
	for _, row := range rows {
		if !chosen[row.Customer.ID] {
			continue
		}
		res, err := closingOutcome(u.createSummary(r, p, summaryRequest{CustomerID: row.Customer.ID, PeriodFrom: row.Period.From, PeriodTo: row.Period.To, IssueDate: date}))
		if err != nil {
			return err
		}
		res.CustomerName = row.Customer.Name
		results = append(results, res)
	}
	rows, err = u.closingRows(r, p, date)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "closing.html", view{Title: "closing.title", Nav: "schedules",
		Data: closingData{Date: date.String(), Rows: rows, Results: results}})
}

// closingIssue issues the summary drafts just made (each one independently).
func (u *ui) closingIssue(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	var results []closingResult
	for _, id := range r.PostForm["document_id"] {
		res, err := closingOutcome(u.Store.IssueDocument(r.Context(), p.OrgID, p.Actor(), id))
		if err != nil {
			return err
		}
		results = append(results, res)
	}
	return u.render(w, r, http.StatusOK, "closing.html", view{Title: "closing.title", Nav: "schedules",
		Data: closingData{Date: r.PostFormValue("date"), Results: results, Issued: true}})
}

// closingOutcome is the result row of one customer's summary invoice: the document, or the
// message of why it was refused. A failure of the server itself (internal, unavailable) is
// returned instead, to end the request with the error page.
func closingOutcome(d document.Document, err error) (closingResult, error) {
	if err != nil {
		code, msg, _ := classify(err)
		if code == domain.EInternal || code == domain.EUnavailable {
			return closingResult{}, err
		}
		return closingResult{Error: msg}, nil
	}
	res := closingResult{Doc: &d}
	if d.Customer != nil {
		res.CustomerName = d.Customer.Name
	}
	return res, nil
}
