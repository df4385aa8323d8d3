package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// AuthThrottle is the login-attempt state of one key (an account at an address, or an address).
// It lives in the database so that every replica enforces the same back-off.
type AuthThrottle struct {
	Failures     int       // attempts counted within the window and not taken back
	BlockedUntil time.Time // zero when not blocked
}

// Blocked reports whether the key may not try again at now.
func (t AuthThrottle) Blocked(now time.Time) bool { return now.Before(t.BlockedUntil) }

// ThrottleRule is one key a login attempt counts against, and the back-off of that key: Block
// maps the number of attempts counted to how long the key must then wait (0: not at all).
type ThrottleRule struct {
	Key   string
	Block func(attempts int) time.Duration
}

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

// ReserveAuthAttempt counts one attempt against every rule's key before the password is checked,
// in one transaction that locks the keys' rows: of any number of concurrent attempts, only as
// many pass as the rules allow. When any key is blocked nothing is counted and wait is how long
// until the last of the blocking keys opens again. Counts older than window are forgotten.
//
// An attempt counts as a failure until the caller says otherwise: ClearAuthAttempts after a
// success (for the keys that should forget), ReleaseAuthAttempt for a key that should only take
// the one attempt back (or an attempt that was never checked).
func (db *DB) ReserveAuthAttempt(ctx context.Context, window time.Duration, rules ...ThrottleRule) (wait time.Duration, err error) {
	now := db.nowUTC()
	// Lock in key order, so that two attempts never wait for each other's rows.
	rules = slices.Clone(rules)
	slices.SortFunc(rules, func(a, b ThrottleRule) int { return cmp.Compare(a.Key, b.Key) })
	err = db.inTx(ctx, func(q querier) error {
		states := make([]AuthThrottle, len(rules))
		for i, rule := range rules {
			t, err := lockAuthThrottle(ctx, q, rule.Key, now)
			if err != nil {
				return err
			}
			if now.Sub(t.updated) > window {
				t.AuthThrottle = AuthThrottle{}
			}
			if t.Blocked(now) {
				wait = max(wait, t.BlockedUntil.Sub(now))
			}
			states[i] = t.AuthThrottle
		}
		if wait > 0 {
			return nil
		}
		for i, rule := range rules {
			t := states[i]
			t.Failures++
			t.BlockedUntil = time.Time{}
			if d := rule.Block(t.Failures); d > 0 {
				t.BlockedUntil = now.Add(d)
			}
			if err := putAuthThrottle(ctx, q, rule.Key, t, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: reserve auth attempt: %w", err)
	}
	return wait, nil
}

// ReleaseAuthAttempt takes back one attempt reserved on the rule's key: the attempt succeeded, or
// was never checked. The key's block is recomputed for the count that remains, from the time of
// its last attempt.
func (db *DB) ReleaseAuthAttempt(ctx context.Context, rule ThrottleRule) error {
	now := db.nowUTC()
	err := db.inTx(ctx, func(q querier) error {
		t, err := lockAuthThrottle(ctx, q, rule.Key, now)
		if err != nil || t.Failures == 0 {
			return err
		}
		t.Failures--
		t.BlockedUntil = time.Time{}
		if d := rule.Block(t.Failures); d > 0 {
			t.BlockedUntil = t.updated.Add(d)
		}
		return putAuthThrottle(ctx, q, rule.Key, t.AuthThrottle, t.updated)
	})
	if err != nil {
		return fmt.Errorf("store: release auth attempt: %w", err)
	}
	return nil
}

// ClearAuthAttempts forgets everything counted against key (after a successful login).
func (db *DB) ClearAuthAttempts(ctx context.Context, key string) error {
	if _, err := db.q().exec(ctx, `DELETE FROM auth_throttle WHERE key = ?`, key); err != nil {
		return fmt.Errorf("store: clear auth attempts: %w", err)
	}
	return nil
}

type lockedThrottle struct {
	AuthThrottle
	updated time.Time
}

// lockAuthThrottle returns the state of key with its row locked until the transaction ends,
// creating the row first so that there is one to lock.
func lockAuthThrottle(ctx context.Context, q querier, key string, now time.Time) (lockedThrottle, error) {
	if _, err := q.exec(ctx, `INSERT INTO auth_throttle (key, failures, blocked_until, updated_at)
		VALUES (?, 0, ?, ?) ON CONFLICT (key) DO NOTHING`, key, timeArg(time.Time{}), timeArg(now)); err != nil {
		return lockedThrottle{}, err
	}
	t, updated, err := getAuthThrottle(ctx, q, key, q.d.forUpdate(""))
	return lockedThrottle{AuthThrottle: t, updated: updated}, err
}

func putAuthThrottle(ctx context.Context, q querier, key string, t AuthThrottle, updated time.Time) error {
	_, err := q.exec(ctx, `UPDATE auth_throttle SET failures = ?, blocked_until = ?, updated_at = ? WHERE key = ?`,
		t.Failures, timeArg(t.BlockedUntil), timeArg(updated), key)
	return err
}
