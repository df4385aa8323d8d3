package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// DefaultReminderInterval is how often the periodic job looks for automatic reminders to send.
const DefaultReminderInterval = time.Hour

// ReminderArgs are the arguments of the periodic reminder job. River's leader enqueues it, once
// per interval (unique by period); each reminder number of an invoice is claimed in
// reminder_runs with its delivery, so even runs on several replicas at once send it once.
type ReminderArgs struct{}

// Kind is River's name of the job.
func (ReminderArgs) Kind() string { return "reminders" }

type reminderWorker struct {
	river.WorkerDefaults[ReminderArgs]
	q *Queue
}

// Work queues the automatic reminders due today in the configured zone.
func (w *reminderWorker) Work(ctx context.Context, _ *river.Job[ReminderArgs]) error {
	n, err := w.q.RunReminders(ctx, w.q.today())
	if n > 0 {
		w.q.logger.Info("automatic reminders queued", "count", n)
	}
	return err
}

// ReminderSeq is the reminder period of an invoice due on due that today falls in: 1 from after
// days past the due date, 2 from every days later, and so on; 0 before the first. Each period
// sends at most one reminder (its number is claimed), and an invoice gets at most
// reminder_max in all: periods missed while the server was down are not made up.
func ReminderSeq(due, today document.Date, after, every int) int {
	days := int(today.Time(time.UTC).Sub(due.Time(time.UTC)).Hours() / 24)
	if days < after || every <= 0 {
		return 0
	}
	return 1 + (days-after)/every
}

// RunReminders queues, for every organisation with automatic reminders, the reminder each
// overdue invoice is due as of today (to the customer's e-mail address, with the reminder
// templates, the balance, a link and the PDF), and returns how many it queued. Invoices whose
// customer has no address are skipped. A reminder number is sent once however often this runs.
func (q *Queue) RunReminders(ctx context.Context, today document.Date) (int, error) {
	if q.opts.Mail == nil {
		return 0, nil
	}
	due, err := q.db.DueReminders(ctx, today)
	if err != nil {
		return 0, err
	}
	queued := 0
	var first error
	for _, r := range due {
		s := r.Settings
		seq := ReminderSeq(r.DueDate, today, s.ReminderAfterDays, s.ReminderEveryDays)
		if seq == 0 || r.Sent >= s.ReminderMax {
			continue
		}
		doc, err := q.db.GetDocument(ctx, r.OrgID, r.DocumentID)
		if err != nil {
			first = cmpErr(first, err)
			continue
		}
		if doc.Customer == nil || doc.Customer.Email == "" || doc.Balance == nil || *doc.Balance <= 0 {
			continue
		}
		nd := toCustomer(doc, s.ReminderSubject, s.ReminderMessage, *doc.Balance)
		nd.Purpose, nd.ReminderSeq = store.PurposeReminder, seq
		_, created, err := q.CreateDelivery(ctx, r.OrgID, "reminder:auto", nd)
		if err != nil {
			first = cmpErr(first, fmt.Errorf("reminder of %s: %w", doc.ID, err))
			continue
		}
		if created {
			queued++
		}
	}
	return queued, first
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
