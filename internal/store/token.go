package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"reportapp/internal/domain"
)

// tokenPrefix marks reportapp tokens so that secret scanners and people recognise them.
const tokenPrefix = "rpt_"

// tokenBytes is the entropy of a token.
const tokenBytes = 32

// lastUsedResolution is how stale last_used_at may get: Authenticate writes at most once a minute
// per token, so authenticating is a read in the common case.
const lastUsedResolution = time.Minute

// HashSecret is how a secret (an API token, a session token, a setup token) is kept: the hex of
// its SHA-256, so that someone who can read the database cannot use what is stored. The secrets
// are random and long, so no salt or slow hash is needed.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func errUnauthorized() error {
	return domain.Errorf(domain.EUnauthorized, "認証に失敗しました (invalid token)")
}

// CreateToken creates an API token of the user in the organisation with role and returns its
// plaintext ("rpt_" + 43 base64url characters), which is not kept: only its SHA-256 is stored.
// The user must be a member (ENotFound otherwise) whose role is at least role (EInvalid
// otherwise); creating a token never changes a membership. The token's effective role also never
// exceeds the member's role at the time of use.
func (db *DB) CreateToken(ctx context.Context, orgID, userID, name string, role domain.Role) (string, domain.Token, error) {
	if !role.Valid() {
		return "", domain.Token{}, errInvalidRole(role)
	}
	m, err := db.GetMember(ctx, orgID, userID)
	if err != nil {
		return "", domain.Token{}, err
	}
	if !m.Role.AtLeast(role) {
		return "", domain.Token{}, &domain.Error{Code: domain.EInvalid,
			Message: fmt.Sprintf("トークンの権限は利用者の権限 (%s) を超えられません (a token's role cannot exceed its user's role %s)", m.Role, m.Role),
			Fields:  map[string]string{"role": "at most " + string(m.Role)}}
	}
	secret := make([]byte, tokenBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", domain.Token{}, fmt.Errorf("store: create token: %w", err)
	}
	plaintext := tokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	t := domain.Token{OrgID: orgID, UserID: userID, Name: strings.TrimSpace(name), Role: role, CreatedAt: db.nowUTC()}
	if t.ID, err = newID(); err != nil {
		return "", domain.Token{}, fmt.Errorf("store: create token: %w", err)
	}
	_, err = db.q().exec(ctx, `INSERT INTO api_tokens (id, org_id, user_id, name, role, token_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.OrgID, t.UserID, t.Name, string(t.Role), HashSecret(plaintext), timeArg(t.CreatedAt))
	if err != nil {
		return "", domain.Token{}, fmt.Errorf("store: create token for %s in %s: %w", userID, orgID, err)
	}
	return plaintext, t, nil
}

// Authenticate returns the principal of a plaintext token. The token is found by its hash (so the
// lookup leaks nothing about other tokens through timing). Unknown or revoked tokens, and tokens
// of users who are no longer members, are EUnauthorized. The effective role is the weaker of the
// token's and the membership's.
func (db *DB) Authenticate(ctx context.Context, plaintext string) (domain.Principal, error) {
	if !strings.HasPrefix(plaintext, tokenPrefix) || len(plaintext) > 200 {
		return domain.Principal{}, errUnauthorized()
	}
	var (
		p                     domain.Principal
		tokenRole, memberRole string
		last                  *time.Time
	)
	err := db.q().queryRow(ctx, `SELECT t.id, t.org_id, o.slug, t.user_id, u.email, t.role, m.role, t.last_used_at
		FROM api_tokens t
		JOIN memberships m ON m.org_id = t.org_id AND m.user_id = t.user_id
		JOIN users u ON u.id = t.user_id
		JOIN organizations o ON o.id = t.org_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL`, HashSecret(plaintext)).
		Scan(&p.TokenID, &p.OrgID, &p.OrgSlug, &p.UserID, &p.Email, &tokenRole, &memberRole, scanNullTime(&last))
	if notFound(err) {
		return domain.Principal{}, errUnauthorized()
	}
	if err != nil {
		return domain.Principal{}, fmt.Errorf("store: authenticate: %w", err)
	}
	p.Role = domain.MinRole(domain.Role(tokenRole), domain.Role(memberRole))
	if !p.Role.Valid() {
		return domain.Principal{}, errUnauthorized()
	}
	now := db.nowUTC()
	if last == nil || now.Sub(*last) >= lastUsedResolution {
		if _, err := db.q().exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`,
			timeArg(now), p.TokenID); err != nil {
			return domain.Principal{}, fmt.Errorf("store: authenticate: record use: %w", err)
		}
	}
	return p, nil
}

// ListTokens returns the organisation's tokens that are not revoked, oldest first: the user's
// when userID is set, everyone's when it is "".
func (db *DB) ListTokens(ctx context.Context, orgID, userID string) ([]domain.Token, error) {
	if !validID(orgID) || (userID != "" && !validID(userID)) {
		return []domain.Token{}, nil
	}
	query := `SELECT id, org_id, user_id, name, role, created_at, last_used_at FROM api_tokens
		WHERE org_id = ? AND revoked_at IS NULL`
	args := []any{orgID}
	if userID != "" {
		query += " AND user_id = ?"
		args = append(args, userID)
	}
	rows, err := db.q().query(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens of %s: %w", orgID, err)
	}
	defer rows.Close()
	ts := []domain.Token{}
	for rows.Next() {
		var (
			t    domain.Token
			role string
		)
		if err := rows.Scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &role, scanTime(&t.CreatedAt), scanNullTime(&t.LastUsedAt)); err != nil {
			return nil, fmt.Errorf("store: list tokens of %s: %w", orgID, err)
		}
		t.Role = domain.Role(role)
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list tokens of %s: %w", orgID, err)
	}
	return ts, nil
}

// RevokeToken revokes a token of the organisation at once. The row is kept (revoked) for the
// record; revoking twice is ENotFound.
func (db *DB) RevokeToken(ctx context.Context, orgID, tokenID string) error {
	if !validID(orgID) || !validID(tokenID) {
		return domain.Errorf(domain.ENotFound, "トークンが見つかりません (token not found)")
	}
	err := db.q().execOne(ctx, "トークンが見つかりません (token not found)",
		`UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL`,
		timeArg(db.nowUTC()), orgID, tokenID)
	if err != nil {
		return fmt.Errorf("store: revoke token %s: %w", tokenID, err)
	}
	return nil
}
