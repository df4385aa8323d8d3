package web

import (
	"net/http"
	"strings"
)

// notModified sets tag as the response's ETag with "private, no-cache" (the browser keeps the
// response and asks again each time) and, when the request's If-None-Match names it, answers 304
// and reports true: the caller then writes nothing more.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if !noneMatch(r, tag) {
		return false
	}
	w.WriteHeader(http.StatusNotModified)
	return true
}

// noneMatch reports whether the request's If-None-Match names tag (weak comparison, RFC 9110
// 13.1.2: the opaque parts are compared, W/ ignored), or is "*".
func noneMatch(r *http.Request, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for _, h := range r.Header.Values("If-None-Match") {
		for t := range strings.SplitSeq(h, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == want {
				return true
			}
		}
	}
	return false
}
