package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"reportapp/internal/auth"
	"reportapp/internal/domain"
	"reportapp/internal/server"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ui holds what the browser pages share: the parsed templates of each language and the static
// assets under their content-hashed names. It is built once, with the route table.
type ui struct {
	*app
	pages map[lang]*template.Template
	// assets maps a file's name ("app.css") to its hashed URL ("/static/app.3f2a1c9d.css");
	// files maps the hashed name back to the file.
	assets map[string]string
	files  map[string]string
	err    error // a template that did not parse: every page answers with it
	kept   *pageCache
}

// newUI parses the templates once per language, with the language's constant texts written in
// (parseFolded), and hashes the static files.
func newUI(a *app) *ui {
	u := &ui{app: a, pages: map[lang]*template.Template{}, assets: map[string]string{}, files: map[string]string{}, kept: newPageCache()}
	go buildKey() // hash the executable now rather than on the first page that is revalidated
	if err := u.hashAssets(); err != nil {
		u.err = err
		return u
	}
	for _, l := range []lang{langJA, langEN} {
		cat := catalogue(l)
		t, err := parseFolded(template.New("").Funcs(u.funcs(l, cat)), templateFS, "templates/*.html", cat)
		if err != nil {
			u.err = fmt.Errorf("web: parse templates: %w", err)
			return u
		}
		u.pages[l] = t
	}
	return u
}

// hashAssets names every static file by the first 8 bytes of its SHA-256, so that a new
// release never meets a stale cached copy and the old copy may be cached for a year.
func (u *ui) hashAssets() error {
	var err error
	u.assets, u.files, err = hashedAssets()
	return err
}

// hashedAssets returns each static file's hashed URL by its name ("app.css" →
// "/static/app.3f2a1c9d.css") and each hashed name's file in staticFS.
func hashedAssets() (assets, files map[string]string, err error) {
	assets, files = map[string]string{}, map[string]string{}
	err = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := staticFS.ReadFile(p)
		if err != nil {
			return fmt.Errorf("web: read asset %s: %w", p, err)
		}
		sum := sha256.Sum256(data)
		name := path.Base(p)
		ext := path.Ext(name)
		if strings.HasSuffix(name, ".min.js") {
			ext = ".min.js"
		}
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		assets[name] = "/static/" + hashed
		files[hashed] = p
		return nil
	})
	return assets, files, err
}

// static serves an asset by its hashed name with a year-long immutable cache lifetime.
func (u *ui) static(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	p, ok := u.files[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return nil
	}
	data, err := staticFS.ReadFile(p)
	if err != nil {
		return fmt.Errorf("web: read asset %s: %w", p, err)
	}
	h := w.Header()
	switch path.Ext(p) {
	case ".css":
		h.Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
	case ".ico":
		h.Set("Content-Type", "image/vnd.microsoft.icon")
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}

// favicon answers /favicon.ico, which browsers ask for on every page whatever the page links,
// with the icon the layout links under its hashed name; a day's cache, as the name is fixed.
func (u *ui) favicon(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	data, err := staticFS.ReadFile("static/favicon.ico")
	if err != nil {
		return fmt.Errorf("web: read favicon: %w", err)
	}
	w.Header().Set("Content-Type", "image/vnd.microsoft.icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	return nil
}

// view is what every page template receives: the page's own data in Data, and what the layout
// needs around it.
type view struct {
	Title     string // a catalogue key
	Nav       string // the active navigation item
	P         domain.Principal
	SignedIn  bool
	Lang      lang
	Path      string // the request's URI, for the language switch's return address
	Notice    string // a catalogue key shown as a success message
	Error     string // a message shown at the top (already translated or from the domain)
	Errors    map[string]string
	CanEdit   bool // member or admin
	IsAdmin   bool
	Data      any
	HTMXFrame bool   // rendering a fragment for htmx: no layout
	Refresh   string // a URL the page navigates to at once (auth's signed-out page)
	// Revalidate: the page is sent with an ETag over everything above (pageSum) and may be
	// answered 304 or from the page cache (ui_pagecache.go); only for pages whose template
	// reads nothing but the view.
	Revalidate bool
}

// render writes the template name inside the layout with status. It renders into a buffer first
// so that a template error becomes a clean error page rather than half a page.
func (u *ui) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) error {
	if u.err != nil {
		return u.err
	}
	p, ok := auth.PrincipalFrom(r.Context())
	v.P, v.SignedIn = p, ok
	v.CanEdit = ok && p.Role.AtLeast(member)
	v.IsAdmin = ok && p.Role.AtLeast(admin)
	v.Lang = requestLang(r)
	v.Path = r.URL.RequestURI()
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	if v.Notice == "" {
		v.Notice = noticeKey(r.URL.Query().Get("notice"))
	}
	t := u.pages[v.Lang].Lookup(name)
	if t == nil {
		return fmt.Errorf("web: render: no template %q", name)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", string(v.Lang))
	if !slices.Contains(h.Values("Vary"), pageVary) { // once, when the error page follows a failed one
		h.Add("Vary", pageVary)
	}
	var sum [32]byte
	keep := false
	if v.Revalidate && status == http.StatusOK && r.Method == http.MethodGet {
		if sum, keep = u.pageSum(name, v); keep {
			if notModified(w, r, pageTag(sum)) {
				return nil
			}
			if page, ok := u.kept.get(sum); ok {
				h.Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(status)
				_, _ = w.Write(page)
				return nil
			}
		}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		h.Del("ETag")
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	if keep {
		u.kept.put(sum, buf.Bytes())
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// pageVary is what a page varies by: the session and the language.
const pageVary = "Cookie, Accept-Language"

// noticeKey accepts only the success notices the pages know, so that a link cannot put
// arbitrary text on a page.
func noticeKey(s string) string {
	switch s {
	case "saved", "created", "issued", "cancelled", "deleted", "revoked", "invited", "role_changed", "removed", "images_saved", "payment_recorded", "payment_voided", "sent", "link_revoked":
		return "notice." + s
	}
	return ""
}

// errorPage renders the UI's error page with status in the user's language; msg, when not
// empty, is the domain's message "日本語 (English)", of which the user's language is shown.
// writeError is its only caller.
func (u *ui) errorPage(w http.ResponseWriter, r *http.Request, st int, msg string) {
	v := view{Title: "error.title", Data: errorData{Status: st, Key: "error." + strconv.Itoa(st), Message: inLang(msg, requestLang(r))}}
	if rerr := u.render(w, r, st, "error.html", v); rerr != nil {
		server.Logger(r.Context()).Error("render error page", "err", rerr)
		http.Error(w, http.StatusText(st), st)
	}
}

// errorData is the error page's data.
type errorData struct {
	Status  int
	Key     string // catalogue key of the explanation
	Message string // the domain's message, when there is one
}

// isHTMX reports whether htmx sent the request (it then wants a fragment, not a page).
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// seeOther redirects after a successful POST (Post/Redirect/Get), so reloading repeats nothing.
func seeOther(w http.ResponseWriter, r *http.Request, target string) error {
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// fieldErrors returns the per-field problems of a validation error, or nil for any other error.
func fieldErrors(err error) (map[string]string, bool) {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.EInvalid {
		if de.Fields == nil {
			return map[string]string{"": de.Message}, true
		}
		return de.Fields, true
	}
	return nil, false
}
