// Package config builds the server's configuration from environment
// variables, optionally read first from a .env file, and validates it as a
// whole: Load reports every problem at once, each naming its variable.
//
// The names of the Flask/Gunicorn deployment keep working (FLASK_ENV,
// FLASK_SECRET_KEY, AUTH0_*, DB_*, GUNICORN_TIMEOUT, PORT) so that an existing
// .env file can be reused; the Gunicorn knobs that mean nothing for a Go
// server are explained in Config.Notices instead of being silently dropped.
// Keys documents every variable; .env.sample at the repository root is
// checked against it.
package config

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	// Embeds the time zone database so TIME_ZONE works in a scratch or
	// distroless image without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/joho/godotenv"
)

// Development and Production are the values of Config.Env.
const (
	Development = "development"
	Production  = "production"
)

// minSecretKeyBytes is the shortest SECRET_KEY production accepts: 256 bits.
const minSecretKeyBytes = 32

// Config is the whole configuration of one reportapp process. Build it with
// Load; the zero value is not usable.
type Config struct {
	Addr            string         // ADDR (default ":5000"); PORT alone => ":"+PORT
	Env             string         // APP_ENV "development"|"production" (alias FLASK_ENV; default development)
	SecretKey       string         // SECRET_KEY (alias FLASK_SECRET_KEY); dev default: random per process with a notice
	LogLevel        slog.Level     // LOG_LEVEL debug|info|warn|error (default info)
	LogFormat       string         // LOG_FORMAT json|text (default text in development, json in production)
	BaseURL         string         // BASE_URL without trailing slash; required in production
	DatabaseURL     string         // DATABASE_URL, or built from DB_*; "" => SQLite
	DataDir         string         // DATA_DIR (default "./data"); SQLite file is DataDir/reportapp.db
	MigrateOnStart  bool           // MIGRATE_ON_START (default true)
	TimeZone        *time.Location // TIME_ZONE (default Asia/Tokyo)
	OIDC            OIDC
	LocalLogin      bool           // LOCAL_LOGIN (default true; false in production when OIDC is configured)
	RequestTimeout  time.Duration  // REQUEST_TIMEOUT (default 60s); GUNICORN_TIMEOUT alias
	MaxBodyBytes    int64          // MAX_BODY_BYTES (default 1 MiB)
	BodyReadTimeout time.Duration  // BODY_READ_TIMEOUT (default 10s, at most REQUEST_TIMEOUT)
	MaxInflight     int            // MAX_INFLIGHT (default 256)
	QueueTimeout    time.Duration  // QUEUE_TIMEOUT (default 5s)
	ShutdownDelay   time.Duration  // SHUTDOWN_DELAY (default 5s)
	ShutdownTimeout time.Duration  // SHUTDOWN_TIMEOUT (default 25s)
	TrustedProxies  []netip.Prefix // TRUSTED_PROXIES comma-separated CIDRs (bare IPs as /32 /128)
	MetricsAddr     string         // METRICS_ADDR optional separate listener for /metrics
	MetricsToken    string         // METRICS_TOKEN optional bearer token /metrics requires
	PDFWorkers      int            // PDF_WORKERS (default runtime.NumCPU())
	JobWorkers      int            // JOB_WORKERS: background jobs (exports) one replica runs at once (default 2)
	ExportRetention time.Duration  // EXPORT_RETENTION: how long a finished export is kept (default 168h)
	PDFBackfill     time.Duration  // PDF_BACKFILL_INTERVAL: how often stored PDFs of older documents are made (default 1h; 0 off)
	ExportMaxActive int            // EXPORT_MAX_ACTIVE: exports one organisation may have queued or running (default 3)
	ExportMaxStored int64          // EXPORT_MAX_STORED_MB in bytes: what one organisation's exports may hold (default 1 GiB)
	Mail            Mail           // SMTP_URL, SMTP_PASSWORD, MAIL_FROM: sending documents by e-mail
	Notices         []string       // sentences to log once at start-up
}

// OIDC is the OpenID Connect login. After a successful Load it is either the
// zero value (OIDC off) or has IssuerURL, ClientID, ClientSecret and
// RedirectURL all set: a partial configuration is an error.
type OIDC struct {
	IssuerURL    string // OIDC_ISSUER_URL, or "https://"+AUTH0_DOMAIN+"/"
	ClientID     string // OIDC_CLIENT_ID | AUTH0_CLIENT_ID
	ClientSecret string // OIDC_CLIENT_SECRET | AUTH0_CLIENT_SECRET
	RedirectURL  string // OIDC_REDIRECT_URL | AUTH0_CALLBACK_URL (default BASE_URL+"/auth/callback")
	Auth0        bool   // the issuer came from AUTH0_DOMAIN: logout goes to /v2/logout
}

// Mail is the mail server documents are sent through. After a successful Load it is either the
// zero value (sending disabled) or has Host, Port and From set.
type Mail struct {
	Host        string // from SMTP_URL
	Port        int    // SMTP_URL's port; 587 for smtp://, 465 for smtps://
	ImplicitTLS bool   // smtps://: TLS from the first byte
	RequireTLS  bool   // smtp:// to a host that is not loopback: STARTTLS or no mail
	Username    string // SMTP_URL's user
	Password    string // SMTP_PASSWORD, else SMTP_URL's password
	From        string // MAIL_FROM as given, e.g. 請求書 <billing@example.com>
}

// Enabled reports whether sending mail is configured.
func (m Mail) Enabled() bool { return m.Host != "" }

// Enabled reports whether OIDC login is configured.
func (o OIDC) Enabled() bool { return o.IssuerURL != "" && o.ClientID != "" }

// Production reports whether the process runs in production mode.
func (c Config) Production() bool { return c.Env == Production }

// Database returns the database/sql driver name and DSN: ("pgx", url) or
// ("sqlite", filepath.Join(DataDir, "reportapp.db")).
func (c Config) Database() (driver, dsn string) {
	if c.DatabaseURL != "" {
		return "pgx", c.DatabaseURL
	}
	return "sqlite", filepath.Join(c.DataDir, "reportapp.db")
}

// Load builds the Config from getenv, after reading envFile (if not "") whose
// values are used only for names getenv leaves empty. The merge is per name:
// a new name from the file still wins over its alias from the environment.
// An empty value counts as unset. The process environment is never changed.
//
// On any problem Load returns the zero Config and an Errors listing every
// problem; a file that cannot be read or parsed is reported on its own.
func Load(getenv func(string) string, envFile string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	l := &loader{getenv: getenv}
	if envFile != "" {
		data, err := os.ReadFile(envFile)
		if err != nil {
			return Config{}, fmt.Errorf("config: read env file: %w", err)
		}
		l.file, err = godotenv.Parse(bytes.NewReader(data))
		if err != nil {
			return Config{}, fmt.Errorf("config: parse env file %s: %s", envFile, envFileProblem(err))
		}
	}
	c := l.load()
	if len(l.errs) > 0 {
		return Config{}, l.errs
	}
	return c, nil
}

// loader reads variables and collects problems and notices as it goes.
type loader struct {
	getenv  func(string) string
	file    map[string]string
	errs    Errors
	notices []string
}

// raw is the value of one name: the environment's, else the file's.
func (l *loader) raw(name string) string {
	if v := l.getenv(name); v != "" {
		return v
	}
	return l.file[name]
}

// lookup returns the first of names that is set, and which one it was ("" if
// none). Later names that are also set to another value get a notice that
// they are ignored.
// Values are trimmed; secrets are read with lookupRaw instead.
func (l *loader) lookup(names ...string) (value, name string) {
	return l.find(true, names)
}

// lookupRaw is lookup without trimming, for passwords and keys where a space
// may be meant.
func (l *loader) lookupRaw(names ...string) (value, name string) {
	return l.find(false, names)
}

func (l *loader) find(trim bool, names []string) (value, name string) {
	for _, n := range names {
		v := l.raw(n)
		if trim {
			v = strings.TrimSpace(v)
		}
		if v == "" {
			continue
		}
		if name == "" {
			value, name = v, n
			continue
		}
		if v != value {
			l.notice("%s is ignored because %s is set.", n, name)
		}
	}
	return value, name
}

func (l *loader) problem(name, format string, args ...any) {
	l.errs = append(l.errs, FieldError{Name: name, Problem: fmt.Sprintf(format, args...)})
}

func (l *loader) notice(format string, args ...any) {
	l.notices = append(l.notices, fmt.Sprintf(format, args...))
}

// duration reads a duration variable; min is the smallest allowed value.
func (l *loader) duration(def, min time.Duration, names ...string) time.Duration {
	v, name := l.lookup(names...)
	if name == "" {
		return def
	}
	d, err := parseDuration(v)
	if err != nil {
		l.problem(name, "%v", err)
		return def
	}
	if d < min {
		if min == 0 {
			l.problem(name, "must not be negative")
		} else {
			l.problem(name, "must be at least %v", min)
		}
		return def
	}
	return d
}

// positive reads an integer variable that must be at least 1.
func (l *loader) positive(def int64, name string) int64 {
	v, _ := l.lookup(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > maxWhole {
		l.problem(name, "%q is not a whole number from 1 to %d", v, int64(maxWhole))
		return def
	}
	return n
}

// maxWhole bounds integer settings so that they fit an int on every platform.
const maxWhole = 1<<31 - 1

func (l *loader) boolean(def bool, name string) bool {
	v, _ := l.lookup(name)
	if v == "" {
		return def
	}
	b, err := parseBool(v)
	if err != nil {
		l.problem(name, "%v", err)
		return def
	}
	return b
}

func (l *loader) load() Config {
	var c Config

	// Mode first: the defaults and checks below depend on it.
	c.Env = Development
	if v, name := l.lookup("APP_ENV", "FLASK_ENV"); name != "" {
		switch strings.ToLower(v) {
		case Development, Production:
			c.Env = strings.ToLower(v)
		default:
			l.problem(name, "%q is neither development nor production", v)
		}
	}
	prod := c.Production()

	c.Addr = ":5000"
	switch v, name := l.lookup("ADDR", "PORT"); name {
	case "ADDR":
		if err := checkListenAddr(v); err != nil {
			l.problem(name, "%v", err)
		}
		c.Addr = v
	case "PORT":
		if p, err := parsePort(v); err != nil {
			l.problem(name, "%v", err)
		} else {
			c.Addr = ":" + p
		}
	}

	l.secretKey(&c, prod)

	c.LogLevel = slog.LevelInfo
	if v, name := l.lookup("LOG_LEVEL"); name != "" {
		switch strings.ToLower(v) {
		case "debug":
			c.LogLevel = slog.LevelDebug
		case "info":
			c.LogLevel = slog.LevelInfo
		case "warn", "warning":
			c.LogLevel = slog.LevelWarn
		case "error":
			c.LogLevel = slog.LevelError
		default:
			l.problem(name, "%q is not one of debug, info, warn, error", v)
		}
	}
	c.LogFormat = "text"
	if prod {
		c.LogFormat = "json"
	}
	if v, name := l.lookup("LOG_FORMAT"); name != "" {
		switch strings.ToLower(v) {
		case "json", "text":
			c.LogFormat = strings.ToLower(v)
		default:
			l.problem(name, "%q is neither json nor text", v)
		}
	}

	baseOK := l.baseURL(&c, prod)
	l.database(&c)

	c.DataDir = "./data"
	if v, _ := l.lookup("DATA_DIR"); v != "" {
		c.DataDir = v
	}
	c.MigrateOnStart = l.boolean(true, "MIGRATE_ON_START")

	c.TimeZone, _ = time.LoadLocation("Asia/Tokyo")
	if v, name := l.lookup("TIME_ZONE"); name != "" {
		loc, err := time.LoadLocation(v)
		if err != nil {
			l.problem(name, "%q is not an IANA time zone (like Asia/Tokyo or UTC)", v)
		} else {
			c.TimeZone = loc
		}
	}

	partial := l.oidc(&c, prod, baseOK)
	c.LocalLogin = l.boolean(!(prod && c.OIDC.Enabled()), "LOCAL_LOGIN")
	if !c.LocalLogin && !c.OIDC.Enabled() && !partial {
		l.problem("LOCAL_LOGIN", "is false but OIDC is not configured: nobody could sign in")
	}

	c.RequestTimeout = l.duration(60*time.Second, time.Second, "REQUEST_TIMEOUT", "GUNICORN_TIMEOUT")
	c.MaxBodyBytes = l.positive(1<<20, "MAX_BODY_BYTES")
	c.BodyReadTimeout = l.duration(min(10*time.Second, c.RequestTimeout), time.Second, "BODY_READ_TIMEOUT")
	if c.BodyReadTimeout > c.RequestTimeout {
		l.problem("BODY_READ_TIMEOUT", "is longer than REQUEST_TIMEOUT (%s): a body must arrive well within the request's time", c.RequestTimeout)
	}
	c.MaxInflight = int(l.positive(256, "MAX_INFLIGHT"))
	c.QueueTimeout = l.duration(5*time.Second, 0, "QUEUE_TIMEOUT")
	c.ShutdownDelay = l.duration(5*time.Second, 0, "SHUTDOWN_DELAY")
	c.ShutdownTimeout = l.duration(25*time.Second, time.Second, "SHUTDOWN_TIMEOUT")

	if v, name := l.lookup("TRUSTED_PROXIES"); name != "" {
		var bad []string
		c.TrustedProxies, bad = parseProxies(v)
		for _, b := range bad {
			l.problem(name, "%s", b)
		}
	}

	if v, name := l.lookup("METRICS_ADDR"); name != "" {
		if err := checkListenAddr(v); err != nil {
			l.problem(name, "%v", err)
		} else if v == c.Addr {
			l.problem(name, "is the same as ADDR; leave it unset to serve /metrics on the main listener")
		}
		c.MetricsAddr = v
	}

	// In production /metrics is served only with one of METRICS_ADDR and METRICS_TOKEN.
	c.MetricsToken, _ = l.lookup("METRICS_TOKEN")

	c.PDFWorkers = int(l.positive(int64(runtime.NumCPU()), "PDF_WORKERS"))
	c.JobWorkers = int(l.positive(2, "JOB_WORKERS"))
	c.ExportRetention = l.duration(7*24*time.Hour, time.Minute, "EXPORT_RETENTION")
	c.PDFBackfill = l.duration(time.Hour, 0, "PDF_BACKFILL_INTERVAL")
	c.ExportMaxActive = int(l.positive(3, "EXPORT_MAX_ACTIVE"))
	c.ExportMaxStored = l.positive(1024, "EXPORT_MAX_STORED_MB") << 20

	l.mail(&c)

	l.compatNotices(c)
	c.Notices = l.notices
	return c
}

func (l *loader) secretKey(c *Config, prod bool) {
	v, name := l.lookupRaw("SECRET_KEY", "FLASK_SECRET_KEY")
	switch {
	case name == "" && prod:
		l.problem("SECRET_KEY", "is required in production: at least %d random bytes (e.g. openssl rand -hex 32)", minSecretKeyBytes)
	case name == "":
		b := make([]byte, minSecretKeyBytes)
		_, _ = rand.Read(b) // never fails: crypto/rand aborts the program instead
		c.SecretKey = hex.EncodeToString(b)
		l.notice("SECRET_KEY is not set: using a random key for this process, so sessions end when it restarts; set SECRET_KEY to keep them.")
	case len(v) < minSecretKeyBytes && prod:
		l.problem(name, "is %d bytes; production needs at least %d (e.g. openssl rand -hex 32)", len(v), minSecretKeyBytes)
	default:
		c.SecretKey = v
	}
}

// baseURL sets c.BaseURL and reports whether BASE_URL is usable (set and
// valid), so that derived settings do not repeat its problem.
func (l *loader) baseURL(c *Config, prod bool) bool {
	v, name := l.lookup("BASE_URL")
	if name == "" {
		if prod {
			l.problem("BASE_URL", "is required in production: the public https:// address, used for secure cookies and the OIDC callback")
		}
		return false
	}
	u, err := parseWebURL(v)
	if err != nil {
		l.problem(name, "%v", err)
		return false
	}
	if prod && u.Scheme == "http" && !isLoopbackName(u.Hostname()) {
		l.problem(name, "must be https:// in production (plain http is accepted only for localhost)")
		return false
	}
	c.BaseURL = strings.TrimRight(u.String(), "/")
	return true
}

func (l *loader) database(c *Config) {
	dbNames := []string{"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD"}
	if v, name := l.lookupRaw("DATABASE_URL"); name != "" {
		v = strings.TrimSpace(v)
		if err := checkDatabaseURL(v); err != nil {
			l.problem(name, "%v", err)
		}
		c.DatabaseURL = v
		for _, n := range dbNames {
			if strings.TrimSpace(l.raw(n)) != "" {
				l.notice("%s is ignored because DATABASE_URL is set.", n)
			}
		}
		return
	}
	set := false
	for _, n := range dbNames {
		set = set || strings.TrimSpace(l.raw(n)) != ""
	}
	if !set {
		return // SQLite
	}
	host, _ := l.lookup("DB_HOST")
	dbname, _ := l.lookup("DB_NAME")
	user, _ := l.lookup("DB_USER")
	password, _ := l.lookupRaw("DB_PASSWORD")
	port := "5432"
	if v, name := l.lookup("DB_PORT"); name != "" {
		p, err := parsePort(v)
		if err != nil || p == "0" {
			l.problem(name, "%q is not a port number (1-65535)", v)
		}
		port = p
	}
	missing := false
	for _, m := range []struct{ name, value string }{{"DB_HOST", host}, {"DB_NAME", dbname}, {"DB_USER", user}} {
		if m.value == "" {
			l.problem(m.name, "is required when the database is configured with DB_* (or set DATABASE_URL, or unset DB_* for SQLite)")
			missing = true
		}
	}
	if !missing {
		c.DatabaseURL = postgresURL(host, port, dbname, user, password)
	}
}

// oidc fills c.OIDC and reports whether OIDC was partly configured (already
// an error), so that LOCAL_LOGIN does not pile a second problem on top.
func (l *loader) oidc(c *Config, prod, baseOK bool) (partial bool) {
	issuer, issuerName := l.lookup("OIDC_ISSUER_URL", "AUTH0_DOMAIN")
	clientID, idName := l.lookup("OIDC_CLIENT_ID", "AUTH0_CLIENT_ID")
	secret, secretName := l.lookupRaw("OIDC_CLIENT_SECRET", "AUTH0_CLIENT_SECRET")
	redirect, redirectName := l.lookup("OIDC_REDIRECT_URL", "AUTH0_CALLBACK_URL")

	used := []string{issuerName, idName, secretName, redirectName}
	var set []string
	auth0Style := false
	for _, n := range used {
		if n != "" {
			set = append(set, n)
			auth0Style = auth0Style || strings.HasPrefix(n, "AUTH0_")
		}
	}
	if len(set) == 0 {
		return false
	}
	// Name missing variables in the family the operator is using.
	pick := func(oidcName, auth0Name string) string {
		if auth0Style {
			return auth0Name
		}
		return oidcName
	}
	for _, m := range []struct{ value, oidcName, auth0Name string }{
		{issuer, "OIDC_ISSUER_URL", "AUTH0_DOMAIN"},
		{clientID, "OIDC_CLIENT_ID", "AUTH0_CLIENT_ID"},
		{secret, "OIDC_CLIENT_SECRET", "AUTH0_CLIENT_SECRET"},
	} {
		if m.value == "" {
			l.problem(pick(m.oidcName, m.auth0Name), "is required because OIDC is partly configured (%s set); set it or unset the others", strings.Join(set, ", "))
			partial = true
		}
	}

	var o OIDC
	switch issuerName {
	case "AUTH0_DOMAIN":
		iss, err := auth0Issuer(issuer)
		if err != nil {
			l.problem(issuerName, "%v", err)
		}
		o.IssuerURL, o.Auth0 = iss, true
	case "OIDC_ISSUER_URL":
		u, err := parseWebURL(issuer)
		switch {
		case err != nil:
			l.problem(issuerName, "%v", err)
		case prod && u.Scheme == "http" && !isLoopbackName(u.Hostname()):
			l.problem(issuerName, "must be https:// in production (plain http is accepted only for localhost)")
		}
		o.IssuerURL = issuer
	}
	o.ClientID, o.ClientSecret = clientID, secret

	switch {
	case redirectName != "":
		u, err := parseWebURL(redirect)
		switch {
		case err != nil:
			l.problem(redirectName, "%v", err)
		case prod && u.Scheme == "http" && !isLoopbackName(u.Hostname()):
			l.problem(redirectName, "must be https:// in production (plain http is accepted only for localhost)")
		}
		o.RedirectURL = redirect
	case baseOK:
		o.RedirectURL = c.BaseURL + "/auth/callback"
	case !prod && !partial:
		// In production the missing BASE_URL is already reported.
		l.problem(pick("OIDC_REDIRECT_URL", "AUTH0_CALLBACK_URL"), "is required when BASE_URL is not set (the callback registered at the identity provider, like http://localhost:5000/auth/callback)")
		partial = true
	}
	c.OIDC = o
	return partial
}

// mail fills c.Mail from SMTP_URL, SMTP_PASSWORD and MAIL_FROM.
func (l *loader) mail(c *Config) {
	raw, name := l.lookupRaw("SMTP_URL")
	password, passwordName := l.lookupRaw("SMTP_PASSWORD")
	from, fromName := l.lookup("MAIL_FROM")
	if name == "" {
		for _, n := range []string{passwordName, fromName} {
			if n != "" {
				l.notice("%s is ignored because SMTP_URL is not set: sending mail is disabled.", n)
			}
		}
		return
	}
	m, err := parseSMTPURL(strings.TrimSpace(raw))
	if err != nil {
		l.problem(name, "%v", err)
	}
	if passwordName != "" {
		m.Password = password
	}
	switch {
	case fromName == "":
		l.problem("MAIL_FROM", "is required with SMTP_URL: the sender address, e.g. 請求書 <billing@example.com>")
	case strings.ContainsAny(from, "\r\n"):
		l.problem(fromName, "must be one line")
	default:
		if _, err := mail.ParseAddress(from); err != nil {
			l.problem(fromName, "%q is not an e-mail address (like billing@example.com or 請求書 <billing@example.com>)", from)
		}
	}
	m.From = from
	if err == nil {
		c.Mail = m
	}
}

// compatNotices explains the Flask/Gunicorn names that have no effect here.
func (l *loader) compatNotices(c Config) {
	if v, name := l.lookup("GUNICORN_WORKERS"); name != "" {
		l.notice("GUNICORN_WORKERS=%s is ignored: one process serves every request on its own goroutine; concurrency is bounded by MAX_INFLIGHT (%d) and PDF rendering by PDF_WORKERS (%d). Run more replicas to scale out.", v, c.MaxInflight, c.PDFWorkers)
	}
	if v, name := l.lookup("GUNICORN_THREADS"); name != "" {
		l.notice("GUNICORN_THREADS=%s is ignored: workers x threads become goroutines, bounded by MAX_INFLIGHT (%d).", v, c.MaxInflight)
	}
	for _, n := range []string{"GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER"} {
		if v, name := l.lookup(n); name != "" {
			l.notice("%s=%s is ignored: workers are not recycled; memory is bounded by GOMEMLIMIT, set from the container's memory limit.", n, v)
		}
	}
	if v, name := l.lookup("GUNICORN_BIND"); name != "" {
		l.notice("GUNICORN_BIND=%s is ignored: set ADDR instead (listening on %s).", v, c.Addr)
	}
	if _, name := l.lookup("FLASK_APP"); name != "" {
		l.notice("FLASK_APP is ignored: the application is built into the reportapp binary.")
	}
	if _, name := l.lookup("FLASK_DEBUG"); name != "" {
		l.notice("FLASK_DEBUG is ignored: there is no debugger or reloader; use LOG_LEVEL=debug for detailed logs.")
	}
}
