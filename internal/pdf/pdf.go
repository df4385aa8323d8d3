// Package pdf renders business documents (請求書, 見積書, 納品書, 領収書, 適格返還請求書) to PDF in
// pure Go with gopdf and the embedded IPAexGothic font: no browser, no network, no files read at
// run time, and the same bytes for the same document.
//
// A Renderer is built once at start-up and shared; a Pool bounds how many renders run at once.
package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"reportapp/internal/document"
)

// Renderer holds the parsed font, shared safely by concurrent renders.
type Renderer struct {
	metrics *metrics
	subset  *subsetter
	bufs    sync.Pool // *bytes.Buffer reused across renders
	scratch sync.Pool // *scratch reused across renders
	images  *imageDecoding
}

// New parses the embedded font. It is slow (milliseconds): call it once and share the Renderer.
func New() (*Renderer, error) {
	m, err := newMetrics(ipaexGothic)
	if err != nil {
		return nil, err
	}
	s, err := newSubsetter(ipaexGothic, m)
	if err != nil {
		return nil, err
	}
	return &Renderer{
		metrics: m,
		subset:  s,
		bufs:    sync.Pool{New: func() any { return new(bytes.Buffer) }},
		scratch: sync.Pool{New: func() any { return new(scratch) }},
		images:  newImageDecoding(),
	}, nil
}

// Assets are the issuing organisation's images, drawn on its documents.
type Assets struct {
	Logo []byte // as NormalizeImage made it, or nil: drawn above the issuer block
	Seal []byte // likewise: the 角印, drawn over the end of the issuer's name
}

// Result describes a rendered PDF.
type Result struct {
	Pages int
	// Missing lists, in ascending order, the characters the font lacks; each was drawn as 〓.
	// Callers should log them: a customer's name may need a different spelling.
	Missing []rune
}

// jst is Japan Standard Time (no daylight saving), fixed so that rendering needs no tzdata.
var jst = time.FixedZone("JST", 9*60*60)

// Render writes the PDF of doc. It is a pure function of doc and a: the same input gives the same
// bytes. The PDF's creation and modification dates are doc.IssuedAt, else the issue date at
// 00:00 JST, never the clock. doc.Totals and the items' amounts are printed as given (call
// document.ComputeTotals first). Errors: ctx's error when it ends, an error when an image in a
// cannot be decoded or writing to w fails; bad text never fails a render.
func (r *Renderer) Render(ctx context.Context, w io.Writer, doc document.Document, a Assets) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("pdf: render: %w", err)
	}
	sc := r.scratch.Get().(*scratch)
	defer func() {
		if cap(sc.sub.font) <= 4<<20 && cap(sc.ops) <= 1<<16 { // as for bufs below
			sc.reset()
			r.scratch.Put(sc)
		}
	}()
	l := newLayout(ctx, r, &doc, a, sc)
	l.draw()
	sc.ops = l.ops // keep the grown slice for the next render
	if l.err != nil {
		return Result{}, fmt.Errorf("pdf: render %s: %w", Filename(doc), l.err)
	}
	sc.runes = sc.chars.appendSorted(sc.runes[:0])
	gp, err := newPDF(r.subset.build(&sc.sub, sc.runes), l.info)
	if err != nil {
		return Result{}, fmt.Errorf("pdf: render %s: %w", Filename(doc), err)
	}
	if err := paint(gp, l.ops); err != nil {
		return Result{}, fmt.Errorf("pdf: render %s: %w", Filename(doc), err)
	}

	buf := r.bufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4<<20 { // keep the pool from holding on to huge buffers
			buf.Reset()
			r.bufs.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := gp.WriteTo(buf); err != nil {
		return Result{}, fmt.Errorf("pdf: render %s: %w", Filename(doc), err)
	}
	out := addModDate(buf.Bytes(), l.created)
	if _, err := w.Write(out); err != nil {
		return Result{}, fmt.Errorf("pdf: write %s: %w", Filename(doc), err)
	}
	missing := slices.Clone(l.clean.missing)
	slices.Sort(missing)
	return Result{Pages: l.pages, Missing: missing}, nil
}

// creationTime is when the document was issued: IssuedAt, else the issue date at midnight JST,
// else the zero time (no date is written).
func creationTime(doc *document.Document) time.Time {
	if doc.IssuedAt != nil && !doc.IssuedAt.IsZero() {
		return doc.IssuedAt.In(jst).Truncate(time.Second)
	}
	if !doc.IssueDate.IsZero() {
		return doc.IssueDate.Time(jst)
	}
	return time.Time{}
}

// addModDate adds /ModDate, equal to the creation date, to the document information dictionary,
// which gopdf cannot write. gopdf writes that dictionary inline in the trailer, after the
// cross-reference table, so inserting into it moves no object and no offset changes.
func addModDate(pdf []byte, t time.Time) []byte {
	if t.IsZero() {
		return pdf
	}
	key := []byte("/CreationDate(")
	i := bytes.LastIndex(pdf, key)
	if i < 0 {
		return pdf
	}
	end := bytes.IndexByte(pdf[i:], '\n')
	if end < 0 {
		return pdf
	}
	end += i + 1
	mod := "/ModDate(D:" + t.Format("20060102150405-07'00'") + ")\n"
	out := make([]byte, 0, len(pdf)+len(mod))
	out = append(out, pdf[:end]...)
	out = append(out, mod...)
	return append(out, pdf[end:]...)
}

// Filename returns the download name of doc's PDF, such as "請求書_INV-0001.pdf", or
// "請求書_下書き.pdf" for a draft without a number. Characters that are unsafe in file names are
// replaced by "_".
func Filename(doc document.Document) string {
	num := "下書き"
	if doc.Number != nil && strings.TrimSpace(*doc.Number) != "" {
		num = *doc.Number
	}
	var b strings.Builder
	b.WriteString(doc.Title())
	b.WriteByte('_')
	for _, r := range num {
		switch {
		case r < 0x20 || r == 0x7F || strings.ContainsRune(`/\:*?"<>|`, r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString(".pdf")
	return b.String()
}

// ErrBusy is returned by Pool.Render when no renderer became free within the pool's wait or the
// caller's context: the caller should answer 503 with Retry-After.
var ErrBusy = errors.New("pdf: renderer busy")
