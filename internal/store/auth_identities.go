package store

import (
	"context"
	"fmt"

	"reportapp/internal/domain"
)

// LinkIdentity records that the OIDC identity (issuer, subject) is the user. Linking an identity
// again to the same user is a no-op; to another user it is EConflict.
func (db *DB) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if issuer == "" || subject == "" {
		return domain.Errorf(domain.EInvalid, "IDプロバイダーの識別子が空です (empty issuer or subject)")
	}
	if !validID(userID) {
		return errUserNotFound()
	}
	res, err := db.q().exec(ctx, `INSERT INTO auth_identities (issuer, subject, user_id, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING`,
		issuer, subject, userID, timeArg(db.nowUTC()))
	if isForeignKeyViolation(err) {
		return errUserNotFound()
	}
	if err != nil {
		return fmt.Errorf("store: link identity: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: link identity: %w", err)
	} else if n == 1 {
		return nil
	}
	linked, err := db.UserIDByIdentity(ctx, issuer, subject)
	if err != nil {
		return err
	}
	if linked != userID {
		return domain.Errorf(domain.EConflict, "このIDは別の利用者に紐付いています (identity linked to another user)")
	}
	return nil
}

// UserIDByIdentity returns the id of the user linked to the OIDC identity, ENotFound if none.
func (db *DB) UserIDByIdentity(ctx context.Context, issuer, subject string) (string, error) {
	var userID string
	err := db.q().queryRow(ctx, `SELECT user_id FROM auth_identities WHERE issuer = ? AND subject = ?`,
		issuer, subject).Scan(&userID)
	if notFound(err) {
		return "", domain.Errorf(domain.ENotFound, "IDが登録されていません (identity not linked)")
	}
	if err != nil {
		return "", fmt.Errorf("store: user by identity: %w", err)
	}
	return userID, nil
}
