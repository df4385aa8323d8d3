package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

// parseFilter reads the document search criteria shared by the list, the CSV export and bulk
// exports. Every problem is reported at once, per parameter.
func parseFilter(q url.Values) (document.Filter, error) {
	fe := domain.FieldErrors{}
	f := readFilter(q, fe)
	return f, fe.Err()
}

// parseSearch reads the search criteria and the page (limit, cursor) of a document list.
func parseSearch(q url.Values) (document.Filter, domain.Page, bool, error) {
	fe := domain.FieldErrors{}
	f := readFilter(q, fe)
	page, full, err := listPage(q)
	if err != nil {
		return f, page, full, err
	}
	return f, page, full, fe.Err()
}

// maxFullPageLimit caps a list that includes line items (include=items). A document holds at
// most document.MaxItems lines, so one list response holds at most domain.MaxPageLimit (500)
// summaries or 50 whole documents.
const maxFullPageLimit = 50

// listPage reads limit, cursor and include of a list: include=items returns whole documents (at
// most maxFullPageLimit), otherwise they are summaries without their lines.
func listPage(q url.Values) (domain.Page, bool, error) {
	full := false
	switch v := q.Get("include"); v {
	case "":
	case "items":
		full = true
	default:
		return domain.Page{}, false, invalid("include", "items だけを指定できます (only \"items\")")
	}
	max := domain.MaxPageLimit
	if full {
		max = maxFullPageLimit
	}
	limit, err := intParam(q.Get("limit"), "limit", domain.DefaultPageLimit, 1, max)
	if err != nil {
		return domain.Page{}, false, err
	}
	return domain.Page{Limit: limit, Cursor: q.Get("cursor")}, full, nil
}

// documentSummary is a document in a list: without its lines unless they were asked for (the
// field shadows the document's own items).
type documentSummary struct {
	document.Document
	Items []document.Item `json:"items,omitempty"`
}

func summarize(d document.Document, full bool) *documentSummary {
	s := &documentSummary{Document: d}
	if full {
		s.Items = d.Items
	}
	s.Document.Items = nil
	return s
}

// eventView is a history event in the API, its before-state a summary like a list's.
type eventView struct {
	document.Event
	Before *documentSummary `json:"before"`
}

// readFilter reads the search criteria of q, recording problems in fe.
func readFilter(q url.Values, fe domain.FieldErrors) document.Filter {
	var f document.Filter
	if v := q.Get("kind"); v != "" {
		if f.Kind = document.Kind(v); !f.Kind.Valid() {
			fe.Add("kind", "invoice, quote, delivery_note, receipt, credit_note のいずれかです")
		}
	}
	if v := q.Get("status"); v != "" {
		if f.Status = document.Status(v); !f.Status.Valid() {
			fe.Add("status", "draft, issued, cancelled のいずれかです")
		}
	}
	f.CustomerID = q.Get("customer_id")
	for _, p := range []struct {
		name string
		dst  **document.Date
	}{{"date_from", &f.DateFrom}, {"date_to", &f.DateTo}} {
		if v := q.Get(p.name); v != "" {
			d, err := document.ParseDate(v)
			if err != nil {
				fe.Add(p.name, err.Error())
				continue
			}
			*p.dst = &d
		}
	}
	for _, p := range []struct {
		name string
		dst  **int64
	}{{"total_min", &f.TotalMin}, {"total_max", &f.TotalMax}} {
		if v := q.Get(p.name); v != "" {
			n, err := document.ParseYen(v) // "100,000", "１０００００", "¥100,000"
			if err != nil {
				fe.Add(p.name, "金額は整数 (円) で入力してください (an integer amount of yen)")
				continue
			}
			*p.dst = &n
		}
	}
	if f.DateFrom != nil && f.DateTo != nil && f.DateTo.Before(*f.DateFrom) {
		fe.Add("date_to", "終了日は開始日以降にしてください (date_to is before date_from)")
	}
	if f.TotalMin != nil && f.TotalMax != nil && *f.TotalMax < *f.TotalMin {
		fe.Add("total_max", "上限は下限以上にしてください (total_max is below total_min)")
	}
	for _, p := range []struct {
		name string
		dst  **document.Date
	}{{"due_from", &f.DueFrom}, {"due_to", &f.DueTo}} {
		if v := q.Get(p.name); v != "" {
			d, err := document.ParseDate(v)
			if err != nil {
				fe.Add(p.name, err.Error())
				continue
			}
			*p.dst = &d
		}
	}
	if v := q.Get("payment_status"); v != "" {
		if f.PaymentStatus = v; !receivables.ValidStatus(v) {
			fe.Add("payment_status", "paid, overdue, partially_paid, unpaid のいずれかです")
		}
	}
	f.Query = q.Get("q")
	if len([]rune(f.Query)) > 200 {
		fe.Add("q", "検索語が長すぎます (at most 200 characters)")
	}
	return f
}

// intParam parses an optional integer query parameter within [min, max].
func intParam(v, name string, def, min, max int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, invalid(name, "範囲外の値です (out of range: "+strconv.Itoa(min)+"–"+strconv.Itoa(max)+")")
	}
	return n, nil
}

func (a *app) documentList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	f, page, full, err := parseSearch(r.URL.Query())
	if err != nil {
		return err
	}
	search := a.Store.SearchDocumentSummaries
	if full {
		search = a.Store.SearchDocuments
	}
	docs, next, err := search(r.Context(), p.OrgID, f, page)
	if err != nil {
		return err
	}
	out := make([]*documentSummary, len(docs))
	for i, d := range docs {
		out[i] = summarize(d, full)
	}
	writeJSON(w, http.StatusOK, listResponse[*documentSummary]{Items: out, NextCursor: next})
	return nil
}

// documentCSV streams every document matching the filter as UTF-8 CSV with a BOM, so that Excel
// opens the Japanese text correctly: headings and values in the caller's language (csvLang),
// the net and tax of each rate, credit notes negative (document.DocumentCSVRow).
func (a *app) documentCSV(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		return err
	}
	// The first page is read before the status is sent, so that an early failure is a status.
	page := domain.Page{Limit: csvPageSize}
	docs, next, err := a.csvSearch(r.Context(), p.OrgID, f, page)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="documents.csv"; filename*=UTF-8''`+url.PathEscape("書類一覧.csv"))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	lang := a.csvLang(r)
	_ = cw.Write(document.DocumentCSVHeader(lang))
	rows := 0
	for {
		for _, d := range docs {
			_ = cw.Write(document.DocumentCSVRow(lang, d))
		}
		rows += len(docs)
		if next == "" {
			break
		}
		page.Cursor = next
		if docs, next, err = a.csvSearch(r.Context(), p.OrgID, f, page); err != nil {
			a.abortCSV(r, rows, err) // the status is sent: cut the response short, visibly
		}
	}
	cw.Flush()
	return nil
}
