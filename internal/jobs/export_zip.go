package jobs

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/pdf"
	"reportapp/internal/pint"
	"reportapp/internal/store"
)

// Renderer renders one document to PDF; *pdf.Renderer is the real one.
type Renderer interface {
	Render(ctx context.Context, w io.Writer, doc document.Document, a pdf.Assets) (pdf.Result, error)
}

// IndexName is the name of the CSV index inside every export ZIP.
const IndexName = "index.csv"

// indexColumns name the columns of index.csv (document.CSVWord keys; headings in the export's
// language, Filter.Lang); エラー is empty unless that document's render failed (its PDF is then
// missing from the ZIP). Amounts are negative on credit notes, as in the document list's CSV.
var indexColumns = []string{"file", "number", "kind", "status", "issue_date", "customer", "subject", "gross", "id", "error", "note"}

// pageSize is how many documents are read from the store at once; chunk is how many are rendered
// before they are written, which bounds the PDFs held in memory.
const (
	pageSize = domain.MaxPageLimit
	chunk    = 32
)

// Exporter writes the ZIP of an organisation's documents matching a filter. It is what the export
// job and `reportapp export` share.
type Exporter struct {
	Store    *store.DB
	Renderer Renderer
	// Workers is how many documents render at once (runtime.NumCPU() when ≤ 0).
	Workers int
	// Now stamps the files in the ZIP (time.Now when nil).
	Now func() time.Time
	// Location is the organisation's time zone (TIME_ZONE): the files' times in the ZIP are its
	// wall clock, as their names' dates are (UTC when nil).
	Location *time.Location
}

// Summary is what an export wrote.
type Summary struct {
	Total  int // documents that matched
	Done   int // documents processed: rendered or failed
	Failed int // documents whose render failed, listed in index.csv with the error
	Bytes  int64
}

// rendered is one document's PDF or the reason there is none.
type rendered struct {
	pdf     []byte
	missing []rune
	err     error
}

// WriteZIP renders every document of orgID matching f into a ZIP written to w:
// one PDF per document named by pdf.Filename (made unique with _2, _3…), plus
// index.csv (UTF-8 with BOM). A document that fails to render is listed in the index with its
// error and the export goes on. progress, when not nil, is called after each document with the
// number processed and the total. Errors: the store's, ctx's, or writing to w.
func (x *Exporter) WriteZIP(ctx context.Context, w io.Writer, orgID string, f document.Filter, progress func(done, total int)) (Summary, error) {
	var sum Summary
	total, err := x.Store.CountDocuments(ctx, orgID, f)
	if err != nil {
		return sum, err
	}
	sum.Total = total
	if progress != nil {
		progress(0, total)
	}
	org, err := x.Store.GetOrganization(ctx, orgID)
	if err != nil {
		return sum, fmt.Errorf("jobs: export: %w", err)
	}
	assets := pdf.Assets{Logo: org.Logo, Seal: org.Seal}
	now := time.Now
	if x.Now != nil {
		now = x.Now
	}
	loc := x.Location
	if loc == nil {
		loc = time.UTC
	}
	stamp := now().In(loc)
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	var index bytes.Buffer
	index.WriteString("\uFEFF")
	iw := csv.NewWriter(&index)
	_ = iw.Write(document.CSVHeadings(f.Lang, indexColumns...))
	names := map[string]bool{}

	page := domain.Page{Limit: pageSize}
	for {
		docs, next, err := x.Store.SearchDocuments(ctx, orgID, f, page)
		if err != nil {
			return sum, fmt.Errorf("jobs: export: %w", err)
		}
		for start := 0; start < len(docs); start += chunk {
			part := docs[start:min(start+chunk, len(docs))]
			out := x.render(ctx, orgID, part, assets)
			if err := ctx.Err(); err != nil {
				return sum, fmt.Errorf("jobs: export: %w", err)
			}
			for i, d := range part {
				name := uniqueName(names, pdf.Filename(d))
				r := out[i]
				errText, note := "", ""
				if r.err != nil {
					errText = r.err.Error()
					name = ""
					sum.Failed++
				} else {
					if len(r.missing) > 0 {
						note = "フォントにない文字 (missing characters): " + string(r.missing)
					}
					// Stored, not deflated: a PDF's streams are compressed already (deflate saved
					// 5% and cost a third of the export's time).
					fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: stamp})
					if err != nil {
						return sum, fmt.Errorf("jobs: export: %w", err)
					}
					if _, err := fw.Write(r.pdf); err != nil {
						return sum, fmt.Errorf("jobs: export: %w", err)
					}
					if f.IncludePINT {
						if msg, err := writePINT(zw, names, name, d, stamp); err != nil {
							return sum, fmt.Errorf("jobs: export: %w", err)
						} else if msg != "" {
							note = strings.TrimPrefix(note+"; "+msg, "; ")
						}
					}
				}
				_ = iw.Write(indexRow(f.Lang, name, d, errText, note))
				sum.Done++
				if progress != nil {
					progress(sum.Done, max(total, sum.Done))
				}
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	sum.Total = max(total, sum.Done) // documents created since the count are exported too
	iw.Flush()
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: IndexName, Method: zip.Deflate, Modified: stamp})
	if err == nil {
		_, err = fw.Write(index.Bytes())
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return sum, fmt.Errorf("jobs: export: %w", err)
	}
	sum.Bytes = cw.n
	return sum, nil
}

// render renders docs concurrently, at most x.Workers at once, keeping their order.
func (x *Exporter) render(ctx context.Context, orgID string, docs []document.Document, a pdf.Assets) []rendered {
	out := make([]rendered, len(docs))
	workers := x.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(docs)) {
		wg.Go(func() {
			for i := range next {
				// An issued or cancelled document's PDF is the one stored when it was issued.
				if stored, ok := x.storedPDF(ctx, orgID, docs[i]); ok {
					out[i] = rendered{pdf: stored}
					continue
				}
				var buf bytes.Buffer
				res, err := x.Renderer.Render(ctx, &buf, docs[i], a)
				out[i] = rendered{pdf: buf.Bytes(), missing: res.Missing, err: err}
			}
		})
	}
	for i := range docs {
		if ctx.Err() != nil {
			out[i].err = ctx.Err()
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// storedPDF returns the stored PDF of an issued or cancelled document (its cancelled rendition
// when cancelled), if it has one; documents issued before PDFs were stored are rendered.
func (x *Exporter) storedPDF(ctx context.Context, orgID string, d document.Document) ([]byte, bool) {
	rendition := store.RenditionOriginal
	switch d.Status {
	case document.Draft:
		return nil, false
	case document.Cancelled:
		rendition = store.RenditionCancelled
	}
	p, err := x.Store.GetDocumentPDF(ctx, orgID, d.ID, rendition)
	return p.PDF, err == nil
}

// uniqueName returns name, or name with _2, _3… before the extension when it is taken (drafts
// share "請求書_下書き.pdf"), and marks the result as taken.
func uniqueName(taken map[string]bool, name string) string {
	base, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		base, ext = name[:i], name[i:]
	}
	out := name
	for n := 2; taken[out]; n++ {
		out = base + "_" + strconv.Itoa(n) + ext
	}
	taken[out] = true
	return out
}

func indexRow(l document.CSVLang, file string, d document.Document, errText, note string) []string {
	var number, customer string
	if d.Number != nil {
		number = *d.Number
	}
	if d.Customer != nil {
		customer = d.Customer.Name
	}
	return []string{file, number, document.CSVKind(l, d), document.CSVStatus(l, d.Status), d.IssueDate.String(), document.CSVCell(customer),
		document.CSVCell(d.Subject), strconv.FormatInt(document.Signed(d, d.Totals.Gross), 10), d.ID, errText, note}
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writePINT adds the JP PINT XML of an issued invoice or credit note beside its PDF, named as
// the PDF with .xml. A document JP PINT cannot express (withholding tax, a customer without an
// electronic address) gets no XML and the reason is returned for the index; other kinds and
// drafts are skipped silently.
func writePINT(zw *zip.Writer, names map[string]bool, pdfName string, d document.Document, stamp time.Time) (string, error) {
	if !pint.Exportable(d.Kind) || d.Status != document.Issued {
		return "", nil
	}
	data, err := pint.Build(d)
	var e *domain.Error
	if errors.As(err, &e) {
		return "JP PINT: " + e.Message, nil
	}
	if err != nil {
		return "", err
	}
	name := uniqueName(names, strings.TrimSuffix(pdfName, ".pdf")+".xml")
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: stamp})
	if err != nil {
		return "", err
	}
	_, err = fw.Write(data)
	return "", err
}
