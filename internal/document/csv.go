package document

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// formulaStarts are the first characters that make a spreadsheet read a cell as a formula: the
// ASCII = + - @, a tab or carriage return, and the full-width ＝ ＋ － ＠ that Japanese input
// produces (Excel reads those as formulas too).
const formulaStarts = "=+-@\t\r＝＋－＠"

// CSVCell returns user text for a CSV cell that no spreadsheet runs as a formula (CSV injection):
// text starting with a formula character gets a leading apostrophe. Every CSV of user text
// (the document list, the export index) goes through it.
func CSVCell(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); s != "" && strings.ContainsRune(formulaStarts, r) {
		return "'" + s
	}
	return s
}

// FormatYen formats whole yen with thousands separators: "¥1,234,567" and "-¥500"; every page
// and PDF shows amounts this way.
func FormatYen(v int64) string {
	u := uint64(v)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		u = -u // two's complement: right for the minimum int64 too
	}
	b.WriteString("¥")
	d := strconv.FormatUint(u, 10)
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(d[i])
	}
	return b.String()
}
