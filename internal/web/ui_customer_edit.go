package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// customerFormData is the customer form: what was typed, and where it is stored (ID "" for new).
type customerFormData struct {
	ID       string
	Customer document.Customer
	Warning  string // a registration number whose check digit failed
}

func (u *ui) customerNew(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	return u.render(w, r, http.StatusOK, "customer_form.html", view{Title: "customer.new", Nav: "customers",
		Data: customerFormData{Customer: document.Customer{Counterparty: document.Counterparty{Honorific: document.HonorificOnchu}}}})
}

func (u *ui) customerEdit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	c, err := u.Store.GetCustomer(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	_ = c.Validate() // fills the registration warning for display
	return u.render(w, r, http.StatusOK, "customer_form.html", view{Title: "customer.edit", Nav: "customers",
		Data: customerFormData{ID: c.ID, Customer: c, Warning: c.RegistrationWarning}})
}

// customerFromForm reads the customer form; everything typed is kept for a re-render.
func customerFromForm(r *http.Request) document.Customer {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return document.Customer{Counterparty: document.Counterparty{
		Name: f("name"), Honorific: f("honorific"), PostalCode: f("postal_code"), Address: f("address"),
		ContactPerson: f("contact_person"), Email: f("email"), RegistrationNumber: f("registration_number"),
		PeppolID: f("peppol_id"),
	}, NameKana: f("name_kana"), PaymentTerms: termsFromForm(r)}
}

// termsFromForm reads the payment-terms fields: nil when no closing day is chosen.
func termsFromForm(r *http.Request) *document.PaymentTerms {
	closing := r.PostFormValue("payment_terms.closing_day")
	if closing == "" {
		return nil
	}
	day := func(s string) document.MonthDay {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 28 {
			return document.MonthDay(n)
		}
		return document.EndOfMonthDay
	}
	offset, _ := strconv.Atoi(r.PostFormValue("payment_terms.pay_month_offset"))
	rule := document.HolidayRule(r.PostFormValue("payment_terms.holiday_rule"))
	if rule == "" {
		rule = document.HolidayNone
	}
	return &document.PaymentTerms{ClosingDay: day(closing), PayMonthOffset: offset, PayDay: day(r.PostFormValue("payment_terms.pay_day")), HolidayRule: rule}
}

// customerSave creates (POST /customers) or updates (POST /customers/{id}) a customer. Problems
// re-render the form with the messages beside the fields and the typed values kept.
func (u *ui) customerSave(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	id := r.PathValue("id")
	c := customerFromForm(r)
	c.ID = id
	title := "customer.new"
	if id != "" {
		title = "customer.edit"
	}
	err := c.Validate()
	if err == nil {
		if id == "" {
			c, err = u.Store.CreateCustomer(r.Context(), p.OrgID, c)
		} else {
			c, err = u.Store.UpdateCustomer(r.Context(), p.OrgID, c)
		}
	}
	if fe, ok := fieldErrors(err); ok {
		return u.render(w, r, http.StatusUnprocessableEntity, "customer_form.html", view{Title: title, Nav: "customers",
			Error: "form.invalid", Errors: fe, Data: customerFormData{ID: id, Customer: c, Warning: c.RegistrationWarning}})
	}
	if err != nil {
		return err
	}
	notice := "saved"
	if id == "" {
		notice = "created"
	}
	if msg, _ := document.CheckRegistrationNumber(c.RegistrationNumber); msg != "" {
		// Saved, but the check digit failed: the next page is the customer's, saying so beside
		// the number (issue 12 item 5), rather than the list.
		return seeOther(w, r, "/customers/"+url.PathEscape(c.ID)+"?notice="+notice)
	}
	return seeOther(w, r, "/customers?notice="+notice)
}

// customerDelete deletes a customer. One that documents refer to cannot be: the customer's page
// comes back (409) saying why, with the way to its documents and back to the list.
func (u *ui) customerDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	err := u.Store.DeleteCustomer(r.Context(), p.OrgID, r.PathValue("id"))
	if domain.ErrorCode(err) == domain.EConflict {
		c, gerr := u.Store.GetCustomer(r.Context(), p.OrgID, r.PathValue("id"))
		if gerr != nil {
			return err
		}
		_ = c.Validate() // fills the registration warning for display
		return u.render(w, r, http.StatusConflict, "customer_form.html", view{Title: "customer.edit", Nav: "customers",
			Error: "customer.in_use", Data: customerFormData{ID: c.ID, Customer: c, Warning: c.RegistrationWarning}})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/customers?notice=deleted")
}
