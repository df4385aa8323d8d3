package domain

import (
	"strings"
	"testing"
)

func TestValidEmail(t *testing.T) {
	for _, s := range []string{
		"keiri@example.co.jp",
		"Keiri.Tanaka+invoices@sub.example.com",
		"o'brien@example.ie",
		"山田@例え.jp", // internationalised, as net/mail takes it
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".jp", // 254 bytes
	} {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false, want true", s)
		}
	}
	for _, s := range []string{
		"",
		"keiri",
		"@example.co.jp",
		"keiri@",
		"keiri@localhost",      // no dot: no mail server delivers there
		"keiri@[192.0.2.1]",    // a domain literal
		"keiri@.example.jp",    // leading dot
		"keiri@example.jp.",    // trailing dot
		" keiri@example.co.jp", // spaces around
		"keiri@example.co.jp ",
		"経理 <keiri@example.co.jp>", // a display name
		"keiri@example.co.jp, soumu@example.co.jp",
		"kei ri@example.co.jp",
		"keiri@example.co.jp\r\nBcc: x@example.jp",
		"keiri@exa\xffmple.jp",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".jp", // 255 bytes
	} {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true, want false", s)
		}
	}
}
