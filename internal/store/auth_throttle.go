package store

import (
	"context"
	"fmt"
	"time"
)

// AuthThrottle is the failed-login state of one key (an account or a client address). It lives in
// the database so that every replica enforces the same back-off.
type AuthThrottle struct {
	Failures     int       // consecutive failures within the window
	BlockedUntil time.Time // zero when not blocked
}

// Blocked reports whether the key may not try again at now.
func (t AuthThrottle) Blocked(now time.Time) bool { return now.Before(t.BlockedUntil) }

// GetAuthThrottle returns the state of key; a key never seen is the zero AuthThrottle.
func (db *DB) GetAuthThrottle(ctx context.Context, key string) (AuthThrottle, error) {
	t, _, err := getAuthThrottle(ctx, db.q(), key, "")
	if err != nil {
		return AuthThrottle{}, fmt.Errorf("store: get auth throttle: %w", err)
	}
	return t, nil
}

func getAuthThrottle(ctx context.Context, q querier, key, suffix string) (AuthThrottle, time.Time, error) {
	var (
		t       AuthThrottle
		updated time.Time
	)
	err := q.queryRow(ctx, `SELECT failures, blocked_until, updated_at FROM auth_throttle WHERE key = ?`+suffix, key).
		Scan(&t.Failures, scanTime(&t.BlockedUntil), scanTime(&updated))
	if notFound(err) {
		return AuthThrottle{}, time.Time{}, nil
	}
	if err != nil {
		return AuthThrottle{}, time.Time{}, err
	}
	return t, updated, nil
}

// RecordAuthFailure counts one more failure of key and returns the new state. Failures older than
// window are forgotten first; block maps the failure count to how long the key must then wait
// (0 for not at all).
func (db *DB) RecordAuthFailure(ctx context.Context, key string, window time.Duration, block func(failures int) time.Duration) (AuthThrottle, error) {
	now := db.nowUTC()
	var out AuthThrottle
	err := db.inTx(ctx, func(q querier) error {
		// Make sure the row exists so that FOR UPDATE locks it: concurrent failures then count
		// one after the other instead of overwriting each other.
		if _, err := q.exec(ctx, `INSERT INTO auth_throttle (key, failures, blocked_until, updated_at)
			VALUES (?, 0, ?, ?) ON CONFLICT (key) DO NOTHING`, key, timeArg(time.Time{}), timeArg(now)); err != nil {
			return err
		}
		t, updated, err := getAuthThrottle(ctx, q, key, q.d.authForUpdate())
		if err != nil {
			return err
		}
		if now.Sub(updated) > window {
			t = AuthThrottle{}
		}
		t.Failures++
		t.BlockedUntil = time.Time{}
		if d := block(t.Failures); d > 0 {
			t.BlockedUntil = now.Add(d)
		}
		_, err = q.exec(ctx, `INSERT INTO auth_throttle (key, failures, blocked_until, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
				blocked_until = excluded.blocked_until, updated_at = excluded.updated_at`,
			key, t.Failures, timeArg(t.BlockedUntil), timeArg(now))
		out = t
		return err
	})
	if err != nil {
		return AuthThrottle{}, fmt.Errorf("store: record auth failure: %w", err)
	}
	return out, nil
}

// ClearAuthFailures forgets the failures of key (after a successful login).
func (db *DB) ClearAuthFailures(ctx context.Context, key string) error {
	if _, err := db.q().exec(ctx, `DELETE FROM auth_throttle WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: clear auth failures: %w", err)
	}
	return nil
}

// authForUpdate locks the rows a SELECT of one table returns until commit (PostgreSQL; SQLite's
// immediate transactions already hold the database lock).
func (d dialect) authForUpdate() string {
	if d.postgres() {
		return " FOR UPDATE"
	}
	return ""
}
