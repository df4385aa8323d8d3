package server

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"reportapp/internal/domain"
)

// TestSlowBodiesDoNotStarveOthers is issue 11 item 4: sockets that declare a body and then send
// it a byte at a time must not hold the in-flight slots. Budget: with 60 such sockets against
// MaxInflight 4, every normal GET and every small POST sent meanwhile is answered 200 within
// 1s, and each slow socket is cut off once BodyReadTimeout (1s here) has passed.
func TestSlowBodiesDoNotStarveOthers(t *testing.T) {
	const (
		slowSockets = 60
		inflight    = 4
		bodyTimeout = time.Second
	)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			WriteError(w, r, domain.Errorf(domain.EBadRequest, "%s", "cannot read body"))
			return
		}
		fmt.Fprintf(w, "%d", len(b))
	})
	mux.HandleFunc("GET /ok", okHandler)
	ts := mustStart(t, Options{
		MaxInflight: inflight, QueueTimeout: 200 * time.Millisecond,
		BodyReadTimeout: bodyTimeout, RequestTimeout: 30 * time.Second,
	}, mux)

	var wg sync.WaitGroup
	stop := make(chan struct{})
	type cut struct {
		after  time.Duration
		answer string
	}
	cutAfter := make(chan cut, slowSockets)
	for range slowSockets {
		conn, err := net.Dial("tcp", ts.Addr().String())
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			if _, err := io.WriteString(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"); err != nil {
				return
			}
			// The reader notices when the server gives up on this socket.
			done := make(chan struct{})
			go func() {
				defer close(done)
				conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				answer, _ := io.ReadAll(conn)
				cutAfter <- cut{time.Since(start), string(answer)}
			}()
			for {
				select {
				case <-stop:
					return
				case <-done:
					return
				case <-time.After(100 * time.Millisecond):
				}
				if _, err := conn.Write([]byte("a")); err != nil {
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // let every slow socket reach the handler chain

	for i := range 10 {
		start := time.Now()
		var resp *http.Response
		if i%2 == 0 {
			resp, _ = ts.mustGet(t, "/ok")
		} else {
			resp, _ = ts.mustDo(t, mustRequest(t, http.MethodPost, ts.url+"/login", strings.NewReader("email=a@x&password=p")))
		}
		if took := time.Since(start); resp.StatusCode != http.StatusOK || took > time.Second {
			t.Errorf("request %d while %d sockets send slowly: %d after %v, want 200 within 1s", i, slowSockets, resp.StatusCode, took)
		}
	}
	// Every slow socket is cut off at about BodyReadTimeout, not at RequestTimeout.
	for range slowSockets {
		select {
		case c := <-cutAfter:
			if c.after > bodyTimeout+2*time.Second {
				t.Errorf("slow socket cut after %v, want about %v", c.after, bodyTimeout)
			}
			if !strings.HasPrefix(c.answer, "HTTP/1.1 408 ") {
				t.Errorf("slow socket was answered %.40q, want 408", c.answer)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("a slow socket is still connected 5s after the body read timeout")
		}
	}
	close(stop)
	wg.Wait()
}

// TestBodyReadDeadlineIsLiftedAfterTheBody checks that the body deadline does not outlive the
// body: a handler that keeps working after reading it is not cancelled when the deadline would
// have passed, whether the body was read ahead or by the handler (over the buffer budget).
func TestBodyReadDeadlineIsLiftedAfterTheBody(t *testing.T) {
	for _, budget := range []int64{bodyBufferBudget, 0} {
		t.Run(fmt.Sprintf("budget %d", budget), func(t *testing.T) {
			mux := http.NewServeMux()
			mux.HandleFunc("POST /work", func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					WriteError(w, r, domain.Errorf(domain.EBadRequest, "%s", err.Error()))
					return
				}
				select {
				case <-r.Context().Done():
					WriteError(w, r, domain.Errorf(domain.EUnavailable, "%s", "cancelled"))
				case <-time.After(700 * time.Millisecond):
					fmt.Fprintf(w, "%d", len(b))
				}
			})
			ts := mustStart(t, Options{BodyReadTimeout: 300 * time.Millisecond}, mux)
			ts.bodyBudget = budget
			resp, body := ts.mustDo(t, mustRequest(t, http.MethodPost, ts.url+"/work", strings.NewReader(strings.Repeat("a", 100<<10))))
			if resp.StatusCode != http.StatusOK || body != "102400" {
				t.Errorf("POST /work = %d %q, want 200 \"102400\"", resp.StatusCode, body)
			}
		})
	}
}

// TestSlowBodyOverBudgetTimesOut checks the handler's side of a body that did not fit the
// read-ahead budget: it sees a timeout error, which IsBodyTimeout recognises.
func TestSlowBodyOverBudgetTimesOut(t *testing.T) {
	got := make(chan error, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		got <- err
		WriteError(w, r, domain.Errorf(domain.EBodyTimeout, "%s", "slow"))
	})
	ts := mustStart(t, Options{BodyReadTimeout: 300 * time.Millisecond}, mux)
	ts.bodyBudget = 0
	conn, err := net.Dial("tcp", ts.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
	select {
	case err := <-got:
		if !IsBodyTimeout(err) {
			t.Errorf("handler read error %v, want a body timeout", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the handler was still reading the body 3s later")
	}
}
