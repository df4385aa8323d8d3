package document

import (
	"strconv"
	"strings"
)

// Actor is who made a change in a document's history: a user (ID, Email and Name as they were
// when the change was made, so a user who later left the organisation is still named), a user
// through an API token (Token set), or the system (Type "system", e.g. a recurring invoice; ID
// says which, Email and Name are empty).
type Actor struct {
	ID    string      `json:"id"`
	Email string      `json:"email"`
	Name  string      `json:"name"`
	Type  string      `json:"type"` // user, token or system
	Token *ActorToken `json:"token,omitempty"`
}

// ActorToken is the API token a change was made through.
type ActorToken struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Change is one field that differs between two consecutive versions of a document. Field is a
// header field ("subject", "status", "customer", "transaction_period", "totals.gross"…) or a
// line: "lines[2].quantity" for a changed field of the second line (lines count from 1, as the
// editor shows them), "lines[+]" for an added line, "lines[3]" (After nil) for a removed one.
// Before and After are the values as text (dates YYYY-MM-DD, quantities "1.5", amounts whole
// yen, status and kinds by their API names); nil is "not set".
type Change struct {
	Field  string  `json:"field"`
	Before *string `json:"before"`
	After  *string `json:"after"`
}

// maxLineChanges bounds the line changes listed for one event: beyond it, one change "lines"
// gives the number of lines before and after, so a history page stays small however many lines
// a draft has.
const maxLineChanges = 50

// Changes lists what differs from before to after, header fields first, then lines. A nil
// before is an empty document (creation: every field that is set, every line added); a nil
// after lists nothing (the document is gone).
func Changes(before, after *Document) []Change {
	out := []Change{}
	if after == nil {
		return out
	}
	var b Document
	if before != nil {
		b = *before
	}
	a := *after
	for _, f := range headerFields {
		out = appendChange(out, f.name, f.value(b), f.value(a))
	}
	if b.CustomerID != a.CustomerID {
		out = appendChange(out, "customer", customerText(b), customerText(a))
	}
	lines := lineChanges(b.Items, a.Items)
	if len(lines) > maxLineChanges {
		lines = []Change{{Field: "lines", Before: strp(strconv.Itoa(len(b.Items))), After: strp(strconv.Itoa(len(a.Items)))}}
	}
	out = append(out, lines...)
	if b.Totals.Gross != a.Totals.Gross && (before != nil || a.Totals.Gross != 0) {
		out = append(out, Change{Field: "totals.gross", Before: yenText(before, b.Totals.Gross), After: strp(strconv.FormatInt(a.Totals.Gross, 10))})
	}
	return out
}

func yenText(d *Document, v int64) *string {
	if d == nil {
		return nil
	}
	return strp(strconv.FormatInt(v, 10))
}

// headerFields are the document's own fields that history compares, in the editor's order.
var headerFields = []struct {
	name  string
	value func(Document) *string
}{
	{"kind", func(d Document) *string { return text(string(d.Kind)) }},
	{"status", func(d Document) *string { return text(string(d.Status)) }},
	{"number", func(d Document) *string { return d.Number }},
	{"issue_date", func(d Document) *string { return dateText(&d.IssueDate) }},
	{"transaction_date", func(d Document) *string { return dateText(d.TransactionDate) }},
	{"transaction_period", func(d Document) *string {
		if d.TransactionPeriod == nil || d.TransactionPeriod.From.IsZero() {
			return nil
		}
		return strp(d.TransactionPeriod.From.String() + "–" + d.TransactionPeriod.To.String())
	}},
	{"due_date", func(d Document) *string { return dateText(d.DueDate) }},
	{"valid_until", func(d Document) *string { return dateText(d.ValidUntil) }},
	{"subject", func(d Document) *string { return text(d.Subject) }},
	{"purpose", func(d Document) *string { return text(d.Purpose) }},
	{"related_document", func(d Document) *string {
		if d.RelatedDocument != nil && d.RelatedDocument.Number != "" {
			return strp(d.RelatedDocument.Number)
		}
		if d.RelatedDocumentID != nil && *d.RelatedDocumentID != "" {
			return d.RelatedDocumentID
		}
		return nil
	}},
	{"notes", func(d Document) *string { return text(d.Notes) }},
	{"prices_include_tax", func(d Document) *string {
		if d.Kind == "" {
			return nil
		}
		return strp(strconv.FormatBool(d.PricesIncludeTax))
	}},
	{"tax_rounding", func(d Document) *string { return text(string(d.TaxRounding)) }},
	{"withholding_tax", func(d Document) *string {
		if d.Kind == "" {
			return nil
		}
		return strp(strconv.FormatBool(d.WithholdingTax))
	}},
}

// lineFields are the fields of a line that history compares.
var lineFields = []struct {
	name  string
	value func(Item) string
}{
	{"name", func(it Item) string { return it.Name }},
	{"description", func(it Item) string { return it.Description }},
	{"quantity", func(it Item) string { return it.Quantity.String() }},
	{"unit", func(it Item) string { return it.Unit }},
	{"unit_price", func(it Item) string { return strconv.FormatInt(it.UnitPrice, 10) }},
	{"tax_rate", func(it Item) string { return strconv.Itoa(int(it.TaxRate)) }},
	{"tax_category", func(it Item) string { return string(it.TaxCategory) }},
	{"amount", func(it Item) string { return strconv.FormatInt(it.Amount, 10) }},
}

// lineChanges compares two lists of lines: lines equal in both (a longest common subsequence)
// are unchanged; between two such anchors, the lines removed and added are paired in order as
// changed lines, and the rest are removed or added.
func lineChanges(b, a []Item) []Change {
	// The LCS table is (len(b)+1)×(len(a)+1); beyond a budget, compare by position.
	var pairs [][2]int // matched (i, j), in order
	if len(b)*len(a) <= 250_000 {
		pairs = commonLines(b, a)
	} else {
		for i := 0; i < len(b) && i < len(a); i++ {
			if b[i] == a[i] {
				pairs = append(pairs, [2]int{i, i})
			}
		}
	}
	var out []Change
	i, j := 0, 0
	for _, p := range append(pairs, [2]int{len(b), len(a)}) {
		for ; i < p[0] && j < p[1]; i, j = i+1, j+1 {
			out = append(out, changedLine(j+1, b[i], a[j])...)
		}
		for ; i < p[0]; i++ {
			out = append(out, Change{Field: "lines[" + strconv.Itoa(i+1) + "]", Before: strp(LineSummary(b[i]))})
		}
		for ; j < p[1]; j++ {
			out = append(out, Change{Field: "lines[+]", After: strp(LineSummary(a[j]))})
		}
		i, j = p[0]+1, p[1]+1
	}
	return out
}

// commonLines returns the index pairs of a longest common subsequence of equal lines.
func commonLines(b, a []Item) [][2]int {
	n, m := len(b), len(a)
	l := make([][]int32, n+1)
	for i := range l {
		l[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case b[i] == a[j]:
				l[i][j] = l[i+1][j+1] + 1
			case l[i+1][j] >= l[i][j+1]:
				l[i][j] = l[i+1][j]
			default:
				l[i][j] = l[i][j+1]
			}
		}
	}
	var pairs [][2]int
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case b[i] == a[j]:
			pairs = append(pairs, [2]int{i, j})
			i, j = i+1, j+1
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return pairs
}

// changedLine lists the fields that differ between two lines, named by the line's new number n.
func changedLine(n int, b, a Item) []Change {
	var out []Change
	for _, f := range lineFields {
		if vb, va := f.value(b), f.value(a); vb != va {
			out = append(out, Change{Field: "lines[" + strconv.Itoa(n) + "]." + f.name, Before: text(vb), After: text(va)})
		}
	}
	return out
}

// LineSummary is a line as one readable text: "お弁当 3 個 × 800 (8%)".
func LineSummary(it Item) string {
	var s strings.Builder
	s.WriteString(it.Name)
	s.WriteString(" ")
	s.WriteString(it.Quantity.String())
	if it.Unit != "" {
		s.WriteString(" " + it.Unit)
	}
	s.WriteString(" × " + strconv.FormatInt(it.UnitPrice, 10))
	s.WriteString(" (" + strconv.Itoa(int(it.TaxRate)) + "%)")
	return s.String()
}

func customerText(d Document) *string {
	if d.CustomerID == "" {
		return nil
	}
	if d.Customer != nil && d.Customer.Name != "" {
		return strp(d.Customer.Name)
	}
	return strp(d.CustomerID)
}

func appendChange(out []Change, field string, b, a *string) []Change {
	if (b == nil) != (a == nil) || (b != nil && *b != *a) {
		out = append(out, Change{Field: field, Before: b, After: a})
	}
	return out
}

func dateText(d *Date) *string {
	if d == nil || d.IsZero() {
		return nil
	}
	return strp(d.String())
}

// text is s, or nil when s is empty.
func text(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func strp(s string) *string { return &s }
