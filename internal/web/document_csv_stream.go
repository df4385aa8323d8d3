package web

import (
	"context"
	"net/http"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
)

// CSVTimeout is the deadline of the CSV of the document list, instead of REQUEST_TIMEOUT: the
// CSV streams every matching document (about 20,000 rows a second), so ten years of records
// are not cut off by the deadline of an ordinary request.
const CSVTimeout = 15 * time.Minute

// csvPageSize is how many documents the CSV reads per query: memory holds one page (a few
// hundred bytes a document), and each page is a round trip to the database.
const csvPageSize = store.MaxCSVPageLimit

// RouteTimeout is server.Options.RouteTimeout for this application's routes: the CSV of the
// document list (API and browser) has CSVTimeout, every other route the server's default (0).
func RouteTimeout(r *http.Request) time.Duration {
	if r.Method == http.MethodGet && (r.URL.Path == "/api/v1/documents.csv" || r.URL.Path == "/documents.csv") {
		return CSVTimeout
	}
	return 0
}

// searchPage is one page of the CSV's documents; tests replace it (app.csvSearch) to fail
// midway.
type searchPage func(ctx context.Context, orgID string, f document.Filter, page domain.Page) ([]document.Document, string, error)

// abortCSV ends a CSV whose header is sent but whose rows could not all be read: the response
// is aborted (http.ErrAbortHandler), so the chunked body lacks its final chunk and every client,
// even one that checks only the status, sees a failed transfer instead of a short file.
func (a *app) abortCSV(r *http.Request, rows int, err error) {
	a.Logger.Error("csv export aborted", "path", r.URL.Path, "rows", rows, "err", err)
	panic(http.ErrAbortHandler)
}
