package auth

import (
	"context"
	"errors"
	"net/http"
)

// The pages of this package, by name. The renderer lays each out (PageRenderer); this package
// only decides which page a request gets and what it says.
const (
	PageLogin      = "login"      // the sign-in choices: OIDC and/or the e-mail + password form
	PageSetup      = "setup"      // the first-run setup form
	PageNoAccess   = "noaccess"   // signed in at the provider, but a member of no organisation
	PagePassword   = "password"   // the signed-in user's password change
	PageMessage    = "message"    // a title, a message and the way back to the sign-in page
	PageUnverified = "unverified" // the provider does not vouch for the e-mail address
	PageSignedOut  = "signedout"  // signed out here, on the way to the provider's logout
)

// PageNames are the names of every page this package renders.
func PageNames() []string {
	return []string{PageLogin, PageSetup, PageNoAccess, PagePassword, PageMessage, PageUnverified, PageSignedOut}
}

// Page is what an auth page shows. Every text in it is a key of the UI's message catalogue, never
// the text itself, so that the renderer shows it in the reader's language; the other fields are
// values the user typed or that the page needs.
type Page struct {
	Title  string          // catalogue key of the page's heading
	Error  string          // catalogue key of a message at the top, e.g. a failed sign-in
	Notice string          // catalogue key of a success or guidance message
	Fields map[string]Text // form field name → its problem; never nil
	Email  string          // kept when a form re-renders; the unverified address
	Token  string          // the setup token, carried in the form

	OrgName, OrgSlug string // the setup form's values
	OIDC             bool   // offer the sign-in through the OIDC provider
	Local            bool   // offer the e-mail + password form
	MinLength        int    // of a new password (MinPasswordLength)
	Next             string // where to go after sign-in (a path of this site)
	Refresh          string // a URL to navigate to at once (the provider's logout)
}

// Text is a text of the message catalogue: its key and the values of its fmt verbs, if any.
type Text struct {
	Key  string
	Args []any
}

// PageRenderer lays out and writes the pages of this package. The web layer implements it with
// the UI's templates and message catalogue and hands it over with SetPages. RenderPage writes
// the whole response with status, the page's texts in the request's language; when it cannot
// (a template error) it writes an error response instead.
type PageRenderer interface {
	RenderPage(w http.ResponseWriter, r *http.Request, status int, name string, p Page)
}

// SetPages gives the Service the renderer of its pages. The web layer calls it when it builds the
// application, which is after New, since it needs the Service. Until then every page is an error.
func (s *Service) SetPages(pr PageRenderer) { s.pages.Store(&pr) }

// errNoRenderer is a page asked for before SetPages.
var errNoRenderer = errors.New("auth: no page renderer (SetPages)")

// render writes the named page with status through the renderer of SetPages.
func (s *Service) render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	pr := s.pages.Load()
	if pr == nil || *pr == nil {
		s.serverError(w, r, errNoRenderer)
		return
	}
	if p.Fields == nil {
		p.Fields = map[string]Text{}
	}
	p.MinLength = MinPasswordLength
	(*pr).RenderPage(w, r, status, name, p)
}

// withoutPrincipal is ctx with nobody signed in, for a page rendered after the session ended.
func withoutPrincipal(ctx context.Context) context.Context {
	return context.WithValue(ctx, principalKey{}, nil)
}
