package web

import (
	"errors"
	"net/http"
	"net/url"

	"reportapp/internal/domain"
	"reportapp/internal/jobs"
)

// exportViewData is the export page: the export's progress and, once it is done, its download.
type exportViewData struct {
	E jobs.Export
	// Refused is set when a new export was refused (too many at once, or the organisation's
	// exports hold all they may): the page then says why, beside a button that asks again for
	// the same search (Query) and the way back to it.
	Refused bool
	Query   url.Values
}

// Back is the document list of the refused export's search.
func (d exportViewData) Back() string {
	if len(d.Query) == 0 {
		return "/documents"
	}
	return "/documents?" + d.Query.Encode()
}

// Polling reports whether the page should keep asking for progress (htmx polls only then).
func (d exportViewData) Polling() bool {
	return d.E.Status == jobs.Queued || d.E.Status == jobs.Running
}

// Max is the <progress> bar's max attribute: the number of documents, once known.
func (d exportViewData) Max() int {
	if d.E.Total > 0 {
		return d.E.Total
	}
	return 1
}

// Value is the bar's value attribute: the documents rendered so far. It is -1 while the total
// is unknown (a queued export), and the bar is then left indeterminate.
func (d exportViewData) Value() int {
	switch {
	case d.E.Total > 0:
		return d.E.Done
	case d.E.Status == jobs.Done:
		return 1 // an export of no documents is complete
	}
	return -1
}

// exportCreate queues a bulk PDF export of the document list's current search (the form carries
// the same filters as the list's query) and shows its progress page. Filters that do not parse
// re-render the document list with the messages beside the fields; an export refused for the
// organisation's bounds re-renders this page with the reason (429 or 409).
func (u *ui) exportCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range exportFilterKeys {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	f, err := parseExportFilter(q)
	if _, ok := fieldErrors(err); ok {
		list := r.Clone(r.Context())
		list.Method = http.MethodGet
		list.URL.RawQuery = q.Encode()
		return u.documentList(w, list, p)
	}
	if err != nil {
		return err
	}
	e, err := u.createExport(w, r, p, f)
	var de *domain.Error
	if errors.As(err, &de) && (de.Code == domain.ERateLimited || de.Code == domain.EConflict) {
		return u.render(w, r, de.Code.Status(), "export.html", view{Title: "export.title", Nav: "documents",
			Error: inLang(de.Message, requestLang(r)), Data: exportViewData{Refused: true, Query: q}})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/exports/"+e.ID)
}

// exportView shows an export's progress. htmx polls it every second while the export is queued or
// running and swaps in the progress fragment alone; the finished fragment no longer polls and
// offers the download. Another organisation's export is 404.
func (u *ui) exportView(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	e, err := u.exportOf(r, p)
	if err != nil {
		if isHTMX(r) && domain.ErrorCode(err) == domain.ENotFound {
			// Gone (expired) while the page polled: 286 tells htmx to stop polling.
			w.WriteHeader(286)
			return nil
		}
		return err
	}
	name := "export.html"
	if isHTMX(r) {
		name = "export_progress"
	}
	return u.render(w, r, http.StatusOK, name, view{Title: "export.title", Nav: "documents", Data: exportViewData{E: e}})
}
