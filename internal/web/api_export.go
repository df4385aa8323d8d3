package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// exportFilterKeys are the document list's filters that an export takes; paging does not apply.
// include_pint is the one option: the JP PINT XML beside each issued invoice's PDF.
var exportFilterKeys = []string{"kind", "status", "customer_id", "date_from", "date_to", "total_min", "total_max", "q", "include_pint"}

// exportFilter reads the filters of an export from the query and, when there is one, a JSON
// object body of the same names (the body wins), and checks them like the document list does.
func exportFilter(r *http.Request) (document.Filter, error) {
	q := url.Values{}
	for _, k := range exportFilterKeys {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if server.IsBodyTooLarge(err) {
			return document.Filter{}, err
		}
		return document.Filter{}, domain.Errorf(domain.EBadRequest, "リクエスト本文を読めません (cannot read body): %v", err)
	}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := requireJSON(r); err != nil {
			return document.Filter{}, err
		}
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil || dec.More() {
			return document.Filter{}, domain.Errorf(domain.EBadRequest, "本文は検索条件の JSON オブジェクトです (body must be a JSON object of filters)")
		}
		for k, v := range body {
			known := false
			for _, key := range exportFilterKeys {
				known = known || k == key
			}
			if !known {
				return document.Filter{}, domain.Errorf(domain.EBadRequest, "不明な項目です (unknown field %q)", k)
			}
			switch v := v.(type) {
			case string:
				q.Set(k, v)
			case json.Number:
				q.Set(k, v.String())
			case bool:
				q.Set(k, strconv.FormatBool(v))
			case nil:
				q.Del(k)
			default:
				return document.Filter{}, invalid(k, "文字列か数値です (a string or a number)")
			}
		}
	}
	return parseExportFilter(q)
}

// parseExportFilter is parseFilter with the export's option include_pint: true, false, or a
// checkbox's "on".
func parseExportFilter(q url.Values) (document.Filter, error) {
	f, err := parseFilter(q)
	if err != nil {
		return f, err
	}
	switch v := q.Get("include_pint"); v {
	case "", "false", "0":
	case "true", "1", "on":
		f.IncludePINT = true
	default:
		return f, invalid("include_pint", "true か false です (must be true or false)")
	}
	return f, nil
}

// errNoJobs answers export requests of a process built without a job queue.
func errNoJobs() error {
	return &domain.Error{Code: domain.EUnavailable, Message: "エクスポートは利用できません (exports are not available)"}
}

// createExport queues an export of the caller's organisation for the API and the UI. Beyond the
// organisation's bounds it is refused: 429 with Retry-After when too many are queued or running,
// 409 when its exports hold the stored bytes allowed.
func (a *app) createExport(w http.ResponseWriter, r *http.Request, p domain.Principal, f document.Filter) (jobs.Export, error) {
	if a.Jobs == nil {
		return jobs.Export{}, errNoJobs()
	}
	f.Lang = a.csvLang(r) // of index.csv
	e, err := a.Jobs.CreateExport(r.Context(), p.OrgID, p.UserID, f)
	if domain.ErrorCode(err) == domain.ERateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(store.ExportRetryAfter))
	}
	return e, err
}

// exportCreate queues a bulk PDF export of the documents matching the filters: 202 with the
// export, whose progress GET /api/v1/exports/{id} shows.
func (a *app) exportCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	f, err := exportFilter(r)
	if err != nil {
		return err
	}
	e, err := a.createExport(w, r, p, f)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/exports/"+e.ID)
	writeJSON(w, http.StatusAccepted, e)
	return nil
}

// exportOf returns the caller's organisation's export named by the path's {id}: ENotFound for
// another organisation's, an expired one, and any when the process has no job queue. The API and
// the UI both look exports up through it.
func (a *app) exportOf(r *http.Request, p domain.Principal) (jobs.Export, error) {
	if a.Jobs == nil {
		return jobs.Export{}, errNoExport()
	}
	return a.Jobs.GetExport(r.Context(), p.OrgID, r.PathValue("id"))
}

// errNoExport is the answer for an export that does not exist for the caller.
func errNoExport() error {
	return domain.Errorf(domain.ENotFound, "エクスポートが見つかりません (export not found)")
}

func (a *app) exportGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	e, err := a.exportOf(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

// exportDownload streams the finished ZIP, one stored chunk in memory at a time; until it is
// done, and for other organisations, 404.
// The UI's download link uses it too.
func (a *app) exportDownload(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if a.Jobs == nil {
		return errNoExport()
	}
	e, zr, err := a.Jobs.OpenExportZIP(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("書類_%s.zip", e.CreatedAt.In(a.loc).Format("20060102_150405"))
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.FormatInt(e.Size, 10))
	w.Header().Set("Content-Disposition", `attachment; filename="export.zip"; filename*=UTF-8''`+url.PathEscape(name))
	w.Header().Set("Cache-Control", "private, no-store")
	// The ZIP streams from the database a chunk at a time. Once the headers are out an error can
	// only cut the response short, which the client sees against Content-Length.
	if _, err := io.Copy(w, zr); err != nil && r.Context().Err() == nil {
		server.Logger(r.Context()).Warn("export download cut short", "export", e.ID, "err", err)
	}
	return nil
}
