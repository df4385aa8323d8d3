package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// editorForm is the document editor's form exactly as typed: strings, so that a re-render after
// a validation error shows what the user entered, not what could be parsed of it.
type editorForm struct {
	ID              string
	Version         string
	Kind            string
	CustomerID      string
	IssueDate       string
	TransactionDate string
	PeriodFrom      string
	PeriodTo        string
	DueDate         string
	ValidUntil      string
	Subject         string
	Purpose         string
	// RelatedNumber is the number of the invoice a credit note corrects, as typed or picked.
	RelatedNumber string
	// SourceDocumentID is the quote the document is made from (hidden).
	SourceDocumentID string
	Notes            string
	PricesIncludeTax bool
	TaxRounding      string
	WithholdingTax   bool
	Lines            []lineForm
	// Focus is the id of the field the page puts the cursor in after a line button: the new
	// line's name, the line that took a removed one's place, the moved line's button.
	Focus string
}

// lineForm is one line of the editor as typed.
type lineForm struct {
	Name, Quantity, Unit, UnitPrice, TaxRate string
	TaxCategory                              string // of a 0% line: exempt, outside_scope or export
	Description                              string // optional, several lines, printed under the name
}

// blank reports whether nothing was typed into the line: no name, unit, price or description
// (quantity and rate only hold their defaults). Blank lines are left out when saving and
// computing totals, so an unused row never blocks the draft.
func (l lineForm) blank() bool {
	return l.Name == "" && l.Unit == "" && l.UnitPrice == "" && l.Description == "" &&
		(l.Quantity == "" || l.Quantity == "1")
}

// withoutBlankLines returns the form without its blank lines.
func (e editorForm) withoutBlankLines() editorForm {
	lines := make([]lineForm, 0, len(e.Lines))
	for _, l := range e.Lines {
		if !l.blank() {
			lines = append(lines, l)
		}
	}
	e.Lines = lines
	return e
}

// Reduced reports whether the line is at the reduced rate (marked ※ on documents).
func (l lineForm) Reduced() bool { return l.TaxRate == "8" }

// maxEditorLines bounds the lines a form may post (the domain allows 1,000).
const maxEditorLines = document.MaxItems

// editorFromRequest reads the editor's form fields; the lines come from the repeated item_*
// fields in order.
func editorFromRequest(r *http.Request) editorForm {
	v := r.PostForm
	f := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	e := editorForm{
		ID: r.PathValue("id"), Version: f("version"), Kind: f("kind"), CustomerID: f("customer_id"),
		IssueDate: f("issue_date"), TransactionDate: f("transaction_date"), PeriodFrom: f("period_from"),
		PeriodTo: f("period_to"), DueDate: f("due_date"), ValidUntil: f("valid_until"), Subject: f("subject"),
		Purpose: f("purpose"), RelatedNumber: f("related_document_number"),
		SourceDocumentID: f("source_document_id"), Notes: v.Get("notes"),
		PricesIncludeTax: v.Get("prices_include_tax") != "", TaxRounding: f("tax_rounding"),
		WithholdingTax: v.Get("withholding_tax") != "",
	}
	if e.ID == "" {
		e.ID = f("id")
	}
	names, qtys, units, prices, rates := v["item_name"], v["item_quantity"], v["item_unit"], v["item_unit_price"], v["item_tax_rate"]
	cats, descs := v["item_tax_category"], v["item_description"]
	n := min(max(len(names), len(qtys), len(units), len(prices), len(rates)), maxEditorLines+1)
	at := func(s []string, i int) string {
		if i < len(s) {
			return strings.TrimSpace(s[i])
		}
		return ""
	}
	for i := range n {
		e.Lines = append(e.Lines, lineForm{Name: at(names, i), Quantity: at(qtys, i), Unit: at(units, i),
			UnitPrice: at(prices, i), TaxRate: at(rates, i), TaxCategory: at(cats, i), Description: at(descs, i)})
	}
	return e
}

// newLine is the line the "add a line" button appends.
func newLine() lineForm { return lineForm{Quantity: "1", TaxRate: "10"} }

// applyLineOp changes the lines as the editor's buttons ask: "add", "remove:3", "up:3",
// "down:3", and says where the cursor goes next (Focus): the new line's name; after a removal
// the name of the line that took its place (the previous one's when the last was removed, the
// add button when none is left); after a move the same button of the moved line, so pressing
// it again moves the line further. Unknown operations and indexes change nothing.
func (e *editorForm) applyLineOp(op string) {
	verb, arg, _ := strings.Cut(op, ":")
	i, err := strconv.Atoi(arg)
	valid := err == nil && i >= 0 && i < len(e.Lines)
	switch {
	case verb == "add" && len(e.Lines) < maxEditorLines:
		e.Lines = append(e.Lines, newLine())
		e.Focus = fmt.Sprintf("item-name-%d", len(e.Lines)-1)
	case verb == "remove" && valid:
		e.Lines = append(e.Lines[:i], e.Lines[i+1:]...)
		switch {
		case len(e.Lines) == 0:
			e.Focus = "add-line"
		case i == len(e.Lines):
			e.Focus = fmt.Sprintf("item-name-%d", i-1)
		default:
			e.Focus = fmt.Sprintf("item-name-%d", i)
		}
	case verb == "up" && valid && i > 0:
		e.Lines[i-1], e.Lines[i] = e.Lines[i], e.Lines[i-1]
		e.Focus = fmt.Sprintf("item-up-%d", i-1)
		if i-1 == 0 { // the button is disabled on the first line
			e.Focus = "item-down-0"
		}
	case verb == "down" && valid && i+1 < len(e.Lines):
		e.Lines[i], e.Lines[i+1] = e.Lines[i+1], e.Lines[i]
		e.Focus = fmt.Sprintf("item-down-%d", i+1)
		if i+2 == len(e.Lines) {
			e.Focus = fmt.Sprintf("item-up-%d", i+1)
		}
	}
}

// kindFields are the editor's fields that only some kinds carry, by the domain's rules
// (Document.Validate): the editor shows them for those kinds only, and a value left in a
// field of another kind (typed before the kind was switched) is not saved.
var kindFields = map[string][]document.Kind{
	"due_date":                {document.Invoice},
	"valid_until":             {document.Quote},
	"purpose":                 {document.Receipt},
	"related_document_number": {document.CreditNote},
}

// kindHas reports whether documents of kind k carry the field.
func kindHas(field string, k document.Kind) bool {
	kinds, ok := kindFields[field]
	return !ok || slices.Contains(kinds, k)
}

// kindsOf lists the kinds that carry field, space-separated, for the template's data-kinds.
func kindsOf(field string) string {
	var s []string
	for _, k := range kindFields[field] {
		s = append(s, string(k))
	}
	return strings.Join(s, " ")
}

// Messages of problems found while reading the form, before the domain's validation.
const (
	msgDate     = "日付は YYYY-MM-DD で入力してください (date must be YYYY-MM-DD)"
	msgAmount   = "金額は整数 (円) で入力してください (an integer amount of yen)"
	msgQuantity = "数量は小数点以下3桁までの数です (a number with up to 3 decimals)"
	msgRate     = "税率は 10, 8, 0 のいずれかです (tax rate must be 10, 8 or 0)"
)

// document converts the form into a document. Values that cannot be parsed are reported in fe
// under the domain's field paths ("items[2].unit_price"), so they show beside the same fields as
// the domain's own problems.
func (e editorForm) document(fe domain.FieldErrors) document.Document {
	kind := document.Kind(e.Kind)
	if kind.Valid() { // what belongs to another kind is kept in the form, not in the document
		for field, v := range map[string]*string{"due_date": &e.DueDate, "valid_until": &e.ValidUntil,
			"purpose": &e.Purpose, "related_document_number": &e.RelatedNumber} {
			if !kindHas(field, kind) {
				*v = ""
			}
		}
	}
	d := document.Document{
		ID: e.ID, Kind: kind, CustomerID: e.CustomerID, Subject: e.Subject, Purpose: e.Purpose,
		Notes: e.Notes, PricesIncludeTax: e.PricesIncludeTax, TaxRounding: document.Rounding(e.TaxRounding),
		WithholdingTax: e.WithholdingTax,
	}
	date := func(field, s string) *document.Date {
		if s == "" {
			return nil
		}
		v, err := document.ParseDate(s)
		if err != nil {
			fe.Add(field, msgDate)
			return nil
		}
		return &v
	}
	if v := date("issue_date", e.IssueDate); v != nil {
		d.IssueDate = *v
	}
	d.TransactionDate = date("transaction_date", e.TransactionDate)
	if e.PeriodFrom != "" || e.PeriodTo != "" {
		from, to := date("transaction_period.from", e.PeriodFrom), date("transaction_period.to", e.PeriodTo)
		p := &document.Period{}
		if from != nil {
			p.From = *from
		}
		if to != nil {
			p.To = *to
		}
		d.TransactionPeriod = p
	}
	d.DueDate = date("due_date", e.DueDate)
	d.ValidUntil = date("valid_until", e.ValidUntil)
	d.RelatedDocumentNumber = document.NormalizeCode(e.RelatedNumber)
	if e.SourceDocumentID != "" {
		id := e.SourceDocumentID
		d.SourceDocumentID = &id
	}
	for i, l := range e.Lines {
		it := document.Item{Name: l.Name, Unit: l.Unit, Description: l.Description}
		path := func(f string) string { return fmt.Sprintf("items[%d].%s", i, f) }
		q, err := document.ParseQuantity(l.Quantity)
		if err != nil {
			fe.Add(path("quantity"), msgQuantity)
		}
		it.Quantity = q
		if l.UnitPrice == "" {
			fe.Add(path("unit_price"), msgAmount)
		} else if it.UnitPrice, err = document.ParseYen(l.UnitPrice); err != nil {
			fe.Add(path("unit_price"), msgAmount)
		}
		rate, err := strconv.Atoi(document.NormalizeNumber(l.TaxRate))
		if err != nil || !document.TaxRate(rate).Valid() {
			fe.Add(path("tax_rate"), msgRate)
		}
		it.TaxRate = document.TaxRate(rate)
		it.TaxCategory = document.DefaultCategory(it.TaxRate)
		if it.TaxRate == document.RateNonTaxable && l.TaxCategory != "" {
			it.TaxCategory = document.TaxCategory(l.TaxCategory) // checked by Validate
		}
		d.Items = append(d.Items, it)
	}
	return d
}

// editorFromDocument fills the form from a stored document.
func editorFromDocument(d document.Document) editorForm {
	ds := func(v *document.Date) string {
		if v == nil {
			return ""
		}
		return v.String()
	}
	e := editorForm{
		ID: d.ID, Version: strconv.FormatInt(d.Version, 10), Kind: string(d.Kind), CustomerID: d.CustomerID,
		IssueDate: d.IssueDate.String(), TransactionDate: ds(d.TransactionDate), DueDate: ds(d.DueDate),
		ValidUntil: ds(d.ValidUntil), Subject: d.Subject, Purpose: d.Purpose, Notes: d.Notes,
		PricesIncludeTax: d.PricesIncludeTax, TaxRounding: string(d.TaxRounding), WithholdingTax: d.WithholdingTax,
	}
	if d.TransactionPeriod != nil {
		e.PeriodFrom, e.PeriodTo = d.TransactionPeriod.From.String(), d.TransactionPeriod.To.String()
	}
	if d.RelatedDocument != nil {
		e.RelatedNumber = d.RelatedDocument.Number
	}
	if d.SourceDocumentID != nil {
		e.SourceDocumentID = *d.SourceDocumentID
	}
	for _, it := range d.Items {
		e.Lines = append(e.Lines, lineForm{Name: it.Name, Quantity: it.Quantity.String(), Unit: it.Unit,
			UnitPrice: strconv.FormatInt(it.UnitPrice, 10), TaxRate: strconv.Itoa(int(it.TaxRate)),
			TaxCategory: string(it.TaxCategory), Description: it.Description})
	}
	return e
}
