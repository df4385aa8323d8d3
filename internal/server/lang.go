package server

import (
	"net/http"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a language of the pages: Japanese by default, English on request. The browser UI and
// the sign-in pages choose it the same way (RequestLang).
type Lang string

// The languages.
const (
	LangJA Lang = "ja"
	LangEN Lang = "en"
)

// LangCookie holds the user's explicit choice; it wins over Accept-Language.
const LangCookie = "lang"

// RequestLang picks the language: the lang cookie, else English when the browser prefers English
// to Japanese, else Japanese.
func RequestLang(r *http.Request) Lang {
	if c, err := r.Cookie(LangCookie); err == nil {
		switch Lang(c.Value) {
		case LangEN:
			return LangEN
		case LangJA:
			return LangJA
		}
	}
	return PreferredLang(r.Header.Get("Accept-Language"))
}

// pageLanguages are the languages of the pages, the default first.
var pageLanguages = language.NewMatcher([]language.Tag{language.Japanese, language.English})

// PreferredLang reads an Accept-Language header with x/text/language: English when the browser
// prefers it to Japanese, else Japanese.
func PreferredLang(header string) Lang {
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return LangJA
	}
	if _, i, conf := pageLanguages.Match(tags...); i == 1 && conf != language.No {
		return LangEN
	}
	return LangJA
}

// InLang returns the part of a message "日本語 (English)" in language l; a message not of that
// form is returned as it is.
func InLang(msg string, l Lang) string {
	i := strings.LastIndex(msg, " (")
	if i <= 0 || !strings.HasSuffix(msg, ")") {
		return msg
	}
	if l == LangEN {
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
