package document

import "reportapp/internal/domain"

// CheckRegistrationNumber checks a 適格請求書発行事業者 registration number (登録番号).
//
// "" is allowed: the party is not registered. Otherwise the format must be "T" followed by 13
// ASCII digits, else an EInvalid *Error. The first of the 13 digits is the corporate number's
// check digit, 9 − (Σ Pn×Qn mod 9) with Pn the n-th of the other 12 digits from the right and
// Qn 1 for odd n, 2 for even n. Numbers given to individuals are not confirmed to follow it,
// so a mismatch is returned as a warning for the user (Japanese and English), not an error.
func CheckRegistrationNumber(s string) (warning string, err error) {
	if s == "" {
		return "", nil
	}
	if len(s) != 14 || s[0] != 'T' {
		return "", &domain.Error{Code: domain.EInvalid, Message: "登録番号は T と 13 桁の半角数字です (registration number must be T followed by 13 digits)"}
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", &domain.Error{Code: domain.EInvalid, Message: "登録番号は T と 13 桁の半角数字です (registration number must be T followed by 13 digits)"}
		}
	}
	if registrationCheckDigit(s[2:]) != int(s[1]-'0') {
		return "登録番号のチェックディジットが一致しません。番号をご確認ください (the registration number's check digit does not match; please verify the number)", nil
	}
	return "", nil
}

// registrationCheckDigit computes the check digit of the 12-digit base of a corporate number.
func registrationCheckDigit(base string) int {
	sum := 0
	for n := 1; n <= len(base); n++ {
		p := int(base[len(base)-n] - '0')
		q := 1
		if n%2 == 0 {
			q = 2
		}
		sum += p * q
	}
	return 9 - sum%9
}

// CheckCanIssue returns nil when is may issue a document of kind k, else an
// ERegistrationMissing *Error: a qualified-invoice issuer must print a registration number of
// the valid format on invoices, receipts and credit notes. A check digit that does not match
// is only a warning (the number may be right and the check wrong for a sole proprietor's).
func CheckCanIssue(is Issuer, k Kind) error {
	if !is.QualifiedInvoiceIssuer || !k.NeedsRegistration() {
		return nil
	}
	if _, err := CheckRegistrationNumber(is.RegistrationNumber); err == nil && is.RegistrationNumber != "" {
		return nil
	}
	return &domain.Error{Code: domain.ERegistrationMissing,
		Message: "適格請求書発行事業者の登録番号が設定されていないため発行できません。設定で登録番号を入力するか、免税事業者として設定してください (a qualified invoice issuer needs a registration number T + 13 digits to issue this document)",
		Fields:  map[string]string{"registration_number": "登録番号 (T + 13桁) を設定してください (registration number required)"}}
}
