package web

import (
	"net/http"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// settingsData is the organisation settings page: the profile, the number prefixes and the
// default rounding in one form, and the logo and seal.
type settingsData struct {
	Org     document.Organization
	Warning string // a registration number whose check digit failed: saved, but worth a look
	HasLogo bool
	HasSeal bool
}

func (u *ui) settingsEdit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	org, err := u.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	_ = org.Validate() // fills the registration warning for display
	return u.renderSettings(w, r, http.StatusOK, org, view{})
}

func (u *ui) renderSettings(w http.ResponseWriter, r *http.Request, st int, org document.Organization, v view) error {
	v.Title, v.Nav = "settings.title", "settings"
	v.Data = settingsData{Org: org, Warning: org.RegistrationWarning, HasLogo: len(org.Logo) > 0, HasSeal: len(org.Seal) > 0}
	return u.render(w, r, st, "settings.html", v)
}

// settingsSave saves the profile, prefixes and default rounding with the domain's validation.
// A registration number with a failed check digit is saved and the warning shown beside it.
func (u *ui) settingsSave(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	cur, err := u.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	org := cur
	org.Issuer = document.Issuer{Name: f("name"), RegistrationNumber: f("registration_number"), PostalCode: f("postal_code"),
		Address: f("address"), Phone: f("phone"), Email: f("email"), BankAccount: strings.TrimSpace(r.PostFormValue("bank_account")),
		PeppolID: f("peppol_id"), Fax: f("fax"), ContactPerson: f("contact_person"),
		QualifiedInvoiceIssuer: r.PostFormValue("qualified_invoice_issuer") != ""}
	org.DefaultTaxRounding = document.Rounding(f("default_tax_rounding"))
	org.NumberPrefixes = document.Prefixes{Invoice: f("prefix_invoice"), Quote: f("prefix_quote"),
		DeliveryNote: f("prefix_delivery_note"), Receipt: f("prefix_receipt"), CreditNote: f("prefix_credit_note")}
	if err := org.Validate(); err != nil {
		if fe, ok := fieldErrors(err); ok {
			return u.renderSettings(w, r, http.StatusUnprocessableEntity, org, view{Error: "form.invalid", Errors: fe})
		}
		return err
	}
	warning := org.RegistrationWarning
	saved, err := u.Store.UpdateOrganization(r.Context(), org)
	if err != nil {
		return err
	}
	if warning != "" {
		saved.RegistrationWarning = warning
		return u.renderSettings(w, r, http.StatusOK, saved, view{Notice: "notice.saved"})
	}
	return seeOther(w, r, "/settings?notice=saved")
}
