package web

import (
	"cmp"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"reportapp/internal/auth"
	"reportapp/internal/config"
	"reportapp/internal/jobs"
	"reportapp/internal/mail"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// testLimits are the size limits of a test application.
type testLimits struct {
	maxInflight, pdfWorkers int
	pdfWait                 time.Duration // how long a render waits for a worker; 0 for 5s
	maxBody                 int64
	chunkSize               int  // of export ZIPs; 0 for the default
	noQueue                 bool // build the application without a job queue
	idleQueue               bool // startAPIWith does not run the queue: exports stay queued
	exportLimits            store.ExportLimits
	requestTimeout          time.Duration // the server's REQUEST_TIMEOUT; 0 for 30s
	// smtp is the mail server the queue sends through; nil starts one of its own, unless noMail.
	smtp   *mailtest.Server
	noMail bool // no SMTP_URL: sending is off
}

// Every application of these tests has the job queue's tables: the SQLite files storetest copies
// have them already.
func init() {
	storetest.AlsoMigrate(func(ctx context.Context, db *store.DB) error { return jobs.Migrate(ctx, db, nil) })
}

// mustApp builds the application handler as serve does, on db, at a fixed clock, with a job
// queue that is not running yet (nil with lim.noQueue).
func mustApp(t testing.TB, db *store.DB, lim testLimits) (*Handler, *jobs.Queue) {
	t.Helper()
	ctx := context.Background()
	r, err := testRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tz, _ := time.LoadLocation("Asia/Tokyo")
	authSvc, err := auth.New(ctx, db, auth.Options{LocalLogin: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	var queue *jobs.Queue
	if !lim.noQueue {
		opts := jobs.Options{Renderer: r, PollInterval: 50 * time.Millisecond, ChunkSize: lim.chunkSize,
			ExportLimits: lim.exportLimits, RetryAfter: 200 * time.Millisecond, BaseURL: "http://invoice.test"}
		if !lim.noMail {
			if lim.smtp == nil {
				lim.smtp = mailtest.Start(t, mailtest.Options{})
			}
			opts.Mail, err = mail.NewSender(mail.Options{Host: lim.smtp.Host, Port: lim.smtp.Port, Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			opts.MailFrom = "請求書 <billing@issuer.example>"
		}
		queue, err = jobs.New(db, opts)
		if err != nil {
			t.Fatal(err)
		}
	}
	h, err := New(ctx, Deps{
		Jobs:    queue,
		Config:  config.Config{TimeZone: tz, MaxBodyBytes: lim.maxBody, Mail: testMailConfig(lim)},
		Store:   db,
		Auth:    authSvc,
		PDF:     pdf.NewPool(r, lim.pdfWorkers, cmp.Or(lim.pdfWait, 5*time.Second)),
		Now:     func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) },
		Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, queue
}

// serveTest puts h behind the real server middleware, whose errors app writes, on a loopback
// test server, with every API exchange checked against openapi.json (checkContract); the caller
// closes it.
func serveTest(t testing.TB, db *store.DB, h http.Handler, app *Handler, lim testLimits) *httptest.Server {
	t.Helper()
	srv, err := server.New(server.Options{
		WriteError:     app.WriteError,
		RequestTimeout: cmp.Or(lim.requestTimeout, 30*time.Second), QueueTimeout: time.Second, MaxInflight: lim.maxInflight,
		MaxBodyBytes: lim.maxBody, BodyLimit: BodyLimit, RouteTimeout: RouteTimeout, Registry: prometheus.NewRegistry(), Ready: db.Ready,
	}, h)
	if err != nil {
		t.Fatal(err)
	}
	// A handler other than app puts the caller in the context itself (a test principal): the
	// requests then carry no token, and the contract check does not ask for one.
	return httptest.NewServer(checkContract(t, srv.Handler(), h != http.Handler(app)))
}

// testMailConfig is the mail configuration the application sees.
func testMailConfig(lim testLimits) config.Mail {
	if lim.noMail || lim.noQueue {
		return config.Mail{}
	}
	return config.Mail{Host: "127.0.0.1", Port: 25, From: "請求書 <billing@issuer.example>"}
}
