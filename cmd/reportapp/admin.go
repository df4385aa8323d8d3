package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"reportapp/internal/auth"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// subcommand reads the first argument of a command that has subcommands (org create, token
// revoke): the subcommand's name, or done after printing the usage for -h, or a usage error.
func subcommand(e env, args []string, usage string, names ...string) (name string, done bool, err error) {
	switch {
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help"):
		fmt.Fprintln(e.stderr, "Usage: reportapp "+usage)
		return "", true, nil
	case len(args) > 0 && slices.Contains(names, args[0]):
		return args[0], false, nil
	}
	return "", false, usageError{"usage: reportapp " + usage}
}

func cmdOrg(ctx context.Context, e env, args []string) error {
	const usage = "org create --slug acme --name 株式会社アクメ\n" +
		"       reportapp org allow-domain --slug acme --domain example.co.jp [--role member]\n" +
		"       reportapp org disallow-domain --slug acme --domain example.co.jp\n" +
		"       reportapp org domains --slug acme"
	sub, done, err := subcommand(e, args, usage, "create", "allow-domain", "disallow-domain", "domains")
	if done || err != nil {
		return err
	}
	fs, envFile := newFlags(e, "org "+sub, usage)
	slug := fs.String("slug", "", "short unique name of the organisation (required)")
	name := fs.String("name", "", "the organisation's name as printed on documents (create)")
	emailDomain := fs.String("domain", "", "an e-mail domain whose verified addresses may join on their first OIDC login")
	role := fs.String("role", string(domain.RoleMember), "the role of people joining through the domain (allow-domain)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *slug == "" || sub == "create" && *name == "" || strings.HasSuffix(sub, "allow-domain") && *emailDomain == "" {
		return usageError{"usage: reportapp " + usage}
	}
	if !domain.Role(*role).Valid() {
		return usageError{"--role must be admin, member or viewer"}
	}
	db, closeDB, err := adminStore(ctx, e, *envFile)
	if err != nil {
		return err
	}
	defer closeDB()
	if sub == "create" {
		org, err := db.CreateOrganization(ctx, *slug, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "organisation %s created (id %s)\n", org.Slug, org.ID)
		return nil
	}
	org, err := db.GetOrganizationBySlug(ctx, *slug)
	if err != nil {
		return err
	}
	switch sub {
	case "allow-domain":
		a, err := db.AllowEmailDomain(ctx, org.ID, *emailDomain, domain.Role(*role))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "verified addresses @%s join %s as %s on their first OIDC login\n", a.Domain, org.Slug, a.Role)
	case "disallow-domain":
		if err := db.DisallowEmailDomain(ctx, org.ID, *emailDomain); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "@%s no longer joins %s (its members stay)\n", store.NormalizeEmailDomain(*emailDomain), org.Slug)
	case "domains":
		ds, err := db.ListAllowedDomains(ctx, org.ID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			fmt.Fprintf(e.stdout, "%s\t%s\n", d.Domain, d.Role)
		}
	}
	return nil
}

func cmdUser(ctx context.Context, e env, args []string) error {
	const usage = "user create --org acme --email a@example.com [--role admin|member|viewer] [--password-stdin]\n" +
		"       reportapp user role --org acme --email a@example.com --role admin|member|viewer"
	sub, done, err := subcommand(e, args, usage, "create", "role")
	if done || err != nil {
		return err
	}
	fs, envFile := newFlags(e, "user "+sub, usage)
	org := fs.String("org", "", "organisation slug (create: created when missing)")
	email := fs.String("email", "", "the user's e-mail address")
	role := fs.String("role", "", "admin, member or viewer (create: default member)")
	pwStdin := fs.Bool("password-stdin", false, "create: read the user's password from the first line of standard input")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *org == "" || *email == "" {
		return usageError{"user " + sub + ": --org and --email are required"}
	}
	if *role != "" && !domain.Role(*role).Valid() {
		return usageError{"--role must be admin, member or viewer"}
	}
	if sub == "role" && *role == "" {
		return usageError{"user role: --role is required"}
	}
	var hash string
	if *pwStdin {
		if hash, err = readPassword(e); err != nil {
			return err
		}
	}
	db, closeDB, err := adminStore(ctx, e, *envFile)
	if err != nil {
		return err
	}
	defer closeDB()
	if sub == "role" {
		return changeRole(ctx, e, db, *org, *email, domain.Role(*role))
	}
	r := domain.Role(*role)
	if r == "" {
		r = domain.RoleMember
	}
	o, u, err := addMember(ctx, db, *org, *email, r)
	if err != nil {
		return err
	}
	if hash != "" {
		if err := db.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "user %s is %s of %s\n", u.Email, r, o.Slug)
	if hash == "" {
		if _, err := db.Password(ctx, u.ID); domain.ErrorCode(err) == domain.ENotFound {
			fmt.Fprintln(e.stderr, "the user has no password yet: sign in through OIDC, or give one with --password-stdin, or have an admin reset it on the members page")
		}
	}
	return nil
}

// readPassword reads the first line of standard input as a new password and hashes it.
func readPassword(e env) (string, error) {
	if e.stdin == nil {
		return "", usageError{"--password-stdin: nothing on standard input"}
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	hash, err := auth.HashNewPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return "", usageError{"--password-stdin: " + err.Error()}
	}
	return hash, nil
}

// changeRole is user role: the only command that changes an existing membership. The store
// refuses to take the admin role from the organisation's last admin.
func changeRole(ctx context.Context, e env, db *store.DB, slug, email string, role domain.Role) error {
	o, err := db.GetOrganizationBySlug(ctx, slug)
	if err != nil {
		return err
	}
	u, err := db.GetUserByEmail(ctx, email)
	if err != nil {
		return err
	}
	if err := db.ChangeMemberRole(ctx, o.ID, u.ID, role); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s is now %s of %s\n", u.Email, role, o.Slug)
	return nil
}

func cmdToken(ctx context.Context, e env, args []string) error {
	const usage = "token create --org acme --email a@example.com [--role admin|member|viewer] [--name ci]\n       reportapp token revoke --org acme --id TOKEN_ID"
	sub, done, err := subcommand(e, args, usage, "create", "revoke")
	if done || err != nil {
		return err
	}
	fs, envFile := newFlags(e, "token "+sub, usage)
	org := fs.String("org", "", "organisation slug")
	email := fs.String("email", "", "the token's user, a member of the organisation (create)")
	role := fs.String("role", "", "the token's role, at most the member's (create; default: the member's role)")
	name := fs.String("name", "cli", "a name to recognise the token by (create)")
	id := fs.String("id", "", "the token's id (revoke)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *role != "" && !domain.Role(*role).Valid() {
		return usageError{"--role must be admin, member or viewer"}
	}
	db, closeDB, err := adminStore(ctx, e, *envFile)
	if err != nil {
		return err
	}
	defer closeDB()
	if sub == "revoke" {
		if *org == "" || *id == "" {
			return usageError{"token revoke: --org and --id are required"}
		}
		o, err := db.GetOrganizationBySlug(ctx, *org)
		if err != nil {
			return err
		}
		if err := db.RevokeToken(ctx, o.ID, *id); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "token revoked")
		return nil
	}
	if *org == "" || *email == "" {
		return usageError{"token create: --org and --email are required"}
	}
	// A token never changes a membership: the user must already be a member (user create), and
	// the token's role is at most theirs (the store refuses more).
	o, err := db.GetOrganizationBySlug(ctx, *org)
	if err != nil {
		return err
	}
	u, err := db.GetUserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	m, err := db.GetMember(ctx, o.ID, u.ID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return fmt.Errorf("%s is not a member of %s: add them first with reportapp user create: %w", u.Email, o.Slug, err)
	}
	if err != nil {
		return err
	}
	tokenRole := m.Role
	if *role != "" {
		tokenRole = domain.Role(*role)
	}
	plain, t, err := db.CreateToken(ctx, o.ID, u.ID, *name, tokenRole)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %s (%s) for %s in %s; it is shown once:\n", t.ID, t.Role, u.Email, o.Slug)
	fmt.Fprintln(e.stdout, plain)
	return nil
}

// adminStore opens the configured database for an administration command.
func adminStore(ctx context.Context, e env, envFile string) (*store.DB, func(), error) {
	cfg, logger, err := loadConfig(e, envFile)
	if err != nil {
		return nil, nil, err
	}
	db, err := openStore(ctx, cfg, logger, cfg.MigrateOnStart)
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}

// addMember finds or creates the organisation (by slug) and the user (by e-mail) and makes the
// user a member with role. An existing member keeps their role: with another role it is
// EConflict, since only user role changes a membership.
func addMember(ctx context.Context, db *store.DB, slug, email string, role domain.Role) (document.Organization, domain.User, error) {
	org, err := db.GetOrganizationBySlug(ctx, slug)
	if domain.ErrorCode(err) == domain.ENotFound {
		org, err = db.CreateOrganization(ctx, slug, slug)
	}
	if err != nil {
		return org, domain.User{}, err
	}
	u, err := db.GetUserByEmail(ctx, email)
	if domain.ErrorCode(err) == domain.ENotFound {
		u, err = db.CreateUser(ctx, email, "")
	}
	if err != nil {
		return org, u, err
	}
	m, err := db.GetMember(ctx, org.ID, u.ID)
	switch {
	case err == nil && m.Role == role:
		return org, u, nil
	case err == nil:
		return org, u, domain.Errorf(domain.EConflict, "%s is already %s of %s; change it with: reportapp user role --org %s --email %s --role %s",
			u.Email, m.Role, org.Slug, org.Slug, u.Email, role)
	case domain.ErrorCode(err) != domain.ENotFound:
		return org, u, err
	}
	return org, u, db.SetMember(ctx, org.ID, u.ID, role)
}
