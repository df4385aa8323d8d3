package document

import (
	"encoding/json"
	"errors"
	"testing"

	"reportapp/internal/domain"
)

func TestDecodeObjectAndFields(t *testing.T) {
	type body struct {
		Name  json.RawMessage `json:"name"`
		Count json.RawMessage `json:"count"`
		Day   json.RawMessage `json:"day"`
		Flag  json.RawMessage `json:"flag"`
	}
	for _, tc := range []struct {
		in   string
		code domain.Code
	}{
		{``, domain.EBadRequest},
		{`[]`, domain.EBadRequest},
		{`null`, domain.EBadRequest},
		{`{"name":"a"} {}`, domain.EBadRequest},
		{`{"Name":"a"}`, domain.EBadRequest}, // case-insensitive match is still unknown
		{`{"other":1}`, domain.EBadRequest},
		{`{"name":`, domain.EBadRequest},
	} {
		var b body
		if got := domain.ErrorCode(DecodeObject([]byte(tc.in), &b)); got != tc.code {
			t.Errorf("DecodeObject(%q) code = %q, want %q", tc.in, got, tc.code)
		}
	}

	var b body
	if err := DecodeObject([]byte(`{"name":"","count":1.5,"day":"2026-02-30","flag":"yes"}`), &b); err != nil {
		t.Fatal(err)
	}
	f := NewFields()
	f.Required("name", b.Name)
	f.Integer("count", b.Count)
	f.Date("day", b.Day)
	f.Bool("flag", b.Flag)
	var e *domain.Error
	err := f.Err()
	if !errors.As(err, &e) || e.Code != domain.EInvalid {
		t.Fatalf("Err() = %v, want EInvalid", err)
	}
	for _, field := range []string{"name", "count", "day", "flag"} {
		if e.Fields[field] == "" {
			t.Errorf("no problem recorded for %s: %v", field, e.Fields)
		}
	}

	if err := DecodeObject([]byte(`{"name":"甲","count":3,"day":"2026-02-28","flag":true}`), &b); err != nil {
		t.Fatal(err)
	}
	f = NewFields()
	name, count, day, flag := f.Required("name", b.Name), 0, f.Date("day", b.Day), f.Bool("flag", b.Flag)
	if n, ok := f.Integer("count", b.Count); ok {
		count = int(n)
	}
	if err := f.Err(); err != nil || name != "甲" || count != 3 || day.String() != "2026-02-28" || !flag {
		t.Errorf("fields = %q %d %v %v, err %v", name, count, day, flag, err)
	}
}
