package document

import (
	"encoding/json"
	"testing"
)

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in      string
		want    Quantity
		wantErr bool
	}{
		{"3", 3000, false},
		{"1.5", 1500, false},
		{"0.125", 125, false},
		{"0.1", 100, false},
		{"0", 0, false},
		{" 2 ", 2000, false},
		{"007", 7000, false},
		{"1000000000", MaxQuantity, false},
		{"1000000000.001", 0, true},
		{"9999999999", 0, true},
		{"1.2345", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{"1e3", 0, true},
		{"abc", 0, true},
		{"", 0, true},
		{".5", 0, true},
		{"1.", 0, true},
		{"1,000", 1_000_000, false}, // thousands separator (NormalizeNumber)
		{"１", 1000, false},          // full-width
		{"１．５", 1500, false},
		{"1,5", 0, true}, // not a thousands separator: never read as 15
		{"NaN", 0, true},
		{"1.5.5", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseQuantity(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseQuantity(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseQuantity(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestQuantityString(t *testing.T) {
	tests := []struct {
		q    Quantity
		want string
	}{
		{3000, "3"}, {1500, "1.5"}, {125, "0.125"}, {100, "0.1"}, {0, "0"}, {1, "0.001"}, {MaxQuantity, "1000000000"}, {-1, "-0.001"}, {-1500, "-1.5"},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.want {
			t.Errorf("Quantity(%d).String() = %q, want %q", int64(tt.q), got, tt.want)
		}
	}
}

func TestQuantityJSON(t *testing.T) {
	var q Quantity
	for _, in := range []string{`"1.5"`, `1.5`} {
		if err := json.Unmarshal([]byte(in), &q); err != nil || q != 1500 {
			t.Errorf("Unmarshal(%s) = %d, %v; want 1500", in, q, err)
		}
	}
	for _, in := range []string{`"abc"`, `"1.2345"`, `-1`, `1e3`, `true`} {
		if err := json.Unmarshal([]byte(in), &q); err == nil {
			t.Errorf("Unmarshal(%s) accepted", in)
		}
	}
	b, err := json.Marshal(Quantity(1500))
	if err != nil || string(b) != `"1.5"` {
		t.Errorf("Marshal = %s, %v; want \"1.5\"", b, err)
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"3", "1.5", "0.125", "1.2345", "-1", "1e3", "", "1000000000", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err != nil {
			return
		}
		if q < 0 || q > MaxQuantity {
			t.Fatalf("ParseQuantity(%q) = %d out of range", s, q)
		}
		// Formatting and parsing again gives the same quantity.
		back, err := ParseQuantity(q.String())
		if err != nil || back != q {
			t.Fatalf("round trip of %q: %q → %d, %v", s, q.String(), back, err)
		}
	})
}
