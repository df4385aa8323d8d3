package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"reportapp/internal/config"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// env is what a subcommand may touch of the outside world; tests pass their own.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server (the default)", cmdServe},
		{"migrate", "apply database migrations and exit", cmdMigrate},
		{"healthcheck", "request /healthz on the configured port; exit 0 when healthy, 1 otherwise", cmdHealthcheck},
		{"org", "organisations: org create|allow-domain|disallow-domain|domains --slug acme", cmdOrg},
		{"user", "users: user create|role --org acme --email a@example.com --role admin", cmdUser},
		{"token", "API tokens: token create|revoke --org acme --email a@example.com", cmdToken},
		{"render", "render a JSON document to PDF offline: render doc.json -o out.pdf", cmdRender},
		{"export", "write a ZIP of PDFs and index.csv: export --org acme --date-from 2026-01-01 --out file.zip", cmdExport},
		{"schedules", "make the recurring invoices that are due: schedules run [--as-of 2026-04-30]", cmdSchedules},
		{"version", "print the version", cmdVersion},
		{"help", "show this help, or the configuration variables with 'help config'", cmdHelp},
	}
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCode maps an error returned by run to the process's exit status.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// run is the whole program: main only adds the process's signals, arguments and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	rest := args[1:]
	name := "serve"
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		name, rest = rest[0], rest[1:]
	}
	if name == "-h" || name == "--help" {
		name = "help"
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, e, rest)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	if len(rest) == 0 && len(args) > 1 && strings.HasPrefix(args[1], "-") {
		// Flags with no subcommand belong to serve.
		return cmdServe(ctx, e, args[1:])
	}
	printUsage(stderr)
	return usageError{fmt.Sprintf("unknown command %q", name)}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: reportapp [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command reads the configuration from the environment, optionally from a .env file")
	fmt.Fprintln(w, "given with --env-file (the real environment wins). 'reportapp help config' lists the variables;")
	fmt.Fprintln(w, "'reportapp COMMAND -h' shows a command's flags.")
}

// newFlags makes a subcommand's flag set with the common --env-file flag.
func newFlags(e env, name, usage string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	envFile := fs.String("env-file", "", "read variables from this .env file first (the environment wins)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: reportapp %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs, envFile
}

// parse parses args; a parse error is a usage error, -h is flag.ErrHelp.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// loadConfig loads the configuration and makes the logger it asks for.
func loadConfig(e env, envFile string) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load(e.getenv, envFile)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, newLogger(cfg, e.stderr), nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdVersion(_ context.Context, e env, args []string) error {
	fs, _ := newFlags(e, "version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reportapp %s\n", version)
	return nil
}

func cmdHelp(_ context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "config" {
		for _, k := range config.Keys() {
			def := k.Default
			if def == "" {
				def = "-"
			}
			fmt.Fprintf(e.stdout, "%-28s default %-12s %s\n", k.Name, def, k.Description)
			if len(k.Aliases) > 0 {
				fmt.Fprintf(e.stdout, "%-28s also read from: %s\n", "", strings.Join(k.Aliases, ", "))
			}
		}
		return nil
	}
	if len(args) > 0 {
		for _, c := range commands() {
			if c.name == args[0] && c.name != "help" {
				return c.run(context.Background(), e, []string{"-h"})
			}
		}
	}
	printUsage(e.stdout)
	return nil
}

func cmdHealthcheck(ctx context.Context, e env, args []string) error {
	fs, envFile := newFlags(e, "healthcheck", "healthcheck [--url http://127.0.0.1:5000/healthz]")
	url := fs.String("url", "", "the URL to request (default: /healthz on the configured ADDR)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *url == "" {
		cfg, err := config.Load(e.getenv, *envFile)
		if err != nil {
			return err
		}
		*url = "http://" + loopbackAddr(cfg.Addr) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return usageError{err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", *url, resp.Status)
	}
	fmt.Fprintln(e.stdout, "ok")
	return nil
}

// loopbackAddr turns a listen address such as ":5000" or "0.0.0.0:5000" into one to dial.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
