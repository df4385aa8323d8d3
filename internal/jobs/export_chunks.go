package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"

	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// DefaultChunkSize is how many bytes of an export's ZIP one export_chunks row holds (1 MiB): big
// enough that a 45 MB ZIP is 45 rows, small enough that the job and each download hold little.
const DefaultChunkSize = 1 << 20

// chunkWriter stores what is written to it as the export_chunks rows of one attempt of one
// export: it buffers size bytes and inserts each full buffer as the next seq. Close stores the
// rest. Memory is one buffer whatever the ZIP's size.
type chunkWriter struct {
	ctx      context.Context
	db       *store.DB
	exportID string
	attempt  int
	seq      int
	buf      []byte
	n        int64 // bytes stored so far
	// limit, when above zero, is how many bytes may be stored; beyond it writes fail with full.
	limit int64
	full  error
}

func (q *Queue) newChunkWriter(ctx context.Context, exportID string, attempt int) *chunkWriter {
	return &chunkWriter{ctx: ctx, db: q.db, exportID: exportID, attempt: attempt, buf: make([]byte, 0, q.opts.ChunkSize)}
}

// Write buffers p, storing every buffer that fills up.
func (c *chunkWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		k := min(len(p), cap(c.buf)-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		written += k
		if len(c.buf) == cap(c.buf) {
			if err := c.flush(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// Close stores what is left in the buffer.
func (c *chunkWriter) Close() error {
	if len(c.buf) == 0 {
		return nil
	}
	return c.flush()
}

func (c *chunkWriter) flush() error {
	if c.limit > 0 && c.n+int64(len(c.buf)) > c.limit {
		return c.full
	}
	if err := c.db.PutExportChunk(c.ctx, c.exportID, c.attempt, c.seq, c.buf); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	c.seq++
	c.n += int64(len(c.buf))
	c.buf = c.buf[:0]
	return nil
}

// chunkReader reads a finished export's ZIP back from its chunks, one row per query: it holds
// one chunk in memory, and no database connection between reads (SQLite has only one, which a
// slow download must not keep from everyone else).
type chunkReader struct {
	ctx     context.Context
	db      *store.DB
	e       Export
	seq     int
	buf     []byte
	fetched int64 // bytes of the chunks fetched so far
}

// Read returns the ZIP's next bytes. A ZIP whose chunks end before its recorded size (the export
// was deleted during the download) is io.ErrUnexpectedEOF.
func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// WriteTo writes the rest of the ZIP to w a chunk at a time, without copying it through a
// smaller buffer (io.Copy uses it).
func (r *chunkReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(r.buf) == 0 {
			if err := r.next(); errors.Is(err, io.EOF) {
				return total, nil
			} else if err != nil {
				return total, err
			}
		}
		n, err := w.Write(r.buf)
		r.buf = r.buf[n:]
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
}

// next fetches the next chunk into r.buf, or says io.EOF after the last.
func (r *chunkReader) next() error {
	if r.fetched >= r.e.Size {
		return io.EOF
	}
	data, err := r.db.ExportChunk(r.ctx, r.e.ID, r.e.Attempts, r.seq)
	if domain.ErrorCode(err) == domain.ENotFound || err == nil && len(data) == 0 {
		return fmt.Errorf("jobs: export %s: chunk %d missing after %d of %d bytes: %w", r.e.ID, r.seq, r.fetched, r.e.Size, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return fmt.Errorf("jobs: export %s: read chunk %d: %w", r.e.ID, r.seq, err)
	}
	if r.fetched+int64(len(data)) > r.e.Size {
		return fmt.Errorf("jobs: export %s: chunks exceed the recorded size of %d bytes", r.e.ID, r.e.Size)
	}
	r.seq++
	r.fetched += int64(len(data))
	r.buf = data
	return nil
}
