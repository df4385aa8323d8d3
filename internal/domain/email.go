package domain

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// MaxEmailLen is the longest e-mail address accepted, in bytes: RFC 5321's 256-octet path less
// its angle brackets.
const MaxEmailLen = 254

// ValidEmail reports whether s is an e-mail address the application accepts, wherever one is
// entered (an invitation, a local account, the first admin at setup, a customer's or the
// issuer's address, a recipient): a bare addr-spec that net/mail parses as itself (no display
// name, no spaces around it), valid UTF-8 of at most MaxEmailLen bytes, with a local part and a
// domain that has a dot inside it and is not a literal ([192.0.2.1]) — what a mail server
// delivers to. Callers that accept "Name <addr>" parse it first and check the address.
func ValidEmail(s string) bool {
	if s == "" || len(s) > MaxEmailLen || !utf8.ValidString(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return false
	}
	d := s[at+1:]
	return strings.Contains(d, ".") && !strings.HasPrefix(d, "[") && !strings.HasPrefix(d, ".") && !strings.HasSuffix(d, ".")
}
