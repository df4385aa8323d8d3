package server

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"reportapp/internal/domain"
)

// bodyBufferBudget bounds the memory of request bodies read ahead of the in-flight limit (see
// withBodyRead), across all requests at once.
const bodyBufferBudget = 32 << 20

// bodyBufferChunk is how much of the budget a request reserves per read.
const bodyBufferChunk = 32 << 10

// A refused body (over MaxBodyBytes) is read and thrown away for up to drainBytes or
// drainTimeout, whichever comes first, before the connection is closed: a client that writes
// its whole body before reading (most HTTP libraries) would otherwise meet a TCP reset, which
// discards the 413 waiting in its receive buffer. Past either bound the connection is closed
// anyway.
const (
	drainBytes   = 16 << 20
	drainTimeout = 5 * time.Second
)

// drainBody reads and discards what is left of body within drainBytes and drainTimeout, after
// sending the response already written.
func drainBody(w http.ResponseWriter, body io.Reader) {
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(drainTimeout))
	_, _ = io.CopyN(io.Discard, body, drainBytes)
}

// limitedBody records whether reading it passed the body limit.
type limitedBody struct {
	io.ReadCloser
	over bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && IsBodyTooLarge(err) {
		b.over = true
	}
	return n, err
}

// IsBodyTimeout reports whether err comes from a request body that did not arrive within
// Options.BodyReadTimeout.
func IsBodyTimeout(err error) bool {
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// withBodyRead keeps slow uploads from pinning the in-flight slots (issue: 300 sockets sending a
// byte every 2s held every slot). The whole body must arrive within BodyReadTimeout of the end
// of the headers: the connection's read deadline is set to that (net/http lifts it once the body
// has been read to its end, so a long handler is not cut off later). And the body is read here, before
// withShedding takes a slot, for as long as the bytes buffered by all requests stay within
// bodyBufferBudget; a slow client then holds a goroutine and a connection, not a slot. A body
// that does not fit the budget is read by the handler as before, still under the deadline.
func (s *Server) withBodyRead(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		// Not every ResponseWriter supports deadlines (httptest's recorder); the http.Server's
		// ReadTimeout then still applies.
		_ = rc.SetReadDeadline(time.Now().Add(s.opts.BodyReadTimeout))
		body := &eofBody{ReadCloser: r.Body}
		var reserved int64
		defer func() { s.bodyBuffered.Add(-reserved) }()
		buf, err := s.readAhead(body, r.ContentLength, &reserved)
		switch {
		case err == nil && body.done:
			r.Body = readCloser{bytes.NewReader(buf), body}
		case IsBodyTimeout(err):
			w.Header().Set("Connection", "close")
			s.writeError(w, r, domain.Errorf(domain.EBodyTimeout, "リクエスト本文が時間内に届きませんでした (the request body did not arrive within %d seconds)", int(s.opts.BodyReadTimeout/time.Second)))
			return
		case err != nil:
			// Too large, or the client went away: the handler reads the error where it
			// expects the body and answers as it always does.
			r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), errReader{err}), body}
		default:
			// Over the budget: the handler reads the rest.
			r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), body), body}
		}
		next.ServeHTTP(w, r)
	})
}

// readAhead reads body while the shared budget allows, reserving it chunk by chunk in
// *reserved (which the caller gives back). It returns what it read, and the read error if any;
// body.done tells whether the body is complete.
func (s *Server) readAhead(body *eofBody, declared int64, reserved *int64) ([]byte, error) {
	var buf bytes.Buffer
	for !body.done {
		want := int64(bodyBufferChunk)
		if declared >= 0 {
			// Room for the rest and the EOF that follows it.
			want = min(want, declared-int64(buf.Len())+1)
		}
		if s.bodyBuffered.Add(want) > s.bodyBudget {
			s.bodyBuffered.Add(-want)
			return buf.Bytes(), nil
		}
		*reserved += want
		buf.Grow(int(want))
		if _, err := io.CopyN(&buf, body, want); err != nil && err != io.EOF {
			return buf.Bytes(), err
		}
	}
	return buf.Bytes(), nil
}

// eofBody records whether the body has been read to its end.
type eofBody struct {
	io.ReadCloser
	done bool
}

func (b *eofBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done = true
	}
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
