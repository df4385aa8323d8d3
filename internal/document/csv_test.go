package document

import (
	"math"
	"testing"
)

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "株式会社サンプル": "株式会社サンプル", "a=1": "a=1",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "\rx": "'\rx",
		"＝HYPERLINK(\"x\")": "'＝HYPERLINK(\"x\")", "＋1": "'＋1", "－1": "'－1", "＠SUM(A1)": "'＠SUM(A1)",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatYen(t *testing.T) {
	for v, want := range map[int64]string{0: "¥0", 999: "¥999", 1000: "¥1,000", 1234567: "¥1,234,567", -500: "-¥500",
		-1000: "-¥1,000", math.MinInt64: "-¥9,223,372,036,854,775,808", math.MaxInt64: "¥9,223,372,036,854,775,807"} {
		if got := FormatYen(v); got != want {
			t.Errorf("FormatYen(%d) = %q, want %q", v, got, want)
		}
	}
}
