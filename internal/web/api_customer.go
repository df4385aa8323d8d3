package web

import (
	"net/http"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// listResponse is the shape of every list: {"items": [...], "next_cursor": "..."}.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func (a *app) customerList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	offset, err := intParam(q.Get("offset"), "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	cs, err := a.Store.ListCustomers(r.Context(), p.OrgID, q.Get("q"), limit, offset)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []document.Customer{}
	}
	writeJSON(w, http.StatusOK, listResponse[document.Customer]{Items: cs})
	return nil
}

func (a *app) customerCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	c, err := a.decodeCustomer(r)
	if err != nil {
		return err
	}
	c, err = a.Store.CreateCustomer(r.Context(), p.OrgID, c)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/customers/"+c.ID)
	writeJSON(w, http.StatusCreated, customerView{c, registrationWarnings(c.RegistrationNumber)})
	return nil
}

// warning is something the caller should look at in what was saved: saved all the same.
type warning struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// registrationWarnings are the warnings of a registration number: a failed check digit (issue
// 12 item 5: said when saving, not only when reopening). Never nil, so the JSON is [].
func registrationWarnings(number string) []warning {
	ws := []warning{}
	if msg, _ := document.CheckRegistrationNumber(number); msg != "" {
		ws = append(ws, warning{Field: "registration_number", Message: msg})
	}
	return ws
}

// customerView is a customer in the API, with the warnings about its data.
type customerView struct {
	document.Customer
	Warnings []warning `json:"warnings"`
}

func (a *app) customerGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	c, err := a.Store.GetCustomer(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	_ = c.Validate() // fills RegistrationWarning for display; stored data is already valid
	names, err := a.Store.PayerNames(r.Context(), p.OrgID, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		customerView
		// PayerNames are the spellings banks used for this customer in confirmed matches.
		PayerNames []string `json:"payer_names"`
	}{customerView{c, registrationWarnings(c.RegistrationNumber)}, names})
	return nil
}

func (a *app) customerUpdate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	c, err := a.decodeCustomer(r)
	if err != nil {
		return err
	}
	c.ID = r.PathValue("id")
	warning := c.RegistrationWarning
	c, err = a.Store.UpdateCustomer(r.Context(), p.OrgID, c)
	if err != nil {
		return err
	}
	c.RegistrationWarning = warning
	writeJSON(w, http.StatusOK, customerView{c, registrationWarnings(c.RegistrationNumber)})
	return nil
}

func (a *app) customerDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := a.Store.DeleteCustomer(r.Context(), p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) decodeCustomer(r *http.Request) (document.Customer, error) {
	data, err := readJSON(r)
	if err != nil {
		return document.Customer{}, err
	}
	c, err := document.DecodeCustomer(data)
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}
