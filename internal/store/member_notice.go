package store

import (
	"context"
	"fmt"
	"time"

	"reportapp/internal/domain"
)

// MemberNotice tells a user that they were added to an organisation: which, by whom (the
// inviter's e-mail address) and with which role. It is shown until the user dismisses it.
type MemberNotice struct {
	ID        string
	OrgID     string
	OrgName   string
	AddedBy   string
	Role      domain.Role
	CreatedAt time.Time
}

// AddMemberNotice records that addedBy added user userID to organisation orgID with role.
func (db *DB) AddMemberNotice(ctx context.Context, userID, orgID, addedBy string, role domain.Role) error {
	id, err := newID()
	if err != nil {
		return fmt.Errorf("store: add member notice: %w", err)
	}
	if _, err := db.q().exec(ctx, `INSERT INTO member_notices (id, user_id, org_id, added_by, role, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, id, userID, orgID, addedBy, string(role), timeArg(db.nowUTC())); err != nil {
		return fmt.Errorf("store: add member notice: %w", err)
	}
	return nil
}

// MemberNotices returns the user's notices not dismissed yet, oldest first, of the organisations
// they still belong to (a member removed since is not told about it).
func (db *DB) MemberNotices(ctx context.Context, userID string) ([]MemberNotice, error) {
	if !validID(userID) {
		return []MemberNotice{}, nil
	}
	rows, err := db.q().query(ctx, `SELECT n.id, n.org_id, o.name, n.added_by, n.role, n.created_at
		FROM member_notices n JOIN organizations o ON o.id = n.org_id
		JOIN memberships m ON m.org_id = n.org_id AND m.user_id = n.user_id
		WHERE n.user_id = ? ORDER BY n.created_at, n.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: member notices of %s: %w", userID, err)
	}
	defer rows.Close()
	ns := []MemberNotice{}
	for rows.Next() {
		var n MemberNotice
		if err := rows.Scan(&n.ID, &n.OrgID, &n.OrgName, &n.AddedBy, &n.Role, scanTime(&n.CreatedAt)); err != nil {
			return nil, fmt.Errorf("store: member notices of %s: %w", userID, err)
		}
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: member notices of %s: %w", userID, err)
	}
	return ns, nil
}

// DismissMemberNotices deletes the user's notices.
func (db *DB) DismissMemberNotices(ctx context.Context, userID string) error {
	if _, err := db.q().exec(ctx, `DELETE FROM member_notices WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: dismiss member notices of %s: %w", userID, err)
	}
	return nil
}
