package config

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	testSecret = "0123456789abcdef0123456789abcdef-test"
	testBase   = "https://invoice.example.com"
)

// cmpConfig compares Configs: locations by name, prefixes by value, and a nil
// slice equal to an empty one.
var cmpConfig = cmp.Options{
	cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

func mapEnv(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

// withDefaults is the Config that an environment holding only SECRET_KEY
// gives, changed by edit.
func withDefaults(t *testing.T, edit func(*Config)) Config {
	t.Helper()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	c := Config{
		Addr:            ":5000",
		Env:             "development",
		SecretKey:       testSecret,
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		DataDir:         "./data",
		MigrateOnStart:  true,
		TimeZone:        tokyo,
		LocalLogin:      true,
		RequestTimeout:  60 * time.Second,
		MaxBodyBytes:    1 << 20,
		BodyReadTimeout: 10 * time.Second,
		MaxInflight:     256,
		QueueTimeout:    5 * time.Second,
		ShutdownDelay:   5 * time.Second,
		ShutdownTimeout: 25 * time.Second,
		PDFWorkers:      runtime.NumCPU(),
		JobWorkers:      2,
		ExportRetention: 7 * 24 * time.Hour,
		PDFBackfill:     time.Hour,
		ExportMaxActive: 3,
		ExportMaxStored: 1 << 30,
	}
	if edit != nil {
		edit(&c)
	}
	return c
}

func mustLoad(t *testing.T, env map[string]string) Config {
	t.Helper()
	c, err := Load(mapEnv(env), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// mustProblems loads env, which must fail, and returns the problems.
func mustProblems(t *testing.T, env map[string]string, envFile string) Errors {
	t.Helper()
	c, err := Load(mapEnv(env), envFile)
	if err == nil {
		t.Fatalf("Load succeeded, want problems; got %+v", c)
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Load error %v (%T) is not Errors", err, err)
	}
	if diff := cmp.Diff(Config{}, c, cmpConfig); diff != "" {
		t.Errorf("Load returned a non-zero Config with its error (-want +got):\n%s", diff)
	}
	return errs
}

func names(errs Errors) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Name)
	}
	return out
}

func mustWriteFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// merge returns a copy of base with extra added; an extra "" unsets.
func merge(base, extra map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func prodEnv(extra map[string]string) map[string]string {
	return merge(map[string]string{
		"APP_ENV":    "production",
		"SECRET_KEY": testSecret,
		"BASE_URL":   testBase,
	}, extra)
}

func TestLoadEmptyEnvironment(t *testing.T) {
	c1 := mustLoad(t, nil)
	c2 := mustLoad(t, map[string]string{})
	if len(c1.SecretKey) < 32 || c1.SecretKey == c2.SecretKey {
		t.Errorf("development secret keys %q and %q: want two different random keys of at least 32 bytes", c1.SecretKey, c2.SecretKey)
	}
	if len(c1.Notices) != 1 || !strings.Contains(c1.Notices[0], "SECRET_KEY is not set") {
		t.Errorf("Notices = %q, want one about the random SECRET_KEY", c1.Notices)
	}
	c1.SecretKey, c1.Notices = testSecret, nil
	if diff := cmp.Diff(withDefaults(t, nil), c1, cmpConfig); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	if c1.Production() || c1.OIDC.Enabled() {
		t.Errorf("Production() = %v, OIDC.Enabled() = %v; want both false", c1.Production(), c1.OIDC.Enabled())
	}
	driver, dsn := c1.Database()
	if driver != "sqlite" || dsn != filepath.Join("data", "reportapp.db") {
		t.Errorf("Database() = %q, %q; want sqlite in ./data", driver, dsn)
	}
}

// TestDocumentedDefaults keeps Keys honest: setting a variable to its
// documented default must change nothing.
func TestDocumentedDefaults(t *testing.T) {
	// Defaults written as phrases, because they depend on other settings,
	// and DB_PORT, which alone would start a partial DB_* configuration.
	phrases := map[string]bool{
		"SECRET_KEY": true, "LOG_FORMAT": true, "PDF_WORKERS": true,
		"OIDC_REDIRECT_URL": true, "LOCAL_LOGIN": true, "DB_PORT": true,
	}
	base := map[string]string{"SECRET_KEY": testSecret}
	want := mustLoad(t, base)
	for _, k := range Keys() {
		if k.Default == "" || phrases[k.Name] {
			continue
		}
		t.Run(k.Name, func(t *testing.T) {
			got, err := Load(mapEnv(merge(base, map[string]string{k.Name: k.Default})), "")
			if err != nil {
				t.Fatalf("%s=%s: %v", k.Name, k.Default, err)
			}
			if diff := cmp.Diff(want, got, cmpConfig); diff != "" {
				t.Errorf("%s=%s differs from unset (-unset +set):\n%s", k.Name, k.Default, diff)
			}
		})
	}
	// DB_PORT's documented default, with the other DB_* set.
	db := merge(base, map[string]string{"DB_HOST": "db", "DB_NAME": "r", "DB_USER": "u"})
	if got, want := mustLoad(t, merge(db, map[string]string{"DB_PORT": "5432"})).DatabaseURL, mustLoad(t, db).DatabaseURL; got != want {
		t.Errorf("DB_PORT=5432 gives %q, unset gives %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(*Config)
	}{
		{"PORT alone", map[string]string{"PORT": "8000"}, func(c *Config) { c.Addr = ":8000" }},
		{"job workers and export retention", map[string]string{"JOB_WORKERS": "4", "EXPORT_RETENTION": "24h"}, func(c *Config) { c.JobWorkers, c.ExportRetention = 4, 24*time.Hour }},
		{"export bounds", map[string]string{"EXPORT_MAX_ACTIVE": "1", "EXPORT_MAX_STORED_MB": "50"}, func(c *Config) { c.ExportMaxActive, c.ExportMaxStored = 1, 50<<20 }},
		{"ADDR over PORT", map[string]string{"ADDR": "127.0.0.1:9000", "PORT": "8000"}, func(c *Config) {
			c.Addr = "127.0.0.1:9000"
			c.Notices = []string{"PORT is ignored because ADDR is set."}
		}},
		{"same value under both names is no conflict", map[string]string{"APP_ENV": "development", "FLASK_ENV": "development", "FLASK_SECRET_KEY": testSecret}, nil},
		{"blank DB_* counts as unset", map[string]string{"DB_HOST": " ", "DB_PORT": ""}, nil},
		{"IPv6 ADDR", map[string]string{"ADDR": "[::1]:5000"}, func(c *Config) { c.Addr = "[::1]:5000" }},
		{"blank counts as unset", map[string]string{"ADDR": "  ", "LOG_LEVEL": "", "PORT": "7000"}, func(c *Config) { c.Addr = ":7000" }},
		{"FLASK_ENV=development", map[string]string{"FLASK_ENV": "development"}, nil},
		{"APP_ENV over FLASK_ENV", map[string]string{"APP_ENV": "Development", "FLASK_ENV": "production"}, func(c *Config) {
			c.Notices = []string{"FLASK_ENV is ignored because APP_ENV is set."}
		}},
		{"FLASK_SECRET_KEY", map[string]string{"SECRET_KEY": "", "FLASK_SECRET_KEY": "flask-key"}, func(c *Config) { c.SecretKey = "flask-key" }},
		{"SECRET_KEY over FLASK_SECRET_KEY", map[string]string{"FLASK_SECRET_KEY": "flask-key"}, func(c *Config) {
			c.Notices = []string{"FLASK_SECRET_KEY is ignored because SECRET_KEY is set."}
		}},
		{"log settings", map[string]string{"LOG_LEVEL": "WARNING", "LOG_FORMAT": "JSON"}, func(c *Config) {
			c.LogLevel, c.LogFormat = slog.LevelWarn, "json"
		}},
		{"log debug", map[string]string{"LOG_LEVEL": "debug"}, func(c *Config) { c.LogLevel = slog.LevelDebug }},
		{"BASE_URL loses its trailing slash", map[string]string{"BASE_URL": "http://localhost:5000/"}, func(c *Config) { c.BaseURL = "http://localhost:5000" }},
		{"BASE_URL with a path", map[string]string{"BASE_URL": "https://example.com/invoices/"}, func(c *Config) { c.BaseURL = "https://example.com/invoices" }},
		{"durations", map[string]string{
			"REQUEST_TIMEOUT": "1m30s", "QUEUE_TIMEOUT": "0", "SHUTDOWN_DELAY": "2", "SHUTDOWN_TIMEOUT": "1m",
		}, func(c *Config) {
			c.RequestTimeout, c.QueueTimeout, c.ShutdownDelay, c.ShutdownTimeout = 90*time.Second, 0, 2*time.Second, time.Minute
		}},
		{"GUNICORN_TIMEOUT in seconds", map[string]string{"GUNICORN_TIMEOUT": "120"}, func(c *Config) { c.RequestTimeout = 2 * time.Minute }},
		{"BODY_READ_TIMEOUT", map[string]string{"BODY_READ_TIMEOUT": "3s"}, func(c *Config) { c.BodyReadTimeout = 3 * time.Second }},
		{"BODY_READ_TIMEOUT follows a short REQUEST_TIMEOUT", map[string]string{"REQUEST_TIMEOUT": "4s"}, func(c *Config) {
			c.RequestTimeout, c.BodyReadTimeout = 4*time.Second, 4*time.Second
		}},
		{"REQUEST_TIMEOUT over GUNICORN_TIMEOUT", map[string]string{"REQUEST_TIMEOUT": "90s", "GUNICORN_TIMEOUT": "30"}, func(c *Config) {
			c.RequestTimeout = 90 * time.Second
			c.Notices = []string{"GUNICORN_TIMEOUT is ignored because REQUEST_TIMEOUT is set."}
		}},
		{"limits", map[string]string{"MAX_BODY_BYTES": "10485760", "MAX_INFLIGHT": "32", "PDF_WORKERS": "3"}, func(c *Config) {
			c.MaxBodyBytes, c.MaxInflight, c.PDFWorkers = 10<<20, 32, 3
		}},
		{"storage", map[string]string{"DATA_DIR": "/var/lib/reportapp", "MIGRATE_ON_START": "no", "TIME_ZONE": "UTC"}, func(c *Config) {
			c.DataDir, c.MigrateOnStart, c.TimeZone = "/var/lib/reportapp", false, time.UTC
		}},
		{"proxies", map[string]string{"TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.7,,::1, 2001:db8::/32 ,172.16.5.4/12, ::ffff:10.1.1.1"}, func(c *Config) {
			c.TrustedProxies = []netip.Prefix{
				netip.MustParsePrefix("10.0.0.0/8"),
				netip.MustParsePrefix("192.168.1.7/32"),
				netip.MustParsePrefix("::1/128"),
				netip.MustParsePrefix("2001:db8::/32"),
				netip.MustParsePrefix("172.16.0.0/12"),
				netip.MustParsePrefix("10.1.1.1/32"),
			}
		}},
		{"metrics listener", map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, func(c *Config) { c.MetricsAddr = "127.0.0.1:9090" }},
		{"DATABASE_URL", map[string]string{"DATABASE_URL": "postgres://u:p@db:5432/r?sslmode=disable"}, func(c *Config) {
			c.DatabaseURL = "postgres://u:p@db:5432/r?sslmode=disable"
		}},
		{"DATABASE_URL over DB_*", map[string]string{"DATABASE_URL": "host=db dbname=r", "DB_HOST": "other", "DB_PASSWORD": "x"}, func(c *Config) {
			c.DatabaseURL = "host=db dbname=r"
			c.Notices = []string{"DB_HOST is ignored because DATABASE_URL is set.", "DB_PASSWORD is ignored because DATABASE_URL is set."}
		}},
		{"DB_* parts", map[string]string{"DB_HOST": "db", "DB_NAME": "reportapp", "DB_USER": "app", "DB_PASSWORD": "s3cret"}, func(c *Config) {
			c.DatabaseURL = "postgres://app:s3cret@db:5432/reportapp"
		}},
		{"DB_* without password, other port, IPv6 host", map[string]string{"DB_HOST": "::1", "DB_PORT": "6432", "DB_NAME": "r", "DB_USER": "app"}, func(c *Config) {
			c.DatabaseURL = "postgres://app@[::1]:6432/r"
		}},
		{"AUTH0_* names", map[string]string{
			"AUTH0_DOMAIN": "tenant.jp.auth0.com", "AUTH0_CLIENT_ID": "cid", "AUTH0_CLIENT_SECRET": "csecret",
			"AUTH0_CALLBACK_URL": "http://localhost:5000/callback",
		}, func(c *Config) {
			c.OIDC = OIDC{IssuerURL: "https://tenant.jp.auth0.com/", ClientID: "cid", ClientSecret: "csecret", RedirectURL: "http://localhost:5000/callback", Auth0: true}
		}},
		{"AUTH0_DOMAIN given as a URL", map[string]string{
			"AUTH0_DOMAIN": "https://tenant.auth0.com/", "AUTH0_CLIENT_ID": "cid", "AUTH0_CLIENT_SECRET": "csecret", "BASE_URL": "http://127.0.0.1:5000",
		}, func(c *Config) {
			c.BaseURL = "http://127.0.0.1:5000"
			c.OIDC = OIDC{IssuerURL: "https://tenant.auth0.com/", ClientID: "cid", ClientSecret: "csecret", RedirectURL: "http://127.0.0.1:5000/auth/callback", Auth0: true}
		}},
		{"AUTH0_DOMAIN as an issuer with a path", map[string]string{
			"AUTH0_DOMAIN": "https://login.example.com/tenant", "AUTH0_CLIENT_ID": "cid", "AUTH0_CLIENT_SECRET": "csecret", "BASE_URL": "http://127.0.0.1:5000",
		}, func(c *Config) {
			c.BaseURL = "http://127.0.0.1:5000"
			c.OIDC = OIDC{IssuerURL: "https://login.example.com/tenant/", ClientID: "cid", ClientSecret: "csecret", RedirectURL: "http://127.0.0.1:5000/auth/callback", Auth0: true}
		}},
		{"OIDC_* over AUTH0_*", map[string]string{
			"OIDC_ISSUER_URL": "https://id.example.com/realms/r", "OIDC_CLIENT_ID": "new", "OIDC_CLIENT_SECRET": "newsecret",
			"AUTH0_DOMAIN": "old.auth0.com", "AUTH0_CLIENT_ID": "old", "BASE_URL": "http://localhost:5000",
		}, func(c *Config) {
			c.BaseURL = "http://localhost:5000"
			c.OIDC = OIDC{IssuerURL: "https://id.example.com/realms/r", ClientID: "new", ClientSecret: "newsecret", RedirectURL: "http://localhost:5000/auth/callback"}
			c.Notices = []string{"AUTH0_DOMAIN is ignored because OIDC_ISSUER_URL is set.", "AUTH0_CLIENT_ID is ignored because OIDC_CLIENT_ID is set."}
		}},
		{"LOCAL_LOGIN=false with OIDC", map[string]string{
			"OIDC_ISSUER_URL": "http://localhost:5556/dex", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
			"OIDC_REDIRECT_URL": "http://localhost:5000/auth/callback", "LOCAL_LOGIN": "false",
		}, func(c *Config) {
			c.OIDC = OIDC{IssuerURL: "http://localhost:5556/dex", ClientID: "c", ClientSecret: "s", RedirectURL: "http://localhost:5000/auth/callback"}
			c.LocalLogin = false
		}},
		{"production without OIDC keeps local login", prodEnv(nil), func(c *Config) {
			c.Env, c.LogFormat, c.BaseURL = "production", "json", testBase
		}},
		{"production with OIDC turns local login off", prodEnv(map[string]string{
			"AUTH0_DOMAIN": "t.auth0.com", "AUTH0_CLIENT_ID": "c", "AUTH0_CLIENT_SECRET": "s",
		}), func(c *Config) {
			c.Env, c.LogFormat, c.BaseURL, c.LocalLogin = "production", "json", testBase, false
			c.OIDC = OIDC{IssuerURL: "https://t.auth0.com/", ClientID: "c", ClientSecret: "s", RedirectURL: testBase + "/auth/callback", Auth0: true}
		}},
		{"production with OIDC and explicit local login", prodEnv(map[string]string{
			"OIDC_ISSUER_URL": "https://id.example.com/", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s", "LOCAL_LOGIN": "1",
		}), func(c *Config) {
			c.Env, c.LogFormat, c.BaseURL = "production", "json", testBase
			c.OIDC = OIDC{IssuerURL: "https://id.example.com/", ClientID: "c", ClientSecret: "s", RedirectURL: testBase + "/auth/callback"}
		}},
		{"FLASK_ENV=production", prodEnv(map[string]string{"APP_ENV": "", "FLASK_ENV": "production", "LOG_FORMAT": "text"}), func(c *Config) {
			c.Env, c.BaseURL = "production", testBase
		}},
		{"production accepts plain http on localhost", prodEnv(map[string]string{"BASE_URL": "http://[::1]:5000"}), func(c *Config) {
			c.Env, c.LogFormat, c.BaseURL = "production", "json", "http://[::1]:5000"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := merge(map[string]string{"SECRET_KEY": testSecret}, tt.env)
			got := mustLoad(t, env)
			if diff := cmp.Diff(withDefaults(t, tt.want), got, cmpConfig); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDBPasswordEscaping checks the URL built from DB_* with the parser pgx
// itself uses: every part must come back exactly as given.
func TestDBPasswordEscaping(t *testing.T) {
	tests := []struct{ user, password, name string }{
		{"app", "p@ss:w/rd?#%&=+ $!", "reportapp"},
		{"user@corp", `a"b'c\d;e,f`, "my db"},
		{"請求", "パスワード%2F", "帳票"},
		{"app", "%41%", "db/x?y"},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			c := mustLoad(t, map[string]string{
				"SECRET_KEY": testSecret,
				"DB_HOST":    "db.internal", "DB_PORT": "6543",
				"DB_NAME": tt.name, "DB_USER": tt.user, "DB_PASSWORD": tt.password,
			})
			driver, dsn := c.Database()
			if driver != "pgx" {
				t.Errorf("driver = %q, want pgx", driver)
			}
			pc, err := pgconn.ParseConfig(dsn)
			if err != nil {
				t.Fatalf("pgconn.ParseConfig(%q): %v", dsn, err)
			}
			got := []any{pc.Host, pc.Port, pc.User, pc.Password, pc.Database}
			want := []any{"db.internal", uint16(6543), tt.user, tt.password, tt.name}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parts of %q (-want +got):\n%s", dsn, diff)
			}
		})
	}
}

// TestDBPartsConnect connects to the test PostgreSQL with a URL built from
// DB_*, the way a Flask-era .env describes it.
func TestDBPartsConnect(t *testing.T) {
	host, port := "127.0.0.1", "5432"
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, port), time.Second)
	if err != nil {
		if os.Getenv("REPORTAPP_TEST_STRICT") == "1" {
			t.Fatalf("PostgreSQL at %s:%s: %v", host, port, err)
		}
		t.Skipf("no PostgreSQL at %s:%s (%v); set REPORTAPP_TEST_STRICT=1 to fail instead", host, port, err)
	}
	conn.Close()
	c := mustLoad(t, map[string]string{
		"SECRET_KEY": testSecret, "DB_HOST": host, "DB_PORT": port, "DB_NAME": "test", "DB_USER": "postgres",
		"DB_PASSWORD": "unused with trust auth: @/?#",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pg, err := pgx.Connect(ctx, c.DatabaseURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer pg.Close(ctx)
	var db string
	if err := pg.QueryRow(ctx, "select current_database()").Scan(&db); err != nil {
		t.Fatalf("query: %v", err)
	}
	if db != "test" {
		t.Errorf("current_database() = %q, want test", db)
	}
}

func TestEnvFile(t *testing.T) {
	file := mustWriteFile(t, `# a Flask-era .env.prd
FLASK_ENV=production
FLASK_SECRET_KEY='`+testSecret+`'
BASE_URL=https://invoice.example.com
DB_HOST=db
DB_NAME=reportapp
DB_USER=reportapp
DB_PASSWORD='pa$$word#1'
GUNICORN_WORKERS=4
export LOG_LEVEL=debug
MAX_INFLIGHT=10   # inline comment
POSTGRES_PASSWORD=not-ours
`)
	t.Run("file alone", func(t *testing.T) {
		c, err := Load(mapEnv(nil), file)
		if err != nil {
			t.Fatal(err)
		}
		want := withDefaults(t, func(c *Config) {
			c.Env, c.LogFormat, c.BaseURL, c.LocalLogin = "production", "json", testBase, true
			c.LogLevel, c.MaxInflight = slog.LevelDebug, 10
			c.DatabaseURL = "postgres://reportapp:pa$$word%231@db:5432/reportapp"
		})
		want.Notices = c.Notices // checked in TestGunicornNotices
		if diff := cmp.Diff(want, c, cmpConfig); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if len(c.Notices) != 1 || !strings.HasPrefix(c.Notices[0], "GUNICORN_WORKERS=4 is ignored") {
			t.Errorf("Notices = %q, want the GUNICORN_WORKERS one", c.Notices)
		}
	})
	t.Run("environment wins over the file", func(t *testing.T) {
		c, err := Load(mapEnv(map[string]string{"MAX_INFLIGHT": "99", "DB_HOST": "pg.internal", "LOG_LEVEL": ""}), file)
		if err != nil {
			t.Fatal(err)
		}
		if c.MaxInflight != 99 || c.DatabaseURL != "postgres://reportapp:pa$$word%231@pg.internal:5432/reportapp" || c.LogLevel != slog.LevelDebug {
			t.Errorf("MaxInflight=%d DatabaseURL=%q LogLevel=%v; want 99 from the environment, host pg.internal, debug from the file (empty counts as unset)",
				c.MaxInflight, c.DatabaseURL, c.LogLevel)
		}
	})
	t.Run("new name in the file over alias in the environment", func(t *testing.T) {
		f := mustWriteFile(t, "APP_ENV=development\n")
		c, err := Load(mapEnv(map[string]string{"FLASK_ENV": "production"}), f)
		if err != nil {
			t.Fatal(err)
		}
		if c.Env != "development" {
			t.Errorf("Env = %q, want development (APP_ENV wins over FLASK_ENV wherever each is set)", c.Env)
		}
	})
	t.Run("file problems are listed with the others", func(t *testing.T) {
		f := mustWriteFile(t, "APP_ENV=production\nMAX_INFLIGHT=lots\n")
		errs := mustProblems(t, nil, f)
		if diff := cmp.Diff([]string{"SECRET_KEY", "BASE_URL", "MAX_INFLIGHT"}, names(errs)); diff != "" {
			t.Errorf("problems (-want +got):\n%s\n%v", diff, errs)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := Load(mapEnv(nil), filepath.Join(t.TempDir(), "nope.env"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want one wrapping os.ErrNotExist", err)
		}
	})
	t.Run("parse error does not show the value", func(t *testing.T) {
		f := mustWriteFile(t, "SECRET_KEY=\"hunter2-very-secret\nADDR=:1\n")
		_, err := Load(mapEnv(nil), f)
		if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "unterminated") {
			t.Errorf("err = %v, want an unterminated-quote error without the value", err)
		}
		f = mustWriteFile(t, "DB_PASSWORD=x\nBAD KEY-hunter2=1\n")
		_, err = Load(mapEnv(nil), f)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("err = %v, want a parse error without the rest of the line", err)
		}
	})
}

// TestAllProblemsAtOnce sets many bad values and expects every one listed,
// in reading order, in one error.
func TestAllProblemsAtOnce(t *testing.T) {
	env := map[string]string{
		"APP_ENV":          "staging",
		"PORT":             "http",
		"LOG_LEVEL":        "loud",
		"LOG_FORMAT":       "xml",
		"BASE_URL":         "invoice.example.com",
		"DATABASE_URL":     "mysql://root:hunter2@db/x",
		"MIGRATE_ON_START": "maybe",
		"TIME_ZONE":        "Mars/Olympus",
		"OIDC_CLIENT_ID":   "cid",
		"REQUEST_TIMEOUT":  "-5s",
		"MAX_BODY_BYTES":   "1MB",
		"MAX_INFLIGHT":     "0",
		"QUEUE_TIMEOUT":    "soon",
		"SHUTDOWN_DELAY":   "-1",
		"SHUTDOWN_TIMEOUT": "500ms",
		"TRUSTED_PROXIES":  "10.0.0.0/33,proxy.local,10.0.0.1",
		"METRICS_ADDR":     "9090",
		"PDF_WORKERS":      "-2",
		"JOB_WORKERS":      "many",
		"EXPORT_RETENTION": "1s",
	}
	errs := mustProblems(t, env, "")
	want := []string{
		"APP_ENV", "PORT", "LOG_LEVEL", "LOG_FORMAT", "BASE_URL", "DATABASE_URL", "MIGRATE_ON_START", "TIME_ZONE",
		"OIDC_ISSUER_URL", "OIDC_CLIENT_SECRET",
		"REQUEST_TIMEOUT", "MAX_BODY_BYTES", "MAX_INFLIGHT", "QUEUE_TIMEOUT", "SHUTDOWN_DELAY", "SHUTDOWN_TIMEOUT",
		"TRUSTED_PROXIES", "TRUSTED_PROXIES", "METRICS_ADDR", "PDF_WORKERS", "JOB_WORKERS", "EXPORT_RETENTION",
	}
	if diff := cmp.Diff(want, names(errs)); diff != "" {
		t.Errorf("problem names (-want +got):\n%s\nerror:\n%v", diff, errs)
	}
	msg := errs.Error()
	lines := strings.Split(msg, "\n")
	if lines[0] != "config: 22 problems:" || len(lines) != 23 {
		t.Errorf("error has header %q and %d lines, want \"config: 22 problems:\" and 23", lines[0], len(lines))
	}
	for i, e := range errs {
		if lines[i+1] != "  "+e.Name+": "+e.Problem {
			t.Errorf("line %d = %q, want problem %v", i+1, lines[i+1], e)
		}
		if e.Problem == "" {
			t.Errorf("%s: empty problem text", e.Name)
		}
	}
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error shows the DATABASE_URL password:\n%s", msg)
	}
	if got := (Errors{{Name: "ADDR", Problem: "bad"}}).Error(); got != "config: 1 problem:\n  ADDR: bad" {
		t.Errorf("one problem reads %q", got)
	}
}

func TestProductionRefusals(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", map[string]string{"APP_ENV": "production"}, []string{"SECRET_KEY", "BASE_URL"}},
		{"short secret key", prodEnv(map[string]string{"SECRET_KEY": "", "FLASK_SECRET_KEY": "changeme"}), []string{"FLASK_SECRET_KEY"}},
		{"31 bytes", prodEnv(map[string]string{"SECRET_KEY": strings.Repeat("k", 31)}), []string{"SECRET_KEY"}},
		{"plain http BASE_URL", prodEnv(map[string]string{"BASE_URL": "http://invoice.example.com"}), []string{"BASE_URL"}},
		{"plain http to a private address", prodEnv(map[string]string{"BASE_URL": "http://10.0.0.5:5000"}), []string{"BASE_URL"}},
		{"plain http callback", prodEnv(map[string]string{
			"AUTH0_DOMAIN": "t.auth0.com", "AUTH0_CLIENT_ID": "c", "AUTH0_CLIENT_SECRET": "s",
			"AUTH0_CALLBACK_URL": "http://invoice.example.com/callback",
		}), []string{"AUTH0_CALLBACK_URL"}},
		{"plain http issuer", prodEnv(map[string]string{
			"OIDC_ISSUER_URL": "http://id.example.com/", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s",
		}), []string{"OIDC_ISSUER_URL"}},
		{"via FLASK_ENV", map[string]string{"FLASK_ENV": "production", "BASE_URL": "http://example.com"}, []string{"SECRET_KEY", "BASE_URL"}},
		{"no way to sign in", prodEnv(map[string]string{"LOCAL_LOGIN": "false"}), []string{"LOCAL_LOGIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := mustProblems(t, tt.env, "")
			if diff := cmp.Diff(tt.want, names(errs)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, errs)
			}
			if strings.Contains(errs.Error(), "changeme") {
				t.Errorf("error shows the secret key:\n%v", errs)
			}
		})
	}
	// The same plain-http settings are fine in development.
	mustLoad(t, map[string]string{
		"BASE_URL": "http://192.168.1.10:5000", "AUTH0_DOMAIN": "t.auth0.com", "AUTH0_CLIENT_ID": "c",
		"AUTH0_CLIENT_SECRET": "s", "SECRET_KEY": "short",
	})
}

func TestOIDCPartial(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"issuer without client", map[string]string{"OIDC_ISSUER_URL": "https://id.example.com/"}, []string{"OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"}},
		{"auth0 domain only", map[string]string{"AUTH0_DOMAIN": "t.auth0.com"}, []string{"AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"}},
		{"secret only", map[string]string{"AUTH0_CLIENT_SECRET": "s"}, []string{"AUTH0_DOMAIN", "AUTH0_CLIENT_ID"}},
		{"redirect only", map[string]string{"OIDC_REDIRECT_URL": "http://localhost:5000/auth/callback"}, []string{"OIDC_ISSUER_URL", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"}},
		{"no redirect and no BASE_URL", map[string]string{"OIDC_ISSUER_URL": "https://id.example.com/", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"}, []string{"OIDC_REDIRECT_URL"}},
		{"bad auth0 domain", map[string]string{"AUTH0_DOMAIN": "http://t.auth0.com", "AUTH0_CLIENT_ID": "c", "AUTH0_CLIENT_SECRET": "s", "BASE_URL": "http://localhost"}, []string{"AUTH0_DOMAIN"}},
		{"issuer not a URL", map[string]string{"OIDC_ISSUER_URL": "id.example.com", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s", "BASE_URL": "http://localhost"}, []string{"OIDC_ISSUER_URL"}},
		{"partial in production", prodEnv(map[string]string{"OIDC_CLIENT_ID": "c"}), []string{"OIDC_ISSUER_URL", "OIDC_CLIENT_SECRET"}},
		{"partial with local login off", map[string]string{"OIDC_CLIENT_ID": "c", "LOCAL_LOGIN": "off"}, []string{"OIDC_ISSUER_URL", "OIDC_CLIENT_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := mustProblems(t, tt.env, "")
			if diff := cmp.Diff(tt.want, names(errs)); diff != "" {
				t.Errorf("(-want +got):\n%s\n%v", diff, errs)
			}
		})
	}
}

func TestGunicornNotices(t *testing.T) {
	env := map[string]string{
		"SECRET_KEY":                   testSecret,
		"MAX_INFLIGHT":                 "64",
		"PDF_WORKERS":                  "2",
		"PORT":                         "8000",
		"GUNICORN_WORKERS":             "4",
		"GUNICORN_THREADS":             "8",
		"GUNICORN_MAX_REQUESTS":        "1000",
		"GUNICORN_MAX_REQUESTS_JITTER": "50",
		"GUNICORN_BIND":                "0.0.0.0:8000",
		"FLASK_APP":                    "app.py",
		"FLASK_DEBUG":                  "1",
		"POSTGRES_PASSWORD":            "container's",
		"PATH":                         "/usr/bin",
	}
	c := mustLoad(t, env)
	want := []string{
		"GUNICORN_WORKERS=4 is ignored: one process serves every request on its own goroutine; concurrency is bounded by MAX_INFLIGHT (64) and PDF rendering by PDF_WORKERS (2). Run more replicas to scale out.",
		"GUNICORN_THREADS=8 is ignored: workers x threads become goroutines, bounded by MAX_INFLIGHT (64).",
		"GUNICORN_MAX_REQUESTS=1000 is ignored: workers are not recycled; memory is bounded by GOMEMLIMIT, set from the container's memory limit.",
		"GUNICORN_MAX_REQUESTS_JITTER=50 is ignored: workers are not recycled; memory is bounded by GOMEMLIMIT, set from the container's memory limit.",
		"GUNICORN_BIND=0.0.0.0:8000 is ignored: set ADDR instead (listening on :8000).",
		"FLASK_APP is ignored: the application is built into the reportapp binary.",
		"FLASK_DEBUG is ignored: there is no debugger or reloader; use LOG_LEVEL=debug for detailed logs.",
	}
	if diff := cmp.Diff(want, c.Notices); diff != "" {
		t.Errorf("Notices (-want +got):\n%s", diff)
	}
	// Each one alone gives exactly one notice.
	for _, name := range []string{"GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER", "GUNICORN_BIND", "FLASK_APP", "FLASK_DEBUG"} {
		c := mustLoad(t, map[string]string{"SECRET_KEY": testSecret, name: env[name]})
		if len(c.Notices) != 1 || !strings.HasPrefix(c.Notices[0], name) {
			t.Errorf("%s alone: Notices = %q, want one about it", name, c.Notices)
		}
	}
}

// keyNames are the names the config reads: every key of Keys and its aliases, including the
// GUNICORN_* and FLASK_* names that only produce a notice.
func keyNames() map[string]bool {
	names := map[string]bool{}
	for _, k := range Keys() {
		names[k.Name] = true
		for _, a := range k.Aliases {
			names[a] = true
		}
	}
	return names
}

// TestKeyNames: the Flask deployment's names are read (as keys or aliases); the database
// container's POSTGRES_* and names nobody reads are not.
func TestKeyNames(t *testing.T) {
	names := keyNames()
	for _, name := range []string{"FLASK_ENV", "PORT", "AUTH0_DOMAIN", "GUNICORN_TIMEOUT", "GUNICORN_WORKERS", "DB_PASSWORD"} {
		if !names[name] {
			t.Errorf("%s is not read", name)
		}
	}
	for _, name := range []string{"", "PATH", "POSTGRES_PASSWORD", "POSTGRES_DB", "secret_key", "GUNICORN_LOGLEVEL"} {
		if names[name] {
			t.Errorf("%q is read", name)
		}
	}
}

func TestKeysAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Keys() {
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			if seen[n] {
				t.Errorf("%s is listed twice", n)
			}
			seen[n] = true
			if !regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`).MatchString(n) {
				t.Errorf("name %q is not an upper-case variable name", n)
			}
		}
		if k.Description == "" {
			t.Errorf("%s has no description", k.Name)
		}
	}
}

// TestEnvSampleDrift keeps .env.sample and Keys in step: every key and alias
// is shown in the sample, and the sample shows nothing Load does not read.
func TestEnvSampleDrift(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", ".env.sample"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	assignment := regexp.MustCompile(`^#?([A-Za-z_][A-Za-z0-9_]*)=`)
	inSample, known := map[string]bool{}, keyNames()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		m := assignment.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		inSample[m[1]] = true
		if !known[m[1]] {
			t.Errorf(".env.sample:%d: %s is not a variable the config reads", line, m[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, k := range Keys() {
		for _, n := range append([]string{k.Name}, k.Aliases...) {
			if !inSample[n] {
				t.Errorf(".env.sample has no %s= line (commented or not)", n)
			}
		}
	}
}

// FuzzLoad feeds Load arbitrary variables; numbers as names pick a known
// variable so the fuzzer reaches every branch. Load must not panic, and its
// result must hold the invariants the server relies on.
func FuzzLoad(f *testing.F) {
	var all []string
	for _, k := range Keys() {
		all = append(all, k.Name)
		all = append(all, k.Aliases...)
	}
	f.Add("0=:1\n1=production\n2=" + testSecret + "\n3=https://x.example/")
	f.Add("APP_ENV=production\nAUTH0_DOMAIN=https://a/\nAUTH0_CLIENT_ID=c\nAUTH0_CLIENT_SECRET=s")
	f.Add("TRUSTED_PROXIES=::ffff:1.2.3.4/100,fe80::1%eth0\nREQUEST_TIMEOUT=9223372036854775807")
	f.Add("DB_HOST=[::1]\nDB_PORT=0\nDB_NAME=\x00\nDB_USER=%zz")
	f.Add("BASE_URL=http://[::1%25en0]:80/\nOIDC_REDIRECT_URL=//x\nTIME_ZONE=../../etc/passwd")
	known := keyNames()
	f.Fuzz(func(t *testing.T, text string) {
		env := map[string]string{}
		for _, line := range strings.Split(text, "\n") {
			name, value, _ := strings.Cut(line, "=")
			if i, err := strconv.Atoi(name); err == nil && i >= 0 {
				name = all[i%len(all)]
			}
			env[name] = value
		}
		c, err := Load(mapEnv(env), "")
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %v is not a non-empty Errors", err)
			}
			for _, e := range errs {
				if !known[e.Name] || e.Problem == "" {
					t.Fatalf("problem %q names no known variable or says nothing", e)
				}
			}
			return
		}
		if c.Addr == "" || c.TimeZone == nil || c.SecretKey == "" || c.MaxBodyBytes < 1 || c.MaxInflight < 1 ||
			c.PDFWorkers < 1 || c.RequestTimeout < time.Second || c.ShutdownTimeout < time.Second ||
			c.QueueTimeout < 0 || c.ShutdownDelay < 0 {
			t.Fatalf("invalid Config accepted: %+v", c)
		}
		if c.Production() && (len(c.SecretKey) < 32 || c.BaseURL == "") {
			t.Fatalf("production Config without a strong key or BASE_URL: %+v", c)
		}
		if (c.OIDC != OIDC{}) && (!c.OIDC.Enabled() || c.OIDC.ClientSecret == "" || c.OIDC.RedirectURL == "") {
			t.Fatalf("partial OIDC accepted: %+v", c.OIDC)
		}
		if !c.LocalLogin && !c.OIDC.Enabled() {
			t.Fatalf("no way to sign in accepted")
		}
	})
}

// FuzzLoadEnvFile feeds Load arbitrary .env files: it must not panic, and a
// parse error must not repeat the file's text (it may hold secrets).
func FuzzLoadEnvFile(f *testing.F) {
	f.Add("SECRET_KEY='x'\nexport ADDR=:1 # c\n")
	f.Add("A=\"unterminated secret\nB=1")
	f.Add("KEY: yaml\n\"Q\"=1\n=x\n\r\n#")
	f.Add("DB_PASSWORD=\"a\\\"b\\n$DB_USER${X}\"")
	f.Fuzz(func(t *testing.T, content string) {
		p := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(mapEnv(nil), p)
		var errs Errors
		if err != nil && !errors.As(err, &errs) && len(content) >= 8 {
			if msg := err.Error(); strings.Contains(msg, content) {
				t.Fatalf("parse error %q repeats the file", msg)
			}
		}
	})
}

func TestBodyReadTimeoutWithinRequestTimeout(t *testing.T) {
	errs := mustProblems(t, map[string]string{"REQUEST_TIMEOUT": "5s", "BODY_READ_TIMEOUT": "6s"}, "")
	if diff := cmp.Diff([]string{"BODY_READ_TIMEOUT"}, names(errs)); diff != "" {
		t.Errorf("(-want +got):\n%s\n%v", diff, errs)
	}
}
