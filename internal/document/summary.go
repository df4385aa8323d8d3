package document

import (
	"fmt"
	"strings"

	"reportapp/internal/domain"
)

// A summary invoice (合計請求書) gathers, at a customer's closing day, the delivery notes (納品書)
// of a period into one invoice. Under the インボイス制度 it is the qualified invoice, so its tax is
// computed once per rate over all the gathered lines, not per delivery note.

// SourceDocument is a delivery note gathered into a summary invoice.
type SourceDocument struct {
	ID              string `json:"id"`
	Number          string `json:"number"`
	TransactionDate Date   `json:"transaction_date"`
	Gross           int64  `json:"gross"`
	Lines           int    `json:"lines"` // how many of the invoice's lines, in order, are this note's
}

// CarryOver is the classic header of a summary invoice, printed for the customer: 前回御請求額,
// 御入金額 since then, 繰越金額 (= previous − payments), and 今回御請求額 (= 繰越金額 + this
// invoice's amount due). Only this period's amount is the invoice's amount_due and receivable.
type CarryOver struct {
	PreviousBilled   int64 `json:"previous_billed"`
	PaymentsReceived int64 `json:"payments_received"`
	CarriedOver      int64 `json:"carried_over"`
	TotalBilled      int64 `json:"total_billed"` // 繰越金額 + amount_due, set with the totals
}

// BuildSummary makes the draft summary invoice of notes (issued delivery notes of one customer,
// in transaction-date order) for the period: every line of every note, each line's description
// naming its note ("納品書 DEL-0012 (11月5日)"). Notes must agree on tax-inclusive pricing.
func BuildSummary(notes []Document, customerID string, period Period, issueDate Date, carry CarryOver) (Document, error) {
	if len(notes) == 0 {
		return Document{}, &domain.Error{Code: domain.EInvalid, Message: "期間内に未請求の納品書がありません (no unbilled delivery notes in the period)",
			Fields: map[string]string{"period_from": "この期間に未請求の納品書がありません (no unbilled delivery note in the period)"}}
	}
	d := Document{
		Kind:              Invoice,
		CustomerID:        customerID,
		IssueDate:         issueDate,
		TransactionPeriod: &period,
		Subject:           fmt.Sprintf("%d年%d月%d日〜%d年%d月%d日 ご請求分", period.From.Year, int(period.From.Month), period.From.Day, period.To.Year, int(period.To.Month), period.To.Day),
		PricesIncludeTax:  notes[0].PricesIncludeTax,
		WithholdingTax:    notes[0].WithholdingTax,
		CarryOver:         &carry,
	}
	lines := 0
	for _, n := range notes {
		lines += len(n.Items)
	}
	if lines > MaxItems {
		return Document{}, &domain.Error{Code: domain.EInvalid, Message: "明細が多すぎます。期間を短くしてください (too many lines for one invoice)",
			Fields: map[string]string{"period_to": fmt.Sprintf("納品書の明細が %d 行あり、%d 行を超えます (the notes hold %d lines, more than %d)", lines, MaxItems, lines, MaxItems)}}
	}
	for _, n := range notes {
		if n.PricesIncludeTax != d.PricesIncludeTax || n.WithholdingTax != d.WithholdingTax {
			return Document{}, &domain.Error{Code: domain.EInvalid, Message: "税込・税抜または源泉徴収の異なる納品書はまとめられません (the delivery notes mix tax-inclusive and tax-exclusive prices or withholding)",
				Fields: map[string]string{"period_from": "税込・税抜の異なる納品書が含まれます (notes with different pricing)"}}
		}
		number := ""
		if n.Number != nil {
			number = *n.Number
		}
		date := n.IssueDate
		if n.TransactionDate != nil {
			date = *n.TransactionDate
		}
		d.SourceDocuments = append(d.SourceDocuments, SourceDocument{ID: n.ID, Number: number, TransactionDate: date, Gross: n.Totals.Gross, Lines: len(n.Items)})
		label := SourceLabel(number, date)
		for _, it := range n.Items {
			it.Amount = 0
			if it.Description != "" {
				it.Description = label + "\n" + it.Description
			} else {
				it.Description = label
			}
			if len([]rune(it.Description)) > MaxDescriptionLen {
				it.Description = string([]rune(it.Description)[:MaxDescriptionLen])
			}
			d.Items = append(d.Items, it)
		}
	}
	return d, nil
}

// SourceLabel is how a summary invoice's line names its delivery note: the first line of the
// line's description.
func SourceLabel(number string, date Date) string {
	return fmt.Sprintf("納品書 %s (%d月%d日)", number, int(date.Month), date.Day)
}

// LineSources is, for each line of a summary invoice, the delivery note it came from, or nil
// when that cannot be told (not a summary invoice, made before the notes recorded their line
// counts, or lines added, removed or reordered since): every line must still begin with its
// note's label.
func (d Document) LineSources() []*SourceDocument {
	total := 0
	for _, s := range d.SourceDocuments {
		total += s.Lines
	}
	if len(d.SourceDocuments) == 0 || total != len(d.Items) {
		return nil
	}
	out := make([]*SourceDocument, 0, len(d.Items))
	for i := range d.SourceDocuments {
		s := &d.SourceDocuments[i]
		label := SourceLabel(s.Number, s.TransactionDate)
		for range s.Lines {
			if !strings.HasPrefix(d.Items[len(out)].Description, label) {
				return nil
			}
			out = append(out, s)
		}
	}
	return out
}

// SetTotalBilled fills 今回御請求額 of a summary invoice from its computed totals.
func (d *Document) SetTotalBilled() {
	if d.CarryOver != nil {
		d.CarryOver.TotalBilled = d.CarryOver.CarriedOver + d.Totals.AmountDue
	}
}
