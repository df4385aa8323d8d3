package web

import (
	"net/http"

	"reportapp/internal/document"
)

// csvLang is the language of a CSV the caller downloads (the document list's, an export's
// index.csv): Japanese unless the user chose English. A lang=en or lang=ja parameter wins; else
// the browser UI's choice (the lang cookie, then Accept-Language) and, for the API, the
// request's Accept-Language.
func (a *app) csvLang(r *http.Request) document.CSVLang {
	switch r.URL.Query().Get("lang") {
	case "en":
		return document.CSVEnglish
	case "ja":
		return document.CSVJapanese
	}
	l := requestLang(r)
	if a.isAPI(r) { // the API never reads cookies
		l = preferredLang(r.Header.Get("Accept-Language"))
	}
	if l == langEN {
		return document.CSVEnglish
	}
	return document.CSVJapanese
}
