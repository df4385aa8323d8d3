package web

import (
	"net/http"
	"slices"
	"strings"

	"reportapp/internal/domain"
)

// tokensData is the API tokens page: the user's tokens (every token of the organisation for an
// admin), the creation form, and a token just created, shown this once.
type tokensData struct {
	Tokens  []domain.Token
	Name    string
	Role    domain.Role
	Created string // the plaintext of the token just created
}

func (u *ui) tokenList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return u.renderTokens(w, r, p, http.StatusOK, tokensData{Role: p.Role}, view{})
}

// tokensOf lists the tokens p may see and revoke: their own, or all of the organisation's for
// an admin.
func (u *ui) tokensOf(r *http.Request, p domain.Principal) ([]domain.Token, error) {
	userID := p.UserID
	if p.Role.AtLeast(admin) {
		userID = ""
	}
	return u.Store.ListTokens(r.Context(), p.OrgID, userID)
}

func (u *ui) renderTokens(w http.ResponseWriter, r *http.Request, p domain.Principal, st int, d tokensData, v view) error {
	ts, err := u.tokensOf(r, p)
	if err != nil {
		return err
	}
	d.Tokens = ts
	v.Title, v.Nav, v.Data = "tokens.title", "tokens", d
	return u.render(w, r, st, "tokens.html", v)
}

// tokenCreate creates an API token of the signed-in user with a role no higher than theirs and
// shows it once; only its hash is stored.
func (u *ui) tokenCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d := tokensData{Name: strings.TrimSpace(r.PostFormValue("name")), Role: domain.Role(r.PostFormValue("role"))}
	fe := map[string]string{}
	if d.Name == "" || len([]rune(d.Name)) > 100 {
		fe["name"] = "tokens.bad_name"
	}
	if !d.Role.Valid() || !p.Role.AtLeast(d.Role) {
		fe["role"] = "tokens.bad_role"
	}
	if len(fe) > 0 {
		return u.renderTokens(w, r, p, http.StatusUnprocessableEntity, d, view{Error: "form.invalid", Errors: fe})
	}
	plain, _, err := u.Store.CreateToken(r.Context(), p.OrgID, p.UserID, d.Name, d.Role)
	if err != nil {
		return err
	}
	return u.renderTokens(w, r, p, http.StatusOK, tokensData{Role: p.Role, Created: plain}, view{Notice: "notice.created"})
}

// tokenRevoke revokes one of the tokens the user may see; any other id is not found.
func (u *ui) tokenRevoke(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	id := r.PathValue("id")
	ts, err := u.tokensOf(r, p)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ts, func(t domain.Token) bool { return t.ID == id }) {
		return domain.Errorf(domain.ENotFound, "トークンが見つかりません (token not found)")
	}
	if err := u.Store.RevokeToken(r.Context(), p.OrgID, id); err != nil {
		return err
	}
	return seeOther(w, r, "/tokens?notice=revoked")
}
