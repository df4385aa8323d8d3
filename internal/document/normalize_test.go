package document

import (
	"testing"
)

func TestNormalizeNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12000", "12000"},
		{"１２０００", "12000"},
		{"１．５", "1.5"},
		{"100,000", "100000"},
		{"１００，０００", "100000"},
		{"１０００００", "100000"},
		{"¥1,200", "1200"},
		{"￥１，２００", "1200"},
		{"1200円", "1200"},
		{" 1 200 ", "1200"},
		{"－５００", "-500"},
		{"−500", "-500"},
		{"1,5", "1,5"},       // a decimal comma is not a separator: refused later, never 15
		{"1,0000", "1,0000"}, // nor is a comma before four digits
		{"12,345,678", "12345678"},
		{"abc", "abc"},
	}
	for _, tt := range tests {
		if got := NormalizeNumber(tt.in); got != tt.want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeCodes(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"registration", NormalizeRegistrationNumber, "Ｔ４０１１００１０１４５１５", "T4011001014515"},
		{"registration lower case and spaces", NormalizeRegistrationNumber, " ｔ4011 0010 14515 ", "T4011001014515"},
		{"registration hyphens", NormalizeRegistrationNumber, "T4011-0010-14515", "T4011001014515"},
		{"postal code", NormalizeCode, "１００－０００１", "100-0001"},
		{"postal code long vowel", NormalizeCode, "100ー0001", "100-0001"},
		{"phone", NormalizeCode, "０３（１２３４）５６７８", "03(1234)5678"},
		{"peppol", NormalizeCode, "０１８８：４０１１００１０１４５１５", "0188:4011001014515"},
		{"number", NormalizeCode, "ＩＮＶ－０００１", "INV-0001"},
		{"date", NormalizeCode, "２０２６－１１－２７", "2026-11-27"},
		{"kept", NormalizeCode, "abc", "abc"},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("%s: %q → %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestParseYen(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"１２０００", 12000, false},
		{"¥1,200", 1200, false},
		{"1200円", 1200, false},
		{"-500", -500, false},
		{"1.5", 0, true},
		{"1,5", 0, true},
		{"", 0, true},
		{"10000000000001", 0, true}, // beyond MaxAmount
	}
	for _, tt := range tests {
		got, err := ParseYen(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseYen(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestValidateNormalisesCodesNotText: validation brings a customer's and an organisation's
// codes to ASCII and leaves the free text alone.
func TestValidateNormalisesCodesNotText(t *testing.T) {
	c := Customer{Counterparty: Counterparty{Name: "株式会社ＡＢＣ", Address: "東京都千代田区１－１",
		PostalCode: "１００－０００１", RegistrationNumber: "Ｔ７１２３４５６７８９０１２"}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.RegistrationNumber != "T7123456789012" || c.PostalCode != "100-0001" || c.RegistrationWarning != "" {
		t.Errorf("codes %q %q (warning %q)", c.RegistrationNumber, c.PostalCode, c.RegistrationWarning)
	}
	if c.Name != "株式会社ＡＢＣ" || c.Address != "東京都千代田区１－１" {
		t.Errorf("free text changed: %q %q", c.Name, c.Address)
	}
	o := Organization{Issuer: Issuer{Name: "株式会社ＸＹＺ", RegistrationNumber: "ｔ７１２３４５６７８９０１２", Phone: "０３－１２３４－５６７８"},
		NumberPrefixes: Prefixes{Invoice: "ＩＮＶ－"}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.RegistrationNumber != "T7123456789012" || o.Phone != "03-1234-5678" || o.NumberPrefixes.Invoice != "INV-" || o.Name != "株式会社ＸＹＺ" {
		t.Errorf("organisation %q %q %q %q", o.RegistrationNumber, o.Phone, o.NumberPrefixes.Invoice, o.Name)
	}
}
