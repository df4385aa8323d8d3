package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
)

// DefaultChunkSize is how many bytes of an export's ZIP one export_chunks row holds (1 MiB): big
// enough that a 45 MB ZIP is 45 rows, small enough that the job and each download hold little.
const DefaultChunkSize = 1 << 20

// chunkWriter stores what is written to it as the export_chunks rows of one attempt of one
// export: it buffers size bytes and inserts each full buffer as the next seq. Close stores the
// rest. Memory is one buffer whatever the ZIP's size.
type chunkWriter struct {
	ctx      context.Context
	q        *Queue
	exportID string
	attempt  int
	seq      int
	buf      []byte
	n        int64 // bytes stored so far
}

func (q *Queue) newChunkWriter(ctx context.Context, exportID string, attempt int) *chunkWriter {
	return &chunkWriter{ctx: ctx, q: q, exportID: exportID, attempt: attempt, buf: make([]byte, 0, q.opts.ChunkSize)}
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
	_, err := c.q.db.SQL().ExecContext(c.ctx, bind(c.q.db.Driver(), `INSERT INTO export_chunks (export_id, attempt, seq, data) VALUES (?, ?, ?, ?)`),
		c.exportID, c.attempt, c.seq, c.buf)
	if err != nil {
		return fmt.Errorf("jobs: export %s: store chunk %d: %w", c.exportID, c.seq, err)
	}
	c.seq++
	c.n += int64(len(c.buf))
	c.buf = c.buf[:0]
	return nil
}

// deleteChunks deletes the chunks of export id: all of them, or only those of attempt when it
// is not 0, or (except) all but those of attempt.
func (q *Queue) deleteChunks(ctx context.Context, id string, attempt int, except bool) error {
	query, args := `DELETE FROM export_chunks WHERE export_id = ?`, []any{id}
	switch {
	case attempt != 0 && except:
		query, args = query+` AND attempt <> ?`, append(args, attempt)
	case attempt != 0:
		query, args = query+` AND attempt = ?`, append(args, attempt)
	}
	if _, err := q.db.SQL().ExecContext(ctx, bind(q.db.Driver(), query), args...); err != nil {
		return fmt.Errorf("jobs: export %s: delete chunks: %w", id, err)
	}
	return nil
}

// chunkReader reads a finished export's ZIP back from its chunks, one row per query: it holds
// one chunk in memory, and no database connection between reads (SQLite has only one, which a
// slow download must not keep from everyone else).
type chunkReader struct {
	ctx     context.Context
	q       *Queue
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
	var data []byte
	err := r.q.db.SQL().QueryRowContext(r.ctx, bind(r.q.db.Driver(), `SELECT data FROM export_chunks
		WHERE export_id = ? AND attempt = ? AND seq = ?`), r.e.ID, r.e.Attempts, r.seq).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) || err == nil && len(data) == 0 {
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
