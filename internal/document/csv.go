package document

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula: the
// ASCII = + - @, a tab or carriage return, and the full-width ＝ ＋ － ＠ that Japanese input
// produces (Excel reads those as formulas too).
const formulaStarts = "=+-@\t\r＝＋－＠"

// CSVCell returns user text for a CSV cell that no spreadsheet runs as a formula (CSV injection):
// text starting with a formula character gets a leading apostrophe. Every CSV of user text
// (the document list, the export index) goes through it.
func CSVCell(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); s != "" && strings.ContainsRune(formulaStarts, r) {
		return "'" + s
	}
	return s
}

// FormatYen formats whole yen with thousands separators: "¥1,234,567" and "-¥500"; every page
// and PDF shows amounts this way.
func FormatYen(v int64) string {
	u := uint64(v)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		u = -u // two's complement: right for the minimum int64 too
	}
	b.WriteString("¥")
	d := strconv.FormatUint(u, 10)
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(d[i])
	}
	return b.String()
}

// CSVLang is the language of a CSV's headings and values: Japanese unless the user chose
// English.
type CSVLang string

// The languages of CSV files.
const (
	CSVJapanese CSVLang = "ja"
	CSVEnglish  CSVLang = "en"
)

// csvWords are the words of CSV files in each language: headings, kinds, statuses and payment
// statuses.
var csvWords = map[CSVLang]map[string]string{
	CSVJapanese: {
		"number": "番号", "kind": "種類", "status": "状態", "issue_date": "発行日", "transaction_date": "取引日",
		"customer": "取引先", "subject": "件名", "net": "税抜金額", "tax": "消費税", "gross": "税込金額",
		"standard_net": "10%対象", "standard_tax": "10%消費税", "reduced_net": "8%対象", "reduced_tax": "8%消費税",
		"zero_net": "0%対象", "exempt": "非課税", "outside_scope": "不課税", "export": "免税",
		"withholding": "源泉徴収税", "amount_due": "請求金額", "payment_status": "入金状況", "paid": "入金済額",
		"credited": "返還額", "balance": "残高", "id": "ID",
		"file": "ファイル名", "error": "エラー", "note": "備考",
		"status.draft": "下書き", "status.issued": "発行済み", "status.cancelled": "取消",
		"payment.paid": "入金済み", "payment.overdue": "期限超過", "payment.partially_paid": "一部入金", "payment.unpaid": "未入金",
	},
	CSVEnglish: {
		"number": "Number", "kind": "Kind", "status": "Status", "issue_date": "Issue date", "transaction_date": "Transaction date",
		"customer": "Customer", "subject": "Subject", "net": "Net", "tax": "Tax", "gross": "Gross",
		"standard_net": "10% taxable", "standard_tax": "10% tax", "reduced_net": "8% taxable", "reduced_tax": "8% tax",
		"zero_net": "0% amount", "exempt": "Exempt", "outside_scope": "Outside the scope", "export": "Export (zero-rated)",
		"withholding": "Withholding tax", "amount_due": "Amount due", "payment_status": "Payment status", "paid": "Paid",
		"credited": "Credited", "balance": "Balance", "id": "ID",
		"file": "File", "error": "Error", "note": "Note",
		"status.draft": "Draft", "status.issued": "Issued", "status.cancelled": "Cancelled",
		"payment.paid": "Paid", "payment.overdue": "Overdue", "payment.partially_paid": "Partially paid", "payment.unpaid": "Unpaid",
		"kind.invoice": "Invoice", "kind.quote": "Quote", "kind.delivery_note": "Delivery note", "kind.receipt": "Receipt",
		"kind.credit_note": "Credit note",
	},
}

// CSVWord is the word of key in language l (Japanese for an unknown language).
func CSVWord(l CSVLang, key string) string {
	if l != CSVEnglish {
		l = CSVJapanese
	}
	if s, ok := csvWords[l][key]; ok {
		return s
	}
	return key
}

// CSVHeadings are the headings of columns named by keys (see csvWords) in language l.
func CSVHeadings(l CSVLang, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = CSVWord(l, k)
	}
	return out
}

// CSVKind is the kind of d in words: its title in Japanese (請求書, 適格返還請求書 or 返還請求書),
// in English "Invoice", "Credit note"….
func CSVKind(l CSVLang, d Document) string {
	if l == CSVEnglish {
		return CSVWord(l, "kind."+string(d.Kind))
	}
	return d.Title()
}

// CSVStatus is a status in words: 下書き, 発行済み, 取消 (Draft, Issued, Cancelled).
func CSVStatus(l CSVLang, s Status) string { return CSVWord(l, "status."+string(s)) }

// Signed is v as a CSV states it: negative on a credit note, so that summing a column of
// invoices and credit notes gives net sales.
func Signed(d Document, v int64) int64 {
	if d.Kind == CreditNote {
		return -v
	}
	return v
}

// documentCSVColumns are the columns of the document list's CSV (電子帳簿保存法: date, amount,
// counterparty), by key of csvWords.
var documentCSVColumns = []string{"number", "kind", "status", "issue_date", "transaction_date", "customer", "subject",
	"net", "tax", "gross", "standard_net", "standard_tax", "reduced_net", "reduced_tax", "zero_net",
	"exempt", "outside_scope", "export", "withholding", "amount_due",
	"payment_status", "paid", "credited", "balance", "id"}

// DocumentCSVHeader is the heading row of the document list's CSV in language l.
func DocumentCSVHeader(l CSVLang) []string { return CSVHeadings(l, documentCSVColumns...) }

// DocumentCSVRow is d as a row of the document list's CSV: kinds and statuses in words,
// amounts in whole yen, negative on credit notes (Signed), the net and tax of each rate
// (10%対象, 10%消費税, 8%対象, 8%消費税, 0%対象 and the three 0% categories apart), user text
// through CSVCell.
func DocumentCSVRow(l CSVLang, d Document) []string {
	var number, customer, txDate, payment string
	if d.Number != nil {
		number = *d.Number
	}
	if d.Customer != nil {
		customer = d.Customer.Name
	}
	switch {
	case d.TransactionDate != nil:
		txDate = d.TransactionDate.String()
	case d.TransactionPeriod != nil:
		txDate = d.TransactionPeriod.From.String() + "〜" + d.TransactionPeriod.To.String()
	}
	if d.PaymentStatus != nil {
		payment = CSVWord(l, "payment."+*d.PaymentStatus)
	}
	yen := func(v int64) string { return strconv.FormatInt(Signed(d, v), 10) }
	opt := func(v *int64) string {
		if v == nil {
			return ""
		}
		return yen(*v)
	}
	net, tax := map[TaxCategory]int64{}, map[TaxCategory]int64{}
	var zero int64
	for _, rt := range d.Totals.ByRate {
		net[rt.Category] += rt.Net
		tax[rt.Category] += rt.Tax
		if rt.Rate == RateNonTaxable {
			zero += rt.Net
		}
	}
	return []string{number, CSVKind(l, d), CSVStatus(l, d.Status), d.IssueDate.String(), txDate, CSVCell(customer), CSVCell(d.Subject),
		yen(d.Totals.Net), yen(d.Totals.Tax), yen(d.Totals.Gross),
		yen(net[CategoryStandard]), yen(tax[CategoryStandard]), yen(net[CategoryReduced]), yen(tax[CategoryReduced]), yen(zero),
		yen(net[CategoryExempt]), yen(net[CategoryOutsideScope]), yen(net[CategoryExport]),
		yen(d.Totals.Withholding), yen(d.Totals.AmountDue),
		payment, opt(d.PaidAmount), opt(d.CreditedAmount), opt(d.Balance), d.ID}
}
