package web

import (
	"net/http"
	"strings"

	"reportapp/internal/auth"
	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// membersData is the members page: who belongs to the organisation with which role, and the
// invitation form.
type membersData struct {
	Members []domain.Member
	Email   string      // the invitation form as typed
	Role    domain.Role // likewise
	// Invited is the invitation just made; its temporary password is shown this once.
	Invited *auth.Invitation
	// Reset is the password reset just made, shown this once.
	Reset *passwordReset
	// LocalLogin offers the password reset (there are no passwords without it).
	LocalLogin bool
	// Domains are the allowed e-mail domains (join on the first OIDC login); Domain is the form.
	Domains []store.AllowedDomain
	Domain  string
}

// passwordReset is a member's new temporary password.
type passwordReset struct {
	Email, Password string
}

func (u *ui) memberList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return u.renderMembers(w, r, p, http.StatusOK, membersData{Role: member}, view{})
}

func (u *ui) renderMembers(w http.ResponseWriter, r *http.Request, p domain.Principal, st int, d membersData, v view) error {
	ms, err := u.Store.ListMembers(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	d.Members = ms
	d.LocalLogin = u.Auth.LocalLoginEnabled()
	if d.Domains, err = u.Store.ListAllowedDomains(r.Context(), p.OrgID); err != nil {
		return err
	}
	v.Title, v.Nav, v.Data = "members.title", "settings", d
	return u.render(w, r, st, "members.html", v)
}

// memberInvite invites an e-mail address with a role (auth.Service.Invite). With local login a
// new user gets a temporary password, shown to the admin once.
func (u *ui) memberInvite(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d := membersData{Email: strings.TrimSpace(r.PostFormValue("email")), Role: domain.Role(r.PostFormValue("role"))}
	fe := map[string]string{}
	if !domain.ValidEmail(d.Email) {
		fe["email"] = "members.bad_email"
	}
	if !d.Role.Valid() {
		fe["role"] = "members.bad_role"
	}
	if len(fe) > 0 {
		return u.renderMembers(w, r, p, http.StatusUnprocessableEntity, d, view{Error: "form.invalid", Errors: fe})
	}
	inv, err := u.Auth.Invite(r.Context(), p, d.Email, d.Role)
	switch domain.ErrorCode(err) {
	case "":
		return u.renderMembers(w, r, p, http.StatusOK, membersData{Role: member, Invited: &inv}, view{Notice: "notice.invited"})
	case domain.EConflict, domain.EInvalid:
		var msg string
		if fields, ok := fieldErrors(err); ok && fields["role"] != "" {
			fe["role"] = fields["role"]
		} else {
			msg = "members.already"
		}
		return u.renderMembers(w, r, p, http.StatusUnprocessableEntity, d, view{Error: msg, Errors: fe})
	}
	return err
}

// memberRole changes a member's role; demoting the last admin is refused (409).
func (u *ui) memberRole(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	role := domain.Role(r.PostFormValue("role"))
	if !role.Valid() {
		return domain.Errorf(domain.EInvalid, "不明な権限です (unknown role)")
	}
	if err := u.Auth.ChangeRole(r.Context(), p, r.PathValue("id"), role); err != nil {
		return err
	}
	return seeOther(w, r, "/settings/members?notice=role_changed")
}

// memberRemove removes a member; removing the last admin is refused (409).
func (u *ui) memberRemove(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := u.Auth.RemoveMember(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, r, "/settings/members?notice=removed")
}

// memberReset gives a member a new temporary password (auth.Service.ResetPassword), shown to the
// admin once; the member's sessions end and they choose their own password at the next login. A
// member who also belongs to another organisation is refused: their account is not ours to reset.
func (u *ui) memberReset(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	m, err := u.Store.GetMember(r.Context(), p.OrgID, id)
	if err != nil {
		return err
	}
	pw, err := u.Auth.ResetPassword(r.Context(), p, id)
	if domain.ErrorCode(err) == domain.EForbidden {
		return u.renderMembers(w, r, p, http.StatusForbidden, membersData{Role: member}, view{Error: "members.reset_other_org"})
	}
	if err != nil {
		return err
	}
	return u.renderMembers(w, r, p, http.StatusOK, membersData{Role: member, Reset: &passwordReset{Email: m.Email, Password: pw}}, view{})
}

// memberDomainAllow lets verified addresses of a domain join with a role (auth.Service.AllowDomain).
func (u *ui) memberDomainAllow(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d := membersData{Role: domain.Role(r.PostFormValue("role")), Domain: strings.TrimSpace(r.PostFormValue("domain"))}
	_, err := u.Auth.AllowDomain(r.Context(), p, d.Domain, d.Role)
	if domain.ErrorCode(err) == domain.EInvalid {
		fe := map[string]string{"domain": "members.bad_domain"}
		if fields, ok := fieldErrors(err); ok && fields["role"] != "" {
			fe = map[string]string{"domain_role": "members.bad_role"}
		}
		return u.renderMembers(w, r, p, http.StatusUnprocessableEntity, d, view{Error: "form.invalid", Errors: fe})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/settings/members?notice=domain_allowed")
}

// memberDomainRemove stops allowing a domain; members who joined through it stay.
func (u *ui) memberDomainRemove(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := u.Auth.DisallowDomain(r.Context(), p, r.PathValue("domain")); err != nil {
		return err
	}
	return seeOther(w, r, "/settings/members?notice=domain_removed")
}
