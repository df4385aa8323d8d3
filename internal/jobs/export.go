package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// Status is where an export is: queued → running → done or failed (store.ExportStatus).
type Status = store.ExportStatus

// The states of an export.
const (
	Queued  = store.ExportQueued
	Running = store.ExportRunning
	Done    = store.ExportDone
	Failed  = store.ExportFailed
)

// Export is a bulk export as the API shows it (store.Export).
type Export = store.Export

// ExportArgs are the arguments of the export job: the export row holds everything else.
type ExportArgs struct {
	ExportID string `json:"export_id"`
}

// Kind is River's name of the job.
func (ExportArgs) Kind() string { return "export" }

// InsertOpts: a few attempts (a replica that stops mid-export hands it back for a retry).
func (ExportArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// CreateExport records an export of the organisation's documents matching f and inserts its job in
// the same transaction. The caller checks the role. Beyond Options.ExportLimits it is refused
// (store.CreateExport): ERateLimited for too many at once, EConflict for the stored bytes.
func (q *Queue) CreateExport(ctx context.Context, orgID, userID string, f document.Filter) (Export, error) {
	now := q.opts.Now()
	e, err := q.db.CreateExport(ctx, orgID, userID, f, now, now.Add(q.opts.Retention), q.opts.ExportLimits,
		func(ctx context.Context, tx *sql.Tx, id string) error {
			if _, err := q.client.InsertTx(ctx, tx, ExportArgs{ExportID: id}, nil); err != nil {
				return fmt.Errorf("insert job: %w", err)
			}
			return nil
		})
	if err != nil {
		return Export{}, fmt.Errorf("jobs: %w", err)
	}
	return e, nil
}

// GetExport returns the organisation's export id; another organisation's or an expired one is
// ENotFound.
func (q *Queue) GetExport(ctx context.Context, orgID, id string) (Export, error) {
	return q.db.GetExport(ctx, orgID, id, q.opts.Now())
}

// OpenExportZIP returns the organisation's finished export id and a reader of its ZIP, which
// fetches the stored chunks one at a time as it is read: serving a ZIP of any size holds one chunk
// (Options.ChunkSize) in memory. Export.Size is the ZIP's length (for Content-Length). The reader
// fails with io.ErrUnexpectedEOF if the export is deleted while it is read. It is ENotFound for
// another organisation's export, an expired one, and one that is not done yet.
func (q *Queue) OpenExportZIP(ctx context.Context, orgID, id string) (Export, io.Reader, error) {
	e, err := q.db.GetFinishedExport(ctx, orgID, id, q.opts.Now())
	if err != nil {
		return Export{}, nil, err
	}
	return e, &chunkReader{ctx: ctx, db: q.db, e: e}, nil
}

// ExportZIP is OpenExportZIP read into memory: the whole ZIP at once. For tests and small
// exports; the download route streams with OpenExportZIP.
func (q *Queue) ExportZIP(ctx context.Context, orgID, id string) (Export, []byte, error) {
	e, r, err := q.OpenExportZIP(ctx, orgID, id)
	if err != nil {
		return Export{}, nil, err
	}
	data := bytes.NewBuffer(make([]byte, 0, e.Size))
	if _, err := data.ReadFrom(r); err != nil {
		return Export{}, nil, err
	}
	return e, data.Bytes(), nil
}

// exportWorker runs export jobs.
type exportWorker struct {
	river.WorkerDefaults[ExportArgs]
	q *Queue
}

// progressEvery throttles progress writes: at most one UPDATE per interval (and one at the end).
const progressEvery = 250 * time.Millisecond

// Work renders the export from scratch (an interrupted attempt leaves nothing behind to resume)
// and stores the ZIP as it is written, in export_chunks rows of Options.ChunkSize bytes, so its
// memory does not grow with the ZIP. A document that fails to render is in the index; the export fails only when
// the store or the context does, and is then retried by River until its attempts run out.
func (w *exportWorker) Work(ctx context.Context, job *river.Job[ExportArgs]) error {
	q := w.q
	id := job.Args.ExportID
	if q.opts.Renderer == nil {
		return q.failExport(ctx, id, errors.New("this replica has no PDF renderer"), false)
	}
	// The attempt number keys this attempt's chunks. A finished export is never restarted (a
	// stale attempt that finds it done stops here).
	work, ok, err := q.db.StartExportAttempt(ctx, id, q.opts.ID, q.opts.Now())
	if !ok && err == nil {
		return nil // deleted (expired, organisation gone) or already finished: nothing to do
	}
	if err != nil && ok {
		return q.failExport(ctx, id, err, true) // its stored filter cannot be read
	}
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	attempt := work.Attempt
	// Each attempt renders from scratch: what earlier attempts stored goes.
	if err := q.db.DeleteExportChunks(ctx, id, store.AllChunks, 0); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}

	// Progress is written from this goroutine only, throttled, so renders never wait on it.
	var mu sync.Mutex
	var last time.Time
	progress := func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if done != 0 && done < total && time.Since(last) < progressEvery {
			return
		}
		last = time.Now()
		if err := q.db.SetExportProgress(ctx, id, done, total, q.opts.Now()); err != nil && ctx.Err() == nil {
			q.logger.Warn("export progress", "export", id, "err", err)
		}
	}
	x := &Exporter{Store: q.db, Renderer: q.opts.Renderer, Workers: q.opts.RenderWorkers, Now: q.opts.Now, Location: q.zone()}
	cw := q.newChunkWriter(ctx, id, attempt)
	if limit := q.opts.ExportLimits.StoredBytes; limit > 0 {
		// The ZIP may take what the organisation's other exports leave of the limit.
		used, err := q.db.ExportStoredBytes(ctx, work.OrgID, id, q.opts.Now())
		if err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		cw.limit, cw.full = limit-used, store.ErrExportStorageFull(limit)
		if cw.limit <= 0 {
			return q.failExport(ctx, id, cw.full, true)
		}
	}
	sum, err := x.WriteZIP(ctx, cw, work.OrgID, work.Filter, progress)
	if err == nil {
		err = cw.Close()
	}
	if err != nil {
		// A full storage does not empty by retrying at once: the export fails saying why.
		final := job.Attempt >= job.MaxAttempts || errors.Is(err, cw.full)
		bg := context.WithoutCancel(ctx)
		if err := q.db.DeleteExportChunks(bg, id, store.ChunksOf, attempt); err != nil {
			q.logger.Warn("export: delete the failed attempt's chunks", "export", id, "err", err)
		}
		return q.failExport(bg, id, err, final)
	}
	// Only the latest attempt finishes the export: a stale one (its replica was thought dead and
	// the job handed on) finds attempts moved on and leaves the row alone.
	finished, err := q.db.FinishExport(ctx, id, attempt, sum.Done, sum.Total, sum.Failed, cw.n, q.opts.Now())
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if !finished {
		q.logger.Warn("export: a later attempt took over; this one's ZIP is dropped", "export", id, "attempt", attempt)
		if err := q.db.DeleteExportChunks(context.WithoutCancel(ctx), id, store.ChunksOf, attempt); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		return nil
	}
	// Chunks a stale attempt stored after this one started are never read; they go now.
	if err := q.db.DeleteExportChunks(ctx, id, store.ChunksNotOf, attempt); err != nil {
		q.logger.Warn("export: delete stale chunks", "export", id, "err", err)
	}
	q.logger.Info("export done", "export", id, "documents", sum.Done, "failed", sum.Failed, "bytes", cw.n, "chunks", cw.seq, "worker", q.opts.ID)
	return nil
}

// failExport records why an attempt failed: queued again when River will retry, failed when
// final. It returns the error for River (cancelling the job when final).
func (q *Queue) failExport(ctx context.Context, id string, cause error, final bool) error {
	if err := q.db.FailExport(ctx, id, cause.Error(), final, q.opts.Now()); err != nil {
		q.logger.Error("export: record failure", "export", id, "err", err)
	}
	q.logger.Warn("export attempt failed", "export", id, "final", final, "err", cause)
	if final {
		return river.JobCancel(fmt.Errorf("jobs: export %s: %w", id, cause))
	}
	return fmt.Errorf("jobs: export %s: %w", id, cause)
}
