package auth

import (
	"strings"
	"testing"
)

func TestHashAndVerifyPassword(t *testing.T) {
	h, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=4$") {
		t.Fatalf("hash %q lacks the argon2id PHC prefix", h)
	}
	h2, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	tests := []struct {
		pw   string
		want bool
	}{
		{"correct horse battery", true},
		{"correct horse batterY", false},
		{"", false},
	}
	for _, tt := range tests {
		ok, err := verifyPassword(tt.pw, h)
		if err != nil || ok != tt.want {
			t.Errorf("verifyPassword(%q) = %v, %v; want %v, nil", tt.pw, ok, err, tt.want)
		}
	}
}

func TestVerifyPasswordMalformedHash(t *testing.T) {
	good, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for _, bad := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$" + strings.Join(parts[3:], "$"),
		"$argon2id$v=19$m=99999999,t=1,p=4$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=65536,t=1,p=4$!!$" + parts[5],
		"$argon2id$v=19$m=65536,t=1,p=4$" + parts[4] + "$",
	} {
		ok, err := verifyPassword("correct horse battery", bad)
		if ok || err == nil {
			t.Errorf("verifyPassword with hash %q = %v, %v; want false, error", bad, ok, err)
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		pw     string
		wantOK bool
	}{
		{"short", false},
		{"12345678901", false},
		{"123456789012", true},
		{"日本語のパスワードです十二", true}, // 13 runes
		{"日本語のパス", false},       // 6 runes, 18 bytes
		{"\xff\xfe23456789012", false},
		{strings.Repeat("a", 2000), false},
	}
	for _, tt := range tests {
		if got := checkPasswordPolicy(tt.pw) == ""; got != tt.wantOK {
			t.Errorf("checkPasswordPolicy(%q) ok = %v, want %v", tt.pw, got, tt.wantOK)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("pw", "$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5")
	f.Add("", "$$$$$")
	f.Fuzz(func(t *testing.T, pw, encoded string) {
		_, _ = verifyPassword(pw, encoded) // must not panic
	})
}
