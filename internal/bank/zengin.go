package bank

import (
	"bytes"
	"strconv"

	"golang.org/x/text/encoding/japanese"

	"reportapp/internal/document"
)

// The 全銀協 record layouts (200 bytes each; N is digits, right-aligned, zero-padded; C is
// half-width text, left-aligned, space-padded), as the banks publish them:
//
//	header  (1): データ区分 1, 種別コード 2 (01 振込入金通知 | 03 入出金取引明細), コード区分 1
//	             (0 JIS | 1 EBCDIC), 作成日 6, 勘定日(自) 6, 勘定日(至) 6, then the bank and account
//	01 data (2): データ区分 1, 照会番号 6, 勘定日 6, 起算日 6, 金額 10, うち他店券金額 10,
//	             振込依頼人コード 10, 振込依頼人名 48, 仕向銀行名 15, 仕向店名 15, 取消区分 1,
//	             EDI情報 20, ダミー 52
//	01 trailer (8): データ区分 1, 振込合計件数 6, 振込合計金額 12, 取消件数 6, 取消金額 12, ダミー 163
//	03 data (2): データ区分 1, 照会番号 8, 勘定日 6, 預入・払出日 6, 入払区分 1 (1 入金 | 2 出金),
//	             取引区分 2, 取引金額 12, うち他店券金額 12, 交換呈示日 6, 不渡返還日 6,
//	             手形・小切手区分 1, 手形・小切手番号 7, 僚店番号 3, 振込依頼人コード 10,
//	             振込依頼人名 48, 仕向銀行名 15, 仕向店名 15, 摘要内容 20, EDI情報 20, ダミー 1
//	03 trailer (8): データ区分 1, 入金件数 6, 入金額合計 13, 出金件数 6, 出金額合計 13, 貸越区分 1,
//	             取引後残高 14, ダミー 146
//	end     (9): データ区分 1, ダミー 199
//
// A file may repeat header…trailer groups (one per account or day) before the end record.

const recordLen = 200

// field is a slice of a record by 1-based position and length, as the layouts count.
type field struct{ pos, n int }

func (f field) of(rec []byte) []byte { return rec[f.pos-1 : f.pos-1+f.n] }

var (
	hdrKind     = field{2, 2}
	hdrCode     = field{4, 1}
	d01Ref      = field{2, 6}
	d01Date     = field{8, 6}
	d01Amount   = field{20, 10}
	d01Payer    = field{50, 48}
	d01Cancel   = field{128, 1}
	t01Count    = field{2, 6}
	t01Sum      = field{8, 12}
	t01CanCount = field{20, 6}
	t01CanSum   = field{26, 12}
	d03Ref      = field{2, 8}
	d03Date     = field{10, 6}
	d03InOut    = field{22, 1}
	d03Amount   = field{25, 12}
	d03Payer    = field{82, 48}
	d03Memo     = field{160, 20}
	t03InCount  = field{2, 6}
	t03InSum    = field{8, 13}
	t03OutCount = field{21, 6}
	t03OutSum   = field{27, 13}
)

// splitRecords cuts a 全銀協 file into records: lines when it has line breaks (CR LF, LF or CR;
// a line its editor shortened by trailing spaces is padded back), else 200-byte pieces. An EOF
// mark (0x1A) and NULs at the end are ignored.
func splitRecords(data []byte) ([][]byte, error) {
	data = bytes.TrimRight(data, "\x1a\x00")
	var recs [][]byte
	if bytes.ContainsAny(data, "\r\n") {
		line := 0
		for len(data) > 0 {
			line++
			i := bytes.IndexAny(data, "\r\n")
			rec := data
			switch {
			case i < 0:
				data = nil
			case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
				rec, data = data[:i], data[i+2:]
			default:
				rec, data = data[:i], data[i+1:]
			}
			if len(bytes.TrimSpace(rec)) == 0 {
				recs = append(recs, nil) // keep line numbers true
				continue
			}
			if len(rec) > recordLen {
				return nil, errorf(line, "レコードが %d バイトです。200 バイトのはずです (record is %d bytes, not 200)", len(rec), len(rec))
			}
			if len(rec) < recordLen {
				rec = append(append([]byte(nil), rec...), bytes.Repeat([]byte{' '}, recordLen-len(rec))...)
			}
			recs = append(recs, rec)
			if len(recs) > MaxLines {
				return nil, errorf(line, "行が多すぎます (more than %d records)", MaxLines)
			}
		}
		return recs, nil
	}
	if len(data)%recordLen != 0 {
		// The last record is an end record cut short by a tool that trims trailing spaces.
		last := len(data) - len(data)%recordLen
		if data[last] != '9' {
			return nil, errorf(last/recordLen+1, "ファイルの長さ %d が 200 バイトの倍数ではありません (file length %d is not a multiple of 200)", len(data), len(data))
		}
		data = append(append([]byte(nil), data...), bytes.Repeat([]byte{' '}, recordLen-len(data)%recordLen)...)
	}
	if len(data)/recordLen > MaxLines {
		return nil, errorf(0, "行が多すぎます (more than %d records)", MaxLines)
	}
	for i := 0; i < len(data); i += recordLen {
		recs = append(recs, data[i:i+recordLen])
	}
	return recs, nil
}

// number reads an N field; blanks count as zero (some banks leave unused numbers blank).
func number(line int, name string, b []byte) (int64, error) {
	s := string(bytes.TrimSpace(b))
	if s == "" {
		return 0, nil
	}
	if !allDigits(s) {
		return 0, errorf(line, "%s が数字ではありません: %q (%s is not a number)", name, s, name)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errorf(line, "%s が大きすぎます (%s out of range)", name, name)
	}
	return n, nil
}

// text decodes a C field: JIS 8-bit and Shift_JIS agree on ASCII and half-width katakana, so
// one decoder reads both.
func text(b []byte) string {
	s, err := japanese.ShiftJIS.NewDecoder().Bytes(b)
	if err != nil {
		return cleanText(string(bytes.ToValidUTF8(b, nil)))
	}
	return cleanText(string(s))
}

// group is what one header…trailer group counted, to check its trailer against.
type group struct {
	kind                 string
	line                 int
	count, sum           int64 // 01: all data records; 03: deposits
	otherCount, otherSum int64 // 01: cancellations; 03: withdrawals
}

func parseZengin(data []byte, today document.Date) (Statement, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	recs, err := splitRecords(data)
	if err != nil {
		return Statement{}, err
	}
	st := Statement{Format: FormatZengin, Encoding: EncodingJIS, Deposits: []Deposit{}}
	var g *group
	ended := false
	for i, rec := range recs {
		line := i + 1
		if rec == nil {
			continue
		}
		if ended {
			return Statement{}, errorf(line, "エンド・レコードの後にデータがあります (records after the end record)")
		}
		for _, c := range rec {
			if c >= 0x80 && (c < 0xA1 || c > 0xDF) {
				st.Encoding = EncodingShiftJIS // a double-byte character: not 8-bit JIS
			}
		}
		switch rec[0] {
		case '1':
			if g != nil {
				return Statement{}, errorf(line, "トレーラ・レコードがないまま次のヘッダーが始まります (header before the previous group's trailer)")
			}
			kind := string(hdrKind.of(rec))
			if kind != "01" && kind != "03" {
				return Statement{}, errorf(line, "種別コード %q には対応していません。01 (振込入金通知) か 03 (入出金取引明細) です (unsupported 種別コード %q)", kind, kind)
			}
			if c := hdrCode.of(rec)[0]; c == '1' {
				return Statement{}, errorf(line, "EBCDIC のファイルには対応していません (EBCDIC files are not supported; ask the bank for JIS)")
			}
			if st.Kind != "" && st.Kind != kind {
				return Statement{}, errorf(line, "種別コードが途中で変わります (種別コード changes from %s to %s)", st.Kind, kind)
			}
			st.Kind = kind
			g = &group{kind: kind, line: line}
		case '2':
			if g == nil {
				return Statement{}, errorf(line, "ヘッダー・レコードの前にデータ・レコードがあります (data record before a header)")
			}
			dep, keep, err := zenginData(g, line, rec, today)
			if err != nil {
				return Statement{}, err
			}
			if keep {
				st.Deposits = append(st.Deposits, dep)
			}
		case '8':
			if g == nil {
				return Statement{}, errorf(line, "ヘッダー・レコードのないトレーラ・レコードです (trailer without a header)")
			}
			if err := checkTrailer(g, line, rec); err != nil {
				return Statement{}, err
			}
			g = nil
		case '9':
			if g != nil {
				return Statement{}, errorf(line, "トレーラ・レコードがありません (end record before the trailer)")
			}
			ended = true
		default:
			return Statement{}, errorf(line, "データ区分 %q は 1, 2, 8, 9 のいずれかです (unknown record type %q)", rec[0], rec[0])
		}
	}
	if st.Kind == "" {
		return Statement{}, errorf(0, "ヘッダー・レコードがありません (no header record)")
	}
	if g != nil {
		return Statement{}, errorf(0, "トレーラ・レコードがありません (the file ends without a trailer record)")
	}
	return st, nil
}

// zenginData reads a data record into g's counts and returns the deposit, if it is one.
func zenginData(g *group, line int, rec []byte, today document.Date) (Deposit, bool, error) {
	if g.kind == "01" {
		amount, err := number(line, "金額", d01Amount.of(rec))
		if err != nil {
			return Deposit{}, false, err
		}
		g.count++
		g.sum += amount
		if c := d01Cancel.of(rec)[0]; c != '0' && c != ' ' {
			g.otherCount++
			g.otherSum += amount
			return Deposit{}, false, nil // a cancellation of an earlier notice, not money in
		}
		date, err := parseYYMMDD(string(d01Date.of(rec)), today)
		if err != nil {
			return Deposit{}, false, errorf(line, "勘定日: %v", err)
		}
		if amount <= 0 {
			return Deposit{}, false, nil
		}
		return Deposit{LineNo: line, Date: date, Amount: amount, PayerName: text(d01Payer.of(rec)),
			Reference: string(bytes.TrimSpace(d01Ref.of(rec)))}, true, nil
	}
	amount, err := number(line, "取引金額", d03Amount.of(rec))
	if err != nil {
		return Deposit{}, false, err
	}
	switch d03InOut.of(rec)[0] {
	case '1':
		g.count++
		g.sum += amount
	case '2':
		g.otherCount++
		g.otherSum += amount
		return Deposit{}, false, nil // withdrawals are not payments of invoices
	default:
		return Deposit{}, false, errorf(line, "入払区分 %q は 1 (入金) か 2 (出金) です (入払区分 must be 1 or 2)", d03InOut.of(rec))
	}
	date, err := parseYYMMDD(string(d03Date.of(rec)), today)
	if err != nil {
		return Deposit{}, false, errorf(line, "勘定日: %v", err)
	}
	if amount <= 0 {
		return Deposit{}, false, nil
	}
	payer := text(d03Payer.of(rec))
	if payer == "" {
		payer = text(d03Memo.of(rec)) // cash and transfers without a name: 摘要 says what it was
	}
	return Deposit{LineNo: line, Date: date, Amount: amount, PayerName: payer,
		Reference: string(bytes.TrimSpace(d03Ref.of(rec)))}, true, nil
}

// checkTrailer compares a trailer's counts and sums with what the group's records add up to.
func checkTrailer(g *group, line int, rec []byte) error {
	type check struct {
		name string
		f    field
		want int64
	}
	var checks []check
	if g.kind == "01" {
		checks = []check{{"振込合計件数", t01Count, g.count}, {"振込合計金額", t01Sum, g.sum},
			{"取消件数", t01CanCount, g.otherCount}, {"取消金額", t01CanSum, g.otherSum}}
	} else {
		checks = []check{{"入金件数", t03InCount, g.count}, {"入金額合計", t03InSum, g.sum},
			{"出金件数", t03OutCount, g.otherCount}, {"出金額合計", t03OutSum, g.otherSum}}
	}
	for _, c := range checks {
		got, err := number(line, c.name, c.f.of(rec))
		if err != nil {
			return err
		}
		if got != c.want {
			return errorf(line, "トレーラの%sは %d ですが、データ・レコードの合計は %d です (trailer %s is %d but the records add up to %d)",
				c.name, got, c.want, c.name, got, c.want)
		}
	}
	return nil
}
