package domain

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestCodeStatus(t *testing.T) {
	seen := map[int]Code{}
	for _, c := range Codes() {
		st := c.Status()
		if st < 400 || st > 599 {
			t.Errorf("%s: status %d is not an error", c, st)
		}
		// registration_number_missing is a validation failure (422) the issue names by its own
		// code, so a client can send the user to the settings rather than to a field.
		if c == ERegistrationMissing && st == EInvalid.Status() {
			continue
		}
		if other, dup := seen[st]; dup {
			t.Errorf("%s and %s share status %d: one condition, one code", c, other, st)
		}
		seen[st] = c
	}
	if got := Code("no_such_code").Status(); got != http.StatusInternalServerError {
		t.Errorf("unknown code: status %d, want 500", got)
	}
}

func TestErrorCode(t *testing.T) {
	wrapped := fmt.Errorf("store: x: %w", Errorf(ENotFound, "gone"))
	for _, tt := range []struct {
		err  error
		want Code
	}{{nil, ""}, {errors.New("boom"), EInternal}, {wrapped, ENotFound}, {(FieldErrors{"a": "b"}).Err(), EInvalid}} {
		if got := ErrorCode(tt.err); got != tt.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if (FieldErrors{}).Err() != nil {
		t.Error("no field problems must be no error")
	}
}

func TestPageSize(t *testing.T) {
	for limit, want := range map[int]int{-1: DefaultPageLimit, 0: DefaultPageLimit, 1: 1, 500: 500, 501: MaxPageLimit} {
		if got := (Page{Limit: limit}).Size(); got != want {
			t.Errorf("Page{Limit: %d}.Size() = %d, want %d", limit, got, want)
		}
	}
}

func TestRoles(t *testing.T) {
	if !RoleAdmin.AtLeast(RoleViewer) || RoleViewer.AtLeast(RoleMember) || Role("root").AtLeast(RoleViewer) {
		t.Error("role order is admin > member > viewer, unknown allows nothing")
	}
	if MinRole(RoleAdmin, RoleViewer) != RoleViewer || MinRole(RoleMember, RoleAdmin) != RoleMember {
		t.Error("MinRole must return the weaker role")
	}
}

func TestSizeText(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 900: "900 B", 1024: "1 KB", 3 << 20: "3 MB", 8 << 20: "8 MB",
		1536 << 20: "1.5 GB", 1 << 30: "1 GB", 1048577: "1 MB", 1100000: "1 MB", 1200000: "1.1 MB"} {
		if got := SizeText(n); got != want {
			t.Errorf("SizeText(%d) = %q, want %q", n, got, want)
		}
	}
}
