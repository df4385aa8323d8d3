package document

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Numbers and codes arrive as a Japanese IME types them: full-width digits and letters
// ("１２０００", "Ｔ４０１１…"), a full-width point ("１．５"), thousands separators ("100,000",
// "１００，０００"), a yen sign or 円 ("¥1,200", "￥1200", "1200円"). NormalizeNumber and
// NormalizeCode are the one place that reads them (issue 12 item 9): ParseQuantity, ParseYen and
// ParseDate call them, and so do the validation of customers and organisations (registration
// number, postal code, phone, FAX, Peppol id, number prefixes), the editor's and payment
// forms and the search criteria. Free text (names, addresses, notes) keeps its characters.

// NormalizeNumber brings a number as typed to ASCII: NFKC (full-width digits, point, minus and
// comma become ASCII), the minus signs − and ‐ become '-', and spaces, thousands separators
// (a comma before three digits), a yen sign and 円 are dropped. What is left is for strconv
// to judge.
func NormalizeNumber(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\t', '¥', '円', '_':
			return -1
		case '−', '‐', '‑', '–', 'ｰ', 'ー':
			return '-'
		}
		return r
	}, norm.NFKC.String(s))
	// A comma is a thousands separator only before three digits; "1,5" stays as it is (and is
	// refused) rather than becoming 15.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == ',' && thousands(s[i+1:]) {
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// thousands reports whether s starts with three digits not followed by another digit.
func thousands(s string) bool {
	if len(s) < 3 {
		return false
	}
	for i := range 3 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) == 3 || s[3] < '0' || s[3] > '9'
}

// NormalizeCode brings a code as typed (a registration number, postal code, phone number,
// document number, date) to ASCII: NFKC, the dashes and long-vowel marks IMEs put between
// digits become '-', and surrounding spaces go. Letters keep their case.
func NormalizeCode(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '−', '‐', '‑', '–', '—', 'ー', 'ｰ':
			return '-'
		}
		return r
	}, strings.TrimSpace(s))
}

// NormalizeRegistrationNumber is NormalizeCode for a 登録番号: besides, a lower-case t becomes T
// and spaces and hyphens between the digits go ("ｔ４０１１ ０００１ ２３４５６" → "T4011000123456").
func NormalizeRegistrationNumber(s string) string {
	s = NormalizeCode(s)
	if strings.HasPrefix(s, "t") {
		s = "T" + s[1:]
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// ParseYen reads an amount of whole yen as typed: "1,200", "¥1200", "１２００", "1200円", "-500".
func ParseYen(s string) (int64, error) {
	v := NormalizeNumber(s)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < -MaxAmount || n > MaxAmount {
		return 0, fmt.Errorf("金額は整数 (円) で入力してください (an integer amount of yen): %q", s)
	}
	return n, nil
}

// normalizeParty brings the codes of a customer or issuer to ASCII (see NormalizeCode).
func normalizeParty(registration, postal, peppol *string) {
	*registration = NormalizeRegistrationNumber(*registration)
	*postal = NormalizeCode(*postal)
	*peppol = NormalizeCode(*peppol)
}
