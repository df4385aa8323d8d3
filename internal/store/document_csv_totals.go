package store

import (
	"encoding/json"
	"strconv"

	"reportapp/internal/document"
)

// decodeTotals decodes a document's totals (body_totals) as json.Unmarshal into
// document.Totals does: fast for what the store writes (integers and plain ASCII strings, keys
// in any order, JSON spacing or PostgreSQL's), by json.Unmarshal for anything else. The CSV
// decodes one per row; encoding/json was most of the time left of reading a row.
func decodeTotals(s string, t *document.Totals) error {
	p := totalsParser{s: s}
	if p.totals(t) && p.end() {
		return nil
	}
	*t = document.Totals{}
	return json.Unmarshal([]byte(s), t)
}

// totalsParser reads the JSON of document.Totals from s at i; each method reports false for
// input it does not take, which decodeTotals then leaves to json.Unmarshal.
type totalsParser struct {
	s string
	i int
}

func (p *totalsParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *totalsParser) end() bool { p.space(); return p.i == len(p.s) }

// next consumes c, after any space.
func (p *totalsParser) next(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (p *totalsParser) str() (string, bool) {
	if !p.next('"') {
		return "", false
	}
	for j := p.i; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			s := p.s[p.i:j]
			p.i = j + 1
			return s, true
		case c < 0x20 || c >= 0x80 || c == '\\':
			return "", false
		}
	}
	return "", false
}

// int reads an integer: digits without a leading zero, maybe negative, no fraction or exponent.
func (p *totalsParser) int() (int64, bool) {
	p.space()
	j := p.i
	if j < len(p.s) && p.s[j] == '-' {
		j++
	}
	k := j
	for k < len(p.s) && p.s[k] >= '0' && p.s[k] <= '9' {
		k++
	}
	if k == j || (p.s[j] == '0' && k > j+1) || (k < len(p.s) && (p.s[k] == '.' || p.s[k] == 'e' || p.s[k] == 'E')) {
		return 0, false
	}
	n, err := strconv.ParseInt(p.s[p.i:k], 10, 64)
	p.i = k
	return n, err == nil
}

func (p *totalsParser) intTo(dst *int64) bool {
	n, ok := p.int()
	*dst = n
	return ok
}

// object reads an object, each member's value by field (false for an unknown key).
func (p *totalsParser) object(field func(key string) bool) bool {
	if !p.next('{') {
		return false
	}
	if p.next('}') {
		return true
	}
	for {
		key, ok := p.str()
		if !ok || !p.next(':') || !field(key) {
			return false
		}
		if !p.next(',') {
			return p.next('}')
		}
	}
}

func (p *totalsParser) totals(t *document.Totals) bool {
	return p.object(func(key string) bool {
		switch key {
		case "by_rate":
			return p.rates(&t.ByRate)
		case "net":
			return p.intTo(&t.Net)
		case "tax":
			return p.intTo(&t.Tax)
		case "gross":
			return p.intTo(&t.Gross)
		case "withholding":
			return p.intTo(&t.Withholding)
		case "amount_due":
			return p.intTo(&t.AmountDue)
		}
		return false
	})
}

// rates reads the array of by_rate, with the category of a total stored before categories
// existed taken from its rate (as RateTotal.UnmarshalJSON).
func (p *totalsParser) rates(out *[]document.RateTotal) bool {
	if !p.next('[') {
		return false
	}
	*out = []document.RateTotal{}
	if p.next(']') {
		return true
	}
	for {
		var rt document.RateTotal
		if !p.object(func(key string) bool {
			switch key {
			case "rate":
				n, ok := p.int()
				rt.Rate = document.TaxRate(n)
				return ok && int64(rt.Rate) == n
			case "net":
				return p.intTo(&rt.Net)
			case "tax":
				return p.intTo(&rt.Tax)
			case "gross":
				return p.intTo(&rt.Gross)
			case "category":
				s, ok := p.str()
				rt.Category = document.TaxCategory(s)
				return ok
			}
			return false
		}) {
			return false
		}
		if rt.Category == "" {
			rt.Category = document.DefaultCategory(rt.Rate)
		}
		*out = append(*out, rt)
		if !p.next(',') {
			return p.next(']')
		}
	}
}
