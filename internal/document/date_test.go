package document

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"2025-04-01", Date{2025, time.April, 1}, false},
		{"2024-02-29", Date{2024, time.February, 29}, false},
		{"2025-02-29", Date{}, true}, // not a leap year
		{"2025-02-30", Date{}, true},
		{"2025-13-01", Date{}, true},
		{"2025-04-31", Date{}, true},
		{"2025-00-10", Date{}, true},
		{"2025-4-1", Date{}, true},
		{"2025/04/01", Date{}, true},
		{"1899-12-31", Date{}, true},
		{"0000-01-01", Date{}, true},
		{"2025-04-01T00:00:00Z", Date{}, true},
		{"", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDateFormat(t *testing.T) {
	d := Date{2025, time.April, 1}
	if got := d.String(); got != "2025-04-01" {
		t.Errorf("String = %q", got)
	}
	if got := d.Japanese(); got != "2025年4月1日" {
		t.Errorf("Japanese = %q", got)
	}
	if got := (Date{}).String(); got != "" {
		t.Errorf("zero String = %q", got)
	}
	b, err := json.Marshal(struct {
		A Date  `json:"a"`
		B Date  `json:"b"`
		C *Date `json:"c"`
	}{A: d})
	if err != nil || string(b) != `{"a":"2025-04-01","b":null,"c":null}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
}

func TestDateValid(t *testing.T) {
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2025, time.April, 1}, true},
		{Date{2025, time.February, 29}, false},
		{Date{2025, 13, 1}, false},
		{Date{1899, time.January, 1}, false},
		{Date{}, false},
	}
	for _, tt := range tests {
		if got := tt.d.Valid(); got != tt.want {
			t.Errorf("%+v.Valid() = %v, want %v", tt.d, got, tt.want)
		}
	}
}

func TestToday(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	// 2025-03-31 20:00 UTC is already April 1st in Tokyo.
	now := time.Date(2025, time.March, 31, 20, 0, 0, 0, time.UTC)
	if diff := cmp.Diff(Date{2025, time.April, 1}, Today(now, tokyo)); diff != "" {
		t.Errorf("Today (-want +got):\n%s", diff)
	}
}

func TestDateUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{`"2025-04-01"`, Date{2025, time.April, 1}, false},
		{`null`, Date{}, false},
		{`""`, Date{}, false},
		{`"2025-02-30"`, Date{}, true},
		{`20250401`, Date{}, true},
	}
	for _, tt := range tests {
		var d Date
		err := json.Unmarshal([]byte(tt.in), &d)
		if (err != nil) != tt.wantErr || d != tt.want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %v, error %v", tt.in, d, err, tt.want, tt.wantErr)
		}
	}
}
