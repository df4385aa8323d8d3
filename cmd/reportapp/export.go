package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/pdf"
)

const exportUsage = "export --org acme [--kind invoice] [--status issued] [--date-from 2026-01-01] [--date-to 2026-01-31] --out file.zip"

// cmdExport writes a bulk export ZIP directly, with the code the export job runs, not through the
// queue: for scripts and for exports too large to keep in the database.
func cmdExport(ctx context.Context, e env, args []string) error {
	fs, envFile := newFlags(e, "export", exportUsage)
	org := fs.String("org", "", "organisation slug (required)")
	kind := fs.String("kind", "", "document kind: invoice, quote, delivery_note, receipt, credit_note")
	status := fs.String("status", "", "draft, issued or cancelled")
	customer := fs.String("customer-id", "", "only this customer's documents")
	from := fs.String("date-from", "", "transaction (else issue) date from, YYYY-MM-DD")
	to := fs.String("date-to", "", "transaction (else issue) date to, YYYY-MM-DD")
	query := fs.String("q", "", "free text: number, subject, customer, item names")
	out := fs.String("out", "", "the ZIP file to write (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *org == "" || *out == "" {
		return usageError{"export: --org and --out are required"}
	}
	f := document.Filter{Kind: document.Kind(*kind), Status: document.Status(*status), CustomerID: *customer, Query: *query}
	if f.Kind != "" && !f.Kind.Valid() {
		return usageError{fmt.Sprintf("export: unknown --kind %q", *kind)}
	}
	if f.Status != "" && !f.Status.Valid() {
		return usageError{fmt.Sprintf("export: unknown --status %q", *status)}
	}
	for _, d := range []struct {
		flag, v string
		dst     **document.Date
	}{{"--date-from", *from, &f.DateFrom}, {"--date-to", *to, &f.DateTo}} {
		if d.v == "" {
			continue
		}
		date, err := document.ParseDate(d.v)
		if err != nil {
			return usageError{fmt.Sprintf("export: %s: %v", d.flag, err)}
		}
		*d.dst = &date
	}

	cfg, logger, err := loadConfig(e, *envFile)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, logger, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.GetOrganizationBySlug(ctx, *org)
	if err != nil {
		return err
	}
	renderer, err := pdf.New()
	if err != nil {
		return err
	}

	// Write next to the target and rename at the end, so a failed export leaves no partial ZIP.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".export-*.zip")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	bar := newProgressBar(e.stderr)
	x := &jobs.Exporter{Store: db, Renderer: renderer, Workers: cfg.PDFWorkers, Location: cfg.TimeZone}
	started := time.Now()
	sum, err := x.WriteZIP(ctx, w, o.ID, f, bar.update)
	bar.finish()
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), *out)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	took := time.Since(started)
	fmt.Fprintf(e.stdout, "%s: %d documents (%d failed, see index.csv), %d bytes in %s (%.1f documents/s)\n",
		*out, sum.Done, sum.Failed, sum.Bytes, took.Round(time.Millisecond), float64(sum.Done)/max(took.Seconds(), 1e-9))
	if sum.Failed > 0 {
		return fmt.Errorf("export: %d of %d documents failed to render; they are listed in index.csv", sum.Failed, sum.Done)
	}
	return nil
}

// progressBar draws "[#####     ] 12/40" on a terminal; elsewhere it draws nothing.
type progressBar struct {
	w    io.Writer
	last time.Time
	on   bool
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok {
		return &progressBar{}
	}
	st, err := f.Stat()
	return &progressBar{w: w, on: err == nil && st.Mode()&os.ModeCharDevice != 0}
}

func (b *progressBar) update(done, total int) {
	if !b.on || (done != total && time.Since(b.last) < 100*time.Millisecond) {
		return
	}
	b.last = time.Now()
	const width = 30
	filled := width
	if total > 0 {
		filled = width * done / total
	}
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(" ", width-filled), done, total)
}

func (b *progressBar) finish() {
	if b.on {
		fmt.Fprintln(b.w)
	}
}
