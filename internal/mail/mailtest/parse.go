package mailtest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"testing"
)

// Parsed is a message as a mail program reads it.
type Parsed struct {
	Header       netmail.Header
	Subject      string
	Text, HTML   string
	FileName     string // from filename* (RFC 2231)
	FileName2047 string // the RFC 2047 fallback in filename
	ContentName  string
	File         []byte
	Mixed, Alt   string // media types of the levels
}

// Parse reads a message as a mail program does, with net/mail and mime/multipart: the headers,
// the decoded subject, the text and HTML of the multipart/alternative body, and the one
// attachment (file name from filename* per RFC 2231 and from the RFC 2047 fallback).
func Parse(t testing.TB, raw []byte) Parsed {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("a bare LF in the message: every line must end in CRLF")
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var p Parsed
	p.Header = m.Header
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mt == "multipart/alternative" { // no attachment
		p.Alt = mt
		readAlternative(t, &p, m.Body, params["boundary"])
		return p
	}
	p.Mixed = mt
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pparams, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case pt == "multipart/alternative":
			p.Alt = pt
			readAlternative(t, &p, part, pparams["boundary"])
		default:
			disp, dparams, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" {
				t.Fatalf("Content-Disposition %q: %v", part.Header.Get("Content-Disposition"), err)
			}
			p.FileName = dparams["filename"] // ParseMediaType prefers filename* (RFC 2231)
			p.ContentName = pparams["name"]
			raw := part.Header.Get("Content-Disposition")
			i := strings.Index(raw, `filename="`)
			if i < 0 {
				t.Fatalf("no RFC 2047 filename fallback in %q", raw)
			}
			enc := raw[i+len(`filename="`):]
			enc = enc[:strings.IndexByte(enc, '"')]
			if p.FileName2047, err = dec.DecodeHeader(enc); err != nil {
				t.Fatal(err)
			}
			p.File = mustDecode(t, part.Header.Get("Content-Transfer-Encoding"), part)
		}
	}
	return p
}

func mustDecode(t testing.TB, cte string, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(cte) {
	case "base64":
		out, err := io.ReadAll(newBase64(b))
		if err != nil {
			t.Fatal(err)
		}
		return out
	case "", "7bit", "8bit":
		return b
	}
	t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	return nil
}

// newBase64 decodes base64 that is broken into lines.
func newBase64(b []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)))
}

// readAlternative reads the text and HTML parts of a multipart/alternative body into p.
func readAlternative(t testing.TB, p *Parsed, r io.Reader, boundary string) {
	t.Helper()
	ar := multipart.NewReader(r, boundary)
	for {
		sub, err := ar.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		st, sparams, _ := mime.ParseMediaType(sub.Header.Get("Content-Type"))
		if !strings.EqualFold(sparams["charset"], "utf-8") {
			t.Errorf("%s part charset %q, want UTF-8", st, sparams["charset"])
		}
		body := mustDecode(t, sub.Header.Get("Content-Transfer-Encoding"), sub)
		switch st {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
	}
}
