package main

import (
	"context"
	"fmt"
	"slices"

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
	const usage = "org create --slug acme --name 株式会社アクメ"
	if _, done, err := subcommand(e, args, usage, "create"); done || err != nil {
		return err
	}
	fs, envFile := newFlags(e, "org create", usage)
	slug := fs.String("slug", "", "short unique name of the organisation (required)")
	name := fs.String("name", "", "the organisation's name as printed on documents (required)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *slug == "" || *name == "" {
		return usageError{"org create: --slug and --name are required"}
	}
	db, closeDB, err := adminStore(ctx, e, *envFile)
	if err != nil {
		return err
	}
	defer closeDB()
	org, err := db.CreateOrganization(ctx, *slug, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "organisation %s created (id %s)\n", org.Slug, org.ID)
	return nil
}

func cmdUser(ctx context.Context, e env, args []string) error {
	const usage = "user create --org acme --email a@example.com [--role admin|member|viewer]"
	if _, done, err := subcommand(e, args, usage, "create"); done || err != nil {
		return err
	}
	fs, envFile := newFlags(e, "user create", usage)
	org := fs.String("org", "", "organisation slug (created when missing)")
	email := fs.String("email", "", "the user's e-mail address")
	role := fs.String("role", "member", "admin, member or viewer")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, closeDB, err := adminStore(ctx, e, *envFile)
	if err != nil {
		return err
	}
	defer closeDB()
	o, u, r, err := ensureMember(ctx, db, *org, *email, *role)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user %s is %s of %s\n", u.Email, r, o.Slug)
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
	email := fs.String("email", "", "the token's user (create)")
	role := fs.String("role", "", "the token's role (create; default: the user's role, or admin for a new user)")
	name := fs.String("name", "cli", "a name to recognise the token by (create)")
	id := fs.String("id", "", "the token's id (revoke)")
	if err := parse(fs, args[1:]); err != nil {
		return err
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
	o, u, memberRole, err := ensureMember(ctx, db, *org, *email, *role)
	if err != nil {
		return err
	}
	tokenRole := memberRole
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

// ensureMember finds or creates the organisation (by slug), the user (by e-mail) and the
// membership. role "" keeps an existing member's role and makes a new one admin.
func ensureMember(ctx context.Context, db *store.DB, slug, email, role string) (document.Organization, domain.User, domain.Role, error) {
	if slug == "" || email == "" {
		return document.Organization{}, domain.User{}, "", usageError{"--org and --email are required"}
	}
	if role != "" && !domain.Role(role).Valid() {
		return document.Organization{}, domain.User{}, "", usageError{"--role must be admin, member or viewer"}
	}
	org, err := db.GetOrganizationBySlug(ctx, slug)
	if domain.ErrorCode(err) == domain.ENotFound {
		org, err = db.CreateOrganization(ctx, slug, slug)
	}
	if err != nil {
		return org, domain.User{}, "", err
	}
	u, err := db.GetUserByEmail(ctx, email)
	if domain.ErrorCode(err) == domain.ENotFound {
		u, err = db.CreateUser(ctx, email, "")
	}
	if err != nil {
		return org, u, "", err
	}
	m, err := db.GetMember(ctx, org.ID, u.ID)
	switch {
	case err == nil && role == "":
		return org, u, m.Role, nil
	case err != nil && domain.ErrorCode(err) != domain.ENotFound:
		return org, u, "", err
	}
	r := domain.Role(role)
	if r == "" {
		r = "admin"
	}
	if err := db.SetMember(ctx, org.ID, u.ID, r); err != nil {
		return org, u, "", err
	}
	return org, u, r, nil
}
