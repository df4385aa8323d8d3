package server

import (
	"net/url"
	"strings"
)

// LocalRedirect returns target when it is a path on this site that is safe to redirect to, else
// "/". Every redirect to an address the request supplied (a "next" parameter) goes through it.
// A safe target is an absolute path ("/documents?page=2"): no scheme or host, no control
// characters anywhere (browsers drop a tab or newline, so "/\t/evil.example" would become
// "//evil.example"), no backslash (browsers read "/\evil.example" as "//evil.example") and not
// "//…" (another host).
func LocalRedirect(target string) string {
	if !strings.HasPrefix(target, "/") || strings.HasPrefix(target, "//") || strings.ContainsRune(target, '\\') {
		return "/"
	}
	for _, c := range target {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return target
}
