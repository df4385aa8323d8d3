package document

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"reportapp/internal/domain"
)

// Limits of the text fields, in characters (runes), not bytes.
const (
	MaxNameLen          = 200  // names of organisations, customers, items; subjects
	MaxNotesLen         = 5000 // 備考
	MaxDescriptionLen   = 1000 // a line item's description (摘要), line breaks included
	MaxUnitLen          = 20   // 単位
	MaxPrefixLen        = 20   // number prefixes
	MaxItems            = 1000 // lines per document
	maxPostalCodeLen    = 10
	maxAddressLen       = 500
	maxPhoneLen         = 30
	maxEmailLen         = 254
	maxBankAccountLen   = 1000
	maxIDLen            = 100
	msgRequired         = "入力してください (required)"
	msgNotAllowedInKind = "この種類の書類では指定できません (not allowed for this kind of document)"
)

// textProblem returns what is wrong with s as a text field, or "". Text must be valid UTF-8
// without control characters; multiline text may contain tabs and line breaks (\n, and \r
// because HTML forms submit textarea line breaks as CRLF).
func textProblem(s string, maxLen int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "文字コードが不正です (not valid UTF-8)"
	}
	for _, c := range s {
		if unicode.IsControl(c) && !(multiline && (c == '\n' || c == '\t' || c == '\r')) {
			return "使用できない制御文字が含まれています (contains a control character)"
		}
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return fmt.Sprintf("%d 文字以内で入力してください (at most %d characters, got %d)", maxLen, maxLen, n)
	}
	return ""
}

// normalizeLineBreaks turns CRLF and lone CR into LF, so a text typed in a browser's textarea
// (which submits CRLF) is stored and counted like the same text sent as JSON.
func normalizeLineBreaks(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// checkText records a problem of the text field s in fe.
func checkText(fe domain.FieldErrors, field, s string, maxLen int, required, multiline bool) {
	if required && s == "" {
		fe.Add(field, msgRequired)
		return
	}
	if p := textProblem(s, maxLen, multiline); p != "" {
		fe.Add(field, p)
	}
}

// checkEmail records a problem of an optional e-mail address (domain.ValidEmail).
func checkEmail(fe domain.FieldErrors, field, s string) {
	if s == "" {
		return
	}
	if p := textProblem(s, maxEmailLen, false); p != "" {
		fe.Add(field, p)
		return
	}
	if !domain.ValidEmail(s) {
		fe.Add(field, "メールアドレスの形式が正しくありません (not a valid e-mail address)")
	}
}

// checkRegistration records a format error of a registration number and returns its warning.
func checkRegistration(fe domain.FieldErrors, field, s string) string {
	warning, err := CheckRegistrationNumber(s)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*domain.Error); ok {
			msg = e.Message
		}
		fe.Add(field, msg)
	}
	return warning
}

// checkPrefix records a problem of a number prefix: at most MaxPrefixLen of [A-Za-z0-9-_/].
// An empty prefix is allowed (bare numbers).
func checkPrefix(fe domain.FieldErrors, field, s string) {
	if len(s) > MaxPrefixLen {
		fe.Add(field, fmt.Sprintf("%d 文字以内で入力してください (at most %d characters)", MaxPrefixLen, MaxPrefixLen))
		return
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '/') {
			fe.Add(field, "英数字と - _ / のみ使用できます (only letters, digits, - _ and / are allowed)")
			return
		}
	}
}

// Valid reports whether d is a real calendar date in the years 1900–9999 (a Date built in Go,
// not parsed, may be anything).
func (d Date) Valid() bool {
	if d.Year < 1900 || d.Year > 9999 {
		return false
	}
	return DateOf(d.Time(time.UTC)) == d
}

// checkDate records a problem of a date field that is set.
func checkDate(fe domain.FieldErrors, field string, d Date) {
	if !d.Valid() {
		fe.Add(field, "存在しない日付です (not a valid date)")
	}
}

// Validate checks an organisation's settings and returns nil or an EInvalid *Error whose Fields
// name each problem by its JSON path. It sets RegistrationWarning from the check digit of the
// registration number, normalises an empty DefaultTaxRounding to Floor and brings the codes
// (registration number, postal code, phone, FAX, Peppol id, prefixes) to ASCII (NormalizeCode).
func (o *Organization) Validate() error {
	fe := domain.FieldErrors{}
	normalizeParty(&o.RegistrationNumber, &o.PostalCode, &o.PeppolID)
	o.Phone, o.Fax = NormalizeCode(o.Phone), NormalizeCode(o.Fax)
	for _, p := range []*string{&o.NumberPrefixes.Invoice, &o.NumberPrefixes.Quote, &o.NumberPrefixes.DeliveryNote,
		&o.NumberPrefixes.Receipt, &o.NumberPrefixes.CreditNote} {
		*p = NormalizeCode(*p)
	}
	checkText(fe, "name", o.Name, MaxNameLen, true, false)
	o.RegistrationWarning = checkRegistration(fe, "registration_number", o.RegistrationNumber)
	checkText(fe, "postal_code", o.PostalCode, maxPostalCodeLen, false, false)
	checkText(fe, "address", o.Address, maxAddressLen, false, true)
	checkText(fe, "phone", o.Phone, maxPhoneLen, false, false)
	checkText(fe, "fax", o.Fax, maxPhoneLen, false, false)
	checkText(fe, "contact_person", o.ContactPerson, MaxNameLen, false, false)
	checkEmail(fe, "email", o.Email)
	checkText(fe, "bank_account", o.BankAccount, maxBankAccountLen, false, true)
	if p := CheckPeppolID(o.PeppolID); p != "" {
		fe.Add("peppol_id", p)
	}
	if o.DefaultTaxRounding == "" {
		o.DefaultTaxRounding = Floor
	}
	if !o.DefaultTaxRounding.Valid() {
		fe.Add("default_tax_rounding", "端数処理は floor, half_up, ceil のいずれかです (must be floor, half_up or ceil)")
	}
	p := o.NumberPrefixes
	for _, f := range []struct{ field, v string }{
		{"number_prefixes.invoice", p.Invoice},
		{"number_prefixes.quote", p.Quote},
		{"number_prefixes.delivery_note", p.DeliveryNote},
		{"number_prefixes.receipt", p.Receipt},
		{"number_prefixes.credit_note", p.CreditNote},
	} {
		checkPrefix(fe, f.field, f.v)
	}
	return fe.Err()
}

// Validate checks a customer and returns nil or an EInvalid *Error whose Fields name each
// problem by its JSON path. It sets RegistrationWarning from the registration number's check
// digit, brings NameKana to full width (NFKC), as banks' half-width payer names are compared
// with it, and the codes (registration number, postal code, Peppol id) to ASCII.
func (c *Customer) Validate() error {
	fe := domain.FieldErrors{}
	normalizeParty(&c.RegistrationNumber, &c.PostalCode, &c.PeppolID)
	checkText(fe, "name", c.Name, MaxNameLen, true, false)
	c.NameKana = strings.TrimSpace(norm.NFKC.String(c.NameKana)) // ｶﾌﾞｼｷｶﾞｲｼｬ → カブシキガイシャ
	checkText(fe, "name_kana", c.NameKana, MaxNameLen, false, false)
	switch c.Honorific {
	case HonorificOnchu, HonorificSama, "":
	default:
		fe.Add("honorific", "敬称は 御中, 様 または空欄です (honorific must be 御中, 様 or empty)")
	}
	checkText(fe, "postal_code", c.PostalCode, maxPostalCodeLen, false, false)
	checkText(fe, "address", c.Address, maxAddressLen, false, true)
	checkText(fe, "contact_person", c.ContactPerson, MaxNameLen, false, false)
	checkEmail(fe, "email", c.Email)
	c.RegistrationWarning = checkRegistration(fe, "registration_number", c.RegistrationNumber)
	if c.PaymentTerms != nil {
		for k, v := range c.PaymentTerms.Validate("payment_terms.") {
			fe.Add(k, v)
		}
	}
	if p := CheckPeppolID(c.PeppolID); p != "" {
		fe.Add("peppol_id", p)
	}
	return fe.Err()
}

// Validate checks a document a client entered and, when the lines allow it, computes its
// totals (ComputeTotals). It returns nil or an EInvalid *Error whose Fields name each problem
// by its JSON path ("items[3].quantity", "transaction_period.to").
//
// Totals are computed only when every line is valid, so problems are reported at their cause.
//
// Rules: a valid kind, customer_id and issue_date; exactly one of transaction_date and
// transaction_period (取引年月日, required on a qualified invoice) except on a quote, which is
// issued before any transaction and may have neither; from ≤ to; due_date only on an invoice
// and valid_until only on a quote, neither before the issue date; purpose (但し書き) only on
// a receipt; related_document_id (or related_document_number) only on a credit note, where it
// is optional (a credit note may cover several sales or predate the system) though recommended;
// source_document_id (the quote it was made from) on any kind but a quote or a credit note; 1..MaxItems lines, each
// with a name, a quantity 0..MaxQuantity, a unit price within ±MaxAmount, a rate in force and a tax category
// that fits it (empty takes DefaultCategory);
// tax_rounding empty (the caller fills in the organisation's default) or valid. Text is valid
// UTF-8 without control characters, except tabs and line breaks in notes and in a line's
// description (at most MaxDescriptionLen characters; its line breaks are normalised to LF).
func (d *Document) Validate() error {
	fe := domain.FieldErrors{}
	if !d.Kind.Valid() {
		fe.Add("kind", "書類の種類が不正です (kind must be invoice, quote, delivery_note, receipt or credit_note)")
	}
	checkText(fe, "customer_id", d.CustomerID, maxIDLen, true, false)
	if d.IssueDate.IsZero() {
		fe.Add("issue_date", msgRequired)
	} else {
		checkDate(fe, "issue_date", d.IssueDate)
	}

	hasDate := d.TransactionDate != nil && !d.TransactionDate.IsZero()
	hasPeriod := d.TransactionPeriod != nil
	switch {
	case hasDate && hasPeriod:
		fe.Add("transaction_date", "取引日と取引期間はどちらか一方を指定してください (give either transaction_date or transaction_period, not both)")
	case !hasDate && !hasPeriod && d.Kind != Quote:
		fe.Add("transaction_date", "取引日または取引期間を指定してください (transaction_date or transaction_period is required)")
	}
	if hasDate {
		checkDate(fe, "transaction_date", *d.TransactionDate)
	}
	if hasPeriod {
		p := d.TransactionPeriod
		for _, f := range []struct {
			field string
			v     Date
		}{{"transaction_period.from", p.From}, {"transaction_period.to", p.To}} {
			if f.v.IsZero() {
				fe.Add(f.field, msgRequired)
			} else {
				checkDate(fe, f.field, f.v)
			}
		}
		if p.From.Valid() && p.To.Valid() && p.To.Before(p.From) {
			fe.Add("transaction_period.to", "終了日は開始日以降にしてください (to must not be before from)")
		}
	}
	d.checkOptionalDate(fe, "due_date", d.DueDate, Invoice, "支払期限は発行日以降にしてください (due_date must not be before issue_date)")
	d.checkOptionalDate(fe, "valid_until", d.ValidUntil, Quote, "有効期限は発行日以降にしてください (valid_until must not be before issue_date)")

	checkText(fe, "subject", d.Subject, MaxNameLen, false, false)
	if d.Purpose != "" && d.Kind.Valid() && d.Kind != Receipt {
		fe.Add("purpose", msgNotAllowedInKind)
	}
	checkText(fe, "purpose", d.Purpose, MaxNameLen, false, false)
	if d.RelatedDocumentID != nil && *d.RelatedDocumentID != "" {
		if d.Kind.Valid() && d.Kind != CreditNote {
			fe.Add("related_document_id", msgNotAllowedInKind)
		}
		checkText(fe, "related_document_id", *d.RelatedDocumentID, maxIDLen, false, false)
	}
	if d.RelatedDocumentNumber != "" {
		if d.Kind.Valid() && d.Kind != CreditNote {
			fe.Add("related_document_number", msgNotAllowedInKind)
		}
		checkText(fe, "related_document_number", d.RelatedDocumentNumber, MaxNameLen, false, false)
	}
	if d.SourceDocumentID != nil && *d.SourceDocumentID != "" {
		if d.Kind == Quote || d.Kind == CreditNote {
			fe.Add("source_document_id", msgNotAllowedInKind)
		}
		checkText(fe, "source_document_id", *d.SourceDocumentID, maxIDLen, false, false)
	}
	checkText(fe, "notes", d.Notes, MaxNotesLen, false, true)
	if d.TaxRounding != "" && !d.TaxRounding.Valid() {
		fe.Add("tax_rounding", "端数処理は floor, half_up, ceil のいずれかです (must be floor, half_up or ceil)")
	}

	switch n := len(d.Items); {
	case n == 0:
		fe.Add("items", "明細を 1 行以上入力してください (at least one line item is required)")
	case n > MaxItems:
		// Checking each line of an oversized body would only make a huge error.
		fe.Add("items", fmt.Sprintf("明細は %d 行までです (at most %d line items, got %d)", MaxItems, MaxItems, n))
		return fe.Err()
	}
	itemProblems := false
	for i, it := range d.Items {
		lfe := domain.FieldErrors{}
		path := func(f string) string { return fmt.Sprintf("items[%d].%s", i, f) }
		checkText(lfe, path("name"), it.Name, MaxNameLen, true, false)
		d.Items[i].Description = normalizeLineBreaks(it.Description)
		checkText(lfe, path("description"), d.Items[i].Description, MaxDescriptionLen, false, true)
		checkText(lfe, path("unit"), it.Unit, MaxUnitLen, false, false)
		if it.Quantity < 0 || it.Quantity > MaxQuantity {
			lfe.Add(path("quantity"), "数量が範囲外です (quantity must be between 0 and 1,000,000,000)")
		}
		if !withinMax(it.UnitPrice) {
			lfe.Add(path("unit_price"), errAmountTooLarge)
		}
		if !it.TaxRate.Valid() {
			lfe.Add(path("tax_rate"), "税率は 10, 8, 0 のいずれかです (tax rate must be 10, 8 or 0)")
		} else if it.TaxCategory != "" && !it.TaxCategory.ValidFor(it.TaxRate) {
			lfe.Add(path("tax_category"), msgCategory)
		}
		for k, v := range lfe {
			fe.Add(k, v)
			itemProblems = true
		}
	}
	// Totals of lines with problems would only report consequences of those problems.
	if !itemProblems {
		if err := ComputeTotals(d); err != nil {
			var e *domain.Error
			if errors.As(err, &e) {
				for k, v := range e.Fields {
					fe.Add(k, v)
				}
			}
		}
	}
	return fe.Err()
}

// checkOptionalDate checks a date that only documents of kind may carry and that may not be
// before the issue date.
func (d *Document) checkOptionalDate(fe domain.FieldErrors, field string, v *Date, kind Kind, beforeMsg string) {
	if v == nil || v.IsZero() {
		return
	}
	if d.Kind.Valid() && d.Kind != kind { // an invalid kind is reported once, on "kind"
		fe.Add(field, msgNotAllowedInKind)
		return
	}
	checkDate(fe, field, *v)
	if v.Valid() && d.IssueDate.Valid() && v.Before(d.IssueDate) {
		fe.Add(field, beforeMsg)
	}
}
