package bank

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/unicode/norm"

	"reportapp/internal/document"
)

// Header names of the columns net banking CSVs use, after normalisation (NFKC, no spaces, no
// "(円)"). The first of a row's cells that equals one of them is the column; failing that, the
// first that contains one.
var (
	dateHeaders   = []string{"日付", "取引日", "勘定日", "お取引日", "取扱日", "年月日", "入出金日", "操作日", "取引年月日"}
	depositHeader = []string{"入金", "お預り金額", "お預入金額", "入金金額", "入金額", "預入金額", "お預り", "お預入れ金額", "預り金額"}
	withdrawHdr   = []string{"出金", "お引出金額", "お支払金額", "出金金額", "出金額", "支払金額", "お引出し金額", "引出金額"}
	amountHeaders = []string{"金額", "取引金額"}
	inOutHeaders  = []string{"入出金区分", "入払区分", "区分", "入出金"}
	payerHeaders  = []string{"振込依頼人", "振込依頼人名", "依頼人名", "摘要", "お取引内容", "取引内容", "内容", "摘要内容", "お取引先", "お客様メモ"}
	refHeaders    = []string{"照会番号", "取引番号", "受付番号"}
)

// csvColumns are the 0-based column indexes of a CSV, -1 when absent.
type csvColumns struct {
	date, deposit, withdraw, amount, inOut, payer, ref int
}

func headerName(s string) string {
	s = norm.NFKC.String(s)
	s = strings.NewReplacer("(円)", "", "円", "", " ", "", "\u3000", "", "\"", "").Replace(s)
	return strings.TrimSpace(s)
}

// findColumn returns the first cell equal to one of names, else the first containing one, or -1.
func findColumn(cells []string, names []string, taken ...int) int {
	isTaken := func(i int) bool {
		for _, t := range taken {
			if t == i {
				return true
			}
		}
		return false
	}
	for _, n := range names {
		for i, c := range cells {
			if c == n && !isTaken(i) {
				return i
			}
		}
	}
	for _, n := range names {
		for i, c := range cells {
			if strings.Contains(c, n) && !isTaken(i) {
				return i
			}
		}
	}
	return -1
}

// headerColumns finds the columns in a header row; ok is false when it has no date column or no
// deposit amount.
func headerColumns(row []string) (csvColumns, bool) {
	cells := make([]string, len(row))
	for i, c := range row {
		cells[i] = headerName(c)
	}
	c := csvColumns{date: -1, deposit: -1, withdraw: -1, amount: -1, inOut: -1, payer: -1, ref: -1}
	c.date = findColumn(cells, dateHeaders)
	c.withdraw = findColumn(cells, withdrawHdr, c.date)
	c.deposit = findColumn(cells, depositHeader, c.date, c.withdraw)
	// "入出金区分" contains 入金 and 出金: a deposit column must hold amounts, so a column that
	// also names a kind is a kind.
	if c.deposit >= 0 && strings.Contains(cells[c.deposit], "区分") {
		c.deposit = -1
	}
	if c.deposit < 0 {
		c.amount = findColumn(cells, amountHeaders, c.date, c.withdraw)
		c.inOut = findColumn(cells, inOutHeaders, c.date, c.amount)
	}
	c.ref = findColumn(cells, refHeaders, c.date, c.deposit, c.withdraw, c.amount, c.inOut)
	c.payer = findColumn(cells, payerHeaders, c.date, c.deposit, c.withdraw, c.amount, c.inOut, c.ref)
	ok := c.date >= 0 && (c.deposit >= 0 || c.amount >= 0)
	return c, ok
}

// givenColumns parses "date:1,amount:4,payer:3" (1-based; keys date, amount, payer, withdrawal,
// reference).
func givenColumns(spec string) (csvColumns, error) {
	c := csvColumns{date: -1, deposit: -1, withdraw: -1, amount: -1, inOut: -1, payer: -1, ref: -1}
	for _, part := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), ":")
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || err != nil || n < 1 || n > 200 {
			return c, errorf(0, "columns の指定 %q が不正です。例: date:1,amount:4,payer:3 (invalid columns %q)", part, part)
		}
		switch strings.TrimSpace(k) {
		case "date":
			c.date = n - 1
		case "amount", "deposit":
			c.deposit = n - 1
		case "withdrawal":
			c.withdraw = n - 1
		case "payer":
			c.payer = n - 1
		case "reference":
			c.ref = n - 1
		default:
			return c, errorf(0, "columns の項目 %q は date, amount, payer, withdrawal, reference のいずれかです (unknown column %q)", k, k)
		}
	}
	if c.date < 0 || c.deposit < 0 {
		return c, errorf(0, "columns には date と amount が必要です (columns needs date and amount)")
	}
	return c, nil
}

// decodeText returns data as UTF-8 and the encoding it was in: UTF-8 (with or without BOM) when
// it is valid UTF-8, Shift_JIS otherwise.
func decodeText(data []byte) ([]byte, string, error) {
	if b, ok := bytes.CutPrefix(data, utf8BOM); ok {
		return b, EncodingUTF8, nil
	}
	if utf8.Valid(data) {
		return data, EncodingUTF8, nil
	}
	b, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", errorf(0, "文字コードが UTF-8 でも Shift_JIS でもありません (the file is neither UTF-8 nor Shift_JIS)")
	}
	return b, EncodingShiftJIS, nil
}

// headerSearchRows is how far down a header row is looked for: some banks put the account and
// the period above it.
const headerSearchRows = 20

func parseCSV(data []byte, opts Options) (Statement, error) {
	text, enc, err := decodeText(data)
	if err != nil {
		return Statement{}, err
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	st := Statement{Format: FormatCSV, Encoding: enc, Deposits: []Deposit{}}
	var (
		cols    csvColumns
		haveCol bool
	)
	if opts.Columns != "" {
		if cols, err = givenColumns(opts.Columns); err != nil {
			return Statement{}, err
		}
		haveCol = true
	}
	rowNo := 0
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rowNo++
		if err != nil {
			line := rowNo
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return Statement{}, errorf(line, "CSV として読めません: %v (not CSV)", err)
		}
		line, _ := r.FieldPos(0)
		if rowNo > MaxLines {
			return Statement{}, errorf(line, "行が多すぎます (more than %d rows)", MaxLines)
		}
		if !haveCol {
			if c, ok := headerColumns(row); ok {
				cols, haveCol = c, true
			} else if rowNo >= headerSearchRows {
				break
			}
			continue
		}
		dep, keep, err := csvRow(cols, row, line, opts.Today, opts.Columns != "" && rowNo == 1)
		if err != nil {
			return Statement{}, err
		}
		if keep {
			st.Deposits = append(st.Deposits, dep)
		}
	}
	if !haveCol {
		return Statement{}, errorf(0, "見出し行に日付と入金額の列が見つかりません。columns=date:1,amount:4,payer:3 のように指定してください (no header row with a date and a deposit column; give columns=…)")
	}
	return st, nil
}

// csvRow reads one row. A row without a deposit (a withdrawal, a blank or a summary line) is
// skipped; so is a first row that is a header when the columns were given.
func csvRow(c csvColumns, row []string, line int, today document.Date, mayBeHeader bool) (Deposit, bool, error) {
	raw := func(i int) string {
		if i < 0 || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	cell := func(i int) string { return strings.TrimSpace(norm.NFKC.String(raw(i))) }
	var amountText string
	switch {
	case c.deposit >= 0:
		amountText = cell(c.deposit)
	case c.amount >= 0:
		amountText = cell(c.amount)
		kind := cell(c.inOut)
		if strings.Contains(kind, "出") || strings.Contains(kind, "払") || strings.Contains(kind, "引") {
			return Deposit{}, false, nil
		}
	}
	amount, ok, err := parseYen(amountText)
	if err != nil {
		if mayBeHeader {
			return Deposit{}, false, nil
		}
		return Deposit{}, false, errorf(line, "入金額 %q が金額ではありません (amount %q is not a number)", amountText, amountText)
	}
	if !ok || amount <= 0 {
		return Deposit{}, false, nil // no deposit on this row, or a withdrawal written as negative
	}
	dateText := cell(c.date)
	if dateText == "" {
		return Deposit{}, false, nil // a total line
	}
	date, err := parseDateText(dateText, today)
	if err != nil {
		if mayBeHeader {
			return Deposit{}, false, nil
		}
		return Deposit{}, false, errorf(line, "%v", err)
	}
	return Deposit{LineNo: line, Date: date, Amount: amount, PayerName: cleanText(raw(c.payer)), Reference: cleanText(raw(c.ref))}, true, nil
}

// parseYen reads "12,345", "¥12,345", "12345円", "△500", "-500"; ok is false for an empty cell.
func parseYen(s string) (int64, bool, error) {
	s = strings.NewReplacer(",", "", "¥", "", "\\", "", "円", "", " ", "", "+", "").Replace(s)
	if s == "" || s == "-" {
		return 0, false, nil
	}
	neg := false
	for _, p := range []string{"-", "△", "▲", "−"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			s, neg = rest, true
			break
		}
	}
	if whole, frac, ok := strings.Cut(s, "."); ok && strings.Trim(frac, "0") == "" {
		s = whole // "12345.00" from spreadsheets
	}
	if !allDigits(s) || len(s) > 15 {
		return 0, false, errors.New("not a yen amount")
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	if neg {
		n = -n
	}
	return n, true, nil
}

// Eras of 和暦 dates written out, with the 西暦 year of their year 1.
var eras = []struct {
	names []string
	base  int
}{
	{[]string{"令和", "R"}, 2018},
	{[]string{"平成", "H"}, 1988},
}

// parseDateText reads the dates of bank CSVs: 2026/12/10, 2026-12-10, 2026.12.10, 20261210,
// 2026年12月10日, 令和8年12月10日, R8.12.10, H31/4/30, and six digits as in the 全銀協 files.
func parseDateText(s string, today document.Date) (document.Date, error) {
	orig := s
	if len(s) == 8 && allDigits(s) {
		s = s[:4] + "/" + s[4:6] + "/" + s[6:]
	}
	if len(s) == 6 && allDigits(s) {
		return parseYYMMDD(s, today)
	}
	base := 0
	for _, e := range eras {
		for _, n := range e.names {
			if rest, ok := strings.CutPrefix(s, n); ok {
				s, base = rest, e.base
			}
		}
	}
	s = strings.NewReplacer("年", "/", "月", "/", "日", "", "-", "/", ".", "/").Replace(s)
	if i := strings.IndexAny(s, " T"); i >= 0 {
		s = s[:i] // a time after the date
	}
	parts := strings.Split(s, "/")
	if len(parts) == 3 {
		y, ey := strconv.Atoi(parts[0])
		m, em := strconv.Atoi(parts[1])
		d, ed := strconv.Atoi(parts[2])
		if ey == nil && em == nil && ed == nil {
			switch {
			case base > 0:
				y += base
			case y < 100 && len(parts[0]) == 2:
				return parseYYMMDD(parts[0]+twoDigits(m)+twoDigits(d), today)
			}
			if date, ok := makeDate(y, m, d); ok && y >= 1989 {
				return date, nil
			}
		}
	}
	return document.Date{}, errorf(0, "日付 %q が読めません (unreadable date %q)", orig, orig)
}

func twoDigits(n int) string {
	if n < 0 || n > 99 {
		return "xx"
	}
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}
