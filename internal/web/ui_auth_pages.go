package web

import (
	"fmt"
	"html/template"
	"net/http"

	"reportapp/internal/auth"
)

// RenderPage writes one of package auth's pages (sign-in, setup, password change, no access…)
// as every browser page is written: the template auth_<name>.html in the UI's layout, its texts
// from the catalogue in the request's language. web.New hands the ui to auth (SetPages), so the
// sign-in pages and the application have one template engine and one catalogue.
func (u *ui) RenderPage(w http.ResponseWriter, r *http.Request, status int, name string, p auth.Page) {
	v := view{Title: p.Title, Notice: p.Notice, Error: p.Error, Refresh: p.Refresh, Data: p}
	if err := u.render(w, r, status, "auth_"+name+".html", v); err != nil {
		u.writeError(w, r, fmt.Errorf("web: auth page %s: %w", name, err))
	}
}

// authField is a form field of an auth page and its problem (a zero Text when it has none).
type authField struct {
	Name string
	Text auth.Text
}

// authFuncs are the template functions of the auth pages, with t the catalogue lookup of the
// page's language: "field" finds a field's problem, "text" shows a catalogue text with its values.
func authFuncs(t func(string) string) template.FuncMap {
	return template.FuncMap{
		"field": func(p auth.Page, name string) authField { return authField{Name: name, Text: p.Fields[name]} },
		"text": func(x auth.Text) string {
			if len(x.Args) == 0 {
				return t(x.Key)
			}
			return fmt.Sprintf(t(x.Key), x.Args...)
		},
	}
}
