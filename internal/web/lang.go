package web

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// lang is a language of the pages: Japanese by default, English on request. The browser UI and
// the sign-in pages (which it renders for auth) choose it the same way (requestLang).
type lang string

// The languages.
const (
	langJA lang = "ja"
	langEN lang = "en"
)

// langCookie holds the user's explicit choice; it wins over Accept-Language.
const langCookie = "lang"

// requestLang picks the language: the lang cookie, else English when the browser prefers English
// to Japanese, else Japanese.
func requestLang(r *http.Request) lang {
	if c, err := r.Cookie(langCookie); err == nil {
		switch lang(c.Value) {
		case langEN:
			return langEN
		case langJA:
			return langJA
		}
	}
	return preferredLang(r.Header.Get("Accept-Language"))
}

// pageLanguages are the languages of the pages, the default first.
var pageLanguages = language.NewMatcher([]language.Tag{language.Japanese, language.English})

// preferredLang reads an Accept-Language header with x/text/language: English when the browser
// prefers it to Japanese, else Japanese.
func preferredLang(header string) lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return langJA
	}
	if _, i, conf := pageLanguages.Match(tags...); i == 1 && conf != language.No {
		return langEN
	}
	return langJA
}

// inLang returns the part of a message "日本語 (English)" in language l; a message not of that
// form is returned as it is.
func inLang(msg string, l lang) string {
	i := strings.LastIndex(msg, " (")
	if i <= 0 || !strings.HasSuffix(msg, ")") {
		return msg
	}
	if l == langEN {
		// Keep a field name in front ("items[0].quantity: 数量… (quantity …)").
		prefix := ""
		if j := strings.Index(msg[:i], ": "); j > 0 && isASCII(msg[:j]) {
			prefix = msg[:j+2]
		}
		return prefix + msg[i+2:len(msg)-1]
	}
	return msg[:i]
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
