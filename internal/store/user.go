package store

import (
	"context"
	"fmt"
	"strings"

	"reportapp/internal/domain"
)

func errInvalidRole(r domain.Role) error {
	return &domain.Error{Code: domain.EInvalid, Message: fmt.Sprintf("不明な権限です (unknown role %q)", r),
		Fields: map[string]string{"role": "admin, member or viewer"}}
}

// normalizeEmail is how e-mail addresses are compared: trimmed and lower case.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CreateUser creates a user; the e-mail address is stored in lower case and is unique (EConflict).
func (db *DB) CreateUser(ctx context.Context, email, name string) (domain.User, error) {
	u := domain.User{Email: normalizeEmail(email), Name: strings.TrimSpace(name), CreatedAt: db.nowUTC()}
	if !domain.ValidEmail(u.Email) {
		return domain.User{}, &domain.Error{Code: domain.EInvalid, Message: "メールアドレスが不正です (invalid email)",
			Fields: map[string]string{"email": "invalid"}}
	}
	var err error
	if u.ID, err = newID(); err != nil {
		return domain.User{}, fmt.Errorf("store: create user: %w", err)
	}
	_, err = db.q().exec(ctx, `INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, timeArg(u.CreatedAt))
	if isUniqueViolation(err) {
		return domain.User{}, domain.Errorf(domain.EConflict, "このメールアドレスの利用者は既に存在します (user exists)")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// SetUserName sets the user's display name (trimmed, at most 200 characters).
func (db *DB) SetUserName(ctx context.Context, userID, name string) error {
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if !validID(userID) {
		return errUserNotFound()
	}
	if err := db.q().execOne(ctx, "利用者が見つかりません (user not found)", `UPDATE users SET name = ? WHERE id = ?`, name, userID); err != nil {
		return fmt.Errorf("store: set name of %s: %w", userID, err)
	}
	return nil
}

// GetUserByEmail returns the user with that e-mail address (compared case-insensitively).
func (db *DB) GetUserByEmail(ctx context.Context, email string) (domain.User, error) {
	u, err := db.getUser(ctx, "email = ?", normalizeEmail(email))
	if err != nil {
		return domain.User{}, fmt.Errorf("store: get user by email: %w", err)
	}
	return u, nil
}

// GetUser returns the user with id userID.
func (db *DB) GetUser(ctx context.Context, userID string) (domain.User, error) {
	if !validID(userID) {
		return domain.User{}, errUserNotFound()
	}
	u, err := db.getUser(ctx, "id = ?", userID)
	if err != nil {
		return domain.User{}, fmt.Errorf("store: get user %s: %w", userID, err)
	}
	return u, nil
}

func errUserNotFound() error {
	return domain.Errorf(domain.ENotFound, "利用者が見つかりません (user not found)")
}

func (db *DB) getUser(ctx context.Context, where string, args ...any) (domain.User, error) {
	var u domain.User
	err := db.q().queryRow(ctx, "SELECT id, email, name, created_at FROM users WHERE "+where, args...).
		Scan(&u.ID, &u.Email, &u.Name, scanTime(&u.CreatedAt))
	if notFound(err) {
		return domain.User{}, errUserNotFound()
	}
	if err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// SetMember makes the user a member of the organisation with role, or changes their role. An
// unknown organisation or user is ENotFound; taking the admin role from the organisation's last
// admin is EConflict (see keepingAnAdmin).
func (db *DB) SetMember(ctx context.Context, orgID, userID string, role domain.Role) error {
	if !role.Valid() {
		return errInvalidRole(role)
	}
	err := db.keepingAnAdmin(ctx, orgID, userID, role != domain.RoleAdmin, func(q querier) error {
		_, err := q.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role`,
			orgID, userID, string(role), timeArg(db.nowUTC()))
		if isForeignKeyViolation(err) {
			return domain.Errorf(domain.ENotFound, "組織または利用者が見つかりません (organization or user not found)")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: set member %s of %s: %w", userID, orgID, err)
	}
	return nil
}

// RemoveMember ends the user's membership and revokes their API tokens of the organisation, in
// one transaction: a later membership (a new invitation) does not bring the old tokens back.
// Removing the organisation's last admin is EConflict, an unknown member ENotFound. Sessions
// stop at the next request, since each request reads the membership.
func (db *DB) RemoveMember(ctx context.Context, orgID, userID string) error {
	err := db.keepingAnAdmin(ctx, orgID, userID, true, func(q querier) error {
		if err := q.execOne(ctx, "メンバーが見つかりません (member not found)",
			`DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID); err != nil {
			return err
		}
		_, err := q.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL`,
			timeArg(db.nowUTC()), orgID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: remove member %s of %s: %w", userID, orgID, err)
	}
	return nil
}

func errMemberNotFound() error {
	return domain.Errorf(domain.ENotFound, "メンバーが見つかりません (member not found)")
}

const memberQuery = `SELECT u.id, u.email, u.name, u.created_at, m.role
	FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ?`

// GetMember returns the user's membership of the organisation.
func (db *DB) GetMember(ctx context.Context, orgID, userID string) (domain.Member, error) {
	if !validID(orgID) || !validID(userID) {
		return domain.Member{}, errMemberNotFound()
	}
	ms, err := db.listMembers(ctx, memberQuery+" AND m.user_id = ?", orgID, userID)
	if err != nil {
		return domain.Member{}, fmt.Errorf("store: get member %s of %s: %w", userID, orgID, err)
	}
	if len(ms) == 0 {
		return domain.Member{}, errMemberNotFound()
	}
	return ms[0], nil
}

// ListMembers returns the members of the organisation by e-mail address.
func (db *DB) ListMembers(ctx context.Context, orgID string) ([]domain.Member, error) {
	if !validID(orgID) {
		return []domain.Member{}, nil
	}
	ms, err := db.listMembers(ctx, memberQuery+" ORDER BY u.email"+db.dialect.byteOrder(), orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list members of %s: %w", orgID, err)
	}
	return ms, nil
}

func (db *DB) listMembers(ctx context.Context, query string, args ...any) ([]domain.Member, error) {
	rows, err := db.q().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ms := []domain.Member{}
	for rows.Next() {
		var (
			m    domain.Member
			role string
		)
		if err := rows.Scan(&m.ID, &m.Email, &m.Name, scanTime(&m.CreatedAt), &role); err != nil {
			return nil, err
		}
		m.Role = domain.Role(role)
		ms = append(ms, m)
	}
	return ms, rows.Err()
}
