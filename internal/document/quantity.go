package document

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Quantity is a non-negative decimal quantity with at most three decimal places, kept exactly as
// an integer count of thousandths ("1.5" 時間 is Quantity(1500)).
type Quantity int64

// QuantityScale is the number of Quantity units in one.
const QuantityScale = 1000

// MaxQuantity bounds a quantity (one billion) so that amounts cannot overflow.
const MaxQuantity Quantity = 1_000_000_000 * QuantityScale

var errQuantity = errors.New("数量は 0 以上の数で、小数点以下 3 桁までです (quantity must be a non-negative decimal with at most 3 decimal places)")

// ParseQuantity parses a decimal string such as "3", "1.5" or "0.125", as typed too ("１．５",
// "1,000": see NormalizeNumber).
func ParseQuantity(s string) (Quantity, error) {
	s = NormalizeNumber(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 3 || (hasDot && frac == "") || len(whole) > 10 {
		return 0, errQuantity
	}
	for _, part := range []string{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, errQuantity
			}
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errQuantity
	}
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt((frac + "00")[:3], 10, 64)
	}
	q := Quantity(w*QuantityScale + f)
	if q > MaxQuantity {
		return 0, errors.New("数量が大きすぎます (quantity too large)")
	}
	return q, nil
}

// String formats q with no trailing zeros: "1.5", "3", "0.125".
func (q Quantity) String() string {
	if q < 0 {
		return "-" + (-q).String()
	}
	w, f := int64(q)/QuantityScale, int64(q)%QuantityScale
	if f == 0 {
		return strconv.FormatInt(w, 10)
	}
	fs := strings.TrimRight(strconv.FormatInt(f+QuantityScale, 10)[1:], "0")
	return strconv.FormatInt(w, 10) + "." + fs
}

// MarshalJSON writes q as a JSON string, as the API specifies.
func (q Quantity) MarshalJSON() ([]byte, error) { return json.Marshal(q.String()) }

// UnmarshalJSON accepts a JSON string ("1.5") or, leniently, a JSON number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := ParseQuantity(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}
