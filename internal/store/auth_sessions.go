package store

import (
	"context"
	"fmt"
	"time"
)

// The sessions table backs the scs session manager of package auth. A row is keyed by the SHA-256
// of the session token, so someone who can read the database cannot replay a session cookie.

// FindSession returns the data of the unexpired session token and when it expires. found is
// false, with a nil error, for an unknown, expired or malformed token.
func (db *DB) FindSession(ctx context.Context, token string) (data []byte, expiry time.Time, found bool, err error) {
	err = db.q().queryRow(ctx, `SELECT data, expiry FROM sessions WHERE token_hash = ? AND expiry > ?`,
		HashSecret(token), timeArg(db.now())).Scan(&data, scanTime(&expiry))
	if notFound(err) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("store: find session: %w", err)
	}
	return data, expiry, true, nil
}

// CommitSession stores data for token until expiry, replacing what the token had.
func (db *DB) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := db.q().exec(ctx, `INSERT INTO sessions (token_hash, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		HashSecret(token), data, timeArg(expiry))
	if err != nil {
		return fmt.Errorf("store: commit session: %w", err)
	}
	return nil
}

// DeleteSession removes the session token; an unknown token is not an error.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if _, err := db.q().exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, HashSecret(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes expired sessions and reports how many; run it periodically.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := db.q().exec(ctx, `DELETE FROM sessions WHERE expiry <= ?`, timeArg(db.now()))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	return n, nil
}

// TouchSession moves the session token's expiry on to expiry (never back: a concurrent touch or
// commit may have moved it further).
func (db *DB) TouchSession(ctx context.Context, token string, expiry time.Time) error {
	if _, err := db.q().exec(ctx, `UPDATE sessions SET expiry = ? WHERE token_hash = ? AND expiry < ?`,
		timeArg(expiry), HashSecret(token), timeArg(expiry)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}
