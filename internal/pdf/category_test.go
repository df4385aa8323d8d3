package pdf

import (
	"strings"
	"testing"

	"reportapp/internal/document"
)

// TestRenderZeroRateCategories: each 0% category (非課税, 不課税, 免税) has its own row in the
// per-rate table and its name after the line's name.
func TestRenderZeroRateCategories(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 1)
	d.Items = []document.Item{
		{Name: "保守作業", Quantity: 1000, UnitPrice: 10000, TaxRate: 10},
		{Name: "印紙代", Quantity: 1000, UnitPrice: 200, TaxRate: 0, TaxCategory: document.CategoryExempt},
		{Name: "交通費立替", Quantity: 1000, UnitPrice: 1230, TaxRate: 0, TaxCategory: document.CategoryOutsideScope},
		{Name: "輸出品", Quantity: 1000, UnitPrice: 4560, TaxRate: 0, TaxCategory: document.CategoryExport},
	}
	if err := document.ComputeTotals(&d); err != nil {
		t.Fatal(err)
	}
	pdf, res := mustRender(t, r, d, Assets{})
	text := strings.Join(mustText(t, pdf, res.Pages), "")
	for _, want := range []string{"印紙代 (非課税) 1 ", "交通費立替 (不課税) 1 ", "輸出品 (免税) 1 ",
		"非課税 " + yen(200), "不課税 " + yen(1230), "免税 " + yen(4560), "10%対象 " + yen(10000)} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}
}
