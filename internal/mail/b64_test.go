package mail_test

import (
	"bytes"
	"encoding/base64"
	"io"
)

// newBase64 decodes base64 that is broken into lines.
func newBase64(b []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)))
}
