package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/recurring"
	"reportapp/internal/store"
)

// DefaultScheduleInterval is how often the periodic job looks for due recurring invoices.
const DefaultScheduleInterval = 15 * time.Minute

// ScheduleArgs are the arguments of the periodic recurring-invoice job. Only River's leader
// enqueues periodic jobs; that two runs never make one period twice is the store's unique key
// (see store.RecordRun), so even overlapping runs on several replicas are safe.
type ScheduleArgs struct{}

// Kind is River's name of the job.
func (ScheduleArgs) Kind() string { return "schedules" }

type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	q *Queue
}

// Work runs every due period up to today in the configured zone.
func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleArgs]) error {
	res, err := w.q.RunSchedules(ctx, w.q.today())
	for _, r := range res {
		if r.Created {
			w.q.logger.Info("recurring invoice made", "org", r.OrgID, "schedule", r.ScheduleID, "period", r.Run.Period.From.String(), "document", r.DocumentID)
		}
	}
	return err
}

// today is today's date in the configured zone.
func (q *Queue) today() document.Date { return document.Today(q.opts.Now(), q.zone()) }

func (q *Queue) zone() *time.Location {
	if q.opts.Zone != nil {
		return q.opts.Zone
	}
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		return time.UTC
	}
	return loc
}

// RunResult is what one run of a schedule did.
type RunResult struct {
	OrgID        string
	ScheduleID   string
	ScheduleName string
	Run          recurring.Run
	DocumentID   string
	Number       string // when issued
	Status       document.Status
	Created      bool   // false: the period had been made before
	Note         string // e.g. why an invoice was not sent
	Err          error
}

// actorOf is the history actor of a schedule's documents.
func actorOf(scheduleID string) string { return "schedule:" + scheduleID }

// RunSchedules makes, for every active schedule of every organisation, each run due on or
// before asOf that has not been made: oldest first, at most recurring.MaxCatchUp per schedule
// per call. A period is made at most once however often, and on however many replicas, this
// runs at once. Problems with one schedule are in its results and do not stop the others; the
// error is the first one met.
func RunSchedules(ctx context.Context, db *store.DB, asOf document.Date, logger *slog.Logger) ([]RunResult, error) {
	return runSchedules(ctx, db, asOf, logger, nil)
}

// Sender queues the e-mail of an invoice a schedule issued with action issue_and_send, at most
// once per key (the schedule and period); note says why nothing was queued, if so.
type Sender func(ctx context.Context, orgID, actor, key string, doc document.Document) (note string, err error)

// RunSchedules is the package's RunSchedules with the invoices of issue_and_send schedules
// e-mailed to their customers (when this replica has a mail server).
func (q *Queue) RunSchedules(ctx context.Context, asOf document.Date) ([]RunResult, error) {
	return runSchedules(ctx, q.db, asOf, q.logger, q.sendScheduled)
}

// sendScheduled queues an issued recurring invoice's e-mail: to the customer's address, with
// the organisation's templates, a link and the PDF, once per key however often it is asked.
func (q *Queue) sendScheduled(ctx context.Context, orgID, actor, key string, doc document.Document) (string, error) {
	if q.opts.Mail == nil {
		return noteNotConfigured, nil
	}
	if doc.Customer == nil || doc.Customer.Email == "" {
		return "取引先のメールアドレスがないため、発行のみ行いました (the customer has no e-mail address: issued, not sent)", nil
	}
	s, err := q.db.GetMailSettings(ctx, orgID)
	if err != nil {
		return "", err
	}
	amount := doc.Totals.AmountDue
	if doc.Balance != nil {
		amount = *doc.Balance
	}
	nd := toCustomer(doc, s.Subject, s.Message, amount)
	nd.Purpose, nd.IdempotencyKey = store.PurposeDocument, key
	if _, _, err := q.CreateDelivery(ctx, orgID, actor, nd); err != nil {
		return "", err
	}
	return "", nil
}

// noteNotConfigured is the note of an issue_and_send run on a replica without a mail server.
const noteNotConfigured = "メール送信が設定されていないため、発行のみ行いました (sending is not configured: issued, not sent)"

func runSchedules(ctx context.Context, db *store.DB, asOf document.Date, logger *slog.Logger, send Sender) ([]RunResult, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rows, err := db.ActiveSchedules(ctx)
	if err != nil {
		return nil, err
	}
	cal := document.NewBusinessCalendar()
	var out []RunResult
	var first error
	for _, row := range rows {
		runs := row.DueRuns(row.RunCount, asOf)
		if len(runs) == 0 {
			continue
		}
		// What every run of the schedule needs is read once, not once per period.
		in, err := scheduleInputs(ctx, db, row)
		for _, run := range runs {
			r := RunResult{OrgID: row.OrgID, ScheduleID: row.ID, ScheduleName: row.Name, Run: run}
			if err != nil {
				r.Err = fmt.Errorf("jobs: schedule %s period %s: %w", row.ID, run.Period.From, err)
			} else {
				r = runOne(ctx, db, cal, row, in, run, send)
			}
			out = append(out, r)
			if r.Err != nil {
				logger.Error("recurring invoice failed", "org", row.OrgID, "schedule", row.ID, "period", run.Period.From.String(), "err", r.Err)
				if first == nil {
					first = r.Err
				}
				break // the later periods wait until this one succeeds: oldest first
			}
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, first
}

// runInputs is what the runs of one schedule read besides the schedule.
type runInputs struct {
	customer document.Customer
	rounding document.Rounding // the organisation's default
}

func scheduleInputs(ctx context.Context, db *store.DB, row store.ScheduleRow) (runInputs, error) {
	customer, err := db.GetCustomer(ctx, row.OrgID, row.CustomerID)
	if err != nil {
		return runInputs{}, err
	}
	org, err := db.GetOrganization(ctx, row.OrgID)
	if err != nil {
		return runInputs{}, err
	}
	return runInputs{customer: customer, rounding: org.DefaultTaxRounding}, nil
}

func runOne(ctx context.Context, db *store.DB, cal *document.BusinessCalendar, row store.ScheduleRow, in runInputs, run recurring.Run, send Sender) RunResult {
	res := RunResult{OrgID: row.OrgID, ScheduleID: row.ID, ScheduleName: row.Name, Run: run}
	fail := func(err error) RunResult {
		res.Err = fmt.Errorf("jobs: schedule %s period %s: %w", row.ID, run.Period.From, err)
		return res
	}
	d, err := row.Document(run, in.customer, cal)
	if err != nil {
		return fail(err)
	}
	if d.TaxRounding == "" {
		d.TaxRounding = in.rounding
	}
	if err := d.Validate(); err != nil {
		return fail(err)
	}
	doc, created, err := db.RecordRun(ctx, row.OrgID, row.ID, actorOf(row.ID), run, d)
	if domain.ErrorCode(err) == domain.ENotFound {
		res.Note = "この期間の下書きは削除されています (the draft of this period was deleted)"
		return res
	}
	if err != nil {
		return fail(err)
	}
	res.Created, res.DocumentID, res.Status = created, doc.ID, doc.Status
	if row.Action != recurring.ActionDraft && doc.Status == document.Draft {
		issued, err := db.IssueDocument(ctx, row.OrgID, actorOf(row.ID), doc.ID)
		if domain.ErrorCode(err) == domain.EConflict {
			// Another replica issued it in between (or a user did): take it as it is now.
			issued, err = db.GetDocument(ctx, row.OrgID, doc.ID)
		}
		if err != nil {
			return fail(err)
		}
		doc = issued
		res.Status = doc.Status
	}
	if doc.Number != nil {
		res.Number = *doc.Number
	}
	if row.Action == recurring.ActionIssueAndSend && doc.Status == document.Issued {
		// Whichever replica gets here asks; the key makes it one e-mail per period.
		res.Note = noteNotConfigured
		if send != nil {
			note, err := send(ctx, row.OrgID, actorOf(row.ID), "schedule:"+row.ID+":"+run.Period.From.String(), doc)
			if err != nil {
				note = fmt.Sprintf("発行しましたが、送信を予約できませんでした: %v (issued, but the e-mail could not be queued: %v)", err, err)
			}
			res.Note = note
		}
		if res.Note != "" {
			if err := db.NoteRun(ctx, row.OrgID, row.ID, run, res.Note); err != nil && !errors.Is(err, context.Canceled) {
				return fail(err)
			}
		}
	}
	return res
}
