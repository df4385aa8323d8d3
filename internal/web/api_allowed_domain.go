package web

import (
	"encoding/json"
	"net/http"

	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// The allowed e-mail domains of the organisation: people whose identity provider verified an
// address in one of them join with its role on their first OIDC login (auth.Service.AllowDomain).

func (a *app) allowedDomainList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	ds, err := a.Store.ListAllowedDomains(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listResponse[store.AllowedDomain]{Items: ds})
	return nil
}

// allowedDomainPut allows the domain of the path with {"role": …}, or changes its role.
func (a *app) allowedDomainPut(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	var in struct {
		Role domain.Role `json:"role"`
	}
	if err := json.Unmarshal(data, &in); err != nil || !in.Role.Valid() {
		return &domain.Error{Code: domain.EInvalid, Message: "権限を指定してください (role: admin, member or viewer)",
			Fields: map[string]string{"role": "admin, member or viewer"}}
	}
	d, err := a.Auth.AllowDomain(r.Context(), p, r.PathValue("domain"), in.Role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (a *app) allowedDomainDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := a.Auth.DisallowDomain(r.Context(), p, r.PathValue("domain")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
