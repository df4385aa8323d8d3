package web

import (
	"html/template"
	"strings"
	"testing"

	"reportapp/internal/document"
)

// TestLineRowsAsTheTemplateWrote: the document page's line rows, written in Go, are byte for
// byte what the template wrote before, escaping included.
func TestLineRowsAsTheTemplateWrote(t *testing.T) {
	tr := func(key string) string { return map[string]string{"category.exempt": "非課税 <免税> & 'x'"}[key] }
	old := template.Must(template.New("").Funcs(template.FuncMap{"t": tr, "yen": document.FormatYen}).Parse(
		`{{range .}}<tr{{if eq .TaxRate 8}} class="reduced"{{end}}><td>{{.Name}}{{if eq .TaxRate 8}} ※{{end}}{{with .Description}}<span class="item-desc-text">{{.}}</span>{{end}}</td><td class="num">{{.Quantity}} {{.Unit}}</td><td class="num">{{yen .UnitPrice}}</td><td class="num">{{yen .Amount}}</td><td>{{if eq .TaxRate 0}}{{t (print "category." .TaxCategory)}}{{else}}{{.TaxRate}}%{{end}}</td></tr>{{end}}`))
	items := []document.Item{
		{Name: "作業 <b>\"1\"</b> & 'x' + y", Description: "4月1日〜30日\n<script>alert(1)</script>", Quantity: 1500, Unit: "時間", UnitPrice: 20000, TaxRate: 10, Amount: 30000},
		{Name: "お弁当", Quantity: 3000, Unit: "<個>", UnitPrice: 105, TaxRate: 8, TaxCategory: document.CategoryReduced, Amount: 315},
		{Name: "立替金\x00", Quantity: -1000, UnitPrice: 500, TaxRate: 0, TaxCategory: document.CategoryExempt, Amount: -500},
	}
	var want strings.Builder
	if err := old.Execute(&want, items); err != nil {
		t.Fatal(err)
	}
	if got := string(lineRows(items, tr)); got != want.String() {
		t.Errorf("lineRows =\n%s\nthe template wrote\n%s", got, want.String())
	}
}
