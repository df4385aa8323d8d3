package document

import (
	"fmt"
	"math/bits"

	"reportapp/internal/domain"
)

// MaxAmount bounds every amount and total (±10^13 yen). Anything beyond is rejected with an
// EInvalid error, so no computation here can overflow int64.
const MaxAmount int64 = 10_000_000_000_000

// Withholding rates of 源泉徴収 (income tax 10% / 20% plus 2.1% reconstruction tax), in units of
// 1/10,000, and the threshold where the higher rate starts.
const (
	withholdingLowRate   = 1021 // 10.21%
	withholdingHighRate  = 2042 // 20.42%
	withholdingThreshold = 1_000_000
	withholdingAtLimit   = withholdingThreshold * withholdingLowRate / 10_000 // 102,100
)

const errAmountTooLarge = "金額が大きすぎます (amount exceeds ±10,000,000,000,000 yen)"

// mulDiv returns a×b/c rounded by r, and false when the result exceeds MaxAmount in absolute
// value. It rounds the absolute value and restores the sign, so rounding is symmetric around
// zero. The 128-bit product never overflows. c must be positive; an unknown r floors.
func mulDiv(a, b, c int64, r Rounding) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(absU(a), absU(b))
	uc := uint64(c)
	if hi >= uc { // the quotient would not fit in 64 bits
		return 0, false
	}
	q, rem := bits.Div64(hi, lo, uc)
	if q > uint64(MaxAmount) {
		return 0, false
	}
	switch r {
	case Ceil:
		if rem != 0 {
			q++
		}
	case HalfUp:
		if rem >= uc-rem { // 2·rem ≥ c without overflowing
			q++
		}
	}
	if q > uint64(MaxAmount) {
		return 0, false
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}

// absU is |v| as an unsigned number; correct for math.MinInt64 too.
func absU(v int64) uint64 {
	if v < 0 {
		return uint64(^v) + 1
	}
	return uint64(v)
}

func withinMax(v int64) bool { return v >= -MaxAmount && v <= MaxAmount }

// Withholding is the 源泉徴収 income tax withheld from a payment of net yen (excluding
// consumption tax): 10.21% up to ¥1,000,000 and 20.42% of the part above, each floored;
// 0 when net ≤ 0. net must be at most MaxAmount, which keeps the product within int64.
func Withholding(net int64) int64 {
	switch {
	case net <= 0:
		return 0
	case net > MaxAmount:
		net = MaxAmount
	}
	if net <= withholdingThreshold {
		return net * withholdingLowRate / 10_000
	}
	return withholdingAtLimit + (net-withholdingThreshold)*withholdingHighRate/10_000
}

// ComputeTotals fills Items[i].Amount and Totals of d from its items, PricesIncludeTax,
// TaxRounding (empty means Floor) and WithholdingTax. Line amounts use the same rounding mode.
//
// Tax is rounded ONCE per rate per document, never per line (消費税法施行令70条の10):
//   - exclusive prices: net = Σ amounts, tax = round(net × rate / 100), gross = net + tax;
//   - inclusive prices: gross = Σ amounts, tax = round(gross × rate / (100 + rate)),
//     net = gross − tax.
//
// Totals.ByRate lists the categories present, in the order of Categories: each 0% category
// (exempt, outside_scope, export) is totalled on its own. A line without a category takes
// DefaultCategory of its rate (and gets it written back). With d.WithholdingTax,
// Totals.Withholding is Withholding(Totals.Net); AmountDue = Gross − Withholding.
//
// All arithmetic is integer. It returns an EInvalid *Error with Fields when an amount or total
// would exceed MaxAmount ("items[i].amount", "totals"), when a tax rate, a category or the
// rounding mode is unknown or the category does not fit the rate ("items[i].tax_rate",
// "items[i].tax_category", "tax_rounding"), or when the net of a rate is negative and d is
// not a credit note ("items"). On error d is left unchanged.
func ComputeTotals(d *Document) error {
	if d == nil {
		return &domain.Error{Code: domain.EInvalid, Message: "document is missing"}
	}
	fe := domain.FieldErrors{}
	r := d.TaxRounding
	if r == "" {
		r = Floor
	}
	if !r.Valid() {
		fe.Add("tax_rounding", fmt.Sprintf("端数処理は floor, half_up, ceil のいずれかです (unknown rounding %q)", string(r)))
		r = Floor // keep going to report item problems too
	}

	cats := Categories()
	sums := make([]int64, len(cats))
	present := make([]bool, len(cats))
	amounts := make([]int64, len(d.Items))
	categories := make([]TaxCategory, len(d.Items))
	for i, it := range d.Items {
		if !it.TaxRate.Valid() {
			fe.Add(fmt.Sprintf("items[%d].tax_rate", i), "税率は 10, 8, 0 のいずれかです (tax rate must be 10, 8 or 0)")
			continue
		}
		cat := it.TaxCategory
		if cat == "" {
			cat = DefaultCategory(it.TaxRate)
		}
		if !cat.ValidFor(it.TaxRate) {
			fe.Add(fmt.Sprintf("items[%d].tax_category", i), msgCategory)
			continue
		}
		idx := categoryIndex(cat)
		categories[i] = cat
		a, ok := mulDiv(int64(it.Quantity), it.UnitPrice, QuantityScale, r)
		if !ok {
			fe.Add(fmt.Sprintf("items[%d].amount", i), errAmountTooLarge)
			continue
		}
		amounts[i] = a
		present[idx] = true
		// |sums| ≤ MaxAmount and |a| ≤ MaxAmount, so the addition cannot overflow.
		if s := sums[idx] + a; withinMax(s) {
			sums[idx] = s
		} else {
			fe.Add("totals", errAmountTooLarge)
		}
	}
	if len(fe) > 0 {
		return fe.Err()
	}

	t := Totals{ByRate: make([]RateTotal, 0, len(cats))}
	for idx, cat := range cats {
		if !present[idx] {
			continue
		}
		rate := cat.Rate()
		rt := RateTotal{Rate: rate, Category: cat}
		if d.PricesIncludeTax {
			rt.Gross = sums[idx]
			rt.Tax, _ = mulDiv(rt.Gross, int64(rate), 100+int64(rate), r) // |tax| < |gross|
			rt.Net = rt.Gross - rt.Tax
		} else {
			rt.Net = sums[idx]
			rt.Tax, _ = mulDiv(rt.Net, int64(rate), 100, r) // |tax| ≤ |net|/10 + 1
			rt.Gross = rt.Net + rt.Tax
		}
		if rt.Net < 0 && d.Kind != CreditNote {
			fe.Add("items", fmt.Sprintf("%sの合計がマイナスです。返金には適格返還請求書を使ってください (the total of the %s lines is negative; use a credit note for refunds)", cat.Label(), cat))
		}
		// Each total is at most 3 × 1.1 × MaxAmount: no overflow before this check.
		t.Net += rt.Net
		t.Tax += rt.Tax
		t.Gross += rt.Gross
		t.ByRate = append(t.ByRate, rt)
	}
	for _, v := range []int64{t.Net, t.Tax, t.Gross} {
		if !withinMax(v) {
			fe.Add("totals", errAmountTooLarge)
		}
	}
	for _, rt := range t.ByRate {
		if !withinMax(rt.Gross) {
			fe.Add("totals", errAmountTooLarge)
		}
	}
	if len(fe) > 0 {
		return fe.Err()
	}
	if d.WithholdingTax {
		t.Withholding = Withholding(t.Net)
	}
	t.AmountDue = t.Gross - t.Withholding
	for i := range d.Items {
		d.Items[i].Amount = amounts[i]
		d.Items[i].TaxCategory = categories[i]
	}
	d.Totals = t
	return nil
}
