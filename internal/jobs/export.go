package jobs

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"reportapp/internal/document"
)

// Status is where an export is: queued → running → done or failed. A running export whose
// attempt is interrupted goes back to queued until River retries it.
type Status string

// The states of an export.
const (
	Queued  Status = "queued"
	Running Status = "running"
	Done    Status = "done"
	Failed  Status = "failed"
)

// Export is a bulk export as the API shows it.
type Export struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	Done      int       `json:"done"`
	Total     int       `json:"total"`
	Failed    int       `json:"failed"`
	Error     string    `json:"error"`
	Size      int64     `json:"size"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// Attempts and Worker tell operators how often and where it ran.
	Attempts int    `json:"attempts"`
	Worker   string `json:"-"`
}

// ExportArgs are the arguments of the export job: the export row holds everything else.
type ExportArgs struct {
	ExportID string `json:"export_id"`
}

// Kind is River's name of the job.
func (ExportArgs) Kind() string { return "export" }

// InsertOpts: a few attempts (a replica that stops mid-export hands it back for a retry).
func (ExportArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// storedFilter is document.Filter as stored in exports.filter.
type storedFilter struct {
	Kind       document.Kind   `json:"kind,omitempty"`
	Status     document.Status `json:"status,omitempty"`
	CustomerID string          `json:"customer_id,omitempty"`
	DateFrom   *document.Date  `json:"date_from,omitempty"`
	DateTo     *document.Date  `json:"date_to,omitempty"`
	TotalMin   *int64          `json:"total_min,omitempty"`
	TotalMax   *int64          `json:"total_max,omitempty"`
	Query      string          `json:"q,omitempty"`
}

func toStored(f document.Filter) storedFilter {
	return storedFilter{Kind: f.Kind, Status: f.Status, CustomerID: f.CustomerID, DateFrom: f.DateFrom,
		DateTo: f.DateTo, TotalMin: f.TotalMin, TotalMax: f.TotalMax, Query: f.Query}
}

func (s storedFilter) filter() document.Filter {
	return document.Filter{Kind: s.Kind, Status: s.Status, CustomerID: s.CustomerID, DateFrom: s.DateFrom,
		DateTo: s.DateTo, TotalMin: s.TotalMin, TotalMax: s.TotalMax, Query: s.Query}
}

func errExportNotFound() error {
	return document.Errorf(document.ENotFound, "エクスポートが見つかりません (export not found)")
}

// CreateExport records an export of the organisation's documents matching f (its Limit and Cursor
// are ignored) and inserts its job in the same transaction. The caller checks the role.
func (q *Queue) CreateExport(ctx context.Context, orgID, userID string, f document.Filter) (Export, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Export{}, fmt.Errorf("jobs: create export: %w", err)
	}
	filter, err := json.Marshal(toStored(f))
	if err != nil {
		return Export{}, fmt.Errorf("jobs: create export: %w", err)
	}
	now := q.opts.Now().UTC().Truncate(time.Microsecond)
	e := Export{ID: id.String(), Status: Queued, CreatedAt: now, ExpiresAt: now.Add(q.opts.Retention)}
	tx, err := q.db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return Export{}, fmt.Errorf("jobs: create export: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	_, err = tx.ExecContext(ctx, bind(q.db.Driver(), `INSERT INTO exports (id, org_id, created_by, filter, status, created_at, updated_at, expires_at)
		VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`), e.ID, orgID, userID, string(filter), formatTime(now), formatTime(now), formatTime(e.ExpiresAt))
	if err != nil {
		return Export{}, fmt.Errorf("jobs: create export: %w", err)
	}
	if _, err := q.client.InsertTx(ctx, tx, ExportArgs{ExportID: e.ID}, nil); err != nil {
		return Export{}, fmt.Errorf("jobs: create export: insert job: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Export{}, fmt.Errorf("jobs: create export: %w", err)
	}
	return e, nil
}

const exportColumns = `id, status, done, total, failed, error, size, created_at, expires_at, attempts, worker`

func scanExport(row interface{ Scan(...any) error }) (Export, error) {
	var e Export
	var created, expires string
	if err := row.Scan(&e.ID, &e.Status, &e.Done, &e.Total, &e.Failed, &e.Error, &e.Size, &created, &expires, &e.Attempts, &e.Worker); err != nil {
		return Export{}, err
	}
	var err1, err2 error
	e.CreatedAt, err1 = time.Parse(timeLayout, created)
	e.ExpiresAt, err2 = time.Parse(timeLayout, expires)
	if err := errors.Join(err1, err2); err != nil {
		return Export{}, err
	}
	return e, nil
}

// GetExport returns the organisation's export id; another organisation's or an expired one is
// ENotFound.
func (q *Queue) GetExport(ctx context.Context, orgID, id string) (Export, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Export{}, errExportNotFound()
	}
	row := q.db.SQL().QueryRowContext(ctx, bind(q.db.Driver(), `SELECT `+exportColumns+` FROM exports
		WHERE id = ? AND org_id = ? AND expires_at > ?`), id, orgID, formatTime(q.opts.Now()))
	e, err := scanExport(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Export{}, errExportNotFound()
	}
	if err != nil {
		return Export{}, fmt.Errorf("jobs: get export %s: %w", id, err)
	}
	return e, nil
}

// OpenExportZIP returns the organisation's finished export id and a reader of its ZIP, which
// fetches the stored chunks one at a time as it is read: serving a ZIP of any size holds one chunk
// (Options.ChunkSize) in memory. Export.Size is the ZIP's length (for Content-Length). The reader
// fails with io.ErrUnexpectedEOF if the export is deleted while it is read. It is ENotFound for
// another organisation's export, an expired one, and one that is not done yet.
func (q *Queue) OpenExportZIP(ctx context.Context, orgID, id string) (Export, io.Reader, error) {
	if _, err := uuid.Parse(id); err != nil {
		return Export{}, nil, errExportNotFound()
	}
	row := q.db.SQL().QueryRowContext(ctx, bind(q.db.Driver(), `SELECT `+exportColumns+` FROM exports
		WHERE id = ? AND org_id = ? AND expires_at > ? AND status = 'done'`), id, orgID, formatTime(q.opts.Now()))
	e, err := scanExport(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Export{}, nil, document.Errorf(document.ENotFound, "エクスポートが見つからないか、まだ完了していません (export not found or not done)")
	}
	if err != nil {
		return Export{}, nil, fmt.Errorf("jobs: export zip %s: %w", id, err)
	}
	return e, &chunkReader{ctx: ctx, q: q, e: e}, nil
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
	drv := q.db.Driver()
	id := job.Args.ExportID
	var orgID, filterJSON string
	var status Status
	err := q.db.SQL().QueryRowContext(ctx, bind(drv, `SELECT org_id, filter, status FROM exports WHERE id = ?`), id).
		Scan(&orgID, &filterJSON, &status)
	if errors.Is(err, sql.ErrNoRows) || status == Done {
		return nil // deleted (expired, organisation gone) or already finished: nothing to do
	}
	if err != nil {
		return fmt.Errorf("jobs: export %s: %w", id, err)
	}
	var sf storedFilter
	if err := json.Unmarshal([]byte(filterJSON), &sf); err != nil {
		return q.failExport(ctx, id, fmt.Errorf("stored filter: %w", err), true)
	}
	if q.opts.Renderer == nil {
		return q.failExport(ctx, id, errors.New("this replica has no PDF renderer"), false)
	}
	// The attempt number keys this attempt's chunks. A finished export is never restarted (a
	// stale attempt that finds it done stops here).
	var attempt int
	err = q.db.SQL().QueryRowContext(ctx, bind(drv, `UPDATE exports SET status = 'running', done = 0, failed = 0, error = '',
		attempts = attempts + 1, worker = ?, updated_at = ? WHERE id = ? AND status <> 'done' RETURNING attempts`),
		q.opts.ID, formatTime(q.opts.Now()), id).Scan(&attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("jobs: export %s: %w", id, err)
	}
	// Each attempt renders from scratch: what earlier attempts stored goes.
	if err := q.deleteChunks(ctx, id, 0, false); err != nil {
		return err
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
		_, err := q.db.SQL().ExecContext(ctx, bind(drv, `UPDATE exports SET done = ?, total = ?, updated_at = ? WHERE id = ?`),
			done, total, formatTime(q.opts.Now()), id)
		if err != nil && ctx.Err() == nil {
			q.logger.Warn("export progress", "export", id, "err", err)
		}
	}
	x := &Exporter{Store: q.db, Renderer: q.opts.Renderer, Workers: q.opts.RenderWorkers, Now: q.opts.Now}
	cw := q.newChunkWriter(ctx, id, attempt)
	sum, err := x.WriteZIP(ctx, cw, orgID, sf.filter(), progress)
	if err == nil {
		err = cw.Close()
	}
	if err != nil {
		final := job.Attempt >= job.MaxAttempts
		bg := context.WithoutCancel(ctx)
		if err := q.deleteChunks(bg, id, attempt, false); err != nil {
			q.logger.Warn("export: delete the failed attempt's chunks", "export", id, "err", err)
		}
		return q.failExport(bg, id, err, final)
	}
	// Only the latest attempt finishes the export: a stale one (its replica was thought dead and
	// the job handed on) finds attempts moved on and leaves the row alone.
	res, err := q.db.SQL().ExecContext(ctx, bind(drv, `UPDATE exports SET status = 'done', done = ?, total = ?, failed = ?,
		size = ?, updated_at = ? WHERE id = ? AND attempts = ? AND status <> 'done'`),
		sum.Done, sum.Total, sum.Failed, cw.n, formatTime(q.opts.Now()), id, attempt)
	if err != nil {
		return fmt.Errorf("jobs: export %s: finish: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		q.logger.Warn("export: a later attempt took over; this one's ZIP is dropped", "export", id, "attempt", attempt)
		return q.deleteChunks(context.WithoutCancel(ctx), id, attempt, false)
	}
	// Chunks a stale attempt stored after this one started are never read; they go now.
	if err := q.deleteChunks(ctx, id, attempt, true); err != nil {
		q.logger.Warn("export: delete stale chunks", "export", id, "err", err)
	}
	q.logger.Info("export done", "export", id, "documents", sum.Done, "failed", sum.Failed, "bytes", cw.n, "chunks", cw.seq, "worker", q.opts.ID)
	return nil
}

// failExport records why an attempt failed: queued again when River will retry, failed when
// final. It returns the error for River (cancelling the job when final).
func (q *Queue) failExport(ctx context.Context, id string, cause error, final bool) error {
	status := Queued
	if final {
		status = Failed
	}
	_, err := q.db.SQL().ExecContext(ctx, bind(q.db.Driver(), `UPDATE exports SET status = ?, error = ?, updated_at = ?
		WHERE id = ? AND status <> 'done'`),
		string(status), cause.Error(), formatTime(q.opts.Now()), id)
	if err != nil {
		q.logger.Error("export: record failure", "export", id, "err", err)
	}
	q.logger.Warn("export attempt failed", "export", id, "final", final, "err", cause)
	if final {
		return river.JobCancel(fmt.Errorf("jobs: export %s: %w", id, cause))
	}
	return fmt.Errorf("jobs: export %s: %w", id, cause)
}
