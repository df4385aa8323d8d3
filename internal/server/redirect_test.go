package server

import "testing"

func TestLocalRedirect(t *testing.T) {
	for target, want := range map[string]string{
		"/documents?page=2":     "/documents?page=2",
		"/customers/1#x":        "/customers/1#x",
		"/":                     "/",
		"/日本語":                  "/日本語",
		"":                      "/",
		"/\t/evil.example":      "/",
		"/\n/evil.example":      "/",
		"/\r\nSet-Cookie: a=b":  "/",
		"/\x00":                 "/",
		"/\x7f/evil.example":    "/",
		"//evil.example":        "/",
		"/\\evil.example":       "/",
		"/a\\b":                 "/",
		"\\\\evil.example":      "/",
		"https://evil.example/": "/",
		"http:/evil.example":    "/",
		"javascript:alert(1)":   "/",
		"evil.example":          "/",
		" /documents":           "/",
		"/%2F%2Fevil.example":   "/%2F%2Fevil.example", // encoded: stays a path here
	} {
		if got := LocalRedirect(target); got != want {
			t.Errorf("LocalRedirect(%q) = %q, want %q", target, got, want)
		}
	}
}
