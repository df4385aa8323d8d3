// Command reportapp is the self-hosted Japanese business-document service: one binary that serves
// the web UI and JSON API, renders PDFs, runs migrations and administers organisations.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "reportapp:", err)
		os.Exit(exitCode(err))
	}
}
