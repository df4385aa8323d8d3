package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	netmail "net/mail"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"reportapp/internal/mail"
	"reportapp/internal/store"
)

// Defaults of Options.
const (
	DefaultRetention       = 7 * 24 * time.Hour
	DefaultCleanupInterval = time.Hour
	DefaultJobTimeout      = 30 * time.Minute
	DefaultJobWorkers      = 2
)

// Options configure a Queue; the zero value of each field means its default.
type Options struct {
	Logger *slog.Logger
	// Renderer renders the PDFs of exports (required to work export jobs).
	Renderer Renderer
	// RenderWorkers is how many documents one export renders at once (runtime.NumCPU()).
	RenderWorkers int
	// JobWorkers is how many jobs this replica works at once (DefaultJobWorkers).
	JobWorkers int
	// Retention is how long a finished export is kept (DefaultRetention).
	Retention time.Duration
	// CleanupInterval is how often expired exports and sessions are deleted
	// (DefaultCleanupInterval); the first run is at start.
	CleanupInterval time.Duration
	// JobTimeout bounds one attempt of a job (DefaultJobTimeout).
	JobTimeout time.Duration
	// RescueStuckJobsAfter is when a job still running (its replica died) is handed to another
	// replica; it must exceed JobTimeout (JobTimeout + 5 minutes).
	RescueStuckJobsAfter time.Duration
	// PollInterval is how often idle replicas look for new jobs (River's 1 s). On PostgreSQL
	// through database/sql River has no LISTEN/NOTIFY and relies on polling.
	PollInterval time.Duration
	// ChunkSize is how many bytes of an export's ZIP are stored per row (DefaultChunkSize); the
	// job holds one chunk of the ZIP in memory at a time.
	ChunkSize int
	// ExportLimits bound each organisation's exports: how many queued or running at once, and the
	// bytes their ZIPs hold (no bound when zero). The stored bytes are checked when an export is
	// asked for and again as its ZIP is written.
	ExportLimits store.ExportLimits
	// RetryAfter is the delay before a failed attempt is retried (River's backoff when 0).
	RetryAfter time.Duration
	// ID names this replica in River and in exports.worker (host name and a random suffix).
	ID string
	// Now is the clock (time.Now).
	Now func() time.Time
	// Zone is the organisations' time zone (Asia/Tokyo), whose date decides which recurring
	// invoices are due and whose wall clock stamps the files of export ZIPs.
	Zone *time.Location
	// ScheduleInterval is how often due recurring invoices are made (DefaultScheduleInterval).
	ScheduleInterval time.Duration
	// BackfillInterval is how often the PDFs of documents issued before PDFs were stored are
	// rendered and stored (DefaultBackfillInterval when 0; negative: never), BackfillBatch
	// documents at a time (DefaultBackfillBatch) with BackfillPause between batches
	// (DefaultBackfillPause), so that requests keep the renderers. The store renders with the
	// renderer web.New gives it (store.SetRenderer).
	BackfillInterval time.Duration
	BackfillBatch    int
	BackfillPause    time.Duration
	// Mail sends deliveries; nil disables sending (CreateDelivery refuses).
	Mail *mail.Sender
	// MailFrom is the sender of every mail (MAIL_FROM), e.g. 請求書 <billing@example.com>.
	MailFrom string
	// BaseURL is the public address links point to (BASE_URL).
	BaseURL string
	// SendAttempts is how often a delivery is tried (DefaultSendAttempts).
	SendAttempts int
	// SendLimit is each organisation's send rate limit (DefaultSendLimit).
	SendLimit store.DeliveryLimit
	// ReminderInterval is how often automatic reminders are looked for (DefaultReminderInterval).
	ReminderInterval time.Duration
}

// DefaultSendLimit is each organisation's send rate limit: 200 mails an hour.
var DefaultSendLimit = store.DeliveryLimit{Count: 200, Window: time.Hour}

// Queue is this replica's River client and the export service built on it. It is safe for
// concurrent use.
type Queue struct {
	db     *store.DB
	client *river.Client[*sql.Tx]
	opts   Options
	logger *slog.Logger
	from   netmail.Address // Options.MailFrom
}

// driverFor is River's driver over the store's own pool.
func driverFor(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Driver() == store.DriverPostgres {
		return riverdatabasesql.New(db.SQL())
	}
	return riversqlite.New(db.SQL())
}

// New builds the queue of db. It does not start working jobs: call Run. Jobs can be inserted
// (CreateExport) without Run, as `reportapp` commands other than serve do.
func New(db *store.DB, opts Options) (*Queue, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.CleanupInterval <= 0 {
		opts.CleanupInterval = DefaultCleanupInterval
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = DefaultJobTimeout
	}
	if opts.RescueStuckJobsAfter <= opts.JobTimeout {
		opts.RescueStuckJobsAfter = opts.JobTimeout + 5*time.Minute
	}
	if opts.ScheduleInterval <= 0 {
		opts.ScheduleInterval = DefaultScheduleInterval
	}
	if opts.BackfillInterval == 0 {
		opts.BackfillInterval = DefaultBackfillInterval
	}
	if opts.BackfillBatch <= 0 {
		opts.BackfillBatch = DefaultBackfillBatch
	}
	if opts.BackfillPause <= 0 {
		opts.BackfillPause = DefaultBackfillPause
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.JobWorkers <= 0 {
		opts.JobWorkers = DefaultJobWorkers
	}
	if opts.ID == "" {
		host, _ := os.Hostname()
		opts.ID = host + "_" + uuid.NewString()[:8]
	}
	if opts.ReminderInterval <= 0 {
		opts.ReminderInterval = DefaultReminderInterval
	}
	if opts.SendAttempts <= 0 {
		opts.SendAttempts = DefaultSendAttempts
	}
	if opts.SendLimit.Count == 0 {
		opts.SendLimit = DefaultSendLimit
	}
	from, err := parseFrom(opts.MailFrom)
	if err != nil {
		return nil, err
	}
	q := &Queue{db: db, opts: opts, logger: opts.Logger, from: from}

	workers := river.NewWorkers()
	river.AddWorker(workers, &exportWorker{q: q})
	river.AddWorker(workers, &cleanupWorker{q: q})
	river.AddWorker(workers, &scheduleWorker{q: q})
	river.AddWorker(workers, &backfillWorker{q: q})
	river.AddWorker(workers, &deliveryWorker{q: q})
	river.AddWorker(workers, &reminderWorker{q: q})
	cfg := &river.Config{
		ID:                   opts.ID,
		Logger:               opts.Logger.With("component", "river"),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.JobWorkers}},
		Workers:              workers,
		JobTimeout:           opts.JobTimeout,
		RescueStuckJobsAfter: opts.RescueStuckJobsAfter,
		FetchPollInterval:    opts.PollInterval,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(opts.CleanupInterval),
			func() (river.JobArgs, *river.InsertOpts) { return CleanupArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: "cleanup"},
		), river.NewPeriodicJob(
			river.PeriodicInterval(opts.ScheduleInterval),
			func() (river.JobArgs, *river.InsertOpts) { return ScheduleArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: "schedules"},
		), river.NewPeriodicJob(
			river.PeriodicInterval(opts.ReminderInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return ReminderArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: opts.ReminderInterval}}
			},
			&river.PeriodicJobOpts{RunOnStart: true, ID: "reminders"},
		)},
	}
	if opts.BackfillInterval > 0 {
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(opts.BackfillInterval),
			func() (river.JobArgs, *river.InsertOpts) { return BackfillPDFsArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: "backfill_pdfs"},
		))
	}
	if opts.PollInterval > 0 && opts.PollInterval < 100*time.Millisecond {
		cfg.FetchCooldown = opts.PollInterval
	}
	if opts.RetryAfter > 0 {
		cfg.RetryPolicy = fixedRetry(opts.RetryAfter)
	}
	client, err := river.NewClient(driverFor(db), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	q.client = client
	return q, nil
}

// ID is this replica's name in River.
func (q *Queue) ID() string { return q.opts.ID }

// Run works jobs until ctx ends, then stops gracefully: no new job is taken, and running ones
// have stopTimeout to finish. Past it they are cancelled; River then retries them, on another
// replica if this one is gone. Run returns nil after a clean stop.
func (q *Queue) Run(ctx context.Context, stopTimeout time.Duration) error {
	// Start's context must outlive ctx: cancelling it would be a hard stop of running jobs.
	if err := q.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.logger.Info("job queue started", "id", q.opts.ID, "database", q.db.Driver())
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	err := q.client.Stop(stopCtx)
	if err == nil {
		q.logger.Info("job queue stopped", "id", q.opts.ID)
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	q.logger.Warn("jobs still running at the shutdown timeout: cancelling them for a retry elsewhere", "id", q.opts.ID)
	hardCtx, cancelHard := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelHard()
	if err := q.client.StopAndCancel(hardCtx); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// fixedRetry retries a failed job after a fixed delay.
type fixedRetry time.Duration

// NextRetry is River's retry policy hook.
func (f fixedRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(time.Duration(f))
}

// Migrate applies River's migrations to db (its river_* tables), after the store's own. On
// PostgreSQL replicas that start together serialise on an advisory lock, since rivermigrate does
// not lock by itself; the loser finds nothing left to do.
func Migrate(ctx context.Context, db *store.DB, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	migrator, err := rivermigrate.New(driverFor(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if db.Driver() != store.DriverPostgres {
		if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer conn.Close()
	var schema string
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("jobs: migrate: current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("reportapp/river:" + schema))
	key := int64(h.Sum64() &^ (1 << 63))
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return fmt.Errorf("jobs: migrate: lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must be released even when ctx has ended.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}()
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	for _, v := range res.Versions {
		logger.InfoContext(ctx, "river migration applied", "version", v.Version)
	}
	return nil
}
