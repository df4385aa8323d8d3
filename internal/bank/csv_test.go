package bank

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/japanese"
)

func sjis(t *testing.T, s string) []byte {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCSV(t *testing.T) {
	two := []Deposit{
		{LineNo: 2, Date: date(2026, 12, 10), Amount: 99890, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"},
		{LineNo: 4, Date: date(2026, 12, 11), Amount: 55000, PayerName: "ｶ)ｻﾄｳｺｳｷﾞﾖｳ"},
	}
	mufg := "日付,摘要,摘要内容,支払い金額,預かり金額,差引残高\r\n" // not our names: needs columns
	tests := []struct {
		name     string
		data     []byte
		columns  string
		encoding string
		want     []Deposit
	}{
		{"UTF-8 with 入金 and 出金 columns", []byte("日付,摘要,出金,入金,残高\n2026/12/10,ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ,,\"99,890\",100000\n2026/12/10,ﾃﾞﾝｷﾀﾞｲ,5000,,95000\n2026/12/11,ｶ)ｻﾄｳｺｳｷﾞﾖｳ,,55000,150000\n"),
			"", EncodingUTF8, two},
		{"UTF-8 BOM, お取引内容 and お預り金額", append([]byte{0xEF, 0xBB, 0xBF}, []byte("取引日,お取引内容,お引出金額,お預り金額(円)\n2026-12-10,ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ,,99890\n2026-12-10,ATM,10000,\n2026年12月11日,ｶ)ｻﾄｳｺｳｷﾞﾖｳ,,\"55,000円\"\n")...),
			"", EncodingUTF8, two},
		{"Shift_JIS, 勘定日, 入金金額 and 振込依頼人", sjis(t, "勘定日,振込依頼人,入金金額,出金金額\r\nR8.12.10,ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ,99890,\r\n令和8年12月10日,ｼﾔｶｲﾎｹﾝ,,30000\r\n20261211,ｶ)ｻﾄｳｺｳｷﾞﾖｳ,５５０００,\r\n"),
			"", EncodingShiftJIS, two},
		{"kind and amount columns", []byte("年月日,入出金区分,金額,内容\n2026/12/10,入金,99890,ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ\n2026/12/10,出金,5000,ﾃﾞﾝｷﾀﾞｲ\n2026/12/11,入金,55000,ｶ)ｻﾄｳｺｳｷﾞﾖｳ\n"),
			"", EncodingUTF8, two},
		{"account lines above the header", []byte("口座,普通 1234567\n期間,2026/12/01～2026/12/31\n日付,摘要,出金,入金\n2026/12/10,ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ,,99890\n"),
			"", EncodingUTF8, []Deposit{{LineNo: 4, Date: date(2026, 12, 10), Amount: 99890, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"}}},
		{"columns given", []byte(mufg + "2026/12/10,振込,ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ,,99890,1\r\n2026/12/10,ATM,,3000,,1\r\n2026/12/11,振込,ｶ)ｻﾄｳｺｳｷﾞﾖｳ,,55000,1\r\n"),
			"date:1,amount:5,payer:3", EncodingUTF8,
			[]Deposit{{LineNo: 2, Date: date(2026, 12, 10), Amount: 99890, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"}, {LineNo: 4, Date: date(2026, 12, 11), Amount: 55000, PayerName: "ｶ)ｻﾄｳｺｳｷﾞﾖｳ"}}},
		{"columns given, no header", []byte("2026/12/10,ﾀﾅｶ,1000\n"), "date:1,amount:3,payer:2", EncodingUTF8,
			[]Deposit{{LineNo: 1, Date: date(2026, 12, 10), Amount: 1000, PayerName: "ﾀﾅｶ"}}},
		{"negative amounts are withdrawals", []byte("日付,金額,摘要\n2026/12/10,-5000,ﾃﾞﾝｷﾀﾞｲ\n2026/12/10,△100,ﾃｽｳﾘﾖｳ\n2026/12/11,1000,ﾀﾅｶ\n"), "", EncodingUTF8,
			[]Deposit{{LineNo: 4, Date: date(2026, 12, 11), Amount: 1000, PayerName: "ﾀﾅｶ"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := Parse(tt.data, Options{Today: today, Columns: tt.columns})
			if err != nil {
				t.Fatal(err)
			}
			if st.Format != FormatCSV || st.Encoding != tt.encoding {
				t.Errorf("format %s encoding %s, want csv %s", st.Format, st.Encoding, tt.encoding)
			}
			if diff := cmp.Diff(tt.want, st.Deposits); diff != "" {
				t.Errorf("deposits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		columns string
		line    int
	}{
		{"no header", "a,b,c\n1,2,3\n", "", 0},
		{"bad amount", "日付,入金,摘要\n2026/12/10,12x,ﾀﾅｶ\n", "", 2},
		{"bad date", "日付,入金,摘要\n2026/13/10,100,ﾀﾅｶ\n", "", 2},
		{"bad columns", "x\n", "date:0,amount:1", 0},
		{"columns without amount", "x\n", "date:1", 0},
		{"unknown column key", "x\n", "date:1,amount:2,foo:3", 0},
		{"amount too large", "日付,入金,摘要\n2026/12/10,1234567890123456,ﾀﾅｶ\n", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), Options{Format: FormatCSV, Today: today, Columns: tt.columns})
			var be *Error
			if !errors.As(err, &be) || be.Line != tt.line {
				t.Fatalf("err = %v, want an *Error at line %d", err, tt.line)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	if got := Detect([]byte("日付,入金\n")); got != FormatCSV {
		t.Errorf("csv detected as %s", got)
	}
	if got := Detect([]byte("101,2,3\n")); got != FormatCSV {
		t.Errorf("a CSV starting with 101, detected as %s", got)
	}
}
