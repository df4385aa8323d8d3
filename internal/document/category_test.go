package document

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/domain"
)

func TestDecodeTaxCategory(t *testing.T) {
	body := `{"kind":"invoice","customer_id":"c1","issue_date":"2025-04-30","transaction_date":"2025-04-15","items":[
		{"name":"a","quantity":"1","unit_price":1000,"tax_rate":10},
		{"name":"b","quantity":"1","unit_price":100,"tax_rate":0},
		{"name":"c","quantity":"1","unit_price":200,"tax_rate":0,"tax_category":"outside_scope"},
		{"name":"d","quantity":"1","unit_price":300,"tax_rate":0,"tax_category":"export"},
		{"name":"e","quantity":"1","unit_price":400,"tax_rate":0,"tax_category":"exempt"}]}`
	d, _, err := DecodeDocument([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []TaxCategory
	for _, it := range d.Items {
		got = append(got, it.TaxCategory)
	}
	want := []TaxCategory{CategoryStandard, CategoryExempt, CategoryOutsideScope, CategoryExport, CategoryExempt}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	// Each 0% category is totalled on its own, in the order of Categories.
	wantTotals := []RateTotal{
		{10, 1000, 100, 1100, CategoryStandard},
		{0, 500, 0, 500, CategoryExempt},
		{0, 200, 0, 200, CategoryOutsideScope},
		{0, 300, 0, 300, CategoryExport},
	}
	if diff := cmp.Diff(wantTotals, d.Totals.ByRate); diff != "" {
		t.Errorf("by rate (-want +got):\n%s", diff)
	}
}

func TestTaxCategoryMustFitRate(t *testing.T) {
	for _, tc := range []struct {
		rate TaxRate
		cat  TaxCategory
	}{{10, CategoryExempt}, {8, CategoryStandard}, {0, CategoryReduced}, {0, "free"}} {
		d := validDocument(t)
		d.Items[0].TaxRate, d.Items[0].TaxCategory = tc.rate, tc.cat
		err := d.Validate()
		var e *domain.Error
		if !errors.As(err, &e) || e.Code != domain.EInvalid || e.Fields["items[0].tax_category"] == "" {
			t.Errorf("rate %d category %q: Validate = %v, want a field error on items[0].tax_category", tc.rate, tc.cat, err)
		}
	}
}

func TestStoredLinesWithoutCategoryReadExempt(t *testing.T) {
	// Documents stored before categories existed: a 0% line meant 非課税.
	stored := `{"items":[{"name":"x","quantity":"1","unit_price":5,"tax_rate":0,"amount":5},
		{"name":"y","quantity":"1","unit_price":5,"tax_rate":8,"amount":5}],
		"totals":{"by_rate":[{"rate":8,"net":5,"tax":0,"gross":5},{"rate":0,"net":5,"tax":0,"gross":5}]}}`
	var d Document
	if err := json.Unmarshal([]byte(stored), &d); err != nil {
		t.Fatal(err)
	}
	if d.Items[0].TaxCategory != CategoryExempt || d.Items[1].TaxCategory != CategoryReduced {
		t.Errorf("items read as %q, %q", d.Items[0].TaxCategory, d.Items[1].TaxCategory)
	}
	if d.Totals.ByRate[0].Category != CategoryReduced || d.Totals.ByRate[1].Category != CategoryExempt {
		t.Errorf("totals read as %+v", d.Totals.ByRate)
	}
}

func TestCheckPeppolID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"", true},
		{"0188:1234567890123", false}, // check digit: 9 − (Σ mod 9) of 234567890123 is 9
		{"0188:9234567890123", true},
		{"0188:123456789012", false},
		{"0188:T9234567890123", false},
		{"0221:T9234567890123", true},
		{"0221:9234567890123", false},
		{"9999:9234567890123", false},
		{"9234567890123", false},
	} {
		if got := CheckPeppolID(tc.id) == ""; got != tc.ok {
			t.Errorf("CheckPeppolID(%q) ok = %v, want %v (%s)", tc.id, got, tc.ok, CheckPeppolID(tc.id))
		}
	}
	c := Customer{Counterparty: Counterparty{Name: "x", PeppolID: "0188:12"}}
	err := c.Validate()
	var e *domain.Error
	if !errors.As(err, &e) || e.Fields["peppol_id"] == "" {
		t.Errorf("customer Validate = %v, want a peppol_id field error", err)
	}
}
