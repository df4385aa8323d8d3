// Package banktest builds 全銀協 files for tests, field by field after the layouts the banks
// publish (see package bank), so tests state deposits and get the bytes a bank would send.
package banktest

import (
	"bytes"
	"fmt"

	"golang.org/x/text/encoding/japanese"
)

// Deposit is one data record to write. Date is six digits as the file carries it (和暦 YYMMDD);
// Payer is text in half-width katakana (encoded to Shift_JIS/JIS 8-bit).
type Deposit struct {
	Ref    string
	Date   string
	Amount int64
	Payer  string
	Cancel bool // 01: 取消区分 1
	Out    bool // 03: 入払区分 2 (a withdrawal)
}

// Trailer overrides the trailer's counts and sums when set (to build wrong trailers).
type Trailer struct {
	Count, Sum, OtherCount, OtherSum *int64
}

// record is a 200-byte record filled with spaces.
type record []byte

func newRecord(kind byte) record {
	r := bytes.Repeat([]byte{' '}, 200)
	r[0] = kind
	return r
}

// put writes s at the 1-based position pos, cut or padded to n bytes.
func (r record) put(pos, n int, s []byte) {
	field := bytes.Repeat([]byte{' '}, n)
	copy(field, s)
	copy(r[pos-1:pos-1+n], field)
}

// num writes n right-aligned and zero-padded.
func (r record) num(pos, width int, n int64) {
	r.put(pos, width, []byte(fmt.Sprintf("%0*d", width, n)))
}

func sjis(s string) []byte {
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("banktest: %q is not Shift_JIS: %v", s, err))
	}
	return b
}

// File builds a file of kind "01" or "03" with one header…trailer group and an end record; the
// records are joined by sep ("" for none, "\r\n" or "\n").
func File(kind string, deps []Deposit, tr Trailer, sep string) []byte {
	var recs []record
	h := newRecord('1')
	h.put(2, 2, []byte(kind))
	h.put(4, 1, []byte("0"))
	date := "081201"
	if len(deps) > 0 {
		date = deps[0].Date
	}
	h.put(5, 6, []byte(date))
	h.put(11, 6, []byte(date))
	h.put(17, 6, []byte(date))
	h.put(23, 4, []byte("0001"))
	h.put(27, 15, sjis("ﾃｽﾄｷﾞﾝｺｳ"))
	recs = append(recs, h)
	var count, sum, oCount, oSum int64
	for _, d := range deps {
		r := newRecord('2')
		if kind == "01" {
			r.num(2, 6, atoi(d.Ref))
			r.put(8, 6, []byte(d.Date))
			r.put(14, 6, []byte(d.Date))
			r.num(20, 10, d.Amount)
			r.num(30, 10, 0)
			r.put(50, 48, sjis(d.Payer))
			r.put(98, 15, sjis("ﾃｽﾄｷﾞﾝｺｳ"))
			r.put(113, 15, sjis("ﾎﾝﾃﾝ"))
			r.put(128, 1, []byte("0"))
			count++
			sum += d.Amount
			if d.Cancel {
				r.put(128, 1, []byte("1"))
				oCount++
				oSum += d.Amount
			}
		} else {
			r.num(2, 8, atoi(d.Ref))
			r.put(10, 6, []byte(d.Date))
			r.put(16, 6, []byte(d.Date))
			r.put(22, 1, []byte("1"))
			r.put(23, 2, []byte("11"))
			r.num(25, 12, d.Amount)
			r.num(37, 12, 0)
			r.put(82, 48, sjis(d.Payer))
			r.put(160, 20, sjis("ﾌﾘｺﾐ"))
			if d.Out {
				r.put(22, 1, []byte("2"))
				oCount++
				oSum += d.Amount
			} else {
				count++
				sum += d.Amount
			}
		}
		recs = append(recs, r)
	}
	pick := func(p *int64, v int64) int64 {
		if p != nil {
			return *p
		}
		return v
	}
	t := newRecord('8')
	if kind == "01" {
		t.num(2, 6, pick(tr.Count, count))
		t.num(8, 12, pick(tr.Sum, sum))
		t.num(20, 6, pick(tr.OtherCount, oCount))
		t.num(26, 12, pick(tr.OtherSum, oSum))
	} else {
		t.num(2, 6, pick(tr.Count, count))
		t.num(8, 13, pick(tr.Sum, sum))
		t.num(21, 6, pick(tr.OtherCount, oCount))
		t.num(27, 13, pick(tr.OtherSum, oSum))
	}
	recs = append(recs, t, newRecord('9'))
	var out bytes.Buffer
	for _, r := range recs {
		out.Write(r)
		out.WriteString(sep)
	}
	return out.Bytes()
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int64(c-'0')
		}
	}
	return n
}
