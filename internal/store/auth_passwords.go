package store

import (
	"context"
	"fmt"

	"reportapp/internal/domain"
)

// SetPasswordHash stores the encoded password hash of the user (package auth hashes; the store
// never sees a password). An unknown user is ENotFound.
func (db *DB) SetPasswordHash(ctx context.Context, userID, hash string) error {
	if !validID(userID) {
		return errUserNotFound()
	}
	_, err := db.q().exec(ctx, `INSERT INTO auth_passwords (user_id, hash, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		userID, hash, timeArg(db.nowUTC()))
	if isForeignKeyViolation(err) {
		return errUserNotFound()
	}
	if err != nil {
		return fmt.Errorf("store: set password of %s: %w", userID, err)
	}
	return nil
}

// PasswordHash returns the encoded password hash of the user; a user without a password (one who
// signs in through OIDC) is ENotFound.
func (db *DB) PasswordHash(ctx context.Context, userID string) (string, error) {
	if !validID(userID) {
		return "", errNoPassword()
	}
	var hash string
	err := db.q().queryRow(ctx, `SELECT hash FROM auth_passwords WHERE user_id = ?`, userID).Scan(&hash)
	if notFound(err) {
		return "", errNoPassword()
	}
	if err != nil {
		return "", fmt.Errorf("store: password of %s: %w", userID, err)
	}
	return hash, nil
}

func errNoPassword() error {
	return domain.Errorf(domain.ENotFound, "パスワードが設定されていません (no password)")
}
