package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"reportapp/internal/auth"
	"reportapp/internal/config"
	"reportapp/internal/jobs"
	"reportapp/internal/mail"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
	"reportapp/internal/store"
	"reportapp/internal/web"
)

func cmdServe(ctx context.Context, e env, args []string) error {
	started := time.Now()
	fs, envFile := newFlags(e, "serve", "serve [--env-file FILE]")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, logger, err := loadConfig(e, *envFile)
	if err != nil {
		return err
	}
	for _, n := range cfg.Notices {
		logger.Info("configuration notice", "notice", n)
	}
	logger.Info("memory limit", "detail", server.SetMemoryLimit(e.getenv, logger))

	db, err := openStore(ctx, cfg, logger, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()

	authSvc, err := auth.New(ctx, db, auth.Options{
		Production: cfg.Production(),
		SecretKey:  cfg.SecretKey,
		BaseURL:    cfg.BaseURL,
		OIDC: auth.OIDCOptions{
			IssuerURL:    cfg.OIDC.IssuerURL,
			ClientID:     cfg.OIDC.ClientID,
			ClientSecret: cfg.OIDC.ClientSecret,
			RedirectURL:  cfg.OIDC.RedirectURL,
			Auth0:        cfg.OIDC.Auth0,
		},
		LocalLogin: cfg.LocalLogin,
		ClientIP:   server.ClientIP,
		Logger:     logger,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	renderer, err := pdf.New()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	sender, err := mailSender(cfg.Mail)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	queue, err := jobs.New(db, jobs.Options{Logger: logger, Renderer: renderer, RenderWorkers: cfg.PDFWorkers,
		JobWorkers: cfg.JobWorkers, Retention: cfg.ExportRetention, BackfillInterval: backfillInterval(cfg.PDFBackfill),
		ExportLimits: store.ExportLimits{Active: cfg.ExportMaxActive, StoredBytes: cfg.ExportMaxStored}, Zone: cfg.TimeZone,
		Mail: sender, MailFrom: cfg.Mail.From, BaseURL: publicURL(cfg)})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewDBStatsCollector(db.SQL(), "reportapp"))

	app, err := web.New(ctx, web.Deps{
		Config:  cfg,
		Store:   db,
		Auth:    authSvc,
		PDF:     pdf.NewPool(renderer, cfg.PDFWorkers, cfg.QueueTimeout),
		Jobs:    queue,
		Logger:  logger,
		Now:     time.Now,
		Version: version,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	srv, err := server.New(server.Options{
		WriteError:      app.WriteError,
		Addr:            cfg.Addr,
		MetricsAddr:     cfg.MetricsAddr,
		MetricsToken:    cfg.MetricsToken,
		NoMetrics:       cfg.Env == config.Production && cfg.MetricsAddr == "" && cfg.MetricsToken == "",
		RequestTimeout:  cfg.RequestTimeout,
		QueueTimeout:    cfg.QueueTimeout,
		ShutdownDelay:   shutdownDelay(cfg, logger),
		ShutdownTimeout: cfg.ShutdownTimeout,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		BodyLimit:       web.BodyLimit,
		RouteTimeout:    web.RouteTimeout,
		BodyReadTimeout: cfg.BodyReadTimeout,
		MaxInflight:     cfg.MaxInflight,
		TrustedProxies:  cfg.TrustedProxies,
		Logger:          logger,
		Registry:        reg,
		Ready:           db.Ready,
		OnListen: func(a net.Addr) {
			logger.Info("listening", "addr", a.String(), "env", cfg.Env, "version", version,
				"database", db.Driver(), "startup", time.Since(started).String())
			logSetupURL(ctx, logger, e.stderr, authSvc, cfg.BaseURL, a)
		},
	}, app)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	// The job queue stops taking jobs as soon as the drain starts and lets running ones finish
	// within SHUTDOWN_TIMEOUT, alongside the HTTP drain; what is left is retried elsewhere.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	jobsDone := make(chan error, 1)
	go func() {
		err := queue.Run(jobsCtx, cfg.ShutdownTimeout)
		if err != nil {
			logger.Error("job queue", "err", err)
		}
		jobsDone <- err
	}()
	err = srv.ListenAndServe(ctx)
	stopJobs()
	return errors.Join(err, <-jobsDone)
}

func cmdMigrate(ctx context.Context, e env, args []string) error {
	fs, envFile := newFlags(e, "migrate", "migrate [--env-file FILE]")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, logger, err := loadConfig(e, *envFile)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, logger, true)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(e.stdout, "migrations applied")
	return nil
}

// openStore opens the configured database and, when migrate is true, applies the migrations.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger, migrate bool) (*store.DB, error) {
	driver, dsn := cfg.Database()
	db, err := store.Open(ctx, driver, dsn, store.Options{Logger: logger, Location: cfg.TimeZone})
	if err != nil {
		return nil, err
	}
	if migrate {
		t := time.Now()
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
		if err := jobs.Migrate(ctx, db, logger); err != nil {
			db.Close()
			return nil, err
		}
		logger.Info("migrations applied", "database", driver, "took", time.Since(t).String())
	}
	return db, nil
}

// shutdownDelay is SHUTDOWN_DELAY in production. In development nothing routes traffic to the
// process that a delay would let drain, so Ctrl-C stops it at once.
func shutdownDelay(cfg config.Config, logger *slog.Logger) time.Duration {
	if !cfg.Production() && cfg.ShutdownDelay > 0 {
		logger.Info("development: SHUTDOWN_DELAY ignored, the server stops at once on a signal", "shutdown_delay", cfg.ShutdownDelay.String())
		return 0
	}
	return cfg.ShutdownDelay
}

// logSetupURL logs the one-time first-run URL while the database has no user yet, and prints it
// to stderr as a banner that stands out among the log lines.
func logSetupURL(ctx context.Context, logger *slog.Logger, stderr io.Writer, a *auth.Service, baseURL string, addr net.Addr) {
	u, ok, err := a.SetupURL(ctx)
	switch {
	case err != nil:
		logger.Error("first-run setup", "err", err)
	case ok:
		if baseURL == "" {
			u = "http://" + loopbackAddr(addr.String()) + u
		}
		logger.Warn("no user yet: open this one-time URL to create the first organisation and its administrator", "setup_url", u)
		fmt.Fprint(stderr, setupBanner(u))
	}
}

// setupBanner frames the setup URL so that it is the one thing a first-time operator sees.
func setupBanner(u string) string {
	rule := strings.Repeat("=", 72)
	return "\n" + rule + "\n" +
		"  reportapp: 初回セットアップ / first-run setup\n\n" +
		"  ブラウザーで次の URL を開き、最初の組織と管理者を作成してください。\n" +
		"  Open this URL in a browser to create the first organisation and its administrator:\n\n" +
		"    " + u + "\n\n" +
		"  1 回だけ、24 時間有効です。 (One use, valid for 24 hours.)\n" +
		rule + "\n\n"
}

// backfillInterval is jobs.Options.BackfillInterval of PDF_BACKFILL_INTERVAL, where 0 means off.
func backfillInterval(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// mailSender is the SMTP client of SMTP_URL, or nil when sending is off.
func mailSender(m config.Mail) (*mail.Sender, error) {
	if !m.Enabled() {
		return nil, nil
	}
	return mail.NewSender(mail.Options{Host: m.Host, Port: m.Port, ImplicitTLS: m.ImplicitTLS, RequireTLS: m.RequireTLS,
		Username: m.Username, Password: m.Password})
}

// publicURL is where links in mails point: BASE_URL, else this server on localhost.
func publicURL(cfg config.Config) string {
	if cfg.BaseURL != "" {
		return cfg.BaseURL
	}
	addr := cfg.Addr
	if strings.HasPrefix(addr, ":") {
		addr = "localhost" + addr
	}
	return "http://" + addr
}
