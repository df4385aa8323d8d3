package web

import (
	"net/http"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

func (a *app) organizationGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	org, err := a.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	org.RegistrationWarning, _ = document.CheckRegistrationNumber(org.RegistrationNumber)
	writeJSON(w, http.StatusOK, organizationView{org, registrationWarnings(org.RegistrationNumber)})
	return nil
}

func (a *app) organizationUpdate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	in, err := document.DecodeOrganization(data)
	if err != nil {
		return err
	}
	cur, err := a.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	in.ID, in.Slug = cur.ID, cur.Slug
	if in.DefaultTaxRounding == "" {
		in.DefaultTaxRounding = cur.DefaultTaxRounding
	}
	if in.NumberPrefixes == (document.Prefixes{}) {
		in.NumberPrefixes = cur.NumberPrefixes
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := receivables.ValidateTransferFees(in.TransferFees); err != nil {
		return err
	}
	org, err := a.Store.UpdateOrganization(r.Context(), in)
	if err != nil {
		return err
	}
	org.RegistrationWarning = in.RegistrationWarning
	writeJSON(w, http.StatusOK, organizationView{org, registrationWarnings(org.RegistrationNumber)})
	return nil
}

// organizationView is the organisation in the API, with the warnings about its data.
type organizationView struct {
	document.Organization
	Warnings []warning `json:"warnings"`
}
