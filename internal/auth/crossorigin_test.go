package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCrossOriginComparesTheFullOrigin: with BASE_URL set, a state-changing request whose Origin
// differs from it in scheme, host or port is refused, even when the host matches the Host header.
func TestCrossOriginComparesTheFullOrigin(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, tt := range []struct {
		base, method, origin, fetchSite string
		want                            int
	}{
		{"http://app.example", "POST", "https://app.example", "", http.StatusForbidden},
		{"https://app.example", "POST", "http://app.example", "", http.StatusForbidden},
		{"https://app.example", "POST", "https://app.example:8443", "", http.StatusForbidden},
		{"https://app.example", "POST", "https://evil.example", "", http.StatusForbidden},
		{"https://app.example", "POST", "https://app.example", "", http.StatusNoContent},
		{"https://app.example:443/", "POST", "https://app.example", "", http.StatusNoContent},
		{"https://app.example", "POST", "", "", http.StatusNoContent},                    // curl, API clients
		{"https://app.example", "GET", "https://evil.example", "", http.StatusNoContent}, // safe method
		{"https://app.example", "POST", "https://app.example", "cross-site", http.StatusForbidden},
		{"", "POST", "https://app.example", "", http.StatusNoContent}, // no BASE_URL: Origin against Host
		{"", "POST", "https://evil.example", "", http.StatusForbidden},
	} {
		s := &Service{opts: Options{BaseURL: tt.base}}
		r := httptest.NewRequest(tt.method, "http://app.example/customers", nil)
		if tt.origin != "" {
			r.Header.Set("Origin", tt.origin)
		}
		if tt.fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", tt.fetchSite)
		}
		w := httptest.NewRecorder()
		s.CrossOrigin(ok).ServeHTTP(w, r)
		if w.Code != tt.want {
			t.Errorf("BASE_URL %q, %s with Origin %q, Sec-Fetch-Site %q = %d, want %d", tt.base, tt.method, tt.origin, tt.fetchSite, w.Code, tt.want)
		}
	}
}
