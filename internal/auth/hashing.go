package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"golang.org/x/sync/semaphore"
)

// Password hashing is bounded: argon2id takes its memory (64 MiB per hash with defaultArgon) for
// the whole computation, so forty concurrent logins would ask for 2.5 GiB. Every hash and
// verification first takes its memory from a budget (a weighted semaphore counted in KiB); a
// request that cannot get it within the wait is refused with errHashBusy, which the handlers turn
// into 503 with Retry-After.
const (
	// maxHashMemory is the largest default budget: two default hashes at once, which is what two
	// cores can compute in parallel anyway.
	maxHashMemory = 128 << 20
	// defaultHashWait is how long a request waits for hashing memory before it is refused.
	defaultHashWait = 3 * time.Second
	// hashRetryAfter is the Retry-After, in seconds, of a refused request.
	hashRetryAfter = "2"
)

// errHashBusy reports that no hashing memory became free within the wait.
var errHashBusy = errors.New("auth: password hashing is at its memory budget")

// defaultHashMemory is the budget when Options.HashMemory is 0: a quarter of the Go memory limit
// (GOMEMLIMIT, which serve sets from the container's limit), at least one default hash and at most
// maxHashMemory.
func defaultHashMemory() int64 {
	limit := debug.SetMemoryLimit(-1) // reads the limit without changing it
	if limit == math.MaxInt64 {
		return maxHashMemory
	}
	return min(maxHashMemory, max(int64(defaultArgon.Memory)<<10, limit/4))
}

// hasher computes argon2id within a memory budget.
type hasher struct {
	sem      *semaphore.Weighted
	capacity int64 // KiB
	wait     time.Duration
}

func newHasher(budgetBytes int64, wait time.Duration) *hasher {
	capacity := max(budgetBytes>>10, 1)
	return &hasher{sem: semaphore.NewWeighted(capacity), capacity: capacity, wait: wait}
}

// acquire takes memKiB of the budget (all of it for a hash that needs more than the whole budget)
// and returns its release.
func (h *hasher) acquire(ctx context.Context, memKiB uint32) (func(), error) {
	n := min(int64(memKiB), h.capacity)
	wctx, cancel := context.WithTimeout(ctx, h.wait)
	defer cancel()
	if err := h.sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the request itself ended
		}
		return nil, errHashBusy
	}
	return func() { h.sem.Release(n) }, nil
}

// hash returns the argon2id hash of pw with the default parameters.
func (h *hasher) hash(ctx context.Context, pw string) (string, error) {
	release, err := h.acquire(ctx, defaultArgon.Memory)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	defer release()
	return hashPassword(pw)
}

// verify reports whether pw matches the encoded hash (see verifyPassword).
func (h *hasher) verify(ctx context.Context, pw, encoded string) (bool, error) {
	p, _, _, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	release, err := h.acquire(ctx, p.Memory)
	if err != nil {
		return false, fmt.Errorf("auth: verify password: %w", err)
	}
	defer release()
	return verifyPassword(pw, encoded)
}
