package store

import (
	"context"
	"fmt"
	"strings"

	"reportapp/internal/domain"
)

// AllowedDomain lets people with a verified e-mail address in Domain join the organisation with
// Role on their first OIDC login.
type AllowedDomain struct {
	OrgID  string      `json:"org_id"`
	Domain string      `json:"domain"` // lower case, without "@": "example.co.jp"
	Role   domain.Role `json:"role"`
}

// NormalizeEmailDomain returns domain ("@Example.co.jp" or "example.co.jp") in the stored form,
// or "" when it is not a plausible domain name.
func NormalizeEmailDomain(domain string) string {
	d := strings.ToLower(strings.TrimSpace(domain))
	d = strings.TrimPrefix(d, "@")
	if d == "" || len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return ""
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return ""
		}
	}
	return d
}

// AllowEmailDomain adds (or changes the role of) an allowed domain of the organisation.
func (db *DB) AllowEmailDomain(ctx context.Context, orgID, name string, role domain.Role) (AllowedDomain, error) {
	a := AllowedDomain{OrgID: orgID, Domain: NormalizeEmailDomain(name), Role: role}
	if a.Domain == "" {
		return AllowedDomain{}, &domain.Error{Code: domain.EInvalid, Message: "ドメインが不正です (invalid domain)",
			Fields: map[string]string{"domain": "invalid"}}
	}
	if !role.Valid() {
		return AllowedDomain{}, errInvalidRole(role)
	}
	if !validID(orgID) {
		return AllowedDomain{}, errOrgNotFound()
	}
	_, err := db.q().exec(ctx, `INSERT INTO auth_allowed_domains (org_id, domain, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (org_id, domain) DO UPDATE SET role = excluded.role`,
		orgID, a.Domain, string(role), timeArg(db.nowUTC()))
	if isForeignKeyViolation(err) {
		return AllowedDomain{}, errOrgNotFound()
	}
	if err != nil {
		return AllowedDomain{}, fmt.Errorf("store: allow domain %s in %s: %w", a.Domain, orgID, err)
	}
	return a, nil
}

// DisallowEmailDomain removes an allowed domain of the organisation (ENotFound if absent). Members
// who joined through it stay members.
func (db *DB) DisallowEmailDomain(ctx context.Context, orgID, name string) error {
	d := NormalizeEmailDomain(name)
	if !validID(orgID) || d == "" {
		return domain.Errorf(domain.ENotFound, "ドメインが見つかりません (domain not found)")
	}
	err := db.q().execOne(ctx, "ドメインが見つかりません (domain not found)",
		`DELETE FROM auth_allowed_domains WHERE org_id = ? AND domain = ?`, orgID, d)
	if err != nil {
		return fmt.Errorf("store: disallow domain %s in %s: %w", d, orgID, err)
	}
	return nil
}

// ListAllowedDomains returns the allowed domains of the organisation, by domain.
func (db *DB) ListAllowedDomains(ctx context.Context, orgID string) ([]AllowedDomain, error) {
	if !validID(orgID) {
		return []AllowedDomain{}, nil
	}
	return db.allowedDomains(ctx, `SELECT org_id, domain, role FROM auth_allowed_domains WHERE org_id = ? ORDER BY domain`, orgID)
}

// AllowedDomainsFor returns the rules that let email's domain in, oldest first (across all
// organisations: this is how a first login finds where it may go).
func (db *DB) AllowedDomainsFor(ctx context.Context, email string) ([]AllowedDomain, error) {
	_, domain, ok := strings.Cut(normalizeEmail(email), "@")
	if !ok || NormalizeEmailDomain(domain) == "" {
		return []AllowedDomain{}, nil
	}
	return db.allowedDomains(ctx, `SELECT org_id, domain, role FROM auth_allowed_domains WHERE domain = ?
		ORDER BY created_at, org_id`, domain)
}

func (db *DB) allowedDomains(ctx context.Context, query string, args ...any) ([]AllowedDomain, error) {
	rows, err := db.q().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: allowed domains: %w", err)
	}
	defer rows.Close()
	out := []AllowedDomain{}
	for rows.Next() {
		var (
			a    AllowedDomain
			role string
		)
		if err := rows.Scan(&a.OrgID, &a.Domain, &role); err != nil {
			return nil, fmt.Errorf("store: allowed domains: %w", err)
		}
		a.Role = domain.Role(role)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: allowed domains: %w", err)
	}
	return out, nil
}
