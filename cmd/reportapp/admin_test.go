package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// TestAdminCommands drives org, user and token create/revoke and checks the results in the
// database the commands wrote.
func TestAdminCommands(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	cli := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"reportapp"}, args...), getenv, nil, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	if _, _, err := cli("org", "create", "--slug", "acme", "--name", "株式会社アクメ"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cli("org", "create", "--slug", "acme", "--name", "二重"); domain.ErrorCode(err) != domain.EConflict {
		t.Errorf("duplicate org create: %v, want a conflict", err)
	}
	if _, _, err := cli("user", "create", "--org", "acme", "--email", "Viewer@Example.com", "--role", "viewer"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cli("user", "create", "--org", "acme", "--email", "x@example.com", "--role", "owner"); exitCode(err) != 2 {
		t.Errorf("bad role: %v (exit %d), want a usage error", err, exitCode(err))
	}
	out, stderr, err := cli("token", "create", "--org", "acme", "--email", "viewer@example.com", "--name", "ci")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	id := regexp.MustCompile(`token (\S+) \(viewer\)`).FindStringSubmatch(stderr)
	if len(id) != 2 {
		t.Fatalf("token create did not name the token's id and role on stderr: %q", stderr)
	}

	db, err := store.Open(context.Background(), "sqlite", getenv("DATA_DIR")+"/reportapp.db", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.Authenticate(context.Background(), token)
	if err != nil || p.OrgSlug != "acme" || p.Email != "viewer@example.com" || p.Role != "viewer" {
		t.Fatalf("the printed token authenticates as %+v (%v)", p, err)
	}
	// A token never makes or changes a membership.
	if _, _, err := cli("token", "create", "--org", "acme", "--email", "viewer@example.com", "--role", "admin"); domain.ErrorCode(err) != domain.EInvalid {
		t.Errorf("token above the member's role: %v, want invalid", err)
	}
	if m := mustMemberRole(t, db, "acme", "viewer@example.com"); m != domain.RoleViewer {
		t.Errorf("after token create --role admin the viewer is %s", m)
	}
	if _, _, err := cli("token", "create", "--org", "acme", "--email", "stranger@example.com"); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("token for a non-member: %v, want not found", err)
	}
	// user create does not change an existing member's role either; user role does.
	if _, _, err := cli("user", "create", "--org", "acme", "--email", "viewer@example.com", "--role", "admin"); domain.ErrorCode(err) != domain.EConflict {
		t.Errorf("user create of an existing member with another role: %v, want conflict", err)
	}
	if _, _, err := cli("user", "create", "--org", "newco", "--email", "boss@newco.example", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cli("user", "role", "--org", "newco", "--email", "boss@newco.example", "--role", "viewer"); domain.ErrorCode(err) != domain.EConflict {
		t.Errorf("demoting the only admin: %v, want conflict", err)
	}
	if _, _, err := cli("user", "role", "--org", "acme", "--email", "viewer@example.com", "--role", "member"); err != nil {
		t.Fatal(err)
	}
	if m := mustMemberRole(t, db, "acme", "viewer@example.com"); m != domain.RoleMember {
		t.Errorf("after user role member: %s", m)
	}
	// Allowed e-mail domains.
	if _, _, err := cli("org", "allow-domain", "--slug", "acme", "--domain", "@Example.co.jp", "--role", "viewer"); err != nil {
		t.Fatal(err)
	}
	if out, _, err := cli("org", "domains", "--slug", "acme"); err != nil || out != "example.co.jp\tviewer\n" {
		t.Errorf("org domains = %q, %v", out, err)
	}
	if _, _, err := cli("org", "disallow-domain", "--slug", "acme", "--domain", "example.co.jp"); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := cli("org", "domains", "--slug", "acme"); out != "" {
		t.Errorf("org domains after disallow = %q", out)
	}
	// A password from standard input; a weak one is a usage error and nothing is created.
	var out2, errOut2 bytes.Buffer
	err = run(context.Background(), []string{"reportapp", "user", "create", "--org", "acme", "--email", "pw@example.com", "--password-stdin"},
		getenv, strings.NewReader("a long enough password\n"), &out2, &errOut2)
	if err != nil {
		t.Fatalf("user create --password-stdin: %v %s", err, errOut2.String())
	}
	u, _ := db.GetUserByEmail(context.Background(), "pw@example.com")
	if h, err := db.Password(context.Background(), u.ID); err != nil || !strings.HasPrefix(h.Hash, "$argon2id$") || h.Temporary {
		t.Errorf("password after --password-stdin: %q %v", h.Hash, err)
	}
	err = run(context.Background(), []string{"reportapp", "user", "create", "--org", "acme", "--email", "weak@example.com", "--password-stdin"},
		getenv, strings.NewReader("short\n"), &out2, &errOut2)
	if exitCode(err) != 2 {
		t.Errorf("weak password: %v (exit %d), want a usage error", err, exitCode(err))
	}
	if _, err := db.GetUserByEmail(context.Background(), "weak@example.com"); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("a refused password still created the user: %v", err)
	}

	if _, _, err := cli("token", "revoke", "--org", "acme", "--id", id[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Authenticate(context.Background(), token); domain.ErrorCode(err) != domain.EUnauthorized {
		t.Errorf("revoked token still authenticates: %v", err)
	}
	// Another organisation cannot revoke acme's token (it is not found there).
	_, stderr, err = cli("token", "create", "--org", "acme", "--email", "viewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	id = regexp.MustCompile(`token (\S+) `).FindStringSubmatch(stderr)
	if _, _, err := cli("token", "revoke", "--org", "newco", "--id", id[1]); domain.ErrorCode(err) != domain.ENotFound {
		t.Errorf("revoking another organisation's token: %v, want not found", err)
	}
}

func mustMemberRole(t *testing.T, db *store.DB, slug, email string) domain.Role {
	t.Helper()
	ctx := context.Background()
	o, err := db.GetOrganizationBySlug(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.GetUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	m, err := db.GetMember(ctx, o.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return m.Role
}
