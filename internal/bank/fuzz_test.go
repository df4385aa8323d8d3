package bank

import (
	"errors"
	"testing"

	"reportapp/internal/bank/banktest"
)

// FuzzParse feeds arbitrary bytes to both parsers: they must return deposits or an *Error, never
// panic, and every deposit must be positive with a real date.
func FuzzParse(f *testing.F) {
	f.Add(banktest.File("01", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1000, Payer: "ﾀﾅｶ"}}, banktest.Trailer{}, ""), "")
	f.Add(banktest.File("03", []banktest.Deposit{{Ref: "1", Date: "310430", Amount: 5, Payer: "ｶ)ﾔﾏﾀﾞ", Out: true}}, banktest.Trailer{}, "\r\n"), "")
	f.Add([]byte("日付,摘要,出金,入金\n2026/12/10,ﾀﾅｶ,,1000\n"), "")
	f.Add([]byte("2026/12/10,ﾀﾅｶ,1000\n"), "date:1,amount:3,payer:2")
	f.Fuzz(func(t *testing.T, data []byte, columns string) {
		for _, format := range []string{"", FormatZengin, FormatCSV} {
			st, err := Parse(data, Options{Format: format, Today: today, Columns: columns})
			if err != nil {
				var be *Error
				if !errors.As(err, &be) {
					t.Fatalf("error %v (%T) is not a *bank.Error", err, err)
				}
				continue
			}
			for _, d := range st.Deposits {
				if d.Amount <= 0 || d.Date.IsZero() || d.LineNo <= 0 {
					t.Fatalf("bad deposit %+v", d)
				}
			}
		}
	})
}

// FuzzNormalizeName checks that normalising is idempotent on keys and never panics.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ", "(株)山田", "ﾔﾏﾀﾞ(ｶ", "カブシキガイシャ", "((", ")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := NameKey(s)
		if k2 := NameKey(k); k2 != k && NameKey(NormalizeName(s)) == "" {
			t.Fatalf("NameKey(%q) = %q but NameKey of that = %q", s, k, k2)
		}
		_ = NamesMatch(s, s)
	})
}
