package main

import (
	"context"
	"fmt"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
)

// cmdSchedules runs the recurring invoices that are due, with the code the periodic job runs.
func cmdSchedules(ctx context.Context, e env, args []string) error {
	const usage = "schedules run [--as-of 2026-04-30]"
	if _, done, err := subcommand(e, args, usage, "run"); done || err != nil {
		return err
	}
	fs, envFile := newFlags(e, "schedules run", usage)
	asOf := fs.String("as-of", "", "make every period due up to this date, YYYY-MM-DD (default: today in TIME_ZONE)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg, logger, err := loadConfig(e, *envFile)
	if err != nil {
		return err
	}
	day := document.Today(time.Now(), cfg.TimeZone)
	if *asOf != "" {
		if day, err = document.ParseDate(*asOf); err != nil {
			return usageError{fmt.Sprintf("schedules run: --as-of: %v", err)}
		}
	}
	db, err := openStore(ctx, cfg, logger, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()
	results, err := jobs.RunSchedules(ctx, db, day, logger)
	made := 0
	for _, r := range results {
		switch {
		case r.Err != nil:
			fmt.Fprintf(e.stdout, "%s\t%s〜%s\tfailed: %v\n", r.ScheduleName, r.Run.Period.From, r.Run.Period.To, r.Err)
		case r.Created:
			made++
			number := r.Number
			if number == "" {
				number = "(draft)"
			}
			fmt.Fprintf(e.stdout, "%s\t%s〜%s\t%s\t%s\t%s\n", r.ScheduleName, r.Run.Period.From, r.Run.Period.To, number, r.DocumentID, r.Note)
		}
	}
	fmt.Fprintf(e.stdout, "%d invoices made for periods due by %s\n", made, day)
	return err
}
