package store_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// The contract suite: every test runs on SQLite and, when configured, on PostgreSQL
// (storetest.Each), each on its own fresh database.

func mustOrg(t testing.TB, db *store.DB, slug string) document.Organization {
	t.Helper()
	org, err := db.CreateOrganization(context.Background(), slug, "株式会社"+slug)
	if err != nil {
		t.Fatalf("CreateOrganization(%q): %v", slug, err)
	}
	return storetest.MustRegister(t, db, org)
}

func mustUser(t testing.TB, db *store.DB, email string) domain.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), email, "User "+email)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func mustMember(t testing.TB, db *store.DB, orgID, email string, role domain.Role) domain.User {
	t.Helper()
	u := mustUser(t, db, email)
	if err := db.SetMember(context.Background(), orgID, u.ID, role); err != nil {
		t.Fatalf("SetMember: %v", err)
	}
	return u
}

func mustCustomer(t testing.TB, db *store.DB, orgID, name string) document.Customer {
	t.Helper()
	c, err := db.CreateCustomer(context.Background(), orgID, document.Customer{Counterparty: document.Counterparty{
		Name: name, Honorific: document.HonorificOnchu, Address: "東京都千代田区1-1", ContactPerson: "山田 太郎",
	}})
	if err != nil {
		t.Fatalf("CreateCustomer(%q): %v", name, err)
	}
	return c
}

func mustDate(t testing.TB, s string) document.Date {
	t.Helper()
	d, err := document.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

// lines returns n 10% lines; their totals are computed here as the web layer would.
func lines(n int) ([]document.Item, document.Totals) {
	items := make([]document.Item, n)
	var net int64
	for i := range items {
		price := int64(1000 * (i + 1))
		items[i] = document.Item{Name: fmt.Sprintf("作業 %d", i+1), Quantity: 1500, Unit: "時間",
			UnitPrice: price, TaxRate: document.RateStandard, TaxCategory: document.CategoryStandard, Amount: price * 3 / 2}
		net += items[i].Amount
	}
	tax := net / 10
	return items, document.Totals{ByRate: []document.RateTotal{{Rate: 10, Net: net, Tax: tax, Gross: net + tax, Category: document.CategoryStandard}},
		Net: net, Tax: tax, Gross: net + tax, AmountDue: net + tax}
}

func newDraft(t testing.TB, customerID string, kind document.Kind, date, subject string, nLines int) document.Document {
	t.Helper()
	items, totals := lines(nLines)
	return document.Document{Kind: kind, CustomerID: customerID, IssueDate: mustDate(t, date),
		Subject: subject, TaxRounding: document.Floor, Items: items, Totals: totals}
}

func mustCreateDoc(t testing.TB, db *store.DB, orgID string, d document.Document) document.Document {
	t.Helper()
	out, err := db.CreateDocument(context.Background(), orgID, "tester", d)
	if err != nil {
		t.Fatalf("CreateDocument: %v", err)
	}
	return out
}

func mustIssue(t testing.TB, db *store.DB, orgID, id string) document.Document {
	t.Helper()
	out, err := db.IssueDocument(context.Background(), orgID, "tester", id)
	if err != nil {
		t.Fatalf("IssueDocument: %v", err)
	}
	return out
}

// wantCode fails unless err carries the domain error code want.
func wantCode(t testing.TB, what string, err error, want domain.Code) {
	t.Helper()
	if got := domain.ErrorCode(err); got != want {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, want)
	}
}

func wantField(t testing.TB, what string, err error, field string) {
	t.Helper()
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.EInvalid || e.Fields[field] == "" {
		t.Errorf("%s: error %v, want EInvalid on field %q", what, err, field)
	}
}

func encode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

const unknownID = "01890a5d-ac96-774b-bcce-b302099a8057"

func TestOrganizations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		if org.DefaultTaxRounding != document.Floor || org.NumberPrefixes != document.DefaultPrefixes() {
			t.Errorf("new organization defaults: %+v", org)
		}
		_, err := db.CreateOrganization(ctx, "acme", "other")
		wantCode(t, "duplicate slug", err, domain.EConflict)

		got, err := db.GetOrganization(ctx, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(org, got); diff != "" {
			t.Errorf("GetOrganization (-created +got):\n%s", diff)
		}
		bySlug, err := db.GetOrganizationBySlug(ctx, "acme")
		if err != nil || bySlug.ID != org.ID {
			t.Errorf("GetOrganizationBySlug = %v, %v", bySlug.ID, err)
		}

		org.Issuer = document.Issuer{Name: "株式会社アクメ", RegistrationNumber: "T4011001098993", PostalCode: "100-0001",
			Address: "東京都千代田区", Phone: "03-0000-0000", Email: "info@example.com", BankAccount: "みずほ 普通 1234567"}
		org.DefaultTaxRounding = document.HalfUp
		org.NumberPrefixes.Invoice = "A-"
		org.Slug = "renamed" // not changed by UpdateOrganization
		updated, err := db.UpdateOrganization(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Issuer != org.Issuer || updated.DefaultTaxRounding != document.HalfUp ||
			updated.NumberPrefixes.Invoice != "A-" || updated.Slug != "acme" {
			t.Errorf("UpdateOrganization returned %+v", updated)
		}

		steps := []struct {
			name       string
			logo, seal []byte
			wantLogo   []byte
			wantSeal   []byte
		}{
			{"set both", []byte("logo1"), []byte("seal1"), []byte("logo1"), []byte("seal1")},
			{"nil keeps", nil, []byte("seal2"), []byte("logo1"), []byte("seal2")},
			{"empty clears", []byte{}, nil, nil, []byte("seal2")},
		}
		for _, s := range steps {
			if err := db.SetOrganizationImages(ctx, org.ID, s.logo, s.seal); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			got, err := db.GetOrganization(ctx, org.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Logo, s.wantLogo) || !slices.Equal(got.Seal, s.wantSeal) {
				t.Errorf("%s: logo %q seal %q, want %q %q", s.name, got.Logo, got.Seal, s.wantLogo, s.wantSeal)
			}
		}

		for _, id := range []string{unknownID, "not-an-id", "'; DROP TABLE organizations; --", ""} {
			_, err := db.GetOrganization(ctx, id)
			wantCode(t, "GetOrganization("+id+")", err, domain.ENotFound)
			err = db.SetOrganizationImages(ctx, id, []byte("x"), nil)
			wantCode(t, "SetOrganizationImages("+id+")", err, domain.ENotFound)
			_, err = db.UpdateOrganization(ctx, document.Organization{ID: id})
			wantCode(t, "UpdateOrganization("+id+")", err, domain.ENotFound)
		}
		_, err = db.GetOrganizationBySlug(ctx, "nope")
		wantCode(t, "GetOrganizationBySlug(nope)", err, domain.ENotFound)
	})
}

func TestRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r, o    domain.Role
		valid   bool
		atLeast bool
	}{
		{domain.RoleAdmin, domain.RoleAdmin, true, true},
		{domain.RoleAdmin, domain.RoleViewer, true, true},
		{domain.RoleMember, domain.RoleAdmin, true, false},
		{domain.RoleMember, domain.RoleMember, true, true},
		{domain.RoleViewer, domain.RoleMember, true, false},
		{domain.RoleViewer, domain.RoleViewer, true, true},
		{"owner", domain.RoleViewer, false, false},
		{"", domain.RoleViewer, false, false},
	}
	for _, tt := range tests {
		if got := tt.r.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v", tt.r, got)
		}
		if got := tt.r.AtLeast(tt.o); got != tt.atLeast {
			t.Errorf("%q.AtLeast(%q) = %v", tt.r, tt.o, got)
		}
	}
}

func TestUsersAndMembers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		a, b := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		u := mustUser(t, db, "  Alice@Example.COM ")
		if u.Email != "alice@example.com" {
			t.Errorf("email stored as %q", u.Email)
		}
		_, err := db.CreateUser(ctx, "ALICE@example.com", "again")
		wantCode(t, "duplicate email", err, domain.EConflict)
		_, err = db.CreateUser(ctx, "not-an-email", "x")
		wantCode(t, "bad email", err, domain.EInvalid)
		_, err = db.CreateUser(ctx, "keiri@localhost", "x") // domain.ValidEmail: no dot in the domain
		wantCode(t, "email without a deliverable domain", err, domain.EInvalid)

		got, err := db.GetUserByEmail(ctx, "alice@EXAMPLE.com")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("GetUserByEmail (-want +got):\n%s", diff)
		}
		_, err = db.GetUserByEmail(ctx, "bob@example.com")
		wantCode(t, "unknown email", err, domain.ENotFound)

		if err := db.SetMember(ctx, a.ID, u.ID, domain.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if err := db.SetMember(ctx, a.ID, u.ID, domain.RoleAdmin); err != nil { // change role
			t.Fatal(err)
		}
		bob := mustMember(t, db, a.ID, "bob@example.com", domain.RoleMember)
		m, err := db.GetMember(ctx, a.ID, u.ID)
		if err != nil || m.Role != domain.RoleAdmin || m.Email != u.Email {
			t.Errorf("GetMember = %+v, %v", m, err)
		}
		ms, err := db.ListMembers(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []domain.Member{{User: u, Role: domain.RoleAdmin}, {User: bob, Role: domain.RoleMember}}
		if diff := cmp.Diff(want, ms); diff != "" {
			t.Errorf("ListMembers (-want +got):\n%s", diff)
		}

		_, err = db.GetMember(ctx, b.ID, u.ID)
		wantCode(t, "member of another org", err, domain.ENotFound)
		if ms, err := db.ListMembers(ctx, b.ID); err != nil || len(ms) != 0 {
			t.Errorf("ListMembers(b) = %v, %v", ms, err)
		}
		wantCode(t, "invalid role", db.SetMember(ctx, a.ID, u.ID, "owner"), domain.EInvalid)
		wantCode(t, "unknown user", db.SetMember(ctx, a.ID, unknownID, domain.RoleViewer), domain.ENotFound)
		wantCode(t, "unknown org", db.SetMember(ctx, unknownID, u.ID, domain.RoleViewer), domain.ENotFound)

		if err := db.RemoveMember(ctx, a.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.GetMember(ctx, a.ID, bob.ID)
		wantCode(t, "removed member", err, domain.ENotFound)
		wantCode(t, "remove twice", db.RemoveMember(ctx, a.ID, bob.ID), domain.ENotFound)
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		a, b := mustOrg(t, db, "a"), mustOrg(t, db, "b")

		// Effective role = min(token role, member role).
		roles := []domain.Role{domain.RoleAdmin, domain.RoleMember, domain.RoleViewer}
		for _, memberRole := range roles {
			u := mustMember(t, db, a.ID, "m-"+string(memberRole)+"@example.com", memberRole)
			for _, tokenRole := range roles {
				// A token's role is at most the member's: creating one never promotes anybody.
				plain, tok, err := db.CreateToken(ctx, a.ID, u.ID, "ci", tokenRole)
				if !memberRole.AtLeast(tokenRole) {
					wantCode(t, "token above the member's role", err, domain.EInvalid)
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				p, err := db.Authenticate(ctx, plain)
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				want := tokenRole
				if !memberRole.AtLeast(tokenRole) {
					want = memberRole
				}
				wantP := domain.Principal{OrgID: a.ID, OrgSlug: "a", UserID: u.ID, Email: u.Email, Role: want, TokenID: tok.ID}
				if diff := cmp.Diff(wantP, p); diff != "" {
					t.Errorf("member %s token %s (-want +got):\n%s", memberRole, tokenRole, diff)
				}
			}
		}

		u := mustMember(t, db, a.ID, "t@example.com", domain.RoleMember)
		plain, tok, err := db.CreateToken(ctx, a.ID, u.ID, " deploy ", domain.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) < 4+43 || plain[:4] != "rpt_" || tok.Name != "deploy" || tok.LastUsedAt != nil {
			t.Errorf("CreateToken = %q, %+v", plain, tok)
		}
		_, _, err = db.CreateToken(ctx, b.ID, u.ID, "x", domain.RoleViewer)
		wantCode(t, "token in an org the user is not a member of", err, domain.ENotFound)
		_, _, err = db.CreateToken(ctx, a.ID, u.ID, "x", "root")
		wantCode(t, "token with invalid role", err, domain.EInvalid)

		if _, err := db.Authenticate(ctx, plain); err != nil {
			t.Fatal(err)
		}
		ts, err := db.ListTokens(ctx, a.ID, u.ID)
		if err != nil || len(ts) != 1 || ts[0].ID != tok.ID || ts[0].LastUsedAt == nil {
			t.Errorf("ListTokens after use = %+v, %v", ts, err)
		}
		if all, err := db.ListTokens(ctx, a.ID, ""); err != nil || len(all) != 7 { // 6 within the members' roles + this one
			t.Errorf("ListTokens(org) = %d tokens, %v; want 7", len(all), err)
		}
		if ts, err := db.ListTokens(ctx, b.ID, ""); err != nil || len(ts) != 0 {
			t.Errorf("ListTokens(b) = %v, %v", ts, err)
		}

		for _, bad := range []string{"", "rpt_", "rpt_AAAA", plain + "x", "Bearer " + plain, string(make([]byte, 10000))} {
			_, err := db.Authenticate(ctx, bad)
			wantCode(t, fmt.Sprintf("Authenticate(%.12q)", bad), err, domain.EUnauthorized)
		}

		wantCode(t, "revoke from another org", db.RevokeToken(ctx, b.ID, tok.ID), domain.ENotFound)
		if err := db.RevokeToken(ctx, a.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Authenticate(ctx, plain)
		wantCode(t, "revoked token", err, domain.EUnauthorized)
		wantCode(t, "revoke twice", db.RevokeToken(ctx, a.ID, tok.ID), domain.ENotFound)
		if ts, _ := db.ListTokens(ctx, a.ID, u.ID); len(ts) != 0 {
			t.Errorf("revoked token still listed: %+v", ts)
		}

		// Lowering the member's role lowers the token; removing the member disables it.
		plain2, _, err := db.CreateToken(ctx, a.ID, u.ID, "second", domain.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetMember(ctx, a.ID, u.ID, domain.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if p, err := db.Authenticate(ctx, plain2); err != nil || p.Role != domain.RoleViewer {
			t.Errorf("after demotion: %+v, %v", p, err)
		}
		if err := db.RemoveMember(ctx, a.ID, u.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.Authenticate(ctx, plain2)
		wantCode(t, "token of a former member", err, domain.EUnauthorized)
		// Inviting them again does not bring the old token back: removal revoked it.
		if err := db.SetMember(ctx, a.ID, u.ID, domain.RoleMember); err != nil {
			t.Fatal(err)
		}
		_, err = db.Authenticate(ctx, plain2)
		wantCode(t, "token of a re-invited member", err, domain.EUnauthorized)
	})
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "株式会社ベータ")
		got, err := db.GetCustomer(ctx, org.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("GetCustomer (-created +got):\n%s", diff)
		}
		c.Name, c.Email, c.RegistrationNumber = "株式会社ベータ商事", "b@example.com", "T4011001098993"
		updated, err := db.UpdateCustomer(ctx, org.ID, c)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Name != c.Name || updated.Email != c.Email || updated.RegistrationNumber != c.RegistrationNumber ||
			!updated.CreatedAt.Equal(c.CreatedAt) {
			t.Errorf("UpdateCustomer = %+v", updated)
		}

		mustCustomer(t, db, org.ID, "ＡＢＣ Trading")  // full-width letters
		mustCustomer(t, db, org.ID, "100% Organic") // LIKE wildcard in the name
		mustCustomer(t, db, org.ID, "100 Yen Shop")
		search := []struct {
			query string
			want  []string
		}{
			// By the folded name (no reading given), the same on both databases: ＡＢＣ as abc.
			{"", []string{"100 Yen Shop", "100% Organic", "ＡＢＣ Trading", "株式会社ベータ商事"}},
			{"abc", []string{"ＡＢＣ Trading"}},
			{"ＴＲＡＤＩＮＧ", []string{"ＡＢＣ Trading"}},
			{"100%", []string{"100% Organic"}},
			{"%", []string{"100% Organic"}},
			{"_", nil},
			{"ベータ", []string{"株式会社ベータ商事"}},
			{"山田", []string{"100 Yen Shop", "100% Organic", "ＡＢＣ Trading", "株式会社ベータ商事"}}, // contact person
			{"b@example", []string{"株式会社ベータ商事"}},
			{"nothing", nil},
		}
		for _, s := range search {
			cs, err := db.ListCustomers(ctx, org.ID, s.query, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cs {
				names = append(names, c.Name)
			}
			if diff := cmp.Diff(s.want, names); diff != "" {
				t.Errorf("ListCustomers(%q) (-want +got):\n%s", s.query, diff)
			}
		}
		page, err := db.ListCustomers(ctx, org.ID, "", 2, 1)
		if err != nil || len(page) != 2 || page[0].Name != "100% Organic" || page[1].Name != "ＡＢＣ Trading" {
			t.Errorf("ListCustomers limit 2 offset 1 = %v, %v", page, err)
		}
		if _, err := db.ListCustomers(ctx, org.ID, "", -5, -5); err != nil {
			t.Errorf("negative limit and offset: %v", err)
		}

		// A customer with documents cannot be deleted; once the draft is gone it can.
		d := mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Invoice, "2025-04-01", "x", 1))
		wantCode(t, "delete customer with a document", db.DeleteCustomer(ctx, org.ID, c.ID), domain.EConflict)
		if err := db.DeleteDocument(ctx, org.ID, "tester", d.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteCustomer(ctx, org.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.GetCustomer(ctx, org.ID, c.ID)
		wantCode(t, "deleted customer", err, domain.ENotFound)
		wantCode(t, "delete twice", db.DeleteCustomer(ctx, org.ID, c.ID), domain.ENotFound)
	})
}

// Customers sort by their reading (フリガナ) in the order of the kana table, whatever the
// script of the name; hiragana and half-width readings sort as katakana; a customer without a
// reading sorts by its name. The reading is found by the search too.
func TestCustomersSortByKana(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		for _, c := range []struct{ name, kana string }{
			{"渡辺商店", "ワタナベショウテン"},
			{"株式会社安藤", "あんどう"},     // hiragana reading
			{"井上工業", "ｲﾉｳｴｺｳｷﾞｮｳ"}, // half-width reading
			{"Zeta Inc.", ""}, // no reading: by name
			{"有限会社加藤", "カトウ"},
		} {
			if _, err := db.CreateCustomer(ctx, org.ID, document.Customer{
				Counterparty: document.Counterparty{Name: c.name}, NameKana: c.kana}); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := db.ListCustomers(ctx, org.ID, "", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range cs {
			names = append(names, c.Name)
		}
		want := []string{"Zeta Inc.", "株式会社安藤", "井上工業", "有限会社加藤", "渡辺商店"}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("ListCustomers order (-want +got):\n%s", diff)
		}
		if cs[1].NameKana != "あんどう" {
			t.Errorf("name_kana = %q, want as stored", cs[1].NameKana)
		}
		found, err := db.ListCustomers(ctx, org.ID, "ワタナベ", 0, 0)
		if err != nil || len(found) != 1 || found[0].Name != "渡辺商店" {
			t.Errorf("search by reading = %v, %v", found, err)
		}
	})
}

func TestCustomerNames(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		a, b := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		ca1, ca2 := mustCustomer(t, db, a.ID, "甲商事"), mustCustomer(t, db, a.ID, "乙工業")
		cb := mustCustomer(t, db, b.ID, "B の顧客")
		got, err := db.CustomerNames(t.Context(), a.ID, []string{ca1.ID, ca2.ID, ca1.ID, cb.ID, "not-an-id'"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{ca1.ID: "甲商事", ca2.ID: "乙工業"} // never another organisation's
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("CustomerNames (-want +got):\n%s", diff)
		}
		if got, err := db.CustomerNames(t.Context(), a.ID, nil); err != nil || len(got) != 0 {
			t.Errorf("CustomerNames(nil) = %v, %v", got, err)
		}
	})
}

func TestIsolation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		a, b := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		ca := mustCustomer(t, db, a.ID, "A の顧客")
		cb := mustCustomer(t, db, b.ID, "B の顧客")
		draft := mustCreateDoc(t, db, a.ID, newDraft(t, ca.ID, document.Invoice, "2025-04-01", "draft", 2))
		issued := mustIssue(t, db, a.ID, mustCreateDoc(t, db, a.ID, newDraft(t, ca.ID, document.Invoice, "2025-04-02", "issued", 2)).ID)
		ua := mustMember(t, db, a.ID, "a@example.com", domain.RoleAdmin)
		_, tok, err := db.CreateToken(ctx, a.ID, ua.ID, "t", domain.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}

		// Every call is made by organisation B on A's objects.
		calls := []struct {
			name string
			call func() error
		}{
			{"GetCustomer", func() error { _, err := db.GetCustomer(ctx, b.ID, ca.ID); return err }},
			{"UpdateCustomer", func() error { c := ca; c.Name = "hacked"; _, err := db.UpdateCustomer(ctx, b.ID, c); return err }},
			{"DeleteCustomer", func() error { return db.DeleteCustomer(ctx, b.ID, ca.ID) }},
			{"GetDocument", func() error { _, err := db.GetDocument(ctx, b.ID, draft.ID); return err }},
			{"UpdateDocument", func() error {
				d := draft
				d.CustomerID = cb.ID
				_, err := db.UpdateDocument(ctx, b.ID, "b", d)
				return err
			}},
			{"DeleteDocument", func() error { return db.DeleteDocument(ctx, b.ID, "b", draft.ID) }},
			{"IssueDocument", func() error { _, err := db.IssueDocument(ctx, b.ID, "b", draft.ID); return err }},
			{"CancelDocument", func() error { _, err := db.CancelDocument(ctx, b.ID, "b", issued.ID); return err }},
			{"History", func() error { _, _, err := db.History(ctx, b.ID, draft.ID, domain.Page{}); return err }},
			{"RevokeToken", func() error { return db.RevokeToken(ctx, b.ID, tok.ID) }},
			{"GetMember", func() error { _, err := db.GetMember(ctx, b.ID, ua.ID); return err }},
			{"RemoveMember", func() error { return db.RemoveMember(ctx, b.ID, ua.ID) }},
		}
		for _, c := range calls {
			wantCode(t, c.name, c.call(), domain.ENotFound)
		}
		_, err = db.CreateDocument(ctx, b.ID, "b", newDraft(t, ca.ID, document.Invoice, "2025-04-01", "x", 1))
		wantField(t, "CreateDocument with another org's customer", err, "customer_id")
		d := newDraft(t, cb.ID, document.CreditNote, "2025-04-01", "x", 1)
		d.RelatedDocumentID = &issued.ID
		_, err = db.CreateDocument(ctx, b.ID, "b", d)
		wantField(t, "CreateDocument related to another org's document", err, "related_document_id")

		if cs, err := db.ListCustomers(ctx, b.ID, "", 0, 0); err != nil || len(cs) != 1 || cs[0].ID != cb.ID {
			t.Errorf("ListCustomers(b) = %v, %v", cs, err)
		}
		if docs, _, err := db.SearchDocuments(ctx, b.ID, document.Filter{}, domain.Page{}); err != nil || len(docs) != 0 {
			t.Errorf("SearchDocuments(b) = %d docs, %v", len(docs), err)
		}
		if ts, err := db.ListTokens(ctx, b.ID, ua.ID); err != nil || len(ts) != 0 {
			t.Errorf("ListTokens(b) = %v, %v", ts, err)
		}
		// A's objects are untouched.
		if got, err := db.GetDocument(ctx, a.ID, draft.ID); err != nil || got.Version != 1 || got.Status != document.Draft {
			t.Errorf("A's draft after B's attempts: %+v, %v", got, err)
		}
		if got, err := db.GetCustomer(ctx, a.ID, ca.ID); err != nil || got.Name != ca.Name {
			t.Errorf("A's customer after B's attempts: %+v, %v", got, err)
		}
	})
}

func TestDocumentLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		org.Issuer = document.Issuer{Name: "株式会社アクメ", RegistrationNumber: "T4011001098993", Address: "東京都"}
		if _, err := db.UpdateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		cust := mustCustomer(t, db, org.ID, "株式会社ベータ")

		in := newDraft(t, cust.ID, document.Invoice, "2025-04-30", "4月分 保守", 3)
		period := document.Period{From: mustDate(t, "2025-04-01"), To: mustDate(t, "2025-04-30")}
		due := mustDate(t, "2025-05-31")
		in.TransactionPeriod, in.DueDate, in.Notes = &period, &due, "よろしくお願いします"
		in.ID, in.Status, in.Version = "ignored", document.Issued, 42 // the store decides these
		created := mustCreateDoc(t, db, org.ID, in)
		if created.Status != document.Draft || created.Version != 1 || created.Number != nil || created.ID == "ignored" {
			t.Errorf("created: status %s version %d number %v id %s", created.Status, created.Version, created.Number, created.ID)
		}
		if created.Customer == nil || created.Customer.Name != cust.Name || created.Issuer == nil || created.Issuer.Name != "株式会社アクメ" {
			t.Errorf("draft's customer/issuer not filled: %+v %+v", created.Customer, created.Issuer)
		}
		if diff := cmp.Diff(in.Items, created.Items); diff != "" {
			t.Errorf("items (-in +stored):\n%s", diff)
		}
		if diff := cmp.Diff(in.Totals, created.Totals); diff != "" {
			t.Errorf("totals (-in +stored):\n%s", diff)
		}
		got, err := db.GetDocument(ctx, org.ID, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("GetDocument (-created +got):\n%s", diff)
		}

		// Update: the version must match.
		edit := created
		edit.Subject = "4月分 保守・運用"
		edit.Items, edit.Totals = lines(5)
		updated, err := db.UpdateDocument(ctx, org.ID, "alice", edit)
		if err != nil {
			t.Fatal(err)
		}
		if updated.Version != 2 || updated.Subject != edit.Subject || len(updated.Items) != 5 {
			t.Errorf("updated: version %d subject %q items %d", updated.Version, updated.Subject, len(updated.Items))
		}
		_, err = db.UpdateDocument(ctx, org.ID, "bob", edit) // still version 1
		wantCode(t, "stale version", err, domain.EVersion)

		// Drafts follow the customer; the issued snapshot does not.
		cust.Name = "株式会社ベータ (新)"
		if _, err := db.UpdateCustomer(ctx, org.ID, cust); err != nil {
			t.Fatal(err)
		}
		draftNow, err := db.GetDocument(ctx, org.ID, created.ID)
		if err != nil || draftNow.Customer.Name != cust.Name {
			t.Fatalf("draft's customer after the customer changed: %+v, %v", draftNow.Customer, err)
		}

		issued := mustIssue(t, db, org.ID, created.ID)
		if issued.Status != document.Issued || issued.Number == nil || *issued.Number != "INV-0001" ||
			issued.Version != 3 || issued.IssuedAt == nil {
			t.Errorf("issued: status %s number %v version %d issued_at %v", issued.Status, issued.Number, issued.Version, issued.IssuedAt)
		}
		snapshotCustomer, snapshotIssuer := *issued.Customer, *issued.Issuer

		cust.Name, cust.Address = "株式会社ガンマ", "大阪府"
		if _, err := db.UpdateCustomer(ctx, org.ID, cust); err != nil {
			t.Fatal(err)
		}
		org.Name, org.NumberPrefixes.Invoice = "株式会社アクメ改", "NEW-"
		if _, err := db.UpdateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		afterEdits, err := db.GetDocument(ctx, org.ID, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(issued, afterEdits); diff != "" {
			t.Errorf("issued document changed after customer/org edits (-issued +now):\n%s", diff)
		}
		if afterEdits.Customer.Name != "株式会社ベータ (新)" || *afterEdits.Customer != snapshotCustomer || *afterEdits.Issuer != snapshotIssuer {
			t.Errorf("snapshot changed: %+v %+v", afterEdits.Customer, afterEdits.Issuer)
		}

		edit = issued
		edit.Subject = "改ざん"
		_, err = db.UpdateDocument(ctx, org.ID, "alice", edit)
		wantCode(t, "update issued", err, domain.EConflict)
		wantCode(t, "delete issued", db.DeleteDocument(ctx, org.ID, "alice", created.ID), domain.EConflict)
		_, err = db.IssueDocument(ctx, org.ID, "alice", created.ID)
		wantCode(t, "issue twice", err, domain.EConflict)

		cancelled, err := db.CancelDocument(ctx, org.ID, "carol", created.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cancelled.Status != document.Cancelled || *cancelled.Number != "INV-0001" || cancelled.CancelledAt == nil || cancelled.Version != 4 {
			t.Errorf("cancelled: %s %v %v v%d", cancelled.Status, cancelled.Number, cancelled.CancelledAt, cancelled.Version)
		}
		_, err = db.CancelDocument(ctx, org.ID, "carol", created.ID)
		wantCode(t, "cancel twice", err, domain.EConflict)
		wantCode(t, "delete cancelled", db.DeleteDocument(ctx, org.ID, "alice", created.ID), domain.EConflict)

		// The next invoice uses the new prefix and continues the sequence.
		next := mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, newDraft(t, cust.ID, document.Invoice, "2025-05-01", "next", 1)).ID)
		if *next.Number != "NEW-0002" {
			t.Errorf("next number %q, want NEW-0002", *next.Number)
		}

		events, _, err := db.History(ctx, org.ID, created.ID, domain.Page{})
		if err != nil {
			t.Fatal(err)
		}
		type ev struct {
			Action, Actor string
			Before        *document.Document
		}
		var gotEvents []ev
		for _, e := range events {
			if e.DocumentID != created.ID || e.At.IsZero() || e.ID == "" {
				t.Errorf("event %+v lacks id, document id or time", e)
			}
			gotEvents = append(gotEvents, ev{e.Action, e.Actor.ID, e.Before})
		}
		wantEvents := []ev{
			{store.ActionCreate, "tester", nil},
			{store.ActionUpdate, "alice", &created},
			{store.ActionIssue, "tester", &draftNow},
			{store.ActionCancel, "carol", &issued},
		}
		if diff := cmp.Diff(wantEvents, gotEvents); diff != "" {
			t.Errorf("History (-want +got):\n%s", diff)
		}

		// Drafts can be deleted; their history stays, ending with "delete".
		draft := mustCreateDoc(t, db, org.ID, newDraft(t, cust.ID, document.Quote, "2025-05-01", "quote", 1))
		if err := db.DeleteDocument(ctx, org.ID, "alice", draft.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.GetDocument(ctx, org.ID, draft.ID)
		wantCode(t, "deleted draft", err, domain.ENotFound)
		wantCode(t, "delete twice", db.DeleteDocument(ctx, org.ID, "alice", draft.ID), domain.ENotFound)
		events, _, err = db.History(ctx, org.ID, draft.ID, domain.Page{})
		if err != nil || len(events) != 2 || events[1].Action != store.ActionDelete || events[1].Before == nil || events[1].Before.Subject != "quote" {
			t.Errorf("history of deleted draft: %+v, %v", events, err)
		}
		_, _, err = db.History(ctx, org.ID, unknownID, domain.Page{})
		wantCode(t, "history of unknown document", err, domain.ENotFound)

		// Bad references and ids.
		_, err = db.CreateDocument(ctx, org.ID, "alice", newDraft(t, unknownID, document.Invoice, "2025-05-01", "x", 1))
		wantField(t, "unknown customer", err, "customer_id")
		_, err = db.CreateDocument(ctx, org.ID, "alice", newDraft(t, "garbage", document.Invoice, "2025-05-01", "x", 1))
		wantField(t, "garbage customer id", err, "customer_id")
		_, err = db.CreateDocument(ctx, org.ID, "alice", newDraft(t, cust.ID, "letter", "2025-05-01", "x", 1))
		wantField(t, "unknown kind", err, "kind")
		for _, id := range []string{unknownID, "garbage", ""} {
			_, err := db.GetDocument(ctx, org.ID, id)
			wantCode(t, "GetDocument("+id+")", err, domain.ENotFound)
			_, err = db.IssueDocument(ctx, org.ID, "x", id)
			wantCode(t, "IssueDocument("+id+")", err, domain.ENotFound)
		}
	})
}

func TestCreditNoteRelatedDocument(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		cust := mustCustomer(t, db, org.ID, "顧客")
		inv := mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, newDraft(t, cust.ID, document.Invoice, "2025-04-01", "inv", 1)).ID)
		cn := newDraft(t, cust.ID, document.CreditNote, "2025-04-10", "返品", 1)
		cn.RelatedDocumentID = &inv.ID
		created := mustCreateDoc(t, db, org.ID, cn)
		want := &document.RelatedDocument{ID: inv.ID, Kind: document.Invoice, Status: document.Issued, Number: "INV-0001", IssueDate: mustDate(t, "2025-04-01")}
		if diff := cmp.Diff(want, created.RelatedDocument); diff != "" {
			t.Errorf("RelatedDocument (-want +got):\n%s", diff)
		}
		issued := mustIssue(t, db, org.ID, created.ID)
		if *issued.Number != "CRN-0001" || issued.RelatedDocument == nil || issued.RelatedDocument.Number != "INV-0001" {
			t.Errorf("issued credit note: number %v related %+v", *issued.Number, issued.RelatedDocument)
		}
		docs, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{Kind: document.CreditNote}, domain.Page{})
		if err != nil || len(docs) != 1 || docs[0].RelatedDocument == nil || docs[0].RelatedDocument.ID != inv.ID {
			t.Errorf("search result's related document: %+v, %v", docs, err)
		}
		self := mustCreateDoc(t, db, org.ID, newDraft(t, cust.ID, document.CreditNote, "2025-04-11", "self", 1))
		self.RelatedDocumentID = &self.ID
		_, err = db.UpdateDocument(ctx, org.ID, "x", self)
		wantField(t, "document related to itself", err, "related_document_id")
	})
}

// TestIssueConcurrently issues 50 drafts of one organisation and kind at once: the numbers must
// be exactly 1..50, and another organisation's numbering is independent.
func TestIssueConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		const n, m = 50, 10
		a, b := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		ca, cb := mustCustomer(t, db, a.ID, "ca"), mustCustomer(t, db, b.ID, "cb")
		type job struct{ org, id string }
		var jobs []job
		for range n {
			jobs = append(jobs, job{a.ID, mustCreateDoc(t, db, a.ID, newDraft(t, ca.ID, document.Invoice, "2025-04-01", "a", 2)).ID})
		}
		for range m {
			jobs = append(jobs, job{b.ID, mustCreateDoc(t, db, b.ID, newDraft(t, cb.ID, document.Invoice, "2025-04-01", "b", 2)).ID})
		}
		numbers := map[string][]string{}
		var (
			mu   sync.Mutex
			wg   sync.WaitGroup
			errs []error
		)
		for _, j := range jobs {
			wg.Go(func() {
				d, err := db.IssueDocument(ctx, j.org, "tester", j.id)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				numbers[j.org] = append(numbers[j.org], *d.Number)
			})
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d issues failed, first: %v", len(errs), errs[0])
		}
		for org, count := range map[string]int{a.ID: n, b.ID: m} {
			var want []string
			for i := 1; i <= count; i++ {
				want = append(want, fmt.Sprintf("INV-%04d", i))
			}
			got := numbers[org]
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("numbers of org %s (-want +got):\n%s", org, diff)
			}
		}
	})
}

// TestIssueSameDocumentConcurrently issues one draft from many goroutines: one wins, the others
// get EConflict, and no number is used up by the losers.
func TestIssueSameDocumentConcurrently(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "c")
		d := mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Receipt, "2025-04-01", "r", 1))
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins int
		)
		for range 10 {
			wg.Go(func() {
				_, err := db.IssueDocument(ctx, org.ID, "x", d.ID)
				mu.Lock()
				defer mu.Unlock()
				switch domain.ErrorCode(err) {
				case "":
					wins++
				case domain.EConflict:
				default:
					t.Errorf("IssueDocument: %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d goroutines issued the same draft, want 1", wins)
		}
		next := mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Receipt, "2025-04-01", "r2", 1)).ID)
		if *next.Number != "REC-0002" {
			t.Errorf("next number %s, want REC-0002 (no gap)", *next.Number)
		}
	})
}

func TestSearchDocuments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		alpha, beta := mustCustomer(t, db, org.ID, "アルファ株式会社"), mustCustomer(t, db, org.ID, "Beta_Corp")

		// Each fixture's subject names it in the expectations below.
		fixtures := []struct {
			subject  string
			kind     document.Kind
			customer string
			issue    string
			txDate   string // "" = none
			lines    int    // gross = 1650 × lines × (lines+1) / 2
			status   document.Status
		}{
			{"s1", document.Invoice, alpha.ID, "2025-01-10", "", 1, document.Issued},           // 1650
			{"s2", document.Invoice, alpha.ID, "2025-02-10", "2025-01-31", 2, document.Draft},  // 4950
			{"s3", document.Quote, beta.ID, "2025-02-15", "", 3, document.Draft},               // 9900
			{"s4", document.Receipt, beta.ID, "2025-03-01", "", 4, document.Cancelled},         // 16500
			{"s5 100%", document.Invoice, beta.ID, "2025-03-20", "", 5, document.Issued},       // 24750
			{"s6", document.Invoice, alpha.ID, "2025-04-01", "2025-03-31", 6, document.Issued}, // 34650
		}
		byID := map[string]string{}
		for _, f := range fixtures {
			d := newDraft(t, f.customer, f.kind, f.issue, f.subject, f.lines)
			if f.txDate != "" {
				td := mustDate(t, f.txDate)
				d.TransactionDate = &td
			}
			d = mustCreateDoc(t, db, org.ID, d)
			if f.status != document.Draft {
				d = mustIssue(t, db, org.ID, d.ID)
			}
			if f.status == document.Cancelled {
				if _, err := db.CancelDocument(ctx, org.ID, "x", d.ID); err != nil {
					t.Fatal(err)
				}
			}
			byID[d.ID] = f.subject
		}
		date := func(s string) *document.Date { d := mustDate(t, s); return &d }
		yen := func(v int64) *int64 { return &v }
		tests := []struct {
			name string
			f    document.Filter
			want []string // newest first
		}{
			{"all", document.Filter{}, []string{"s6", "s5 100%", "s4", "s3", "s2", "s1"}},
			{"kind", document.Filter{Kind: document.Invoice}, []string{"s6", "s5 100%", "s2", "s1"}},
			{"status", document.Filter{Status: document.Issued}, []string{"s6", "s5 100%", "s1"}},
			{"customer", document.Filter{CustomerID: beta.ID}, []string{"s5 100%", "s4", "s3"}},
			{"date from (transaction date wins)", document.Filter{DateFrom: date("2025-03-01")}, []string{"s6", "s5 100%", "s4"}},
			{"date to", document.Filter{DateTo: date("2025-01-31")}, []string{"s2", "s1"}},
			{"date range", document.Filter{DateFrom: date("2025-01-31"), DateTo: date("2025-02-15")}, []string{"s3", "s2"}},
			{"amount min", document.Filter{TotalMin: yen(16500)}, []string{"s6", "s5 100%", "s4"}},
			{"amount max", document.Filter{TotalMax: yen(4950)}, []string{"s2", "s1"}},
			{"amount range", document.Filter{TotalMin: yen(4951), TotalMax: yen(24750)}, []string{"s5 100%", "s4", "s3"}},
			{"q number", document.Filter{Query: "inv-0002"}, []string{"s5 100%"}},
			{"q customer name", document.Filter{Query: "アルファ"}, []string{"s6", "s2", "s1"}},
			{"q item name", document.Filter{Query: "作業 6"}, []string{"s6"}},
			{"q subject with %", document.Filter{Query: "100%"}, []string{"s5 100%"}},
			{"q % is literal", document.Filter{Query: "%"}, []string{"s5 100%"}},
			{"q _ is literal", document.Filter{Query: "_"}, []string{"s5 100%", "s4", "s3"}}, // Beta_Corp
			{"q width-insensitive", document.Filter{Query: "ＢＥＴＡ"}, []string{"s5 100%", "s4", "s3"}},
			{"combined", document.Filter{Kind: document.Invoice, Status: document.Issued, CustomerID: alpha.ID,
				DateFrom: date("2025-01-01"), DateTo: date("2025-12-31"), TotalMin: yen(1000), TotalMax: yen(2000), Query: "s1"}, []string{"s1"}},
			{"combined, none", document.Filter{Kind: document.Quote, Status: document.Issued}, nil},
		}
		for _, tt := range tests {
			docs, next, err := db.SearchDocuments(ctx, org.ID, tt.f, domain.Page{})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var got []string
			for _, d := range docs {
				got = append(got, byID[d.ID])
				if len(d.Items) == 0 || d.Totals.Gross == 0 || d.Customer == nil || d.Issuer == nil {
					t.Errorf("%s: document %s incomplete", tt.name, byID[d.ID])
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.name, diff)
			}
			if next != "" {
				t.Errorf("%s: next cursor %q on the only page", tt.name, next)
			}
		}

		for _, bad := range []string{"garbage!", "AAAA", encode("2025-01-01|not-an-id"), encode("yesterday|" + unknownID), encode(unknownID)} {
			_, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{}, domain.Page{Cursor: bad})
			wantField(t, "cursor "+bad, err, "cursor")
		}
	})
}

func TestSearchDocumentsPaging(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme")
		c := mustCustomer(t, db, org.ID, "c")
		want := map[string]bool{}
		for i := range 23 {
			// Few distinct dates, so pages break inside a date and the id decides.
			d := mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Invoice, fmt.Sprintf("2025-04-%02d", 1+i%4), "p", 1))
			want[d.ID] = true
		}
		for _, limit := range []int{1, 5, 7, 23, 100} {
			var all []document.Document
			cursor, pages := "", 0
			for {
				docs, next, err := db.SearchDocuments(ctx, org.ID, document.Filter{}, domain.Page{Limit: limit, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				if len(docs) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(docs))
				}
				all = append(all, docs...)
				pages++
				if next == "" {
					break
				}
				cursor = next
			}
			seen := map[string]bool{}
			for i, d := range all {
				if seen[d.ID] {
					t.Errorf("limit %d: %s twice", limit, d.ID)
				}
				seen[d.ID] = true
				if i > 0 {
					prev := all[i-1]
					if k, pk := d.IssueDate.String()+d.ID, prev.IssueDate.String()+prev.ID; k >= pk {
						t.Errorf("limit %d: order broken at %d", limit, i)
					}
				}
			}
			if diff := cmp.Diff(want, seen); diff != "" {
				t.Errorf("limit %d: documents over all pages (-want +got):\n%s", limit, diff)
			}
			if wantPages := (23 + limit - 1) / limit; pages > wantPages+1 || pages < wantPages {
				t.Errorf("limit %d: %d pages, want %d", limit, pages, wantPages)
			}
		}
	})
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "acme") // data survives
		before := appliedMigrations(t, db)
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		if _, err := db.GetOrganization(ctx, org.ID); err != nil {
			t.Fatal(err)
		}
		if after := appliedMigrations(t, db); after != before || after == 0 {
			t.Errorf("goose_db_version rows: %d before the second Migrate, %d after", before, after)
		}
	})
}

// appliedMigrations counts the applied migrations and fails when one was recorded twice.
func appliedMigrations(t testing.TB, db *store.DB) int {
	t.Helper()
	var rows, distinct int
	if err := db.SQL().QueryRowContext(context.Background(),
		"SELECT COUNT(*), COUNT(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != distinct {
		t.Errorf("goose_db_version has %d rows for %d versions: a migration ran twice", rows, distinct)
	}
	return rows
}

// TestMigrateConcurrently starts three "replicas" on one new PostgreSQL schema at once: the
// migrations must be applied exactly once.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)
	ctx := t.Context()
	var dbs []*store.DB
	for range 3 {
		db, err := store.Open(ctx, store.DriverPostgres, dsn, store.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	errs := make([]error, len(dbs))
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Migrate: %v", i, err)
		}
	}
	if appliedMigrations(t, dbs[0]) == 0 {
		t.Error("no migration applied")
	}
	if _, err := dbs[2].CreateOrganization(ctx, "acme", "x"); err != nil {
		t.Errorf("schema unusable after concurrent migration: %v", err)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, err := store.Open(ctx, "mysql", "x", store.Options{})
	if err == nil {
		t.Error("Open with an unknown driver succeeded")
	}
	// The parent directory of a SQLite file is created; settings are applied.
	path := t.TempDir() + "/nested/dir/app.db"
	db, err := store.Open(ctx, store.DriverSQLite, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Driver() != store.DriverSQLite {
		t.Errorf("Driver() = %q", db.Driver())
	}
	checks := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	}
	for _, c := range checks {
		var got string
		if err := db.SQL().QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %q, want %q", c.pragma, got, c.want)
		}
	}
	if err := db.Ping(ctx); err != nil {
		t.Error(err)
	}
}

// TestLastAdminKept: every way of changing or ending a membership keeps an admin in the
// organisation.
func TestLastAdminKept(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		a := mustOrg(t, db, "a")
		boss := mustMember(t, db, a.ID, "boss@example.com", domain.RoleAdmin)
		wantCode(t, "SetMember demoting the last admin", db.SetMember(ctx, a.ID, boss.ID, domain.RoleViewer), domain.EConflict)
		wantCode(t, "ChangeMemberRole demoting the last admin", db.ChangeMemberRole(ctx, a.ID, boss.ID, domain.RoleMember), domain.EConflict)
		wantCode(t, "RemoveMember of the last admin", db.RemoveMember(ctx, a.ID, boss.ID), domain.EConflict)
		if m, err := db.GetMember(ctx, a.ID, boss.ID); err != nil || m.Role != domain.RoleAdmin {
			t.Errorf("the last admin after refused changes: %+v, %v", m, err)
		}
		second := mustMember(t, db, a.ID, "second@example.com", domain.RoleAdmin)
		if err := db.SetMember(ctx, a.ID, boss.ID, domain.RoleViewer); err != nil {
			t.Errorf("demoting one of two admins: %v", err)
		}
		wantCode(t, "removing the remaining admin", db.RemoveMember(ctx, a.ID, second.ID), domain.EConflict)
	})
}
