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
		pw   string
		want passwordProblem // 0: acceptable
	}{
		{"short", passwordTooShort},
		{"12345678901", passwordTooShort},
		{"123456789012", 0},
		{"日本語のパスワードです十二", 0},         // 13 runes
		{"日本語のパス", passwordTooShort}, // 6 runes, 18 bytes
		{"\xff\xfe23456789012", passwordBadChars},
		{strings.Repeat("a", 2000), passwordTooLong},
	}
	for _, tt := range tests {
		if got, ok := checkPasswordPolicy(tt.pw); got != tt.want || ok != (tt.want == 0) {
			t.Errorf("checkPasswordPolicy(%q) = %v, %v; want %v", tt.pw, got, ok, tt.want)
		}
	}
	// The command line's error says the same in both languages; the pages get the length.
	if _, err := HashNewPassword("short"); err == nil || !strings.Contains(err.Error(), "12文字以上") || !strings.Contains(err.Error(), "at least 12") {
		t.Errorf("HashNewPassword(short) = %v, want the minimum length in both languages", err)
	}
	if got := passwordTooShort.text(); got.Key != "auth.password.too_short" || len(got.Args) != 1 || got.Args[0] != MinPasswordLength {
		t.Errorf("too short as a page text = %+v", got)
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add("pw", "$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5")
	f.Add("", "$$$$$")
	f.Fuzz(func(t *testing.T, pw, encoded string) {
		_, _ = verifyPassword(pw, encoded) // must not panic
	})
}
