package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Bulk exports (the job and the ZIP writing are package jobs'): a row per export with its
// filter and progress, and the ZIP in export_chunks rows keyed by the attempt that wrote them.
// The export methods take the caller's clock (now, expires): the job queue decides retention.

// ExportStatus is where an export is: queued → running → done or failed. A running export whose
// attempt is interrupted goes back to queued until it is retried.
type ExportStatus string

// The states of an export.
const (
	ExportQueued  ExportStatus = "queued"
	ExportRunning ExportStatus = "running"
	ExportDone    ExportStatus = "done"
	ExportFailed  ExportStatus = "failed"
)

// Export is a bulk export as the API shows it.
type Export struct {
	ID        string       `json:"id"`
	Status    ExportStatus `json:"status"`
	Done      int          `json:"done"`
	Total     int          `json:"total"`
	Failed    int          `json:"failed"`
	Error     string       `json:"error"`
	Size      int64        `json:"size"`
	CreatedAt time.Time    `json:"created_at"`
	ExpiresAt time.Time    `json:"expires_at"`
	// Attempts and Worker tell operators how often and where it ran.
	Attempts int    `json:"attempts"`
	Worker   string `json:"-"`
}

// storedFilter is document.Filter as stored in exports.filter (paging is not part of it).
type storedFilter struct {
	Kind       document.Kind   `json:"kind,omitempty"`
	Status     document.Status `json:"status,omitempty"`
	CustomerID string          `json:"customer_id,omitempty"`
	DateFrom   *document.Date  `json:"date_from,omitempty"`
	DateTo     *document.Date  `json:"date_to,omitempty"`
	TotalMin   *int64          `json:"total_min,omitempty"`
	TotalMax   *int64          `json:"total_max,omitempty"`
	Query      string          `json:"q,omitempty"`
	// IncludePINT: the ZIP has the JP PINT XML beside each issued invoice's PDF.
	IncludePINT bool `json:"include_pint,omitempty"`
	// Lang: the language of index.csv ("" is Japanese).
	Lang document.CSVLang `json:"lang,omitempty"`
}

func toStoredFilter(f document.Filter) storedFilter {
	return storedFilter{Kind: f.Kind, Status: f.Status, CustomerID: f.CustomerID, DateFrom: f.DateFrom,
		DateTo: f.DateTo, TotalMin: f.TotalMin, TotalMax: f.TotalMax, Query: f.Query, IncludePINT: f.IncludePINT, Lang: f.Lang}
}

func (s storedFilter) filter() document.Filter {
	return document.Filter{Kind: s.Kind, Status: s.Status, CustomerID: s.CustomerID, DateFrom: s.DateFrom,
		DateTo: s.DateTo, TotalMin: s.TotalMin, TotalMax: s.TotalMax, Query: s.Query, IncludePINT: s.IncludePINT, Lang: s.Lang}
}

func errExportNotFound() error {
	return domain.Errorf(domain.ENotFound, "エクスポートが見つかりません (export not found)")
}

// ExportLimits bound one organisation's exports; a zero field is no bound.
type ExportLimits struct {
	// Active is how many of its exports may be queued or running at once.
	Active int
	// StoredBytes is how many bytes its unexpired exports' ZIPs may hold altogether.
	StoredBytes int64
}

// ExportRetryAfter is the Retry-After, in seconds, of an export refused for too many at once.
const ExportRetryAfter = 30

// exportUsage is what an organisation's unexpired exports other than exceptID hold: how many are
// queued or running, and the bytes of the finished ZIPs and of the chunks being written.
func exportUsage(ctx context.Context, q querier, orgID, exceptID string, now time.Time) (active int, stored int64, err error) {
	err = q.queryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status IN ('queued', 'running') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'done' THEN size ELSE 0 END), 0)
		FROM exports WHERE org_id = ? AND expires_at > ? AND id <> ?`, orgID, timeArg(now), exceptID).Scan(&active, &stored)
	if err != nil {
		return 0, 0, err
	}
	var writing int64
	err = q.queryRow(ctx, `SELECT COALESCE(SUM(LENGTH(c.data)), 0) FROM export_chunks c
		JOIN exports e ON e.id = c.export_id WHERE e.org_id = ? AND e.status = 'running' AND e.id <> ?`,
		orgID, exceptID).Scan(&writing)
	return active, stored + writing, err
}

// ExportStoredBytes is how many bytes the organisation's unexpired exports hold, the finished
// ones' ZIPs and the chunks being written, leaving out export exceptID's own.
func (db *DB) ExportStoredBytes(ctx context.Context, orgID, exceptID string, now time.Time) (int64, error) {
	_, n, err := exportUsage(ctx, db.q(), orgID, exceptID, now)
	if err != nil {
		return 0, fmt.Errorf("store: export bytes of %s: %w", orgID, err)
	}
	return n, nil
}

// ErrExportStorageFull is the error of an export whose organisation's stored exports reached
// limit bytes: a conflict (409) until older exports expire.
func ErrExportStorageFull(limit int64) error {
	size := domain.SizeText(limit)
	return domain.Errorf(domain.EConflict, "保存中のエクスポートが上限の %s に達しています。古いエクスポートが保存期間を過ぎて削除されるまでお待ちください (this organisation's exports already hold the limit of %s; wait until older exports expire)", size, size)
}

// CreateExport records a queued export of the organisation's documents matching f, created now
// and kept until expires, and calls enqueue with the same transaction before committing, so the
// export row and its job (River's InsertTx) are stored together or not at all. An error of
// enqueue rolls the row back. Beyond lim the export is refused: ERateLimited (429, retry after
// ExportRetryAfter seconds) when lim.Active exports are queued or running, EConflict when the
// organisation's exports hold lim.StoredBytes. The organisation's row is locked while counting,
// so concurrent requests cannot all slip under the bound.
func (db *DB) CreateExport(ctx context.Context, orgID, userID string, f document.Filter, now, expires time.Time,
	lim ExportLimits, enqueue func(ctx context.Context, tx *sql.Tx, exportID string) error) (Export, error) {
	id, err := newID()
	if err != nil {
		return Export{}, fmt.Errorf("store: create export: %w", err)
	}
	filter, err := json.Marshal(toStoredFilter(f))
	if err != nil {
		return Export{}, fmt.Errorf("store: create export: %w", err)
	}
	now, expires = now.UTC().Truncate(time.Microsecond), expires.UTC().Truncate(time.Microsecond)
	e := Export{ID: id, Status: ExportQueued, CreatedAt: now, ExpiresAt: expires}
	err = db.inSQLTx(ctx, func(tx *sql.Tx, q querier) error {
		if lim.Active > 0 || lim.StoredBytes > 0 {
			var locked string
			if err := q.queryRow(ctx, `SELECT id FROM organizations WHERE id = ?`+db.dialect.forUpdate(""), orgID).Scan(&locked); err != nil {
				return err
			}
			active, stored, err := exportUsage(ctx, q, orgID, "", now)
			if err != nil {
				return err
			}
			if lim.Active > 0 && active >= lim.Active {
				return domain.Errorf(domain.ERateLimited, "エクスポートは同時に %d 件までです。実行中のものが終わってから再試行してください (at most %d exports may be queued or running at once; retry when one finishes)", lim.Active, lim.Active)
			}
			if lim.StoredBytes > 0 && stored >= lim.StoredBytes {
				return ErrExportStorageFull(lim.StoredBytes)
			}
		}
		if _, err := q.exec(ctx, `INSERT INTO exports (id, org_id, created_by, filter, status, created_at, updated_at, expires_at)
			VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`, e.ID, orgID, userID, string(filter), timeArg(now), timeArg(now), timeArg(expires)); err != nil {
			return err
		}
		return enqueue(ctx, tx, e.ID)
	})
	if err != nil {
		return Export{}, fmt.Errorf("store: create export: %w", err)
	}
	return e, nil
}

const exportColumns = `id, status, done, total, failed, error, size, created_at, expires_at, attempts, worker`

func scanExport(row interface{ Scan(...any) error }) (Export, error) {
	var e Export
	err := row.Scan(&e.ID, &e.Status, &e.Done, &e.Total, &e.Failed, &e.Error, &e.Size, scanTime(&e.CreatedAt),
		scanTime(&e.ExpiresAt), &e.Attempts, &e.Worker)
	return e, err
}

// GetExport returns the organisation's export id unless it has expired by now; another
// organisation's, an expired or an unknown one is ENotFound.
func (db *DB) GetExport(ctx context.Context, orgID, id string, now time.Time) (Export, error) {
	if !validID(id) || !validID(orgID) {
		return Export{}, errExportNotFound()
	}
	e, err := scanExport(db.q().queryRow(ctx, `SELECT `+exportColumns+` FROM exports
		WHERE id = ? AND org_id = ? AND expires_at > ?`, id, orgID, timeArg(now)))
	if notFound(err) {
		return Export{}, errExportNotFound()
	}
	if err != nil {
		return Export{}, fmt.Errorf("store: get export %s: %w", id, err)
	}
	return e, nil
}

// GetFinishedExport is GetExport for an export that is done; one that is not yet is ENotFound too.
func (db *DB) GetFinishedExport(ctx context.Context, orgID, id string, now time.Time) (Export, error) {
	notDone := domain.Errorf(domain.ENotFound, "エクスポートが見つからないか、まだ完了していません (export not found or not done)")
	if !validID(id) || !validID(orgID) {
		return Export{}, notDone
	}
	e, err := scanExport(db.q().queryRow(ctx, `SELECT `+exportColumns+` FROM exports
		WHERE id = ? AND org_id = ? AND expires_at > ? AND status = 'done'`, id, orgID, timeArg(now)))
	if notFound(err) {
		return Export{}, notDone
	}
	if err != nil {
		return Export{}, fmt.Errorf("store: get export %s: %w", id, err)
	}
	return e, nil
}

// ExportWork is what an attempt of the export job needs: the organisation and the filter.
type ExportWork struct {
	OrgID   string
	Filter  document.Filter
	Attempt int // this attempt's number, which keys its chunks
}

// StartExportAttempt marks export id running by worker for a new attempt and returns what to
// export. ok is false when there is nothing to do: the export is gone (expired, organisation
// deleted) or already done. A stored filter that cannot be read is an error.
func (db *DB) StartExportAttempt(ctx context.Context, id, worker string, now time.Time) (w ExportWork, ok bool, err error) {
	var filterJSON string
	err = db.q().queryRow(ctx, `UPDATE exports SET status = 'running', done = 0, failed = 0, error = '',
		attempts = attempts + 1, worker = ?, updated_at = ? WHERE id = ? AND status <> 'done'
		RETURNING org_id, filter, attempts`, worker, timeArg(now), id).Scan(&w.OrgID, &filterJSON, &w.Attempt)
	if notFound(err) {
		return ExportWork{}, false, nil
	}
	if err != nil {
		return ExportWork{}, false, fmt.Errorf("store: start export %s: %w", id, err)
	}
	var sf storedFilter
	if err := json.Unmarshal([]byte(filterJSON), &sf); err != nil {
		return w, true, fmt.Errorf("store: export %s: stored filter: %w", id, err)
	}
	w.Filter = sf.filter()
	return w, true, nil
}

// SetExportProgress records how far a running export is.
func (db *DB) SetExportProgress(ctx context.Context, id string, done, total int, now time.Time) error {
	if _, err := db.q().exec(ctx, `UPDATE exports SET done = ?, total = ?, updated_at = ? WHERE id = ?`,
		done, total, timeArg(now), id); err != nil {
		return fmt.Errorf("store: export %s progress: %w", id, err)
	}
	return nil
}

// FinishExport marks export id done with its counts and the ZIP's size, if attempt is still the
// latest attempt: a stale attempt (its replica was thought dead and the job handed on) finds
// the attempts moved on, changes nothing and gets ok false.
func (db *DB) FinishExport(ctx context.Context, id string, attempt, done, total, failed int, size int64, now time.Time) (ok bool, err error) {
	err = db.q().execOne(ctx, "superseded", `UPDATE exports SET status = 'done', done = ?, total = ?, failed = ?,
		size = ?, updated_at = ? WHERE id = ? AND attempts = ? AND status <> 'done'`,
		done, total, failed, size, timeArg(now), id, attempt)
	if domain.ErrorCode(err) == domain.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: finish export %s: %w", id, err)
	}
	return true, nil
}

// FailExport records why an attempt of export id failed: queued again when it will be retried,
// failed when final. A done export is left alone.
func (db *DB) FailExport(ctx context.Context, id, cause string, final bool, now time.Time) error {
	status := ExportQueued
	if final {
		status = ExportFailed
	}
	if _, err := db.q().exec(ctx, `UPDATE exports SET status = ?, error = ?, updated_at = ?
		WHERE id = ? AND status <> 'done'`, string(status), cause, timeArg(now), id); err != nil {
		return fmt.Errorf("store: fail export %s: %w", id, err)
	}
	return nil
}

// DeleteExpiredExports deletes the exports that expired by now, with their chunks, and says how
// many.
func (db *DB) DeleteExpiredExports(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.q().exec(ctx, `DELETE FROM exports WHERE expires_at <= ?`, timeArg(now))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired exports: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: delete expired exports: %w", err)
	}
	return n, nil
}

// PutExportChunk stores chunk seq of the ZIP that attempt of export id writes.
func (db *DB) PutExportChunk(ctx context.Context, id string, attempt, seq int, data []byte) error {
	if _, err := db.q().exec(ctx, `INSERT INTO export_chunks (export_id, attempt, seq, data) VALUES (?, ?, ?, ?)`,
		id, attempt, seq, data); err != nil {
		return fmt.Errorf("store: export %s: store chunk %d: %w", id, seq, err)
	}
	return nil
}

// ExportChunk returns chunk seq of attempt of export id; a missing one is ENotFound.
func (db *DB) ExportChunk(ctx context.Context, id string, attempt, seq int) ([]byte, error) {
	var data []byte
	err := db.q().queryRow(ctx, `SELECT data FROM export_chunks WHERE export_id = ? AND attempt = ? AND seq = ?`,
		id, attempt, seq).Scan(&data)
	if notFound(err) {
		return nil, domain.Errorf(domain.ENotFound, "export %s: no chunk %d of attempt %d", id, seq, attempt)
	}
	if err != nil {
		return nil, fmt.Errorf("store: export %s: read chunk %d: %w", id, seq, err)
	}
	return data, nil
}

// Which chunks DeleteExportChunks deletes.
const (
	AllChunks   = iota // every attempt's
	ChunksOf           // only the given attempt's
	ChunksNotOf        // every attempt's but the given one's
)

// DeleteExportChunks deletes chunks of export id: which is AllChunks, ChunksOf(attempt) or
// ChunksNotOf(attempt).
func (db *DB) DeleteExportChunks(ctx context.Context, id string, which, attempt int) error {
	query, args := `DELETE FROM export_chunks WHERE export_id = ?`, []any{id}
	switch which {
	case ChunksOf:
		query, args = query+` AND attempt = ?`, append(args, attempt)
	case ChunksNotOf:
		query, args = query+` AND attempt <> ?`, append(args, attempt)
	}
	if _, err := db.q().exec(ctx, query, args...); err != nil {
		return fmt.Errorf("store: export %s: delete chunks: %w", id, err)
	}
	return nil
}
