package store

import (
	"context"
	"fmt"

	"reportapp/internal/domain"
)

const principalQuery = `SELECT m.org_id, o.slug, m.user_id, u.email, m.role
	FROM memberships m
	JOIN users u ON u.id = m.user_id
	JOIN organizations o ON o.id = m.org_id`

// SessionPrincipal returns the principal of a browser session: the user acting in the
// organisation with their current role. A user who is no longer a member, or whose sessions were
// ended since this one started (epoch is not the user's session epoch), is EUnauthorized, so the
// session stops working at once.
func (db *DB) SessionPrincipal(ctx context.Context, orgID, userID string, epoch int64) (domain.Principal, error) {
	if !validID(orgID) || !validID(userID) {
		return domain.Principal{}, errUnauthorized()
	}
	ps, err := db.principals(ctx, principalQuery+` WHERE m.org_id = ? AND m.user_id = ? AND u.session_epoch = ?`, orgID, userID, epoch)
	if err != nil {
		return domain.Principal{}, fmt.Errorf("store: session principal: %w", err)
	}
	if len(ps) == 0 || !ps[0].Role.Valid() {
		return domain.Principal{}, errUnauthorized()
	}
	return ps[0], nil
}

// UserMemberships returns one principal per organisation the user belongs to, the oldest
// membership first.
func (db *DB) UserMemberships(ctx context.Context, userID string) ([]domain.Principal, error) {
	if !validID(userID) {
		return []domain.Principal{}, nil
	}
	ps, err := db.principals(ctx, principalQuery+` WHERE m.user_id = ? ORDER BY m.created_at, m.org_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: memberships of %s: %w", userID, err)
	}
	return ps, nil
}

func (db *DB) principals(ctx context.Context, query string, args ...any) ([]domain.Principal, error) {
	rows, err := db.q().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Principal{}
	for rows.Next() {
		var (
			p    domain.Principal
			role string
		)
		if err := rows.Scan(&p.OrgID, &p.OrgSlug, &p.UserID, &p.Email, &role); err != nil {
			return nil, err
		}
		p.Role = domain.Role(role)
		out = append(out, p)
	}
	return out, rows.Err()
}

func errLastAdmin() error {
	return domain.Errorf(domain.EConflict, "最後の管理者は変更・削除できません (cannot remove the last admin)")
}

// ChangeMemberRole changes the role of an existing member; demoting the organisation's last
// admin is EConflict, an unknown member ENotFound.
func (db *DB) ChangeMemberRole(ctx context.Context, orgID, userID string, role domain.Role) error {
	if !role.Valid() {
		return errInvalidRole(role)
	}
	err := db.keepingAnAdmin(ctx, orgID, userID, role != domain.RoleAdmin, func(q querier) error {
		return q.execOne(ctx, "メンバーが見つかりません (member not found)",
			`UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`, string(role), orgID, userID)
	})
	if err != nil {
		return fmt.Errorf("store: change role of %s in %s: %w", userID, orgID, err)
	}
	return nil
}

// keepingAnAdmin runs change in a transaction that locks the organisation's admin memberships,
// refusing when the change takes away (losesAdmin) the role of the only admin. The lock makes two
// admins demoting each other at the same moment serialise instead of both succeeding. Every
// method that changes or ends a membership goes through it, so the rule holds for the CLI, the
// API and the UI alike.
func (db *DB) keepingAnAdmin(ctx context.Context, orgID, userID string, losesAdmin bool, change func(q querier) error) error {
	if !validID(orgID) || !validID(userID) {
		return errMemberNotFound()
	}
	return db.inTx(ctx, func(q querier) error {
		rows, err := q.query(ctx, `SELECT user_id FROM memberships WHERE org_id = ? AND role = ?`+q.d.forUpdate(""),
			orgID, string(domain.RoleAdmin))
		if err != nil {
			return err
		}
		var admins []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			admins = append(admins, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if losesAdmin && len(admins) == 1 && admins[0] == userID {
			return errLastAdmin()
		}
		return change(q)
	})
}
