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
	// A token for a new organisation and user makes both, the user an admin.
	out, _, err = cli("token", "create", "--org", "newco", "--email", "boss@newco.example")
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if p, err := db.Authenticate(context.Background(), lines[len(lines)-1]); err != nil || p.OrgSlug != "newco" || p.Role != "admin" {
		t.Errorf("token for a new org: %+v (%v)", p, err)
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
