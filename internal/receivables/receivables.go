// Package receivables holds the rules of getting paid: what a payment is, how payments and credit
// notes make an invoice's balance and payment status, how open balances age, and how deposits of
// a bank statement are matched to open invoices (入金消込). It is pure: the store loads and saves,
// this package decides.
package receivables

import (
	"strings"
	"time"
	"unicode/utf8"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Methods of payment.
const (
	MethodBankTransfer = "bank_transfer"
	MethodCash         = "cash"
	MethodCard         = "card"
	MethodOffset       = "offset" // 相殺
	MethodOther        = "other"
)

// Methods lists the methods in the order forms offer them.
func Methods() []string {
	return []string{MethodBankTransfer, MethodCash, MethodCard, MethodOffset, MethodOther}
}

// MaxAmount bounds a payment, as document totals are bounded.
const MaxAmount int64 = 10_000_000_000_000

// Bounds of the free texts of a payment.
const (
	MaxNoteLen   = 1000
	MaxReasonLen = 500
)

// Payment is money received for an issued invoice. It is a record: never edited or deleted;
// voiding it (with a reason) makes it count no more.
type Payment struct {
	ID         string        `json:"id"`
	DocumentID string        `json:"document_id"`
	Date       document.Date `json:"date"`
	Amount     int64         `json:"amount"` // yen received, > 0
	Fee        int64         `json:"fee"`    // 振込手数料 the payer deducted and we bear, ≥ 0
	Method     string        `json:"method"`
	Note       string        `json:"note"`
	CreatedAt  time.Time     `json:"created_at"`
	CreatedBy  string        `json:"created_by"`
	VoidedAt   *time.Time    `json:"voided_at"`
	VoidedBy   *string       `json:"voided_by"`
	VoidReason *string       `json:"void_reason"`
	// StatementLineID is the bank statement line the payment was applied from, if any.
	StatementLineID *string `json:"statement_line_id,omitempty"`
}

// Voided reports whether the payment no longer counts.
func (p Payment) Voided() bool { return p.VoidedAt != nil }

// Validate checks a new payment's own fields (not whether the invoice can take it).
func (p Payment) Validate() error {
	fe := domain.FieldErrors{}
	if p.Date.IsZero() {
		fe.Add("date", "入金日を入力してください (date is required)")
	}
	switch {
	case p.Amount <= 0:
		fe.Add("amount", "金額は 1 円以上です (amount must be greater than 0)")
	case p.Amount > MaxAmount:
		fe.Add("amount", "金額が大きすぎます (amount is too large)")
	}
	switch {
	case p.Fee < 0:
		fe.Add("fee", "手数料は 0 円以上です (fee must not be negative)")
	case p.Fee > MaxAmount:
		fe.Add("fee", "手数料が大きすぎます (fee is too large)")
	}
	valid := false
	for _, m := range Methods() {
		valid = valid || p.Method == m
	}
	if !valid {
		fe.Add("method", "支払方法は "+strings.Join(Methods(), ", ")+" のいずれかです (unknown method)")
	}
	if utf8.RuneCountInString(p.Note) > MaxNoteLen {
		fe.Add("note", "メモが長すぎます (note is too long)")
	}
	return fe.Err()
}

// Payment statuses of an issued invoice.
const (
	StatusPaid          = "paid"
	StatusOverdue       = "overdue"
	StatusPartiallyPaid = "partially_paid"
	StatusUnpaid        = "unpaid"
)

// Statuses lists the payment statuses (for filters).
func Statuses() []string {
	return []string{StatusPaid, StatusOverdue, StatusPartiallyPaid, StatusUnpaid}
}

// ValidStatus reports whether s is one of Statuses.
func ValidStatus(s string) bool {
	for _, v := range Statuses() {
		if s == v {
			return true
		}
	}
	return false
}

// Applies reports whether payments and a payment status apply to a document: issued invoices
// only (not drafts, not cancelled invoices, no other kind).
func Applies(kind document.Kind, status document.Status) bool {
	return kind == document.Invoice && status == document.Issued
}

// Summary is what payments and credit notes make of an issued invoice.
type Summary struct {
	Paid     int64  // Σ (amount + fee) of its payments that are not voided
	Credited int64  // Σ gross of the issued credit notes related to it
	Balance  int64  // amount due − Paid − Credited
	Status   string // one of Statuses
}

// Summarize computes an issued invoice's summary as of today (a date in the organisation's time
// zone): paid when nothing is left, else overdue when the due date has passed, else partially
// paid when something was paid, else unpaid. An invoice with no due date is never overdue.
func Summarize(amountDue, paid, credited int64, due *document.Date, today document.Date) Summary {
	s := Summary{Paid: paid, Credited: credited, Balance: amountDue - paid - credited}
	switch {
	case s.Balance <= 0:
		s.Status = StatusPaid
	case due != nil && !due.IsZero() && due.Before(today):
		s.Status = StatusOverdue
	case paid > 0:
		s.Status = StatusPartiallyPaid
	default:
		s.Status = StatusUnpaid
	}
	return s
}

// Aging buckets of open balances, by days past the due date.
const (
	BucketCurrent = "current" // not yet due
	Bucket1To30   = "1_30"
	Bucket31To60  = "31_60"
	Bucket61To90  = "61_90"
	BucketOver90  = "over_90"
)

// Buckets lists the aging buckets from the youngest.
func Buckets() []string {
	return []string{BucketCurrent, Bucket1To30, Bucket31To60, Bucket61To90, BucketOver90}
}

// Bucket is the aging bucket of a balance due on due, as of asOf. A balance due on asOf itself,
// or with no due date, is current.
func Bucket(due *document.Date, asOf document.Date) string {
	if due == nil || due.IsZero() {
		return BucketCurrent
	}
	days := int(asOf.Time(time.UTC).Sub(due.Time(time.UTC)).Hours() / 24)
	switch {
	case days <= 0:
		return BucketCurrent
	case days <= 30:
		return Bucket1To30
	case days <= 60:
		return Bucket31To60
	case days <= 90:
		return Bucket61To90
	}
	return BucketOver90
}

// DefaultTransferFees are the 振込手数料 payers commonly deduct (bank fees of 2019–2026 with tax).
func DefaultTransferFees() []int64 { return []int64{110, 220, 330, 440, 660, 770, 880} }

// MaxTransferFees bounds an organisation's fee list (matching tries each).
const MaxTransferFees = 20

// ValidateTransferFees checks an organisation's list of transfer fees.
func ValidateTransferFees(fees []int64) error {
	fe := domain.FieldErrors{}
	if len(fees) > MaxTransferFees {
		fe.Add("transfer_fees", "手数料は 20 個までです (at most 20 fees)")
	}
	for _, f := range fees {
		if f <= 0 || f > 100_000 {
			fe.Add("transfer_fees", "手数料は 1〜100,000 円です (fees must be between 1 and 100000 yen)")
			break
		}
	}
	return fe.Err()
}
