package store

import (
	"context"
	"fmt"

	"reportapp/internal/domain"
)

// Password is a user's stored local password: the encoded hash (package auth hashes; the store
// never sees a password) and whether an administrator set it, so that the user must choose their
// own at the next login.
type Password struct {
	Hash      string
	Temporary bool
}

// SetPasswordHash stores the user's own password hash (not temporary). An unknown user is
// ENotFound. It leaves the user's sessions alone; ChangePassword ends them.
func (db *DB) SetPasswordHash(ctx context.Context, userID, hash string) error {
	if err := setPassword(ctx, db.q(), db, userID, hash, false); err != nil {
		return fmt.Errorf("store: set password of %s: %w", userID, err)
	}
	return nil
}

// ChangePassword stores the user's new password hash, temporary when an administrator set it,
// and ends every session of the user in the same transaction (it increments the session epoch).
// It returns the new epoch: the one session that should survive (the user's own, after they
// changed their password) stores it again.
func (db *DB) ChangePassword(ctx context.Context, userID, hash string, temporary bool) (int64, error) {
	var epoch int64
	err := db.inTx(ctx, func(q querier) error {
		if err := setPassword(ctx, q, db, userID, hash, temporary); err != nil {
			return err
		}
		return q.queryRow(ctx, `UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ? RETURNING session_epoch`,
			userID).Scan(&epoch)
	})
	if err != nil {
		return 0, fmt.Errorf("store: change password of %s: %w", userID, err)
	}
	return epoch, nil
}

func setPassword(ctx context.Context, q querier, db *DB, userID, hash string, temporary bool) error {
	if !validID(userID) {
		return errUserNotFound()
	}
	_, err := q.exec(ctx, `INSERT INTO auth_passwords (user_id, hash, updated_at, temporary) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at,
			temporary = excluded.temporary`,
		userID, hash, timeArg(db.nowUTC()), temporary)
	if isForeignKeyViolation(err) {
		return errUserNotFound()
	}
	return err
}

// Password returns the user's stored password; a user without one (who signs in through OIDC)
// is ENotFound.
func (db *DB) Password(ctx context.Context, userID string) (Password, error) {
	if !validID(userID) {
		return Password{}, errNoPassword()
	}
	var p Password
	err := db.q().queryRow(ctx, `SELECT hash, temporary FROM auth_passwords WHERE user_id = ?`, userID).Scan(&p.Hash, &p.Temporary)
	if notFound(err) {
		return Password{}, errNoPassword()
	}
	if err != nil {
		return Password{}, fmt.Errorf("store: password of %s: %w", userID, err)
	}
	return p, nil
}

// SessionEpoch returns the user's session epoch (see ChangePassword), which a new session stores.
func (db *DB) SessionEpoch(ctx context.Context, userID string) (int64, error) {
	if !validID(userID) {
		return 0, errUserNotFound()
	}
	var epoch int64
	err := db.q().queryRow(ctx, `SELECT session_epoch FROM users WHERE id = ?`, userID).Scan(&epoch)
	if notFound(err) {
		return 0, errUserNotFound()
	}
	if err != nil {
		return 0, fmt.Errorf("store: session epoch of %s: %w", userID, err)
	}
	return epoch, nil
}

func errNoPassword() error {
	return domain.Errorf(domain.ENotFound, "パスワードが設定されていません (no password)")
}
