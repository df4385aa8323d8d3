package web

import (
	"html/template"
	"io/fs"
	"path"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFoldTranslations: a constant translation in HTML text is written into the template,
// escaped as the template would; everywhere else the action stays, and the output is the same.
func TestFoldTranslations(t *testing.T) {
	cat := map[string]string{"a": `A <b> & "q" 'x' + y`, "b": "B", "loop": "{{oops}}"}
	page := `{{define "page"}}<p>{{t "a"}}</p><p title="{{t "b"}}" data-x='{{t "a"}}'>{{t "b"}} {{- t "b" -}}</p>` +
		`<script>var s = {{t "a"}};</script><title>{{t "a"}}</title><textarea>{{t "b"}}</textarea>` +
		`{{if .}}{{t "b"}}{{else}}<a href="/{{t "b"}}">{{t "a"}}</a>{{end}}<input{{template "attrs" .}}>{{template "text" .}}` +
		`{{t "loop"}}{{t "missing"}}{{/* {{t "a"}} */}}<p>{{t "a"}}</p>{{end}}`
	fsys := fstest.MapFS{
		"page.html":  {Data: []byte(page)},
		"attrs.html": {Data: []byte(`{{define "attrs"}} aria-label="{{t "a"}}"{{template "nested" .}}{{end}}{{define "nested"}}{{t "b"}}{{end}}`)},
		"text.html":  {Data: []byte(`{{define "text"}}<em>{{t "a"}}</em>{{end}}`)},
	}
	funcs := template.FuncMap{"t": func(key string) string {
		if s, ok := cat[key]; ok {
			return s
		}
		return key
	}}
	plain := template.Must(template.New("").Funcs(funcs).ParseFS(fsys, "*.html"))
	folded, err := parseFolded(template.New("").Funcs(funcs), fsys, "*.html", cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range []any{true, false} {
		var want, got strings.Builder
		if err := plain.ExecuteTemplate(&want, "page", data); err != nil {
			t.Fatal(err)
		}
		if err := folded.ExecuteTemplate(&got, "page", data); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("data %v: folded output\n%s\nwant\n%s", data, got.String(), want.String())
		}
	}

	src := foldTranslations("page.html", page, cat, calledOutsideText([]string{"page.html", "attrs.html", "text.html"}, []string{page, string(fsys["attrs.html"].Data), string(fsys["text.html"].Data)}))
	// Folded: the first <p>'s text, the second's first b, the if's b, the else's link text and
	// the last <p>'s: none of the others.
	if n := strings.Count(page, `{{t "`) - strings.Count(src, `{{t "`); n != 5 {
		t.Errorf("%d actions folded, want 5 (<p> a, <p> b, if b, else a, last <p> a):\n%s", n, src)
	}
	unsafe := calledOutsideText([]string{"page.html", "attrs.html", "text.html"}, []string{page, string(fsys["attrs.html"].Data), string(fsys["text.html"].Data)})
	if !unsafe["attrs"] || !unsafe["nested"] || unsafe["text"] {
		t.Errorf("called outside text = %v, want attrs and nested (called by attrs), not text", unsafe)
	}
}

// TestFoldedTemplatesRenderAlike: every page template of the application renders the same
// folded and not, in both languages (with an empty view: the layout and the pages' static
// parts), and the folding writes in most constant texts.
func TestFoldedTemplatesRenderAlike(t *testing.T) {
	u := &ui{app: &app{}}
	if err := u.hashAssets(); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	srcs := make([]string, len(names))
	for i, name := range names {
		b, err := fs.ReadFile(templateFS, name)
		if err != nil {
			t.Fatal(err)
		}
		srcs[i] = string(b)
	}
	unsafe := calledOutsideText(names, srcs)
	all, folded := 0, 0
	for i, name := range names {
		all += strings.Count(srcs[i], `{{t "`)
		folded += strings.Count(srcs[i], `{{t "`) - strings.Count(foldTranslations(path.Base(name), srcs[i], catalogue(langJA), unsafe), `{{t "`)
	}
	if folded < all*9/10 {
		t.Errorf("%d of %d constant texts folded, want most", folded, all)
	}

	for _, l := range []lang{langJA, langEN} {
		cat := catalogue(l)
		plain := template.Must(template.New("").Funcs(u.funcs(l, cat)).ParseFS(templateFS, "templates/*.html"))
		folded, err := parseFolded(template.New("").Funcs(u.funcs(l, cat)), templateFS, "templates/*.html", cat)
		if err != nil {
			t.Fatal(err)
		}
		for _, tmpl := range plain.Templates() {
			name := tmpl.Name()
			if !strings.HasSuffix(name, ".html") {
				continue
			}
			var want, got strings.Builder
			werr := tmpl.Execute(&want, view{Lang: l, Title: "document.title", SignedIn: true, CanEdit: true, IsAdmin: true})
			gerr := folded.Lookup(name).Execute(&got, view{Lang: l, Title: "document.title", SignedIn: true, CanEdit: true, IsAdmin: true})
			if got.String() != want.String() || (werr == nil) != (gerr == nil) {
				t.Errorf("%s %s: folded output differs (errors %v, %v):\n%s\nwant\n%s", l, name, gerr, werr, got.String(), want.String())
			}
		}
	}
}
