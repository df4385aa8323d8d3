package document

import (
	"errors"
	"fmt"
	"testing"

	"reportapp/internal/domain"
)

func TestKinds(t *testing.T) {
	p := Prefixes{Invoice: "I", Quote: "Q", DeliveryNote: "D", Receipt: "R", CreditNote: "C"}
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if !k.Valid() || k.Title() == string(k) || k.DefaultPrefix() == "" || DefaultPrefixes().For(k) != k.DefaultPrefix() {
			t.Errorf("kind %q: valid %v, title %q, prefix %q", k, k.Valid(), k.Title(), k.DefaultPrefix())
		}
		if seen[p.For(k)] {
			t.Errorf("Prefixes.For(%q) = %q, also returned for another kind", k, p.For(k))
		}
		seen[p.For(k)] = true
	}
	if Kind("bill").Valid() || Kind("bill").DefaultPrefix() != "" || p.For("bill") != "" {
		t.Error("an unknown kind is treated as known")
	}
	for _, s := range []Status{Draft, Issued, Cancelled} {
		if !s.Valid() {
			t.Errorf("status %q not valid", s)
		}
	}
	if Status("deleted").Valid() {
		t.Error("unknown status valid")
	}
}

func TestErrorCode(t *testing.T) {
	fe := domain.FieldErrors{}
	fe.Add("b", "second")
	fe.Add("a", "first")
	fe.Add("a", "ignored")
	err := fmt.Errorf("store: create document: %w", fe.Err())
	if domain.ErrorCode(err) != domain.EInvalid {
		t.Errorf("code = %q", domain.ErrorCode(err))
	}
	if got, want := fe.Err().Error(), "入力内容に誤りがあります (validation failed); a: first; b: second"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if domain.ErrorCode(nil) != "" || domain.ErrorCode(errors.New("x")) != domain.EInternal || (domain.FieldErrors{}).Err() != nil {
		t.Error("ErrorCode of nil or a plain error is wrong")
	}
}
