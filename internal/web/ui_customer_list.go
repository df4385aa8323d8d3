package web

import (
	"net/http"
	"net/url"
	"strconv"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// customerPageSize is how many customers a page of the list shows.
const customerPageSize = 50

// customerListData is the customer list with its search.
type customerListData struct {
	Query     string
	Customers []document.Customer
	Prev      string // URL of the previous page, "" on the first
	Next      string // URL of the next page, "" on the last
}

func (u *ui) customerList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	q := r.URL.Query()
	offset, err := intParam(q.Get("offset"), "offset", 0, 0, 1<<31-1)
	if err != nil {
		offset = 0
	}
	d := customerListData{Query: q.Get("q")}
	cs, err := u.Store.ListCustomers(r.Context(), p.OrgID, d.Query, customerPageSize+1, offset)
	if err != nil {
		return err
	}
	page := func(off int) string {
		v := url.Values{}
		if d.Query != "" {
			v.Set("q", d.Query)
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		if len(v) == 0 {
			return "/customers"
		}
		return "/customers?" + v.Encode()
	}
	if len(cs) > customerPageSize {
		cs = cs[:customerPageSize]
		d.Next = page(offset + customerPageSize)
	}
	if offset > 0 {
		d.Prev = page(max(0, offset-customerPageSize))
	}
	d.Customers = cs
	return u.render(w, r, http.StatusOK, "customers.html", view{Title: "customers.title", Nav: "customers", Data: d})
}
