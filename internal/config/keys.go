package config

// Key documents one variable. Default is what Load uses when the variable
// and its aliases are unset ("" when there is none); it is written as a value
// when there is one, and as a short phrase when the default depends on other
// settings. Aliases are older names (from the Flask/Gunicorn deployment) that
// Load reads when Name is unset.
type Key struct {
	Name, Default, Description string
	Aliases                    []string
}

// Keys lists every variable the config knows, grouped as in .env.sample:
// server, database, auth, then the Flask/Gunicorn names that are only
// reported at start-up. It is the table behind `reportapp help` and the
// drift tests of README and .env.sample.
func Keys() []Key {
	return []Key{
		// Server.
		{Name: "ADDR", Default: ":5000", Aliases: []string{"PORT"},
			Description: "Address the server listens on, host:port. PORT=8000 alone means :8000."},
		{Name: "APP_ENV", Default: "development", Aliases: []string{"FLASK_ENV"},
			Description: "development or production. Production refuses unsafe settings."},
		{Name: "SECRET_KEY", Default: "random per process (development only)", Aliases: []string{"FLASK_SECRET_KEY"},
			Description: "Key for signing sessions and CSRF tokens; at least 32 bytes, required in production."},
		{Name: "BASE_URL", Default: "",
			Description: "Public address of the service, e.g. https://invoice.example.com; required in production (secure cookies, OIDC callback)."},
		{Name: "LOG_LEVEL", Default: "info",
			Description: "debug, info, warn or error."},
		{Name: "LOG_FORMAT", Default: "text in development, json in production",
			Description: "json or text."},
		{Name: "TIME_ZONE", Default: "Asia/Tokyo",
			Description: "IANA time zone for document dates and \"today\"."},
		{Name: "REQUEST_TIMEOUT", Default: "60s", Aliases: []string{"GUNICORN_TIMEOUT"},
			Description: "Longest time one request may take; a duration (90s, 2m) or seconds."},
		{Name: "MAX_BODY_BYTES", Default: "1048576",
			Description: "Largest request body accepted, in bytes."},
		{Name: "BODY_READ_TIMEOUT", Default: "10s",
			Description: "Longest time a client may take to send a request body (at most REQUEST_TIMEOUT); slower uploads get 408."},
		{Name: "MAX_INFLIGHT", Default: "256",
			Description: "Requests served at once; more wait up to QUEUE_TIMEOUT, then get 503."},
		{Name: "QUEUE_TIMEOUT", Default: "5s",
			Description: "How long a request waits for a free slot, and a PDF render for a free renderer, before 503 with Retry-After."},
		{Name: "SHUTDOWN_DELAY", Default: "5s",
			Description: "On SIGTERM, time /readyz fails before the listener closes, so the load balancer stops sending."},
		{Name: "SHUTDOWN_TIMEOUT", Default: "25s",
			Description: "Time then given to requests in flight to finish."},
		{Name: "TRUSTED_PROXIES", Default: "",
			Description: "Comma-separated CIDRs (or bare IPs) of proxies whose X-Forwarded-For is believed."},
		{Name: "METRICS_ADDR", Default: "",
			Description: "Separate listen address for /metrics; unset serves /metrics on ADDR (in production only with METRICS_TOKEN)."},
		{Name: "METRICS_TOKEN", Default: "",
			Description: "Bearer token that /metrics then requires (Authorization: Bearer <token>)."},
		{Name: "PDF_WORKERS", Default: "number of CPUs",
			Description: "PDFs rendered at once; more wait in turn (up to QUEUE_TIMEOUT and the request's deadline)."},
		{Name: "JOB_WORKERS", Default: "2",
			Description: "Background jobs (bulk exports) one replica runs at once."},
		{Name: "EXPORT_RETENTION", Default: "168h",
			Description: "How long a finished bulk export is kept for download; a duration."},
		{Name: "PDF_BACKFILL_INTERVAL", Default: "1h",
			Description: "How often the background job stores the PDFs of documents issued before PDFs were stored (a bounded batch at a time, once across replicas); 0 turns it off."},
		{Name: "EXPORT_MAX_ACTIVE", Default: "3",
			Description: "Bulk exports one organisation may have queued or running at once; more get 429 with Retry-After."},
		{Name: "EXPORT_MAX_STORED_MB", Default: "1024",
			Description: "Megabytes (MiB) of ZIPs one organisation's kept exports may hold; beyond it new exports get 409 until old ones expire."},

		// Database.
		{Name: "DATABASE_URL", Default: "",
			Description: "PostgreSQL URL (postgres://user:password@host:5432/name); unset uses DB_* or else SQLite in DATA_DIR."},
		{Name: "DB_HOST", Default: "",
			Description: "PostgreSQL host, used when DATABASE_URL is unset."},
		{Name: "DB_PORT", Default: "5432",
			Description: "PostgreSQL port."},
		{Name: "DB_NAME", Default: "",
			Description: "PostgreSQL database name."},
		{Name: "DB_USER", Default: "",
			Description: "PostgreSQL user."},
		{Name: "DB_PASSWORD", Default: "",
			Description: "PostgreSQL password; any characters, escaped for you."},
		{Name: "DATA_DIR", Default: "./data",
			Description: "Directory of the SQLite database file (reportapp.db) when no PostgreSQL is configured."},
		{Name: "MIGRATE_ON_START", Default: "true",
			Description: "Apply database migrations when the server starts."},

		// Auth.
		{Name: "OIDC_ISSUER_URL", Default: "", Aliases: []string{"AUTH0_DOMAIN"},
			Description: "OpenID Connect issuer; AUTH0_DOMAIN=tenant.auth0.com means https://tenant.auth0.com/."},
		{Name: "OIDC_CLIENT_ID", Default: "", Aliases: []string{"AUTH0_CLIENT_ID"},
			Description: "OIDC client id."},
		{Name: "OIDC_CLIENT_SECRET", Default: "", Aliases: []string{"AUTH0_CLIENT_SECRET"},
			Description: "OIDC client secret."},
		{Name: "OIDC_REDIRECT_URL", Default: "BASE_URL/auth/callback", Aliases: []string{"AUTH0_CALLBACK_URL"},
			Description: "Callback URL registered at the identity provider."},
		{Name: "LOCAL_LOGIN", Default: "true (false in production when OIDC is configured)",
			Description: "Allow sign-in with local accounts (email and password)."},

		// Mail.
		{Name: "SMTP_URL", Default: "",
			Description: "Mail server for sending documents: smtp://user:pass@host:587 (STARTTLS when offered; required unless the host is loopback or a dotless local name such as mailpit) or smtps://user:pass@host:465 (implicit TLS); unset disables sending."},
		{Name: "SMTP_PASSWORD", Default: "",
			Description: "The SMTP password, instead of putting it in SMTP_URL; any characters."},
		{Name: "MAIL_FROM", Default: "",
			Description: "Sender of documents sent by e-mail, e.g. 請求書 <billing@example.com>; required with SMTP_URL. Organisations may set their own sender name and Reply-To."},

		// Flask/Gunicorn compatibility: read only to explain them at start-up.
		{Name: "GUNICORN_WORKERS", Default: "",
			Description: "Ignored: requests run on goroutines; concurrency is MAX_INFLIGHT, PDF rendering PDF_WORKERS."},
		{Name: "GUNICORN_THREADS", Default: "",
			Description: "Ignored: requests run on goroutines; concurrency is MAX_INFLIGHT."},
		{Name: "GUNICORN_MAX_REQUESTS", Default: "",
			Description: "Ignored: no worker recycling; memory is bounded by GOMEMLIMIT from the container limit."},
		{Name: "GUNICORN_MAX_REQUESTS_JITTER", Default: "",
			Description: "Ignored, like GUNICORN_MAX_REQUESTS."},
		{Name: "GUNICORN_BIND", Default: "",
			Description: "Ignored: set ADDR instead."},
		{Name: "FLASK_APP", Default: "",
			Description: "Ignored: the application is built into the binary."},
		{Name: "FLASK_DEBUG", Default: "",
			Description: "Ignored: there is no debugger or reloader; use LOG_LEVEL=debug."},
	}
}
