package store

import (
	"context"
	"fmt"
	"time"

	"reportapp/internal/domain"
)

// HasUsers reports whether any user exists; the first-run setup is open only while none does.
func (db *DB) HasUsers(ctx context.Context) (bool, error) {
	var n int
	if err := db.q().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS u`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: has users: %w", err)
	}
	return n > 0, nil
}

// CreateSetupToken stores the hash of a one-time first-run setup token valid until expires.
func (db *DB) CreateSetupToken(ctx context.Context, tokenHash string, expires time.Time) error {
	_, err := db.q().exec(ctx, `INSERT INTO auth_setup_tokens (token_hash, created_at, expires_at) VALUES (?, ?, ?)`,
		tokenHash, timeArg(db.nowUTC()), timeArg(expires))
	if err != nil {
		return fmt.Errorf("store: create setup token: %w", err)
	}
	return nil
}

// SetupTokenValid reports whether the setup token hash exists, is unused and unexpired.
func (db *DB) SetupTokenValid(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	err := db.q().queryRow(ctx, `SELECT COUNT(*) FROM auth_setup_tokens
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`, tokenHash, timeArg(db.nowUTC())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: check setup token: %w", err)
	}
	return n == 1, nil
}

// UseSetupToken marks the setup token as used, once: a token that is unknown, expired or already
// used is EUnauthorized. Every other setup token is spent with it, so no second setup can start.
func (db *DB) UseSetupToken(ctx context.Context, tokenHash string) error {
	now := timeArg(db.nowUTC())
	err := db.inTx(ctx, func(q querier) error {
		err := q.execOne(ctx, "setup token", `UPDATE auth_setup_tokens SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`, now, tokenHash, now)
		if domain.ErrorCode(err) == domain.ENotFound {
			return domain.Errorf(domain.EUnauthorized, "セットアップ用URLが無効か、既に使用されています (setup token invalid or used)")
		}
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `UPDATE auth_setup_tokens SET used_at = ? WHERE used_at IS NULL`, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: use setup token: %w", err)
	}
	return nil
}
