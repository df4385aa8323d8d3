package bank

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/japanese"

	"reportapp/internal/bank/banktest"
	"reportapp/internal/document"
)

var today = document.Date{Year: 2026, Month: time.December, Day: 15}

func date(y int, m time.Month, d int) document.Date { return document.Date{Year: y, Month: m, Day: d} }

func ptr(n int64) *int64 { return &n }

func TestParseZengin(t *testing.T) {
	deps := []banktest.Deposit{
		{Ref: "1", Date: "081210", Amount: 99890, Payer: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"},
		{Ref: "2", Date: "081211", Amount: 55000, Payer: "ｶ)ｻﾄｳｺｳｷﾞﾖｳ"},
	}
	want := []Deposit{
		{LineNo: 2, Date: date(2026, 12, 10), Amount: 99890, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", Reference: "000001"},
		{LineNo: 3, Date: date(2026, 12, 11), Amount: 55000, PayerName: "ｶ)ｻﾄｳｺｳｷﾞﾖｳ", Reference: "000002"},
	}
	want03 := []Deposit{
		{LineNo: 2, Date: date(2026, 12, 10), Amount: 99890, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ", Reference: "00000001"},
		{LineNo: 3, Date: date(2026, 12, 11), Amount: 55000, PayerName: "ｶ)ｻﾄｳｺｳｷﾞﾖｳ", Reference: "00000002"},
	}
	for _, sep := range []string{"", "\r\n", "\n"} {
		for kind, w := range map[string][]Deposit{"01": want, "03": want03} {
			data := banktest.File(kind, deps, banktest.Trailer{}, sep)
			st, err := Parse(data, Options{Today: today})
			if err != nil {
				t.Fatalf("%s sep %q: %v", kind, sep, err)
			}
			if st.Format != FormatZengin || st.Kind != kind || st.Encoding != EncodingJIS {
				t.Errorf("%s sep %q: format %s kind %s encoding %s", kind, sep, st.Format, st.Kind, st.Encoding)
			}
			if diff := cmp.Diff(w, st.Deposits); diff != "" {
				t.Errorf("%s sep %q: deposits (-want +got):\n%s", kind, sep, diff)
			}
		}
	}
}

func TestParseZenginSkipsWithdrawalsAndCancellations(t *testing.T) {
	deps := []banktest.Deposit{
		{Ref: "1", Date: "081210", Amount: 1000, Payer: "ﾀﾅｶ"},
		{Ref: "2", Date: "081210", Amount: 2000, Payer: "ﾃﾞﾝｷﾀﾞｲ", Out: true, Cancel: true},
	}
	for _, kind := range []string{"01", "03"} {
		st, err := Parse(banktest.File(kind, deps, banktest.Trailer{}, "\r\n"), Options{Today: today})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if len(st.Deposits) != 1 || st.Deposits[0].Amount != 1000 {
			t.Errorf("%s: deposits %+v, want only the 1,000 yen deposit", kind, st.Deposits)
		}
	}
}

func TestParseZenginTrailerMismatch(t *testing.T) {
	deps := []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1000, Payer: "ﾀﾅｶ"}, {Ref: "2", Date: "081210", Amount: 500, Payer: "ｽｽﾞｷ"}}
	tests := []struct {
		name string
		kind string
		tr   banktest.Trailer
		want string
	}{
		{"01 count", "01", banktest.Trailer{Count: ptr(3)}, "振込合計件数"},
		{"01 sum", "01", banktest.Trailer{Sum: ptr(1501)}, "振込合計金額"},
		{"01 cancellations", "01", banktest.Trailer{OtherCount: ptr(1)}, "取消件数"},
		{"03 count", "03", banktest.Trailer{Count: ptr(1)}, "入金件数"},
		{"03 sum", "03", banktest.Trailer{Sum: ptr(1)}, "入金額合計"},
		{"03 withdrawals", "03", banktest.Trailer{OtherSum: ptr(7)}, "出金額合計"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(banktest.File(tt.kind, deps, tt.tr, "\r\n"), Options{Today: today})
			var be *Error
			if !errors.As(err, &be) || be.Line != 4 || !strings.Contains(be.Msg, tt.want) {
				t.Fatalf("err = %v, want an error at line 4 about %s", err, tt.want)
			}
		})
	}
}

func TestParseZenginEraBoundary(t *testing.T) {
	tests := []struct {
		yymmdd string
		today  document.Date
		want   document.Date
	}{
		{"310430", date(2019, 5, 10), date(2019, 4, 30)}, // 平成31年4月30日, the last day of 平成
		{"010501", date(2019, 5, 10), date(2019, 5, 1)},  // 令和元年5月1日
		{"310501", date(2019, 5, 10), date(2019, 5, 1)},  // banks that kept writing 平成31
		{"310430", today, date(2019, 4, 30)},
		{"010501", today, date(2019, 5, 1)},
		{"081215", today, date(2026, 12, 15)},          // 令和8年
		{"261215", today, date(2026, 12, 15)},          // 西暦 26
		{"300101", date(2018, 2, 1), date(2018, 1, 1)}, // 平成30年
		{"081215", document.Date{}, date(2026, 12, 15)},
		{"310430", document.Date{}, date(2019, 4, 30)},
	}
	for _, tt := range tests {
		got, err := parseYYMMDD(tt.yymmdd, tt.today)
		if err != nil || got != tt.want {
			t.Errorf("parseYYMMDD(%s, today %s) = %s, %v; want %s", tt.yymmdd, tt.today, got, err, tt.want)
		}
	}
	for _, bad := range []string{"010430", "080230", "081301", "08121", "0812x5", "000101"} {
		if got, err := parseYYMMDD(bad, today); err == nil {
			t.Errorf("parseYYMMDD(%s) = %s, want an error", bad, got)
		}
	}
	// Across the boundary in one file.
	deps := []banktest.Deposit{{Ref: "1", Date: "310430", Amount: 1000, Payer: "ﾀﾅｶ"}, {Ref: "2", Date: "010501", Amount: 2000, Payer: "ﾀﾅｶ"}}
	st, err := Parse(banktest.File("01", deps, banktest.Trailer{}, ""), Options{Today: date(2019, 5, 7)})
	if err != nil {
		t.Fatal(err)
	}
	if st.Deposits[0].Date != date(2019, 4, 30) || st.Deposits[1].Date != date(2019, 5, 1) {
		t.Errorf("dates %s, %s", st.Deposits[0].Date, st.Deposits[1].Date)
	}
}

func TestParseZenginShiftJIS(t *testing.T) {
	// A bank that writes the 口座名 in full-width Shift_JIS: the record is still 200 bytes.
	data := banktest.File("01", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1000, Payer: "ﾀﾅｶ ﾀﾛｳ"}}, banktest.Trailer{}, "\r\n")
	name, _ := japanese.ShiftJIS.NewEncoder().Bytes([]byte("山田商事"))
	copy(data[67:], name) // 口座名 C(40) at position 68
	st, err := Parse(data, Options{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if st.Encoding != EncodingShiftJIS || st.Deposits[0].PayerName != "ﾀﾅｶ ﾀﾛｳ" {
		t.Errorf("encoding %s payer %q", st.Encoding, st.Deposits[0].PayerName)
	}
}

func TestParseZenginErrors(t *testing.T) {
	good := banktest.File("01", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1000, Payer: "ﾀﾅｶ"}}, banktest.Trailer{}, "\n")
	lines := strings.Split(strings.TrimSuffix(string(good), "\n"), "\n")
	tests := []struct {
		name string
		data string
		line int
	}{
		{"unsupported kind", strings.Replace(string(good), "101", "121", 1), 1},
		{"no trailer", strings.Join([]string{lines[0], lines[1], lines[3]}, "\n"), 3},
		{"data before header", strings.Join(lines[1:], "\n"), 1},
		{"long record", lines[0] + "x\n" + strings.Join(lines[1:], "\n"), 1},
		{"bad amount", strings.Join([]string{lines[0], lines[1][:19] + "00000x1000" + lines[1][29:], lines[2], lines[3]}, "\n"), 2},
		{"bad date", strings.Join([]string{lines[0], lines[1][:7] + "081340" + lines[1][13:], lines[2], lines[3]}, "\n"), 2},
		{"odd length", string(bytes.ReplaceAll(good, []byte("\n"), nil))[:450], 3},
		{"unknown record", strings.Join([]string{lines[0], "5" + lines[1][1:], lines[2], lines[3]}, "\n"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), Options{Format: FormatZengin, Today: today})
			var be *Error
			if !errors.As(err, &be) || be.Line != tt.line {
				t.Fatalf("err = %v, want an *Error at line %d", err, tt.line)
			}
		})
	}
}

func TestParseZenginTrimmedLines(t *testing.T) {
	// An editor that strips trailing spaces, and an EOF mark.
	data := banktest.File("03", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1000, Payer: "ﾀﾅｶ"}}, banktest.Trailer{}, "\r\n")
	var b bytes.Buffer
	for _, l := range bytes.Split(data, []byte("\r\n")) {
		b.Write(bytes.TrimRight(l, " "))
		b.WriteString("\r\n")
	}
	b.WriteByte(0x1a)
	st, err := Parse(b.Bytes(), Options{Today: today})
	if err != nil || len(st.Deposits) != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
}
