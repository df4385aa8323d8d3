package document

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/domain"
)

// mustQuantity parses s or fails the test.
func mustQuantity(t testing.TB, s string) Quantity {
	t.Helper()
	q, err := ParseQuantity(s)
	if err != nil {
		t.Fatalf("ParseQuantity(%q): %v", s, err)
	}
	return q
}

// item builds a line; q is a decimal string.
func item(t testing.TB, q string, price int64, rate TaxRate) Item {
	t.Helper()
	return Item{Name: "品目", Quantity: mustQuantity(t, q), UnitPrice: price, TaxRate: rate}
}

// mustTotals runs ComputeTotals or fails the test.
func mustTotals(t testing.TB, d *Document) Totals {
	t.Helper()
	if err := ComputeTotals(d); err != nil {
		t.Fatalf("ComputeTotals: %v", err)
	}
	return d.Totals
}

// wantFieldErr fails unless err is an EInvalid *Error naming field.
func wantFieldErr(t testing.TB, err error, field string) {
	t.Helper()
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.EInvalid {
		t.Fatalf("error = %v, want an domain.EInvalid *domain.Error", err)
	}
	if _, ok := e.Fields[field]; !ok {
		t.Fatalf("error fields = %v, want one for %q", e.Fields, field)
	}
}

func TestComputeTotals(t *testing.T) {
	tests := []struct {
		name string
		doc  func(t *testing.T) Document
		want Totals
		// amounts are the expected Items[i].Amount.
		amounts []int64
	}{
		{
			name: "JP-INVOICE example: 105 × 3 lines at 10% floor is 31, not 30",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, Items: []Item{item(t, "1", 105, 10), item(t, "1", 105, 10), item(t, "1", 105, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 315, 31, 346, CategoryStandard}}, Net: 315, Tax: 31, Gross: 346, AmountDue: 346},
			amounts: []int64{105, 105, 105},
		},
		{
			name: "half up of the same example",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, TaxRounding: HalfUp, Items: []Item{item(t, "3", 105, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 315, 32, 347, CategoryStandard}}, Net: 315, Tax: 32, Gross: 347, AmountDue: 347},
			amounts: []int64{315},
		},
		{
			name: "ceil",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, TaxRounding: Ceil, Items: []Item{item(t, "1", 311, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 311, 32, 343, CategoryStandard}}, Net: 311, Tax: 32, Gross: 343, AmountDue: 343},
			amounts: []int64{311},
		},
		{
			name: "half up below half stays down",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, TaxRounding: HalfUp, Items: []Item{item(t, "1", 314, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 314, 31, 345, CategoryStandard}}, Net: 314, Tax: 31, Gross: 345, AmountDue: 345},
			amounts: []int64{314},
		},
		{
			name: "mixed 10%, 8% and 0% in order 10, 8, 0 whatever the line order",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, Items: []Item{
					item(t, "1", 1000, 0),
					item(t, "2", 1234, 8),   // 2468 → 8%: 197.44
					item(t, "1", 12000, 10), // 10%: 1200
					item(t, "3", 99, 8),     // 297 → 8% total 2765 × 8% = 221.2
				}}
			},
			want: Totals{
				ByRate: []RateTotal{{10, 12000, 1200, 13200, CategoryStandard}, {8, 2765, 221, 2986, CategoryReduced}, {0, 1000, 0, 1000, CategoryExempt}},
				Net:    15765, Tax: 1421, Gross: 17186, AmountDue: 17186,
			},
			amounts: []int64{1000, 2468, 12000, 297},
		},
		{
			name: "only the rates present",
			doc: func(t *testing.T) Document {
				return Document{Kind: Receipt, Items: []Item{item(t, "1", 540, 8)}}
			},
			want:    Totals{ByRate: []RateTotal{{8, 540, 43, 583, CategoryReduced}}, Net: 540, Tax: 43, Gross: 583, AmountDue: 583},
			amounts: []int64{540},
		},
		{
			name: "inclusive prices: tax = gross × rate / (100 + rate)",
			doc: func(t *testing.T) Document {
				return Document{Kind: Receipt, PricesIncludeTax: true, Items: []Item{
					item(t, "1", 1100, 10), item(t, "1", 1080, 8), item(t, "1", 500, 10), item(t, "1", 300, 0),
				}}
			},
			// 10%: 1600 × 10/110 = 145.45 → 145; 8%: 1080 × 8/108 = 80
			want: Totals{
				ByRate: []RateTotal{{10, 1455, 145, 1600, CategoryStandard}, {8, 1000, 80, 1080, CategoryReduced}, {0, 300, 0, 300, CategoryExempt}},
				Net:    2755, Tax: 225, Gross: 2980, AmountDue: 2980,
			},
			amounts: []int64{1100, 1080, 500, 300},
		},
		{
			name: "inclusive prices half up and ceil",
			doc: func(t *testing.T) Document {
				return Document{Kind: Receipt, PricesIncludeTax: true, TaxRounding: HalfUp, Items: []Item{item(t, "1", 1600, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 1455, 145, 1600, CategoryStandard}}, Net: 1455, Tax: 145, Gross: 1600, AmountDue: 1600},
			amounts: []int64{1600},
		},
		{
			name: "inclusive exact half: 1155 × 10/110 = 105 exactly; 165 × 10/110 = 15",
			doc: func(t *testing.T) Document {
				return Document{Kind: Receipt, PricesIncludeTax: true, TaxRounding: Ceil, Items: []Item{item(t, "1", 1155, 10), item(t, "1", 1001, 8)}}
			},
			// 8%: 1001 × 8/108 = 74.148 → ceil 75
			want:    Totals{ByRate: []RateTotal{{10, 1050, 105, 1155, CategoryStandard}, {8, 926, 75, 1001, CategoryReduced}}, Net: 1976, Tax: 180, Gross: 2156, AmountDue: 2156},
			amounts: []int64{1155, 1001},
		},
		{
			name: "half up on an exact .5 of tax",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, TaxRounding: HalfUp, Items: []Item{item(t, "1", 25, 10), item(t, "1", 50, 8)}}
			},
			// 10%: 2.5 → 3; 8%: 4.0 → 4
			want:    Totals{ByRate: []RateTotal{{10, 25, 3, 28, CategoryStandard}, {8, 50, 4, 54, CategoryReduced}}, Net: 75, Tax: 7, Gross: 82, AmountDue: 82},
			amounts: []int64{25, 50},
		},
		{
			name: "discount line lowers the rate's net before tax",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, Items: []Item{item(t, "1", 10000, 10), item(t, "1", -1555, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 8445, 844, 9289, CategoryStandard}}, Net: 8445, Tax: 844, Gross: 9289, AmountDue: 9289},
			amounts: []int64{10000, -1555},
		},
		{
			name: "fractional quantities: 1.5 h × 3333 floors the line",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, Items: []Item{item(t, "1.5", 3333, 10), item(t, "0.125", 8000, 10), item(t, "2.25", 1, 10)}}
			},
			// 4999.5 → 4999; 1000; 2.25 → 2; net 6001; tax 600.1 → 600
			want:    Totals{ByRate: []RateTotal{{10, 6001, 600, 6601, CategoryStandard}}, Net: 6001, Tax: 600, Gross: 6601, AmountDue: 6601},
			amounts: []int64{4999, 1000, 2},
		},
		{
			name: "fractional quantities half up rounds lines with the same mode",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, TaxRounding: HalfUp, Items: []Item{item(t, "1.5", 3333, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 5000, 500, 5500, CategoryStandard}}, Net: 5000, Tax: 500, Gross: 5500, AmountDue: 5500},
			amounts: []int64{5000},
		},
		{
			name: "credit note may be negative",
			doc: func(t *testing.T) Document {
				return Document{Kind: CreditNote, Items: []Item{item(t, "1", -315, 10), item(t, "1", -105, 8)}}
			},
			// -31.5 floors toward zero to -31; -8.4 → -8
			want:    Totals{ByRate: []RateTotal{{10, -315, -31, -346, CategoryStandard}, {8, -105, -8, -113, CategoryReduced}}, Net: -420, Tax: -39, Gross: -459, AmountDue: -459},
			amounts: []int64{-315, -105},
		},
		{
			name: "withholding below 1,000,000: floor(net × 10.21%)",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, WithholdingTax: true, Items: []Item{item(t, "1", 100000, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 100000, 10000, 110000, CategoryStandard}}, Net: 100000, Tax: 10000, Gross: 110000, Withholding: 10210, AmountDue: 99790},
			amounts: []int64{100000},
		},
		{
			name: "withholding at 1,000,000",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, WithholdingTax: true, Items: []Item{item(t, "1", 1_000_000, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 1_000_000, 100_000, 1_100_000, CategoryStandard}}, Net: 1_000_000, Tax: 100_000, Gross: 1_100_000, Withholding: 102_100, AmountDue: 997_900},
			amounts: []int64{1_000_000},
		},
		{
			name: "withholding above 1,000,000",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, WithholdingTax: true, Items: []Item{item(t, "1", 1_500_000, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 1_500_000, 150_000, 1_650_000, CategoryStandard}}, Net: 1_500_000, Tax: 150_000, Gross: 1_650_000, Withholding: 204_200, AmountDue: 1_445_800},
			amounts: []int64{1_500_000},
		},
		{
			name: "withholding flag off",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, Items: []Item{item(t, "1", 1_500_000, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 1_500_000, 150_000, 1_650_000, CategoryStandard}}, Net: 1_500_000, Tax: 150_000, Gross: 1_650_000, AmountDue: 1_650_000},
			amounts: []int64{1_500_000},
		},
		{
			name: "withholding on a negative credit note is 0",
			doc: func(t *testing.T) Document {
				return Document{Kind: CreditNote, WithholdingTax: true, Items: []Item{item(t, "1", -1000, 0)}}
			},
			want:    Totals{ByRate: []RateTotal{{0, -1000, 0, -1000, CategoryExempt}}, Net: -1000, Gross: -1000, AmountDue: -1000},
			amounts: []int64{-1000},
		},
		{
			name:    "no items",
			doc:     func(t *testing.T) Document { return Document{Kind: Invoice} },
			want:    Totals{ByRate: []RateTotal{}},
			amounts: []int64{},
		},
		{
			name: "largest document accepted",
			doc: func(t *testing.T) Document {
				return Document{Kind: Invoice, Items: []Item{item(t, "1", 9_000_000_000_000, 10)}}
			},
			want:    Totals{ByRate: []RateTotal{{10, 9_000_000_000_000, 900_000_000_000, 9_900_000_000_000, CategoryStandard}}, Net: 9_000_000_000_000, Tax: 900_000_000_000, Gross: 9_900_000_000_000, AmountDue: 9_900_000_000_000},
			amounts: []int64{9_000_000_000_000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.doc(t)
			got := mustTotals(t, &d)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
			amounts := []int64{}
			for _, it := range d.Items {
				amounts = append(amounts, it.Amount)
			}
			if diff := cmp.Diff(tt.amounts, amounts); diff != "" {
				t.Errorf("line amounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeTotalsRejects(t *testing.T) {
	tests := []struct {
		name  string
		doc   func(t *testing.T) Document
		field string
	}{
		{"huge quantity × price", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1000000000", math.MaxInt64, 10)}}
		}, "items[0].amount"},
		{"one line just over", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1", 0, 10), item(t, "1", MaxAmount+1, 10)}}
		}, "items[1].amount"},
		{"sum of a rate over", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1", MaxAmount, 0), item(t, "1", 1, 0)}}
		}, "totals"},
		{"gross over by the tax", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1", MaxAmount, 10)}}
		}, "totals"},
		{"document net over across rates", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1", MaxAmount/2+1, 0), item(t, "1", MaxAmount/2+1, 8)}}
		}, "totals"},
		{"negative credit note over", func(t *testing.T) Document {
			return Document{Kind: CreditNote, Items: []Item{item(t, "1", -MaxAmount, 10)}}
		}, "totals"},
		{"negative net of a rate in an invoice", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1", 1000, 10), item(t, "1", -100, 8)}}
		}, "items"},
		{"negative inclusive net in a receipt", func(t *testing.T) Document {
			return Document{Kind: Receipt, PricesIncludeTax: true, Items: []Item{item(t, "1", -1, 10)}}
		}, "items"},
		{"negative net in a quote", func(t *testing.T) Document {
			return Document{Kind: Quote, Items: []Item{item(t, "1", -1, 0)}}
		}, "items"},
		{"unknown tax rate", func(t *testing.T) Document {
			return Document{Kind: Invoice, Items: []Item{item(t, "1", 100, 10), item(t, "1", 100, 5)}}
		}, "items[1].tax_rate"},
		{"unknown rounding", func(t *testing.T) Document {
			return Document{Kind: Invoice, TaxRounding: "round", Items: []Item{item(t, "1", 100, 10)}}
		}, "tax_rounding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.doc(t)
			before := d.Totals
			err := ComputeTotals(&d)
			wantFieldErr(t, err, tt.field)
			if diff := cmp.Diff(before, d.Totals); diff != "" {
				t.Errorf("totals changed on error (-before +after):\n%s", diff)
			}
		})
	}
	if domain.ErrorCode(ComputeTotals(nil)) != domain.EInvalid {
		t.Error("ComputeTotals(nil) is not an domain.EInvalid error")
	}
}

func TestWithholding(t *testing.T) {
	tests := []struct{ net, want int64 }{
		{-5, 0},
		{0, 0},
		{1, 0},
		{10, 1},      // 1.021
		{9999, 1020}, // 1020.8979
		{100_000, 10_210},
		{999_999, 102_099}, // 102099.8979
		{1_000_000, 102_100},
		{1_000_001, 102_100}, // + 0.2042
		{1_000_005, 102_101}, // + 1.021
		{1_500_000, 204_200},
		{2_000_000, 306_300},
		{MaxAmount, 102_100 + (MaxAmount-1_000_000)*2042/10_000},
		{math.MaxInt64, 102_100 + (MaxAmount-1_000_000)*2042/10_000}, // clamped, never overflows
	}
	for _, tt := range tests {
		if got := Withholding(tt.net); got != tt.want {
			t.Errorf("Withholding(%d) = %d, want %d", tt.net, got, tt.want)
		}
	}
}
