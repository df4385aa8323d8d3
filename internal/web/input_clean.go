package web

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"reportapp/internal/domain"
	"reportapp/internal/server"
)

// msgBadText is the field message for text that holds a NUL byte or is not UTF-8.
const msgBadText = "NUL 文字や UTF-8 でない文字は使えません (contains a NUL byte or invalid UTF-8)"

// checkInput is the one place where text input is checked before any handler sees it: the
// path, the query string, a URL-encoded form and a JSON body (and, through checkPart, multipart
// field names, file names and values) must not hold a NUL byte or invalid UTF-8. PostgreSQL refuses NUL in text (a 500 before)
// and Go's JSON decoder silently turns invalid UTF-8 and lone surrogates into U+FFFD, so both
// are refused here with 422 naming the field. It runs before the session and the route, so it
// also covers the sign-in forms.
func (a *app) checkInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRequestText(r); err != nil {
			a.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkRequestText returns a 422 *domain.Error naming the first field whose text is bad, a
// 400 or 413 error for a body that cannot be read, or nil. It parses a URL-encoded form (handlers
// then find it parsed) and replaces a JSON body by the bytes it read.
func checkRequestText(r *http.Request) error {
	if !goodText(r.URL.Path) {
		return invalid("path", msgBadText)
	}
	if err := checkValues(parseQueryRaw(r.URL.RawQuery)); err != nil {
		return err
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mt == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return bodyError(err)
		}
		return checkValues(r.PostForm)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		if field, bad := badJSONText(data); bad {
			return invalid(field, msgBadText)
		}
	}
	return nil
}

// checkPart checks the field name and file name of a multipart part, and a text value read
// from it. Multipart forms are streamed by the one code that reads them (readImagesForm), so the
// check is called there rather than from checkInput, which would have to hold the whole form.
func checkPart(part *multipart.Part, value []byte) error {
	name := part.FormName()
	switch {
	case !goodText(name):
		return invalid(printable(name), msgBadText)
	case !goodText(part.FileName()):
		return invalid(name, "ファイル名に "+msgBadText)
	case !goodText(string(value)):
		return invalid(name, msgBadText)
	}
	return nil
}

// bodyError is the response to a body that could not be read: 413 past the limit, else 400.
func bodyError(err error) error {
	if server.IsBodyTooLarge(err) {
		return err
	}
	return domain.Errorf(domain.EBadRequest, "リクエスト本文を読めません (cannot read body): %v", err)
}

// parseQueryRaw parses a query string as url.ParseQuery does, keeping pairs it cannot unescape
// as they are, so that a malformed escape is not silently dropped (handlers parse the query
// again themselves).
func parseQueryRaw(q string) url.Values {
	v := url.Values{}
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		key, val, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if s, err := url.QueryUnescape(val); err == nil {
			val = s
		}
		v[key] = append(v[key], val)
	}
	return v
}

func checkValues(v url.Values) error {
	for name, vals := range v {
		if !goodText(name) {
			return invalid(printable(name), msgBadText)
		}
		for _, s := range vals {
			if !goodText(s) {
				return invalid(name, msgBadText)
			}
		}
	}
	return nil
}

// goodText reports whether s is valid UTF-8 without NUL.
func goodText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// printable makes a bad field name fit to be echoed: NUL and invalid bytes become U+FFFD.
func printable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// badJSONText walks the tokens of a JSON document and returns the path ("items[0].name") of the
// first string, key or value, that holds a NUL or that the decoder would have changed: invalid
// UTF-8 or a lone surrogate escape, both of which it replaces with U+FFFD. Malformed JSON is
// not its business (the decoder reports it); it stops there.
func badJSONText(data []byte) (string, bool) {
	type frame struct {
		array   bool
		key     string
		index   int
		wantKey bool
	}
	var stack []frame
	path := func(last string) string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.array:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			case f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			}
		}
		if last != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(last)
		}
		return b.String()
	}
	// valueDone moves the innermost container past the value just read.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].array {
				stack[n-1].index++
			} else {
				stack[n-1].wantKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		end := dec.InputOffset()
		raw := data[prev:end]
		prev = end
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{wantKey: true})
			case '[':
				stack = append(stack, frame{array: true})
			default:
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			isKey := len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].wantKey
			if changedByDecoder(raw, t) {
				if isKey {
					return path(printable(t)), true
				}
				return path(""), true
			}
			if isKey {
				stack[len(stack)-1].key, stack[len(stack)-1].wantKey = t, false
			} else {
				valueDone()
			}
		default:
			valueDone()
		}
	}
}

// changedByDecoder reports whether the decoded string s holds a NUL, or more U+FFFD than the
// raw JSON of its token spells (literally or as \ufffd): the decoder put them there in place
// of invalid UTF-8 or lone surrogates.
func changedByDecoder(raw []byte, s string) bool {
	if strings.IndexByte(s, 0) >= 0 {
		return true
	}
	if !utf8.Valid(raw) {
		return true
	}
	got := strings.Count(s, "\uFFFD")
	if got == 0 {
		return false
	}
	spelled := bytes.Count(raw, []byte("\uFFFD"))
	for i := 0; i < len(raw)-1; i++ {
		if raw[i] != '\\' {
			continue
		}
		if raw[i+1] == 'u' && i+6 <= len(raw) && strings.EqualFold(string(raw[i+2:i+6]), "fffd") {
			spelled++
		}
		i++ // skip the escaped character, so "\\ufffd" is not counted
	}
	return got > spelled
}
