package server

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"reportapp/internal/domain"
)

// IsBodyTooLarge reports whether err comes from reading a request body past
// Options.MaxBodyBytes. Handlers that decode a body answer 413 when it does.
func IsBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    domain.Code `json:"code"`
	Message string      `json:"message"`
}

// WriteError writes an error response. API requests (a path under /api/, or
// an Accept header that prefers application/json to text/html) get
// {"error":{"code":...,"message":...}}; everything else gets a small HTML
// page. The status is the code's. The message is shown to the user as is, so
// it must not carry internal details.
func WriteError(w http.ResponseWriter, r *http.Request, code domain.Code, message string) {
	status := code.Status()
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if isAPIRequest(r) {
		h.Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		// Encoding two strings cannot fail; a write error means the
		// client has gone, and there is no one left to tell.
		_ = json.NewEncoder(w).Encode(errorBody{Error: errorDetail{Code: code, Message: message}})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	title := html.EscapeString(strconv.Itoa(status) + " " + http.StatusText(status))
	var id string
	if rid := RequestID(r.Context()); rid != "" {
		id = "<p><small>Request ID: <code>" + html.EscapeString(rid) + "</code></small></p>\n"
	}
	_, _ = io.WriteString(w, "<!doctype html>\n<html lang=\"ja\">\n<head><meta charset=\"utf-8\"><title>"+
		title+"</title></head>\n<body>\n<h1>"+title+"</h1>\n<p>"+html.EscapeString(message)+"</p>\n"+
		id+"</body>\n</html>\n")
}

// isAPIRequest decides between JSON and HTML error bodies.
func isAPIRequest(r *http.Request) bool {
	if r.URL != nil && (r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")) {
		return true
	}
	return prefersJSON(r.Header.Values("Accept"))
}

// prefersJSON reports whether the Accept header values rank
// application/json strictly above text/html. A wildcard counts for both, so
// a browser's "text/html,...,*/*;q=0.8" or curl's "*/*" gets HTML.
func prefersJSON(accept []string) bool {
	jsonQ := acceptQuality(accept, "application", "json")
	return jsonQ > 0 && jsonQ > acceptQuality(accept, "text", "html")
}

// acceptQuality returns the q value the Accept header gives to type/sub:
// that of the most specific matching range (RFC 9110 section 12.5.1), or 0.
func acceptQuality(accept []string, typ, sub string) float64 {
	best, bestSpec := 0.0, -1
	for _, v := range accept {
		for part := range strings.SplitSeq(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			var spec int
			switch mt {
			case typ + "/" + sub:
				spec = 2
			case typ + "/*":
				spec = 1
			case "*/*":
				spec = 0
			default:
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil || f < 0 || f > 1 {
					continue
				}
				q = f
			}
			if spec > bestSpec {
				best, bestSpec = q, spec
			}
		}
	}
	return best
}
