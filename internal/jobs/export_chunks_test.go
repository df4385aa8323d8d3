package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// chunkRows returns the sizes of export id's stored chunks by attempt, in seq order.
func chunkRows(t *testing.T, db *store.DB, id string) map[int][]int {
	t.Helper()
	// id is one of ours (a UUID), so it can be a literal.
	rows, err := db.SQL().QueryContext(context.Background(),
		`SELECT attempt, seq, LENGTH(data) FROM export_chunks WHERE export_id = '`+id+`' ORDER BY attempt, seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int][]int{}
	for rows.Next() {
		var attempt, seq, n int
		if err := rows.Scan(&attempt, &seq, &n); err != nil {
			t.Fatal(err)
		}
		if seq != len(out[attempt]) {
			t.Errorf("attempt %d: chunk seq %d, want %d", attempt, seq, len(out[attempt]))
		}
		out[attempt] = append(out[attempt], n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mustExportRow creates an export row without a job, for tests of the chunk store.
func mustExportRow(t *testing.T, db *store.DB, orgID string) string {
	t.Helper()
	now := time.Now()
	e, err := db.CreateExport(context.Background(), orgID, "", document.Filter{}, now, now.Add(time.Hour), store.ExportLimits{},
		func(context.Context, *sql.Tx, string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// TestChunkWriter: whatever the sizes of the writes, the rows are full chunks but the last, and
// reading them back gives the bytes written.
func TestChunkWriter(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		q := mustQueue(t, db, Options{ChunkSize: 100})
		for _, tc := range []struct {
			name   string
			writes []int
			want   []int
		}{
			{"nothing", nil, nil},
			{"one byte", []int{1}, []int{1}},
			{"exactly one chunk", []int{100}, []int{100}},
			{"small writes across chunks", []int{30, 30, 30, 30, 30}, []int{100, 50}},
			{"one write of many chunks", []int{350}, []int{100, 100, 100, 50}},
			{"exact multiple", []int{99, 1, 200}, []int{100, 100, 100}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := mustExportRow(t, db, org.ID)
				var want []byte
				cw := q.newChunkWriter(ctx, id, 1)
				for i, n := range tc.writes {
					p := bytes.Repeat([]byte{byte('a' + i)}, n)
					want = append(want, p...)
					if k, err := cw.Write(p); k != n || err != nil {
						t.Fatalf("Write(%d) = %d, %v", n, k, err)
					}
				}
				if err := cw.Close(); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, chunkRows(t, db, id)[1]); diff != "" {
					t.Errorf("chunk sizes (-want +got):\n%s", diff)
				}
				if cw.n != int64(len(want)) {
					t.Errorf("stored %d bytes, wrote %d", cw.n, len(want))
				}
				// Read back both ways: Read with a small buffer, and WriteTo (io.Copy).
				e := Export{ID: id, Attempts: 1, Size: cw.n}
				got, err := io.ReadAll(io.LimitReader(&chunkReader{ctx: ctx, db: db, e: e}, 1<<20))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("Read back %d bytes, %v; want %d bytes", len(got), err, len(want))
				}
				var buf bytes.Buffer
				if n, err := io.Copy(&buf, &chunkReader{ctx: ctx, db: db, e: e}); err != nil || n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
					t.Errorf("WriteTo = %d, %v; want %d bytes", n, err, len(want))
				}
			})
		}
	})
}

// TestChunkReaderMissing: a chunk gone mid-download (the export expired) is an unexpected EOF,
// not a silently short ZIP.
func TestChunkReaderMissing(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		q := mustQueue(t, db, Options{ChunkSize: 10})
		id := mustExportRow(t, db, org.ID)
		cw := q.newChunkWriter(ctx, id, 3)
		if _, err := cw.Write(make([]byte, 35)); err != nil {
			t.Fatal(err)
		}
		if err := cw.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM export_chunks WHERE export_id = '`+id+`' AND seq = 2`); err != nil {
			t.Fatal(err)
		}
		for _, read := range []func(r io.Reader) (int64, error){
			func(r io.Reader) (int64, error) { return io.Copy(io.Discard, r) },
			func(r io.Reader) (int64, error) { b, err := io.ReadAll(r); return int64(len(b)), err },
		} {
			n, err := read(&chunkReader{ctx: ctx, db: db, e: Export{ID: id, Attempts: 3, Size: 35}})
			if n != 20 || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("read %d bytes, %v; want 20 and io.ErrUnexpectedEOF", n, err)
			}
		}
		// Another attempt's chunks are not this export's ZIP.
		if _, err := io.Copy(io.Discard, &chunkReader{ctx: ctx, db: db, e: Export{ID: id, Attempts: 2, Size: 35}}); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("read of attempt 2: %v, want io.ErrUnexpectedEOF", err)
		}
	})
}

// TestExportJobChunked: an export whose ZIP spans many chunks downloads intact (every PDF reads
// back with a good CRC, index.csv lists them all); chunks left by an earlier attempt are replaced,
// and the chunks go with the export when it expires.
func TestExportJobChunked(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		docs := mustDocuments(t, db, org.ID, 20)
		c := &clock{}
		const chunkSize = 16 << 10
		q := mustQueue(t, db, Options{ChunkSize: chunkSize, Now: c.now, Retention: time.Hour})
		e, err := q.CreateExport(ctx, org.ID, "", document.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// Garbage of an earlier, interrupted run under the attempt number this run will use: it
		// must be deleted first (or the inserts would collide with it).
		for seq := range 3 {
			if err := db.PutExportChunk(ctx, e.ID, 1, seq, []byte("stale")); err != nil {
				t.Fatal(err)
			}
		}
		startQueue(t, q)
		done := waitExport(t, q, org.ID, e.ID, 2*time.Minute)
		if done.Status != Done || done.Done != 20 || done.Attempts != 1 {
			t.Fatalf("export = %+v", done)
		}

		chunks := chunkRows(t, db, e.ID)
		var sum int64
		for i, n := range chunks[1] {
			sum += int64(n)
			if i < len(chunks[1])-1 && n != chunkSize {
				t.Errorf("chunk %d has %d bytes, want %d", i, n, chunkSize)
			}
		}
		if len(chunks) != 1 || len(chunks[1]) < 4 || sum != done.Size {
			t.Fatalf("chunks by attempt = %v (%d bytes), want ≥ 4 of attempt 1 holding the %d-byte ZIP", chunks, sum, done.Size)
		}

		_, r, err := q.OpenExportZIP(ctx, org.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, r); err != nil {
			t.Fatal(err)
		}
		if int64(buf.Len()) != done.Size {
			t.Fatalf("downloaded %d bytes, size says %d", buf.Len(), done.Size)
		}
		zr, rows := mustReadZIP(t, buf.Bytes())
		if len(zr.File) != len(docs)+1 || len(rows) != len(docs)+1 {
			t.Fatalf("ZIP has %d files and %d index rows, want %d and %d", len(zr.File), len(rows), len(docs)+1, len(docs)+1)
		}
		listed := map[string]bool{}
		for _, row := range rows[1:] {
			listed[row[0]] = true
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			data, err := io.ReadAll(rc) // checks the CRC-32 at EOF
			rc.Close()
			if err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
			if f.Name == IndexName {
				continue
			}
			if !listed[f.Name] || !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Errorf("%s: listed %v, starts %q", f.Name, listed[f.Name], data[:min(len(data), 8)])
			}
		}

		c.advance(2 * time.Hour)
		if n, _, err := q.DeleteExpired(ctx); err != nil || n != 1 {
			t.Fatalf("DeleteExpired = %d, %v", n, err)
		}
		if left := chunkRows(t, db, e.ID); len(left) != 0 {
			t.Errorf("chunks left after expiry: %v", left)
		}
	})
}
