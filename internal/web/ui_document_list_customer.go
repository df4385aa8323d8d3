package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// customerOptionsLimit is how many customers the search form's customer field suggests.
const customerOptionsLimit = 20

// documentCustomers serves the suggestions of the search form's customer field (a datalist):
// the organisation's customers whose name, reading (フリガナ), contact person or e-mail contain
// what was typed, however many customers there are.
func (u *ui) documentCustomers(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	cs, err := u.customerOptions(r.Context(), p.OrgID, r.URL.Query().Get("customer"))
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "customer_options_fragment", view{Data: cs})
}

func (u *ui) customerOptions(ctx context.Context, orgID, typed string) ([]document.Customer, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return []document.Customer{}, nil
	}
	cs, err := u.Store.ListCustomers(ctx, orgID, typed, customerOptionsLimit, 0)
	if kana := katakana(typed); err == nil && kana != typed && len(cs) < customerOptionsLimit {
		// A reading typed in hiragana: フリガナ is usually in katakana.
		more, err := u.Store.ListCustomers(ctx, orgID, kana, customerOptionsLimit-len(cs), 0)
		if err != nil {
			return nil, err
		}
		for _, c := range more {
			if !slices.ContainsFunc(cs, func(o document.Customer) bool { return o.ID == c.ID }) {
				cs = append(cs, c)
			}
		}
	}
	return cs, err
}

// resolveCustomer finds the customer the search form's customer field names: the one whose name
// or reading is what was typed, else the only one that contains it. None, or several that
// contain it and none by that exact name, is a field error asking to choose from the list.
func (u *ui) resolveCustomer(ctx context.Context, orgID, typed string) (document.Customer, []document.Customer, error) {
	cs, err := u.customerOptions(ctx, orgID, typed)
	if err != nil {
		return document.Customer{}, nil, err
	}
	fold := func(s string) string { return strings.ToLower(norm.NFKC.String(katakana(strings.TrimSpace(s)))) }
	want := fold(typed)
	var exact []document.Customer
	for _, c := range cs {
		if fold(c.Name) == want || (c.NameKana != "" && fold(c.NameKana) == want) {
			exact = append(exact, c)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], cs, nil
	case len(exact) == 0 && len(cs) == 1:
		return cs[0], cs, nil
	case len(cs) == 0:
		return document.Customer{}, cs, invalid("customer", "search.customer_none")
	}
	return document.Customer{}, cs, invalid("customer", "search.customer_ambiguous")
}

// katakana turns hiragana into katakana, so that a reading typed either way finds the
// customer's フリガナ (stored as typed, usually katakana).
func katakana(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'ぁ' && r <= 'ゖ' {
			return r + 0x60
		}
		return r
	}, s)
}
