package bank

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"reportapp/internal/document"
)

// Formats of bank files.
const (
	FormatZengin = "zengin"
	FormatCSV    = "csv"
)

// Encodings a statement may have been written in.
const (
	EncodingJIS      = "jis"       // 全銀協 JIS 8-bit: ASCII and half-width katakana only
	EncodingShiftJIS = "shift_jis" // Windows-31J / Shift_JIS
	EncodingUTF8     = "utf-8"
)

// Bounds on what one file may hold: a month of a busy account is a few thousand lines.
const (
	MaxFileSize = 10 << 20 // bytes
	MaxLines    = 50_000   // deposits and other records together
)

// Deposit is one incoming payment of a statement.
type Deposit struct {
	LineNo    int           // the record's (zengin) or row's (CSV) number in the file, from 1
	Date      document.Date // 勘定日: the day the money arrived
	Amount    int64         // yen, > 0
	PayerName string        // as the bank wrote it (UTF-8, half-width kana kept), trimmed
	Reference string        // the bank's 照会番号 or the like, "" when none
}

// Statement is what a bank file says about money that came in.
type Statement struct {
	Format   string // FormatZengin or FormatCSV
	Kind     string // zengin: "01" 振込入金通知 or "03" 入出金取引明細; "" for CSV
	Encoding string
	Deposits []Deposit
}

// Error is a problem with a bank file, at a line when Line > 0. Callers show it to the user as
// it is: it names the line and what is wrong in Japanese and English.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d 行目: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Options tune Parse.
type Options struct {
	// Format is FormatZengin, FormatCSV, or "" to detect it.
	Format string
	// Today is the date two-digit years are read against (see parseYYMMDD); the zero value
	// reads them as 和暦 only.
	Today document.Date
	// Columns are CSV columns given by number, e.g. "date:1,amount:4,payer:3" (1-based); empty
	// finds them by header name.
	Columns string
}

// Parse reads a bank file: a 全銀協 file or a CSV export, detected unless opts.Format says which.
// Withdrawals are left out. Every problem is an *Error.
func Parse(data []byte, opts Options) (Statement, error) {
	if len(data) > MaxFileSize {
		return Statement{}, errorf(0, "ファイルが大きすぎます (file is larger than %d MiB)", MaxFileSize>>20)
	}
	format := opts.Format
	if format == "" {
		format = Detect(data)
	}
	switch format {
	case FormatZengin:
		return parseZengin(data, opts.Today)
	case FormatCSV:
		return parseCSV(data, opts)
	}
	return Statement{}, errorf(0, "形式が不明です (format must be zengin or csv)")
}

// Detect tells a 全銀協 file from a CSV: a 全銀協 file begins with a header record "1" followed
// by 種別コード 01 or 03 and consists of 200-byte records.
func Detect(data []byte) string {
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(data) >= 4 && data[0] == '1' && (string(data[1:3]) == "01" || string(data[1:3]) == "03") &&
		(data[3] == '0' || data[3] == '1') {
		first := data
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			first = data[:i]
		}
		if len(first) >= 200 || bytes.IndexByte(first, ',') < 0 {
			return FormatZengin
		}
	}
	return FormatCSV
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Era boundaries: 平成 began 1989-01-08, 令和 2019-05-01.
var (
	reiwaStart = document.Date{Year: 2019, Month: time.May, Day: 1}
)

// parseYYMMDD reads a six-digit date. The 全銀協 formats write 和暦 (令和 YY; 平成 YY before
// 2019-05-01, and some banks kept writing 平成 31, 32 after it), and some banks send the last two
// digits of the 西暦 year instead. Of the three readings, the one within ten years before and one
// year after today is taken — the windows of 令和 (2018+YY), 平成 (1988+YY) and 西暦 (2000+YY)
// years are 12 or more years apart, so at most one fits. With no today, 和暦 is assumed (YY up to 30 令和, above 平成).
func parseYYMMDD(s string, today document.Date) (document.Date, error) {
	if len(s) != 6 || !allDigits(s) {
		return document.Date{}, fmt.Errorf("日付 %q は YYMMDD ではありません (date %q is not YYMMDD)", s, s)
	}
	yy := int(s[0]-'0')*10 + int(s[1]-'0')
	mm := int(s[2]-'0')*10 + int(s[3]-'0')
	dd := int(s[4]-'0')*10 + int(s[5]-'0')
	reiwa, okR := makeDate(2018+yy, mm, dd)
	okR = okR && yy >= 1 && !reiwa.Before(reiwaStart)
	heisei, okH := makeDate(1988+yy, mm, dd)
	okH = okH && yy >= 1
	western, okW := makeDate(2000+yy, mm, dd)
	if today.IsZero() {
		switch {
		case okR && yy <= 30: // 令和31年 is 2049: a 31 is 平成
			return reiwa, nil
		case okH:
			return heisei, nil
		}
		return document.Date{}, fmt.Errorf("日付 %q は存在しません (no such date %q)", s, s)
	}
	from, _ := makeDate(today.Year-10, int(today.Month), 1)
	to, _ := makeDate(today.Year+1, int(today.Month), 28)
	within := func(d document.Date) bool { return !d.Before(from) && !to.Before(d) }
	switch {
	case okR && within(reiwa):
		return reiwa, nil
	case okH && within(heisei):
		return heisei, nil
	case okW && within(western):
		return western, nil
	case !okR && !okH && !okW:
		return document.Date{}, fmt.Errorf("日付 %q は存在しません (no such date %q)", s, s)
	}
	return document.Date{}, fmt.Errorf("日付 %q は和暦としても西暦としても範囲外です (date %q is neither a recent 和暦 nor 西暦 date)", s, s)
}

// makeDate builds a date and reports whether it exists (no 2 月 30 日).
func makeDate(y, m, d int) (document.Date, bool) {
	if m < 1 || m > 12 || d < 1 || d > 31 || y < 1 {
		return document.Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return document.Date{}, false
	}
	return document.Date{Year: y, Month: time.Month(m), Day: d}, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cleanText trims a decoded text field and drops control characters.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(strings.TrimRight(s, "\u3000 "))
}
