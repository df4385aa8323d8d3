package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"
)

// CleanupArgs are the arguments of the periodic clean-up job. Only the leader replica enqueues
// periodic jobs, so there is one per interval however many replicas run.
type CleanupArgs struct{}

// Kind is River's name of the job.
func (CleanupArgs) Kind() string { return "cleanup" }

// cleanupWorker deletes expired exports and sessions.
type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	q *Queue
}

// Work runs DeleteExpired.
func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	exports, sessions, err := w.q.DeleteExpired(ctx)
	if err != nil {
		return err
	}
	if exports > 0 || sessions > 0 {
		w.q.logger.Info("expired rows deleted", "exports", exports, "sessions", sessions)
	}
	return nil
}

// DeleteExpired deletes the exports past their expiry (with their ZIPs) and the expired sessions,
// and says how many of each.
func (q *Queue) DeleteExpired(ctx context.Context) (exports, sessions int64, err error) {
	exports, err = q.db.DeleteExpiredExports(ctx, q.opts.Now())
	if err != nil {
		return 0, 0, fmt.Errorf("jobs: %w", err)
	}
	sessions, err = q.db.DeleteExpiredSessions(ctx)
	if err != nil {
		return exports, 0, fmt.Errorf("jobs: delete expired sessions: %w", err)
	}
	return exports, sessions, nil
}
