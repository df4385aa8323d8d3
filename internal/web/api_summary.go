package web

import (
	"encoding/json"
	"net/http"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// summaryRequest is the body of POST /api/v1/summary-invoices.
type summaryRequest struct {
	CustomerID string        `json:"customer_id"`
	PeriodFrom document.Date `json:"period_from"`
	PeriodTo   document.Date `json:"period_to"`
	IssueDate  document.Date `json:"issue_date"`
}

// summaryInvoiceCreate makes the draft 合計請求書 of a customer's closing period from its unbilled
// delivery notes.
func (a *app) summaryInvoiceCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	in, err := decodeSummaryRequest(data)
	if err != nil {
		return err
	}
	d, err := a.createSummary(r, p, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/documents/"+d.ID)
	writeDocument(w, http.StatusCreated, d)
	return nil
}

// createSummary validates a summary request and stores the draft; the UI's closing page uses it too.
func (a *app) createSummary(r *http.Request, p domain.Principal, in summaryRequest) (document.Document, error) {
	fe := domain.FieldErrors{}
	if in.CustomerID == "" {
		fe.Add("customer_id", "必須です (required)")
	}
	if in.PeriodFrom.IsZero() {
		fe.Add("period_from", "必須です (required)")
	}
	if in.PeriodTo.IsZero() {
		fe.Add("period_to", "必須です (required)")
	} else if !in.PeriodFrom.IsZero() && in.PeriodTo.Before(in.PeriodFrom) {
		fe.Add("period_to", "期間の開始より前です (period_to is before period_from)")
	}
	if in.IssueDate.IsZero() {
		in.IssueDate = a.today()
	}
	if err := fe.Err(); err != nil {
		return document.Document{}, err
	}
	customer, err := a.Store.GetCustomer(r.Context(), p.OrgID, in.CustomerID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return document.Document{}, &domain.Error{Code: domain.EInvalid, Message: "取引先が見つかりません (customer not found)",
			Fields: map[string]string{"customer_id": "取引先が見つかりません (no such customer)"}}
	}
	if err != nil {
		return document.Document{}, err
	}
	org, err := a.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return document.Document{}, err
	}
	period := document.Period{From: in.PeriodFrom, To: in.PeriodTo}
	req := store.SummaryRequest{CustomerID: in.CustomerID, Period: period, IssueDate: in.IssueDate}
	return a.Store.CreateSummaryInvoice(r.Context(), p.OrgID, p.Actor(), req, func(notes []document.Document, carry document.CarryOver) (document.Document, error) {
		d, err := document.BuildSummary(notes, in.CustomerID, period, in.IssueDate, carry)
		if err != nil {
			return document.Document{}, err
		}
		d.TaxRounding = org.DefaultTaxRounding
		d.FillDueDate(customer.PaymentTerms, a.calendar)
		if err := d.Validate(); err != nil {
			return document.Document{}, err
		}
		d.SetTotalBilled()
		return d, nil
	})
}

// decodeSummaryRequest reads the body strictly: unknown fields are a 400, bad dates a field error.
func decodeSummaryRequest(data []byte) (summaryRequest, error) {
	var raw struct {
		CustomerID json.RawMessage `json:"customer_id"`
		PeriodFrom json.RawMessage `json:"period_from"`
		PeriodTo   json.RawMessage `json:"period_to"`
		IssueDate  json.RawMessage `json:"issue_date"`
	}
	if err := document.DecodeObject(data, &raw); err != nil {
		return summaryRequest{}, err
	}
	f := document.NewFields()
	in := summaryRequest{CustomerID: f.String("customer_id", raw.CustomerID), PeriodFrom: f.Date("period_from", raw.PeriodFrom),
		PeriodTo: f.Date("period_to", raw.PeriodTo), IssueDate: f.Date("issue_date", raw.IssueDate)}
	return in, f.Err()
}
