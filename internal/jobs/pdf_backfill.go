package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Defaults of the PDF backfill (Options.BackfillInterval, BackfillBatch, BackfillPause).
const (
	DefaultBackfillInterval = time.Hour
	DefaultBackfillBatch    = 50
	DefaultBackfillPause    = 200 * time.Millisecond
)

// backfillActor is the actor of the history events the backfill records.
const backfillActor = "reportapp"

// BackfillPDFsArgs are the arguments of the job that stores the PDFs of documents issued before
// PDFs were stored. It is unique while queued or running, so however many replicas enqueue it
// one runs at a time; two at once would still store each PDF once (its primary key).
type BackfillPDFsArgs struct{}

// Kind is River's name of the job.
func (BackfillPDFsArgs) Kind() string { return "backfill_pdfs" }

// InsertOpts makes the job unique among the queued and running ones.
func (BackfillPDFsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{rivertype.JobStateAvailable,
		rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type backfillWorker struct {
	river.WorkerDefaults[BackfillPDFsArgs]
	q *Queue
}

// Work runs BackfillPDFs.
func (w *backfillWorker) Work(ctx context.Context, _ *river.Job[BackfillPDFsArgs]) error {
	stored, failed, err := w.q.BackfillPDFs(ctx)
	if stored > 0 || failed > 0 {
		w.q.logger.Info("stored PDFs of older documents", "stored", stored, "failed", failed)
	}
	return err
}

// BackfillPDFs renders and stores the original PDF of every issued or cancelled document that
// has none (issued before PDFs were stored), in batches of BackfillBatch with BackfillPause
// between them, until none is left or ctx ends (the job's timeout; the next run goes on where
// the documents still lack one). Each is stored with a "store_pdf" history event holding its
// hash. A document that fails to render is logged and skipped. Without a renderer in the store
// (store.SetRenderer) it does nothing.
func (q *Queue) BackfillPDFs(ctx context.Context) (stored, failed int, err error) {
	if !q.db.Renders() {
		return 0, 0, nil // a process without the web layer (reportapp export) renders none
	}
	after := ""
	for {
		refs, err := q.db.DocumentsWithoutPDF(ctx, after, q.opts.BackfillBatch)
		if err != nil {
			return stored, failed, err
		}
		for _, r := range refs {
			after = r.ID
			ok, err := q.db.StoreMissingPDF(ctx, r.OrgID, backfillActor, r.ID)
			if err != nil {
				if ctx.Err() != nil {
					return stored, failed, ctx.Err()
				}
				failed++
				q.logger.Error("store the PDF of an older document", "org", r.OrgID, "document", r.ID, "err", err)
				continue
			}
			if ok {
				stored++
			}
		}
		if len(refs) < q.opts.BackfillBatch {
			return stored, failed, nil
		}
		select {
		case <-ctx.Done():
			return stored, failed, ctx.Err()
		case <-time.After(q.opts.BackfillPause):
		}
	}
}
