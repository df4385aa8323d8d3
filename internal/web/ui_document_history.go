package web

import (
	"fmt"
	"strconv"
	"strings"

	"reportapp/internal/document"
)

// changeRow is a history change as the history block shows it: a label in the page's language,
// and the values before and after, formatted (amounts in yen, statuses and kinds in words).
type changeRow struct {
	Kind   string // "added", "removed" or "changed"
	Label  string
	Before string
	After  string
}

// historyChange formats c in the language of the catalogue cat.
func historyChange(cat map[string]string, c document.Change) changeRow {
	t := func(key string) string {
		if s, ok := cat[key]; ok {
			return s
		}
		return key
	}
	field := c.Field
	row := changeRow{Kind: "changed"}
	// Lines: "lines[+]", "lines[3]" (removed) and "lines[3].quantity".
	if rest, ok := strings.CutPrefix(field, "lines["); ok {
		n, sub, _ := strings.Cut(rest, "]")
		switch {
		case n == "+":
			row.Kind, row.Label = "added", t("history.line_added")
		case sub == "":
			i, _ := strconv.Atoi(n)
			row.Kind, row.Label = "removed", fmt.Sprintf(t("history.line_removed"), i)
		default:
			i, _ := strconv.Atoi(n)
			field = "item." + strings.TrimPrefix(sub, ".")
			row.Label = fmt.Sprintf(t("history.line_field"), i, t("history.field."+field))
		}
	} else {
		row.Label = t("history.field." + field)
	}
	value := func(v *string) string {
		if v == nil {
			return t("history.unset")
		}
		s := *v
		switch field {
		case "status":
			return t("status." + s)
		case "kind":
			return t("kind." + s)
		case "tax_rounding":
			return t("rounding." + s)
		case "prices_include_tax", "withholding_tax":
			if s == "true" {
				return t("history.yes")
			}
			return t("history.no")
		case "item.unit_price", "item.amount", "totals.gross":
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return document.FormatYen(n)
			}
		case "item.tax_rate":
			return s + "%"
		case "item.tax_category":
			if l, ok := cat["category."+s]; ok {
				return l
			}
		}
		return s
	}
	row.Before, row.After = value(c.Before), value(c.After)
	return row
}
