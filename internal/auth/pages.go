package auth

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	"reportapp/internal/server"
)

//go:embed templates/*.html
var templateFS embed.FS

// page is the data of every auth page; each template reads the fields it needs.
type page struct {
	Title     string
	Error     string            // shown at the top, e.g. a failed login
	Notice    string            // a success message
	Fields    map[string]string // field name → problem, for forms
	Email     string            // kept when a form re-renders
	Token     string            // the setup token, carried in the form
	OrgName   string
	OrgSlug   string
	OIDC      bool // show the "Auth0/OIDC でログイン" button
	Local     bool // show the email + password form
	MinLength int
	Next      string // where to go after login (a path of this site)
	Refresh   string // a URL to navigate to at once (logout at the provider)
	// Stylesheet is Options.Stylesheet, set by render.
	Stylesheet string
	// Lang is the page's language, chosen by render as the browser UI chooses it (the lang
	// cookie, then Accept-Language): every text above is "日本語 (English)" and is shown in it.
	Lang server.Lang
}

// T is the text of the page's language: {{.T "ログイン" "Sign in"}}.
func (p page) T(ja, en string) string {
	if p.Lang == server.LangEN {
		return en
	}
	return ja
}

// L is the part of a message "日本語 (English)" in the page's language.
func (p page) L(msg string) string { return server.InLang(msg, p.Lang) }

// pageNames are the pages, each parsed together with the layout.
var pageNames = []string{"login", "setup", "noaccess", "password", "message", "unverified", "signedout"}

// parsePages parses the embedded templates once, at New.
func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("auth: parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes the named page with status. It renders into a buffer first so a template error
// becomes a clean 500 rather than half a page.
func (s *Service) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	p.MinLength = MinPasswordLength
	p.Stylesheet = s.opts.Stylesheet
	p.Lang = server.RequestLang(r)
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.serverError(w, r, fmt.Errorf("auth: render page %s: %w", name, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", string(p.Lang))
	h.Add("Vary", "Accept-Language, Cookie")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
