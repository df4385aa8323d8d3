package document

import (
	"encoding/json"
	"strings"
)

// TaxCategory is the consumption-tax treatment of a line. The rate says how much tax; the
// category says why a 0% line carries none, which a qualified invoice and JP PINT (UNCL 5305
// codes S, AA, E, O, G) must tell apart.
type TaxCategory string

// The categories. 10% lines are always standard and 8% lines reduced; a 0% line is one of the
// other three.
const (
	CategoryStandard     TaxCategory = "standard"      // 10% 標準税率
	CategoryReduced      TaxCategory = "reduced"       // 8% 軽減税率
	CategoryExempt       TaxCategory = "exempt"        // 非課税 (e.g. land, interest, 教科書)
	CategoryOutsideScope TaxCategory = "outside_scope" // 不課税 (e.g. 立替金, gifts, dues)
	CategoryExport       TaxCategory = "export"        // 免税 (輸出免税)
)

// Categories lists every category in the order of Totals.ByRate.
func Categories() []TaxCategory {
	return []TaxCategory{CategoryStandard, CategoryReduced, CategoryExempt, CategoryOutsideScope, CategoryExport}
}

// ZeroRateCategories are the categories a 0% line may have.
func ZeroRateCategories() []TaxCategory {
	return []TaxCategory{CategoryExempt, CategoryOutsideScope, CategoryExport}
}

// DefaultCategory is the category of a line at rate r that names none: standard, reduced, and
// exempt for 0% (what a 0% line meant before categories existed).
func DefaultCategory(r TaxRate) TaxCategory {
	switch r {
	case RateStandard:
		return CategoryStandard
	case RateReduced:
		return CategoryReduced
	}
	return CategoryExempt
}

// Rate is the tax rate of category c.
func (c TaxCategory) Rate() TaxRate {
	switch c {
	case CategoryStandard:
		return RateStandard
	case CategoryReduced:
		return RateReduced
	}
	return RateNonTaxable
}

// Valid reports whether c is one of Categories.
func (c TaxCategory) Valid() bool { return categoryIndex(c) >= 0 }

// ValidFor reports whether c is a category a line at rate r may have.
func (c TaxCategory) ValidFor(r TaxRate) bool { return c.Valid() && r.Valid() && c.Rate() == r }

// Label is how documents name the category in the per-rate table (税率別内訳). The empty
// category, of a 0% line that names none, is exempt (see DefaultCategory).
func (c TaxCategory) Label() string {
	switch c {
	case "":
		return "非課税"
	case CategoryStandard:
		return "10%対象"
	case CategoryReduced:
		return "8%対象"
	case CategoryExempt:
		return "非課税"
	case CategoryOutsideScope:
		return "不課税"
	case CategoryExport:
		return "免税"
	}
	return string(c)
}

// categoryIndex is c's position in Categories, or -1.
func categoryIndex(c TaxCategory) int {
	for i, k := range Categories() {
		if k == c {
			return i
		}
	}
	return -1
}

const msgCategory = "税区分は 0% の明細で exempt (非課税), outside_scope (不課税), export (免税) のいずれかです (tax_category of a 0% line must be exempt, outside_scope or export; 10% is standard and 8% reduced)"

// UnmarshalJSON reads a stored line. Lines stored before categories existed have none; they read
// as DefaultCategory of their rate, so an old 0% line is exempt (非課税).
func (it *Item) UnmarshalJSON(b []byte) error {
	type plain Item
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.TaxCategory == "" {
		p.TaxCategory = DefaultCategory(p.TaxRate)
	}
	*it = Item(p)
	return nil
}

// UnmarshalJSON reads stored totals, with the category of totals stored before categories
// existed taken from the rate as for Item.
func (rt *RateTotal) UnmarshalJSON(b []byte) error {
	type plain RateTotal
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Category == "" {
		p.Category = DefaultCategory(p.Rate)
	}
	*rt = RateTotal(p)
	return nil
}

// Peppol participant identifier schemes (ISO 6523 ICD) used in Japan.
const (
	PeppolSchemeCorporateNumber    = "0188" // 法人番号: 13 digits
	PeppolSchemeRegistrationNumber = "0221" // 適格請求書発行事業者登録番号: T + 13 digits
)

// SplitPeppolID splits a participant identifier "SCHEME:VALUE" into its parts.
func SplitPeppolID(id string) (scheme, value string) {
	scheme, value, _ = strings.Cut(id, ":")
	return scheme, value
}

// CheckPeppolID checks a Peppol participant identifier as stored on an organisation or customer:
// "" (none), "0188:" and a 13-digit 法人番号 whose check digit matches, or "0221:" and a
// 登録番号 (T + 13 digits). It returns a message for the user, or "".
func CheckPeppolID(id string) string {
	if id == "" {
		return ""
	}
	const msg = "Peppol ID は 0188:法人番号13桁 または 0221:T+13桁 の形式です (peppol_id must be 0188:<13-digit corporate number> or 0221:T<13 digits>)"
	scheme, value := SplitPeppolID(id)
	switch scheme {
	case PeppolSchemeCorporateNumber:
		if len(value) != 13 || !allDigits(value) {
			return msg
		}
		if registrationCheckDigit(value[1:]) != int(value[0]-'0') {
			return "法人番号のチェックディジットが一致しません (the corporate number's check digit does not match)"
		}
	case PeppolSchemeRegistrationNumber:
		if len(value) != 14 || value[0] != 'T' || !allDigits(value[1:]) {
			return msg
		}
	default:
		return msg
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
