package document

import (
	"strings"
	"testing"

	"reportapp/internal/domain"
)

func TestCheckRegistrationNumber(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		wantErr     bool
		wantWarning bool
	}{
		{"not registered", "", false, false},
		{"JP-INVOICE worked example", "T7123456789012", false, false},
		{"JP-INVOICE second example", "T4011001098993", false, false},
		{"check digit 9 (sum divisible by 9)", "T9000000000000", false, false},
		{"wrong check digit", "T1123456789012", false, true},
		{"another wrong check digit", "T5011001098993", false, true},
		{"missing T", "7123456789012", true, false},
		{"lower-case t", "t7123456789012", true, false},
		{"too short", "T712345678901", true, false},
		{"too long", "T71234567890123", true, false},
		{"letters", "T71234567890AB", true, false},
		{"full-width digits", "T７１２３４５６７８９０１２", true, false},
		{"full-width T", "Ｔ7123456789012", true, false},
		{"spaces", "T 7123456789012", true, false},
		{"hyphenated", "T7-1234-5678-9012", true, false},
		{"only T", "T", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warning, err := CheckRegistrationNumber(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckRegistrationNumber(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil && domain.ErrorCode(err) != domain.EInvalid {
				t.Errorf("error code = %q, want %q", domain.ErrorCode(err), domain.EInvalid)
			}
			if (warning != "") != tt.wantWarning {
				t.Errorf("warning = %q, want a warning: %v", warning, tt.wantWarning)
			}
			if warning != "" && (!strings.Contains(warning, "チェックディジット") || !strings.Contains(warning, "check digit")) {
				t.Errorf("warning %q is not in Japanese and English", warning)
			}
		})
	}
}

func TestRegistrationCheckDigit(t *testing.T) {
	// Exactly one of the ten first digits is accepted for any base.
	for _, base := range []string{"123456789012", "011001098993", "000000000000", "999999999999"} {
		accepted := 0
		for c := '0'; c <= '9'; c++ {
			w, err := CheckRegistrationNumber("T" + string(c) + base)
			if err != nil {
				t.Fatalf("base %s: %v", base, err)
			}
			if w == "" {
				accepted++
			}
		}
		if accepted != 1 {
			t.Errorf("base %s: %d check digits accepted, want 1", base, accepted)
		}
	}
}

func FuzzCheckRegistrationNumber(f *testing.F) {
	for _, s := range []string{"", "T7123456789012", "T4011001098993", "T1123456789012", "T７１２", "T", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := CheckRegistrationNumber(s)
		if err != nil && w != "" {
			t.Fatalf("both an error and a warning for %q", s)
		}
		if err == nil && s != "" && (len(s) != 14 || s[0] != 'T') {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		prefix string
		seq    int64
		want   string
	}{
		{"INV-", 1, "INV-0001"},
		{"INV-", 42, "INV-0042"},
		{"QUO-", 9999, "QUO-9999"},
		{"QUO-", 10000, "QUO-10000"},
		{"", 7, "0007"},
		{"2025/", 123456, "2025/123456"},
	}
	for _, tt := range tests {
		if got := FormatNumber(tt.prefix, tt.seq); got != tt.want {
			t.Errorf("FormatNumber(%q, %d) = %q, want %q", tt.prefix, tt.seq, got, tt.want)
		}
	}
}
