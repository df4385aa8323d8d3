package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"reportapp/internal/domain"
)

func TestBodyLimitPerRoute(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if IsBodyTooLarge(err) {
			WriteError(w, r, domain.Errorf(domain.EBodyTooLarge, "%s", "too large"))
			return
		}
		fmt.Fprintf(w, "%d", len(b))
	})
	limit := func(r *http.Request) int64 {
		switch r.URL.Path {
		case "/form":
			return 4096
		case "/smaller":
			return 10 // never lowers MaxBodyBytes
		}
		return 0
	}
	ts := mustStart(t, Options{MaxBodyBytes: 1024, BodyLimit: limit}, mux)
	type unsized struct{ io.Reader }
	tests := []struct {
		path   string
		body   io.Reader
		status int
	}{
		{"/form", strings.NewReader(strings.Repeat("a", 4096)), 200},
		{"/form", strings.NewReader(strings.Repeat("a", 4097)), 413},
		{"/form", unsized{strings.NewReader(strings.Repeat("a", 4000))}, 200},
		{"/form", unsized{strings.NewReader(strings.Repeat("a", 64<<10))}, 413},
		{"/other", strings.NewReader(strings.Repeat("a", 1025)), 413},
		{"/smaller", strings.NewReader(strings.Repeat("a", 1024)), 200},
	}
	for _, tt := range tests {
		req := mustRequest(t, http.MethodPost, ts.url+tt.path, tt.body)
		resp, body := ts.mustDo(t, req)
		if resp.StatusCode != tt.status {
			t.Errorf("POST %s: status = %d, want %d (%q)", tt.path, resp.StatusCode, tt.status, body)
		}
	}
}
