package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func TestAdminOperations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := mustEnv(t, db, nil)
		admin := mustMember(t, db, "acme", "admin@example.co.jp", domain.RoleAdmin)
		viewer := mustMember(t, db, "acme", "viewer@example.co.jp", domain.RoleViewer)
		other := mustMember(t, db, "other", "boss@other.example", domain.RoleAdmin)

		if _, err := e.svc.Invite(ctx, viewer, "x@example.co.jp", domain.RoleMember); domain.ErrorCode(err) != domain.EForbidden {
			t.Errorf("viewer invites: %v, want forbidden", err)
		}
		inv, err := e.svc.Invite(ctx, admin, "New@example.co.jp", domain.RoleMember)
		if err != nil || inv.User.Email != "new@example.co.jp" {
			t.Fatalf("Invite = %+v, %v", inv, err)
		}
		// A new address gets its temporary password from the admin's reset.
		temp, err := e.svc.ResetPassword(ctx, admin, inv.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		c := e.mustClient(t)
		if r := c.post("/login", url.Values{"email": {"new@example.co.jp"}, "password": {temp}}); r.status != http.StatusSeeOther {
			t.Errorf("login with the temporary password = %d", r.status)
		}
		if _, err := e.svc.Invite(ctx, admin, "new@example.co.jp", domain.RoleViewer); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("invite a member again: %v, want conflict", err)
		}
		// The other company's admin invites our admin: a membership, but no password handed over.
		if _, err := e.svc.Invite(ctx, other, "admin@example.co.jp", domain.RoleViewer); err != nil {
			t.Fatalf("invite an existing user: %v", err)
		}
		// …and cannot reset the password of someone who also belongs to acme.
		if _, err := e.svc.ResetPassword(ctx, other, admin.UserID); domain.ErrorCode(err) != domain.EForbidden {
			t.Errorf("cross-company reset: %v, want forbidden", err)
		}
		if _, err := e.svc.ResetPassword(ctx, admin, other.UserID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("reset a non-member: %v, want not found", err)
		}
		pw, err := e.svc.ResetPassword(ctx, admin, viewer.UserID)
		if err != nil || len(pw) < MinPasswordLength {
			t.Fatalf("ResetPassword = %q, %v", pw, err)
		}
		if r := e.mustClient(t).post("/login", url.Values{"email": {"viewer@example.co.jp"}, "password": {pw}}); r.status != http.StatusSeeOther {
			t.Errorf("login with the reset password = %d", r.status)
		}
		// The last admin stays.
		if err := e.svc.RemoveMember(ctx, admin, admin.UserID); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("remove last admin: %v, want conflict", err)
		}
		if err := e.svc.ChangeRole(ctx, admin, admin.UserID, domain.RoleMember); domain.ErrorCode(err) != domain.EConflict {
			t.Errorf("demote last admin: %v, want conflict", err)
		}
		if err := e.svc.ChangeRole(ctx, admin, viewer.UserID, domain.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangeRole(ctx, admin, admin.UserID, domain.RoleMember); err != nil {
			t.Errorf("demote one of two admins: %v", err)
		}
		// An admin acts only in their own organisation.
		if err := e.svc.RemoveMember(ctx, other, viewer.UserID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("remove a member of another organisation: %v, want not found", err)
		}
		demoted := admin
		demoted.Role = domain.RoleMember
		if _, err := e.svc.AllowDomain(ctx, demoted, "example.co.jp", domain.RoleViewer); domain.ErrorCode(err) != domain.EForbidden {
			t.Errorf("demoted admin allows a domain: %v, want forbidden", err)
		}
		if _, err := e.svc.AllowDomain(ctx, other, "not a domain", domain.RoleViewer); domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("allow an invalid domain: %v, want invalid", err)
		}
	})
}

func TestBearerMiddleware(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := mustEnv(t, db, nil)
		p := mustMember(t, db, "acme", "taro@example.co.jp", domain.RoleMember)
		plain, tok, err := db.CreateToken(context.Background(), p.OrgID, p.UserID, "ci", domain.RoleViewer)
		if err != nil {
			t.Fatal(err)
		}
		h := e.svc.BearerMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, ok := PrincipalFrom(r.Context())
			if !ok {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			if got.TokenID != tok.ID || got.Role != domain.RoleViewer || got.OrgID != p.OrgID {
				t.Errorf("principal = %+v", got)
			}
		}))
		for _, tt := range []struct {
			header string
			want   int
		}{
			{"Bearer " + plain, http.StatusOK},
			{"", http.StatusNoContent},
			{"Bearer rpt_wrong", http.StatusUnauthorized},
			{"Basic dXNlcjpwYXNz", http.StatusUnauthorized},
		} {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/documents", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			req.Header.Set("Origin", "https://elsewhere.example") // no cookies, so no CSRF concern
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("Authorization %q = %d, want %d", tt.header, rec.Code, tt.want)
			}
		}
		// A request whose deadline passed while waiting for the database is load, not a
		// fault: 503 with Retry-After, never 500.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest(http.MethodGet, "/api/v1/documents", nil).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+plain)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("cancelled request = %d (Retry-After %q), want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
		}
	})
}
