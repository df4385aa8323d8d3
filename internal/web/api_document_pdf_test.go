package web

import (
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"reportapp/internal/store/storetest"
)

// TestPDFUnderLoad: 1,000 concurrent PDF requests are rendered a few at a time; the rest wait for
// a renderer up to the pool's wait (100 ms here) and are then refused with 503 and Retry-After —
// never a 500 — and memory stays bounded.
func TestPDFUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 concurrent requests")
	}
	// The server's own limit is out of the way: the renderer pool alone bounds the work.
	a, stop := startAPIWith(t, storetest.Open(t), testLimits{maxInflight: 2000, pdfWorkers: 2, pdfWait: 100 * time.Millisecond, maxBody: 1 << 20})
	t.Cleanup(stop)
	_, draft, _ := a.fixture() // a draft renders on every request; an issued document is stored
	url := a.URL + "/api/v1/documents/" + draft.ID + "/pdf"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}

	// Sample the heap while the requests run; its peak is what would exhaust a container.
	var peak uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			select {
			case <-stopSampling:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()

	const n = 1000
	codes := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+a.tokens["A-viewer"])
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			codes <- resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	close(codes)
	close(stopSampling)
	<-sampled
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	t.Logf("statuses: %v", count)
	// 2 renderers cannot take 1,000 requests within 100 ms: an unbounded renderer answers them
	// all (measured: 1,000 × 200), which is what this assertion catches.
	if count[200] == 0 || count[503] == 0 || count[200]+count[503] != n {
		t.Errorf("statuses %v: want only 200 and 503, some of each", count)
	}
	// A backstop, not the proof: on 2 cores even an unbounded renderer peaked at about 110 MiB
	// here, because renders finish faster than requests arrive. The status check above is what
	// tells a bounded renderer from an unbounded one.
	t.Logf("peak heap in use: %d MiB", peak>>20)
	if peak > 256<<20 {
		t.Errorf("peak heap %d MiB under 1,000 concurrent PDF requests", peak>>20)
	}
}

// TestPDFBurstIsQueued: 64 concurrent PDF requests (the 64 connections, where 70% were
// refused when only 8 callers could wait) all wait their turn under a generous deadline.
func TestPDFBurstIsQueued(t *testing.T) {
	a, stop := startAPIWith(t, storetest.Open(t), testLimits{maxInflight: 256, pdfWorkers: 2, pdfWait: 30 * time.Second, maxBody: 1 << 20})
	t.Cleanup(stop)
	_, draft, _ := a.fixture()
	url := a.URL + "/api/v1/documents/" + draft.ID + "/pdf"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const n = 64
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+a.tokens["A-viewer"])
			resp, err := client.Do(req)
			if err != nil {
				codes[i] = -1
				return
			}
			_ = resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for _, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("statuses %v: want 64 × 200", codes)
		}
	}
}
