package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"reportapp/internal/store/storetest"
)

// TestConcurrentLoginsStayWithinHashMemory sends 40 concurrent logins with random e-mails (no
// account: each costs a full 64 MiB argon2id against the dummy hash) and samples the heap while
// they run. Unbounded, the 40 hashes held 2.5 GiB at once.
//
// Budget: HashMemory is 128 MiB (two hashes). A finished hash's memory is garbage until the next
// collection, and with GOGC=100 the heap may grow to twice what is live before one runs, so the
// heap may reach 2 × 128 MiB above what it held before; the test allows that plus 64 MiB.
// Every request ends 401 (checked) or 503 with Retry-After (no hashing memory within HashWait).
func TestConcurrentLoginsStayWithinHashMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates several GiB of argon2 memory in total")
	}
	const (
		n        = 40
		budget   = 128 << 20
		overhead = 64 << 20
	)
	e := mustEnv(t, storetest.Open(t), func(o *Options, _ string) {
		o.HashMemory = budget
		o.HashWait = 2 * time.Second
	})
	runtime.GC()
	base := heapObjects()
	resetPeakRSS()

	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
				if h := heapObjects(); h > max {
					max = h
				}
			}
		}
	}()

	type result struct {
		status     int
		retryAfter string
	}
	results := make(chan result, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			form := url.Values{"email": {fmt.Sprintf("random-%d-%d@example.net", i, time.Now().UnixNano())}, "password": {"wrong-password-123"}}
			res, err := http.DefaultClient.Do(e.formRequest(t, "/login", form))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			results <- result{res.StatusCode, res.Header.Get("Retry-After")}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	maxHeap := <-peak
	close(results)

	count := map[int]int{}
	for r := range results {
		count[r.status]++
		if r.status == http.StatusServiceUnavailable && r.retryAfter == "" {
			t.Error("503 without Retry-After")
		}
	}
	if count[http.StatusUnauthorized]+count[http.StatusServiceUnavailable] != n || count[http.StatusUnauthorized] == 0 {
		t.Errorf("statuses = %v, want every request 401 or 503 and some 401", count)
	}
	grew := int64(maxHeap) - int64(base)
	limit := int64(2*budget + overhead)
	t.Logf("%d concurrent logins in %v: statuses %v; heap peak %d MiB above the %d MiB before (limit %d MiB); peak RSS %s",
		n, elapsed.Round(time.Millisecond), count, grew>>20, base>>20, limit>>20, peakRSS())
	if grew > limit {
		t.Errorf("heap grew by %d MiB, over the limit of %d MiB", grew>>20, limit>>20)
	}
}

func TestHasherRefusesWhenBusy(t *testing.T) {
	small := argonParams{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32}
	h := newHasher(int64(small.Memory)<<10, 50*time.Millisecond)
	release, err := h.acquire(context.Background(), small.Memory)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.verify(context.Background(), "pw", dummyHash); !errors.Is(err, errHashBusy) {
		t.Errorf("verify with the budget taken = %v, want errHashBusy", err)
	}
	// A hash that needs more than the whole budget waits for all of it rather than forever.
	release()
	big, err := hashPasswordWith("pw", argonParams{Memory: 16 * 1024, Time: 1, Threads: 1, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.verify(context.Background(), "pw", big); !ok || err != nil {
		t.Errorf("verify of a hash larger than the budget = %v, %v", ok, err)
	}
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// resetPeakRSS resets the kernel's high-water mark of this process's RSS (Linux; best effort).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is VmHWM of /proc/self/status, for the log ("unknown" elsewhere).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v)
			if kb, err := strconv.Atoi(f[0]); err == nil {
				return strconv.Itoa(kb>>10) + " MiB"
			}
		}
	}
	return "unknown"
}
