package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/recurring"
)

// Schedules are stored as one row each: the columns the runner selects and updates, plus body,
// the JSON of the recurring.Schedule as the client gave it. Each run is a schedule_runs row whose
// primary key (schedule_id, period_from) lets a period make at most one document, ever.

func errScheduleNotFound() error {
	return domain.Errorf(domain.ENotFound, "定期請求が見つかりません (schedule not found)")
}

const scheduleColumns = `id, org_id, customer_id, name, active, not_before, run_count, last_run, body, created_at, updated_at`

// scheduleBody is what body holds: the schedule's own fields, without the computed ones.
func scheduleBody(s recurring.Schedule) (string, error) {
	s.ID, s.Active, s.NextRun, s.LastRun, s.RunCount = "", false, nil, nil, 0
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("encode schedule: %w", err)
	}
	return string(b), nil
}

func scanSchedules(rows *sql.Rows) ([]ScheduleRow, error) {
	defer rows.Close()
	out := []ScheduleRow{}
	for rows.Next() {
		var (
			r                        ScheduleRow
			active                   int64
			notBefore, lastRun, body string
			customer, id, name       string
			createdAt, updatedAt     time.Time
		)
		if err := rows.Scan(&id, &r.OrgID, &customer, &name, &active, scanDate(&notBefore), &r.RunCount, scanDate(&lastRun), &body,
			scanTime(&createdAt), scanTime(&updatedAt)); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &r.Schedule); err != nil {
			return nil, fmt.Errorf("decode stored schedule %s: %w", id, err)
		}
		s := &r.Schedule
		s.ID, s.Name, s.CustomerID, s.Active, s.RunCount = id, name, customer, active == 1, r.RunCount
		s.CreatedAt, s.UpdatedAt = createdAt, updatedAt
		var err error
		if notBefore != "" {
			if s.NotBefore, err = document.ParseDate(notBefore); err != nil {
				return nil, err
			}
		}
		if lastRun != "" {
			d, err := document.ParseDate(lastRun)
			if err != nil {
				return nil, err
			}
			s.LastRun = &d
		}
		if s.Active {
			if next := s.Next(r.RunCount); next != nil {
				s.NextRun = &next.Date
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ScheduleRow is a stored schedule with its organisation.
type ScheduleRow struct {
	OrgID    string
	RunCount int
	recurring.Schedule
}

// CreateSchedule stores a new, active schedule of the organisation. The customer must be the
// organisation's (EInvalid on customer_id).
func (db *DB) CreateSchedule(ctx context.Context, orgID, actor string, s recurring.Schedule) (recurring.Schedule, error) {
	if !validID(orgID) {
		return recurring.Schedule{}, errOrgNotFound()
	}
	var err error
	if s.ID, err = newID(); err != nil {
		return recurring.Schedule{}, fmt.Errorf("store: create schedule: %w", err)
	}
	now := db.nowUTC()
	s.CreatedAt, s.UpdatedAt = now, now
	body, err := scheduleBody(s)
	if err != nil {
		return recurring.Schedule{}, err
	}
	var out recurring.Schedule
	err = db.inTx(ctx, func(q querier) error {
		if err := db.checkScheduleCustomer(ctx, q, orgID, s.CustomerID); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO schedules (`+scheduleColumns+`, created_by)
			VALUES (?, ?, ?, ?, 1, ?, 0, ?, ?, ?, ?, ?)`,
			s.ID, orgID, s.CustomerID, s.Name, db.dateArg(""), db.dateArg(""), body, timeArg(now), timeArg(now), actor); err != nil {
			return err
		}
		out, err = db.getSchedule(ctx, q, orgID, s.ID)
		return err
	})
	if err != nil {
		return recurring.Schedule{}, fmt.Errorf("store: create schedule: %w", err)
	}
	return out, nil
}

func (db *DB) checkScheduleCustomer(ctx context.Context, q querier, orgID, customerID string) error {
	_, err := db.getCustomer(ctx, q, orgID, customerID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return &domain.Error{Code: domain.EInvalid, Message: "取引先が見つかりません (customer not found)",
			Fields: map[string]string{"customer_id": "取引先が見つかりません (no such customer)"}}
	}
	return err
}

// GetSchedule returns a schedule of the organisation.
func (db *DB) GetSchedule(ctx context.Context, orgID, id string) (recurring.Schedule, error) {
	s, err := db.getSchedule(ctx, db.q(), orgID, id)
	if err != nil {
		return recurring.Schedule{}, fmt.Errorf("store: get schedule %s: %w", id, err)
	}
	return s, nil
}

func (db *DB) getSchedule(ctx context.Context, q querier, orgID, id string) (recurring.Schedule, error) {
	if !validID(orgID) || !validID(id) {
		return recurring.Schedule{}, errScheduleNotFound()
	}
	rows, err := q.query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE org_id = ? AND id = ?`, orgID, id)
	if err != nil {
		return recurring.Schedule{}, err
	}
	rs, err := scanSchedules(rows)
	if err != nil {
		return recurring.Schedule{}, err
	}
	if len(rs) == 0 {
		return recurring.Schedule{}, errScheduleNotFound()
	}
	return rs[0].Schedule, nil
}

// ListSchedules returns the organisation's schedules, newest first (at most 500).
func (db *DB) ListSchedules(ctx context.Context, orgID string) ([]recurring.Schedule, error) {
	if !validID(orgID) {
		return []recurring.Schedule{}, nil
	}
	rows, err := db.q().query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE org_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 500`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list schedules: %w", err)
	}
	rs, err := scanSchedules(rows)
	if err != nil {
		return nil, fmt.Errorf("store: list schedules: %w", err)
	}
	out := make([]recurring.Schedule, len(rs))
	for i, r := range rs {
		out[i] = r.Schedule
	}
	return out, nil
}

// ActiveSchedules returns the active schedules of every organisation, for the runner (a
// system job; each run then works inside the schedule's organisation).
func (db *DB) ActiveSchedules(ctx context.Context) ([]ScheduleRow, error) {
	rows, err := db.q().query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE active = 1 ORDER BY org_id, id`)
	if err != nil {
		return nil, fmt.Errorf("store: active schedules: %w", err)
	}
	rs, err := scanSchedules(rows)
	if err != nil {
		return nil, fmt.Errorf("store: active schedules: %w", err)
	}
	return rs, nil
}

// UpdateSchedule replaces a schedule's settings (found by s.ID). Periods already billed stay
// billed: the next run is the first after the last run made.
func (db *DB) UpdateSchedule(ctx context.Context, orgID string, s recurring.Schedule) (recurring.Schedule, error) {
	var out recurring.Schedule
	err := db.inTx(ctx, func(q querier) error {
		cur, err := db.getSchedule(ctx, q, orgID, s.ID)
		if err != nil {
			return err
		}
		if err := db.checkScheduleCustomer(ctx, q, orgID, s.CustomerID); err != nil {
			return err
		}
		s.CreatedAt, s.UpdatedAt, s.NotBefore = cur.CreatedAt, db.nowUTC(), cur.NotBefore
		next := 0
		if cur.LastRun != nil {
			for next < recurring.MaxCount && !s.Finished(next) && !cur.LastRun.Before(s.RunAt(next).Date) {
				next++
			}
		}
		body, err := scheduleBody(s)
		if err != nil {
			return err
		}
		if err := q.execOne(ctx, "定期請求が見つかりません (schedule not found)",
			`UPDATE schedules SET customer_id = ?, name = ?, body = ?, run_count = ?, updated_at = ?
			WHERE org_id = ? AND id = ?`,
			s.CustomerID, s.Name, body, next, timeArg(s.UpdatedAt), orgID, s.ID); err != nil {
			return err
		}
		out, err = db.getSchedule(ctx, q, orgID, s.ID)
		return err
	})
	if err != nil {
		return recurring.Schedule{}, fmt.Errorf("store: update schedule %s: %w", s.ID, err)
	}
	return out, nil
}

// SetScheduleActive pauses or resumes a schedule. Resuming skips the runs that fell due while
// it was paused: the next run is on or after today (the organisation's date).
func (db *DB) SetScheduleActive(ctx context.Context, orgID, id string, active bool, today document.Date) (recurring.Schedule, error) {
	var out recurring.Schedule
	err := db.inTx(ctx, func(q querier) error {
		cur, err := db.getSchedule(ctx, q, orgID, id)
		if err != nil {
			return err
		}
		notBefore := cur.NotBefore.String()
		flag := 0
		if active {
			flag = 1
			if !cur.Active {
				notBefore = today.String()
			}
		}
		if _, err := q.exec(ctx, `UPDATE schedules SET active = ?, not_before = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
			flag, db.dateArg(notBefore), timeArg(db.nowUTC()), orgID, id); err != nil {
			return err
		}
		out, err = db.getSchedule(ctx, q, orgID, id)
		return err
	})
	if err != nil {
		return recurring.Schedule{}, fmt.Errorf("store: set schedule %s active=%v: %w", id, active, err)
	}
	return out, nil
}

// DeleteSchedule deletes a schedule. The documents it made, and the record of which periods
// they billed, stay.
func (db *DB) DeleteSchedule(ctx context.Context, orgID, id string) error {
	if !validID(orgID) || !validID(id) {
		return errScheduleNotFound()
	}
	if err := db.q().execOne(ctx, "定期請求が見つかりません (schedule not found)",
		`DELETE FROM schedules WHERE org_id = ? AND id = ?`, orgID, id); err != nil {
		return fmt.Errorf("store: delete schedule %s: %w", id, err)
	}
	return nil
}

// ScheduleDocuments returns the documents a schedule made, oldest period first (the documents
// of deleted drafts are gone from the list).
func (db *DB) ScheduleDocuments(ctx context.Context, orgID, id string) ([]document.Document, error) {
	if _, err := db.getSchedule(ctx, db.q(), orgID, id); err != nil {
		return nil, fmt.Errorf("store: schedule documents %s: %w", id, err)
	}
	docs, _, err := db.queryDocuments(ctx, db.q(), orgID, documentColumns+`
		JOIN schedule_runs r ON r.org_id = d.org_id AND r.document_id = d.id
		WHERE r.org_id = ? AND r.schedule_id = ? ORDER BY r.period_from LIMIT 1000`, orgID, id)
	if err != nil {
		return nil, fmt.Errorf("store: schedule documents %s: %w", id, err)
	}
	return docs, nil
}

// ScheduleRuns lists the runs a schedule made, oldest period first (at most 1000, as
// ScheduleDocuments).
func (db *DB) ScheduleRuns(ctx context.Context, orgID, id string) ([]recurring.RunRecord, error) {
	if _, err := db.getSchedule(ctx, db.q(), orgID, id); err != nil {
		return nil, fmt.Errorf("store: schedule runs %s: %w", id, err)
	}
	rows, err := db.q().query(ctx, `SELECT seq, period_from, period_to, run_date, document_id, note, created_at
		FROM schedule_runs WHERE org_id = ? AND schedule_id = ? ORDER BY period_from LIMIT 1000`, orgID, id)
	if err != nil {
		return nil, fmt.Errorf("store: schedule runs %s: %w", id, err)
	}
	defer rows.Close()
	out := []recurring.RunRecord{}
	for rows.Next() {
		var r recurring.RunRecord
		if err := rows.Scan(&r.Seq, docDate{&r.Period.From}, docDate{&r.Period.To}, docDate{&r.Date}, &r.DocumentID, &r.Note,
			scanTime(&r.CreatedAt)); err != nil {
			return nil, fmt.Errorf("store: schedule runs %s: %w", id, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: schedule runs %s: %w", id, err)
	}
	return out, nil
}

// RecordRun makes run r of a schedule: in one transaction it claims the (schedule, period) pair
// and creates d as a draft. When the pair was claimed before (by this or another replica, now or
// years ago), nothing is created and the document made then is returned with created false
// (ENotFound when that draft was deleted since).
func (db *DB) RecordRun(ctx context.Context, orgID, scheduleID, actor string, r recurring.Run, d document.Document) (out document.Document, created bool, err error) {
	err = db.inTx(ctx, func(q querier) error {
		var docID string
		if d.ID, err = newID(); err != nil {
			return err
		}
		res, err := q.exec(ctx, `INSERT INTO schedule_runs (schedule_id, org_id, seq, period_from, period_to, run_date,
			document_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (schedule_id, period_from) DO NOTHING`,
			scheduleID, orgID, r.Seq, r.Period.From.String(), r.Period.To.String(), r.Date.String(), d.ID,
			timeArg(db.nowUTC()))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			if err := q.queryRow(ctx, `SELECT document_id FROM schedule_runs WHERE schedule_id = ? AND period_from = ?`,
				scheduleID, r.Period.From.String()).Scan(&docID); err != nil {
				return err
			}
		} else {
			if out, err = db.createDocument(ctx, q, orgID, actor, d); err != nil {
				return err
			}
			created = true
			docID = out.ID
		}
		if _, err := q.exec(ctx, `UPDATE schedules SET
			run_count = CASE WHEN run_count > ? THEN run_count ELSE ? END,
			last_run = CASE WHEN last_run > ? THEN last_run ELSE ? END
			WHERE org_id = ? AND id = ?`,
			r.Seq, r.Seq+1, r.Date.String(), r.Date.String(), orgID, scheduleID); err != nil {
			return err
		}
		if !created {
			out, err = db.getDocument(ctx, q, orgID, docID, false)
		}
		return err
	})
	if err != nil {
		return document.Document{}, false, fmt.Errorf("store: run schedule %s for %s: %w", scheduleID, r.Period.From, err)
	}
	return out, created, nil
}

// NoteRun records a remark on a run (e.g. why it was not sent).
func (db *DB) NoteRun(ctx context.Context, orgID, scheduleID string, r recurring.Run, note string) error {
	if _, err := db.q().exec(ctx, `UPDATE schedule_runs SET note = ? WHERE org_id = ? AND schedule_id = ? AND period_from = ?`,
		note, orgID, scheduleID, r.Period.From.String()); err != nil {
		return fmt.Errorf("store: note run: %w", err)
	}
	return nil
}
