package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/pdf"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// testAPI is the application behind the real middleware chain on an httptest server, with two
// organisations: A (tokens of every role) and B (an admin token).
type testAPI struct {
	t      *testing.T
	db     *store.DB
	URL    string
	orgA   document.Organization
	orgB   document.Organization
	tokens map[string]string // "A-admin", "A-member", "A-viewer", "B-admin"
	queue  *jobs.Queue       // running; nil when started without one
	smtp   *mailtest.Server  // the mail server the queue sends through; nil without mail
}

var testRenderer = sync.OnceValues(pdf.New)

func mustAPI(t *testing.T, db *store.DB) *testAPI {
	t.Helper()
	a, stop := startAPI(t, db)
	t.Cleanup(stop)
	return a
}

// startAPI starts the API on db with the usual limits; the caller stops it.
func startAPI(t *testing.T, db *store.DB) (*testAPI, func()) {
	t.Helper()
	return startAPIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20})
}

// startAPIWith starts the API with its job queue running; the caller stops both.
func startAPIWith(t *testing.T, db *store.DB, lim testLimits) (*testAPI, func()) {
	t.Helper()
	ctx := context.Background()
	if lim.smtp == nil && !lim.noMail && !lim.noQueue {
		lim.smtp = mailtest.Start(t, mailtest.Options{})
	}
	h, queue := mustApp(t, db, lim)
	qctx, stopQueue := context.WithCancel(ctx)
	queueDone := make(chan error, 1)
	if queue != nil && !lim.idleQueue {
		go func() { queueDone <- queue.Run(qctx, 5*time.Second) }()
	} else {
		queueDone <- nil
	}
	ts := serveTest(t, db, h, h, lim)
	api := &testAPI{t: t, db: db, URL: ts.URL, tokens: map[string]string{}, queue: queue}
	if !lim.noMail && !lim.noQueue {
		api.smtp = lim.smtp
	}
	api.addOrgs()
	return api, func() {
		ts.Close()
		stopQueue()
		if err := <-queueDone; err != nil {
			t.Errorf("job queue: %v", err)
		}
	}
}

// addOrgs creates organisations A (tokens of every role) and B (an admin token).
func (a *testAPI) addOrgs() {
	a.t.Helper()
	ctx := context.Background()
	for _, o := range []struct {
		slug  string
		dst   *document.Organization
		roles []domain.Role
	}{{"org-a", &a.orgA, []domain.Role{"admin", "member", "viewer"}}, {"org-b", &a.orgB, []domain.Role{"admin"}}} {
		org, err := a.db.CreateOrganization(ctx, o.slug, "株式会社"+o.slug)
		if err != nil {
			a.t.Fatal(err)
		}
		org = storetest.MustRegister(a.t, a.db, org)
		*o.dst = org
		for _, role := range o.roles {
			u, err := a.db.CreateUser(ctx, string(role)+"@"+o.slug+".example.com", "")
			if err != nil {
				a.t.Fatal(err)
			}
			if err := a.db.SetMember(ctx, org.ID, u.ID, role); err != nil {
				a.t.Fatal(err)
			}
			tok, _, err := a.db.CreateToken(ctx, org.ID, u.ID, "test", role)
			if err != nil {
				a.t.Fatal(err)
			}
			a.tokens[strings.ToUpper(o.slug[4:])+"-"+string(role)] = tok
		}
	}
}

// do sends a request with the token of who ("" for none) and returns status, headers and body.
func (a *testAPI) do(who, method, path string, body any, hdr ...string) (int, http.Header, []byte) {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, a.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[who])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// mustJSON does a request that must answer want, and decodes the body into v.
func (a *testAPI) mustJSON(want int, v any, who, method, path string, body any, hdr ...string) {
	a.t.Helper()
	code, _, data := a.do(who, method, path, body, hdr...)
	if code != want {
		a.t.Fatalf("%s %s = %d, want %d: %s", method, path, code, want, data)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
}

func customerBody(name string) map[string]any {
	return map[string]any{"name": name, "honorific": "御中", "address": "東京都千代田区1-1"}
}

func invoiceBody(customerID string) map[string]any {
	return map[string]any{
		"kind": "invoice", "customer_id": customerID, "issue_date": "2026-11-27",
		"transaction_date": "2026-11-20", "due_date": "2026-12-31", "subject": "11月分",
		"items": []map[string]any{
			{"name": "コンサルティング", "quantity": "1.5", "unit": "時間", "unit_price": 20000, "tax_rate": 10},
			{"name": "お弁当", "quantity": "3", "unit": "個", "unit_price": 105, "tax_rate": 8},
		},
	}
}

// fixture creates, in organisation A, a customer, a draft and an issued invoice.
func (a *testAPI) fixture() (customer document.Customer, draft, issued document.Document) {
	a.t.Helper()
	a.mustJSON(201, &customer, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))
	a.mustJSON(201, &draft, "A-member", "POST", "/api/v1/documents", invoiceBody(customer.ID))
	a.mustJSON(201, &issued, "A-member", "POST", "/api/v1/documents", invoiceBody(customer.ID))
	a.mustJSON(200, &issued, "A-member", "POST", "/api/v1/documents/"+issued.ID+"/issue", nil)
	return
}

func TestDocumentLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))

		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", invoiceBody(c.ID))
		if d.Status != document.Draft || d.Number != nil || d.Version != 1 {
			t.Fatalf("new document: status %s number %v version %d", d.Status, d.Number, d.Version)
		}
		// 1.5 × 20000 = 30000 at 10% → tax 3000; 3 × 105 = 315 at 8% → 25.2 → 25 (floor, once per rate).
		want := document.Totals{ByRate: []document.RateTotal{{Rate: 10, Net: 30000, Tax: 3000, Gross: 33000, Category: document.CategoryStandard}, {Rate: 8, Net: 315, Tax: 25, Gross: 340, Category: document.CategoryReduced}},
			Net: 30315, Tax: 3025, Gross: 33340, AmountDue: 33340}
		if fmt.Sprint(d.Totals) != fmt.Sprint(want) {
			t.Errorf("totals = %+v, want %+v", d.Totals, want)
		}

		// Update with the version in If-Match; a stale version is 412.
		body := invoiceBody(c.ID)
		body["subject"] = "11月分（修正）"
		a.mustJSON(200, &d, "A-member", "PUT", "/api/v1/documents/"+d.ID, body, "If-Match", `"1"`)
		if d.Version != 2 || d.Subject != "11月分（修正）" {
			t.Errorf("after update: version %d subject %q", d.Version, d.Subject)
		}
		body["version"] = 1
		a.mustJSON(412, nil, "A-member", "PUT", "/api/v1/documents/"+d.ID, body)

		a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+d.ID+"/issue", nil)
		if d.Status != document.Issued || d.Number == nil || *d.Number != "INV-0001" || d.Customer == nil || d.Customer.Name != "株式会社サンプル" {
			t.Fatalf("issued: %+v", d)
		}
		// Issuing twice, editing or deleting an issued document: 409.
		a.mustJSON(409, nil, "A-member", "POST", "/api/v1/documents/"+d.ID+"/issue", nil)
		body["version"] = d.Version
		a.mustJSON(409, nil, "A-member", "PUT", "/api/v1/documents/"+d.ID, body)
		a.mustJSON(409, nil, "A-member", "DELETE", "/api/v1/documents/"+d.ID, nil)
		// The customer is in use: it cannot be deleted.
		a.mustJSON(409, nil, "A-member", "DELETE", "/api/v1/customers/"+c.ID, nil)

		// Editing the customer leaves the issued snapshot as it was.
		a.mustJSON(200, nil, "A-member", "PUT", "/api/v1/customers/"+c.ID, customerBody("株式会社サンプル（新社名）"))
		var again document.Document
		a.mustJSON(200, &again, "A-viewer", "GET", "/api/v1/documents/"+d.ID, nil)
		if again.Customer == nil || again.Customer.Name != "株式会社サンプル" {
			t.Errorf("issued snapshot changed with the customer: %+v", again.Customer)
		}

		// The PDF: strong ETag, 304 on If-None-Match, a UTF-8 file name.
		code, hdr, pdfBytes := a.do("A-viewer", "GET", "/api/v1/documents/"+d.ID+"/pdf?download=1", nil)
		if code != 200 || hdr.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdfBytes, []byte("%PDF-")) {
			t.Fatalf("pdf: %d %s %.20q", code, hdr.Get("Content-Type"), pdfBytes)
		}
		etag := hdr.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8_INV-0001.pdf") {
			t.Errorf("pdf headers: ETag %q, Content-Disposition %q", etag, hdr.Get("Content-Disposition"))
		}
		if code, _, _ := a.do("A-viewer", "GET", "/api/v1/documents/"+d.ID+"/pdf", nil, "If-None-Match", etag); code != 304 {
			t.Errorf("If-None-Match = %d, want 304", code)
		}

		a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+d.ID+"/cancel", nil)
		if d.Status != document.Cancelled || *d.Number != "INV-0001" {
			t.Errorf("cancelled: status %s number %v", d.Status, d.Number)
		}
		var hist struct{ Items []document.Event }
		a.mustJSON(200, &hist, "A-viewer", "GET", "/api/v1/documents/"+d.ID+"/history", nil)
		var actions []string
		for _, e := range hist.Items {
			actions = append(actions, e.Action)
		}
		if strings.Join(actions, ",") != "create,update,issue,cancel" {
			t.Errorf("history actions = %v", actions)
		}
		if len(hist.Items) == 4 && (hist.Items[1].Before == nil || hist.Items[1].Before.Subject != "11月分") {
			t.Errorf("the update's event does not hold the prior content: %+v", hist.Items[1].Before)
		}
	})
}

func TestDocumentSearchAndCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("=cmd|' /C calc'!A0"))
		for i, price := range []int{1000, 50000, 200000} {
			b := invoiceBody(c.ID)
			b["transaction_date"] = fmt.Sprintf("2026-0%d-15", i+1)
			b["items"] = []map[string]any{{"name": "作業", "quantity": "1", "unit": "式", "unit_price": price, "tax_rate": 10}}
			a.mustJSON(201, nil, "A-member", "POST", "/api/v1/documents", b)
		}
		var page struct {
			Items      []document.Document
			NextCursor string `json:"next_cursor"`
		}
		a.mustJSON(200, &page, "A-viewer", "GET", "/api/v1/documents?total_min=10000&total_max=100000", nil)
		if len(page.Items) != 1 || page.Items[0].Totals.Gross != 55000 {
			t.Errorf("amount range: %+v", page.Items)
		}
		a.mustJSON(200, &page, "A-viewer", "GET", "/api/v1/documents?date_from=2026-02-01&date_to=2026-03-31&limit=1", nil)
		if len(page.Items) != 1 || page.NextCursor == "" || page.Items[0].TransactionDate.String() != "2026-03-15" {
			t.Fatalf("date range page 1: %+v", page)
		}
		a.mustJSON(200, &page, "A-viewer", "GET", "/api/v1/documents?date_from=2026-02-01&date_to=2026-03-31&limit=1&cursor="+page.NextCursor, nil)
		if len(page.Items) != 1 || page.Items[0].TransactionDate.String() != "2026-02-15" {
			t.Errorf("date range page 2: %+v", page)
		}
		var e struct{ Error domain.Error }
		a.mustJSON(422, &e, "A-viewer", "GET", "/api/v1/documents?date_from=2026-13-01&total_min=abc", nil)
		code, hdr, csv := a.do("A-viewer", "GET", "/api/v1/documents.csv?date_from=2026-01-01", nil)
		if code != 200 || !bytes.HasPrefix(csv, []byte("\xEF\xBB\xBF番号,")) || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s %.40q", code, hdr.Get("Content-Type"), csv)
		}
		if lines := strings.Count(string(csv), "\n"); lines != 4 {
			t.Errorf("csv has %d lines, want header + 3", lines)
		}
		if !strings.Contains(string(csv), `'=cmd|`) {
			t.Errorf("a formula-like customer name is not neutralised in the CSV:\n%s", csv)
		}
	})
}

// TestIsolationByRouteTable: for every route under /api/v1, organisation B's token never sees
// or changes organisation A's objects. Driven from the route table, so new routes are covered.
func TestIsolationByRouteTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		cust, draft, issued := a.fixture()
		var export struct{ ID string }
		a.mustJSON(202, &export, "A-member", "POST", "/api/v1/exports", nil)
		var pay struct{ ID string }
		a.mustJSON(201, &pay, "A-member", "POST", "/api/v1/documents/"+issued.ID+"/payments", map[string]any{"date": "2026-12-01", "amount": 100})
		code, stData := a.upload("A-member", "/api/v1/bank-statements", []byte("日付,入金,摘要\n2026/12/01,100,ﾀﾅｶ\n"), nil)
		var statement struct {
			ID    string
			Lines []struct{ ID string }
		}
		if code != 201 || json.Unmarshal(stData, &statement) != nil {
			t.Fatalf("upload: %d %s", code, stData)
		}
		var orgBefore document.Organization
		a.mustJSON(200, &orgBefore, "A-admin", "GET", "/api/v1/organization", nil)
		var schedule struct{ ID string }
		a.mustJSON(201, &schedule, "A-member", "POST", "/api/v1/schedules", scheduleBody(cust.ID))
		var allowed struct{ Domain string }
		a.mustJSON(200, &allowed, "A-admin", "PUT", "/api/v1/organization/allowed-domains/a-only.example", map[string]any{"role": "viewer"})
		var delivery struct{ ID string }
		a.mustJSON(202, &delivery, "A-member", "POST", "/api/v1/documents/"+issued.ID+"/send", map[string]any{"to": []string{"a@customer.example"}})
		a.mustJSON(200, nil, "A-admin", "PUT", "/api/v1/mail-settings", map[string]any{"sender_name": "A社"})
		for _, rt := range (&app{}).routes() {
			method, path, _ := strings.Cut(rt.pattern, " ")
			if !strings.HasPrefix(path, "/api/v1/") || rt.role == public {
				continue
			}
			var body any
			switch {
			case strings.HasPrefix(path, "/api/v1/customers"):
				body = customerBody("B社が書き換え")
				path = strings.ReplaceAll(path, "{id}", cust.ID)
			case strings.HasSuffix(path, "/payments") || strings.HasPrefix(path, "/api/v1/payments/"):
				body = map[string]any{"date": "2026-12-02", "amount": 1}
				if strings.HasPrefix(path, "/api/v1/payments/") {
					body = map[string]any{"reason": "B"}
				}
				path = strings.ReplaceAll(strings.ReplaceAll(path, "documents/{id}", "documents/"+issued.ID), "payments/{id}", "payments/"+pay.ID)
			case strings.HasSuffix(path, "/send") || strings.HasSuffix(path, "/remind"):
				body = map[string]any{"to": []string{"b@attacker.example"}}
				path = strings.ReplaceAll(path, "{id}", issued.ID)
			case strings.HasPrefix(path, "/api/v1/deliveries"):
				path = strings.ReplaceAll(path, "{id}", delivery.ID)
			case path == "/api/v1/mail-settings":
				body = map[string]any{"sender_name": "B社"}
			case strings.HasPrefix(path, "/api/v1/bank-statements"):
				body = map[string]any{"matches": []map[string]any{{"line_id": statement.Lines[0].ID, "document_ids": []string{issued.ID}}}}
				path = strings.ReplaceAll(path, "{id}", statement.ID)
			case strings.HasPrefix(path, "/api/v1/documents"):
				b := invoiceBody(cust.ID) // A's customer: B may not use it either
				b["version"] = draft.Version
				body = b
				id := draft.ID
				if strings.HasSuffix(path, "/cancel") {
					id = issued.ID
				}
				path = strings.ReplaceAll(path, "{id}", id)
			case strings.HasPrefix(path, "/api/v1/exports"):
				body = map[string]any{"customer_id": cust.ID}
				path = strings.ReplaceAll(path, "{id}", export.ID)
			case strings.HasPrefix(path, "/api/v1/schedules"):
				body = scheduleBody(cust.ID)
				path = strings.ReplaceAll(path, "{id}", schedule.ID)
			case path == "/api/v1/organization":
				body = map[string]any{"name": "B社"}
			case strings.HasPrefix(path, "/api/v1/organization/allowed-domains"):
				// B's rules for the same domain are B's own; A's must stay as they were.
				body = map[string]any{"role": "admin"}
				path = strings.ReplaceAll(path, "{domain}", allowed.Domain)
			}
			if method == "GET" || method == "DELETE" {
				body = nil
			}
			t.Run(rt.pattern, func(t *testing.T) {
				code, _, data := a.do("B-admin", method, path, body)
				switch {
				case strings.Contains(path, "{"):
					t.Fatalf("unsubstituted path %s", path)
				case strings.HasSuffix(rt.pattern, "{id}") || strings.Contains(rt.pattern, "{id}/"):
					if code != 404 {
						t.Errorf("B %s %s = %d, want 404: %s", method, path, code, data)
					}
				case rt.pattern == "POST /api/v1/documents":
					if code < 400 || code >= 500 {
						t.Errorf("B %s %s with A's customer = %d, want a 4xx: %s", method, path, code, data)
					}
				default:
					if code >= 500 {
						t.Errorf("B %s %s = %d", method, path, code)
					}
				}
				for _, id := range []string{cust.ID, draft.ID, issued.ID, export.ID, schedule.ID, a.orgA.ID, pay.ID, statement.ID, delivery.ID} {
					if bytes.Contains(data, []byte(id)) {
						t.Errorf("B %s %s answered with A's id %s: %s", method, path, id, data)
					}
				}
			})
		}
		// Nothing of A changed.
		var d document.Document
		a.mustJSON(200, &d, "A-viewer", "GET", "/api/v1/documents/"+draft.ID, nil)
		if d.Version != draft.Version || d.Status != document.Draft {
			t.Errorf("A's draft changed: %+v", d)
		}
		a.mustJSON(200, &d, "A-viewer", "GET", "/api/v1/documents/"+issued.ID, nil)
		if d.Status != document.Issued {
			t.Errorf("A's issued document changed: %s", d.Status)
		}
		var c document.Customer
		a.mustJSON(200, &c, "A-viewer", "GET", "/api/v1/customers/"+cust.ID, nil)
		if c.Name != "株式会社サンプル" {
			t.Errorf("A's customer changed: %q", c.Name)
		}
		var org document.Organization
		a.mustJSON(200, &org, "A-viewer", "GET", "/api/v1/organization", nil)
		if org.Name != orgBefore.Name {
			t.Errorf("A's organisation changed: %q", org.Name)
		}
		var settings store.MailSettings
		a.mustJSON(200, &settings, "A-viewer", "GET", "/api/v1/mail-settings", nil)
		if settings.SenderName != "A社" {
			t.Errorf("A's mail settings changed: %+v", settings)
		}
		var dl store.Delivery
		a.mustJSON(200, &dl, "A-viewer", "GET", "/api/v1/deliveries/"+delivery.ID, nil)
		if dl.LinkRevokedAt != nil {
			t.Errorf("A's delivery link was revoked by B")
		}
		var domains struct{ Items []store.AllowedDomain }
		a.mustJSON(200, &domains, "A-admin", "GET", "/api/v1/organization/allowed-domains", nil)
		if len(domains.Items) != 1 || domains.Items[0].Role != "viewer" {
			t.Errorf("A's allowed domains changed: %+v", domains.Items)
		}
	})
}

// TestRolesByRouteTable: a token below a route's role gets 403; one at the role does not.
func TestRolesByRouteTable(t *testing.T) {
	a := mustAPI(t, storetest.Open(t))
	below := map[domain.Role]string{member: "A-viewer", admin: "A-member"}
	at := map[domain.Role]string{viewer: "A-viewer", member: "A-member", admin: "A-admin"}
	for _, rt := range (&app{}).routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if rt.role == public || !strings.HasPrefix(path, "/api/") {
			continue // browser routes use sessions: TestUIRolesByRouteTable covers them
		}
		path = strings.ReplaceAll(path, "{id}", "00000000-0000-0000-0000-000000000000")
		if who, ok := below[rt.role]; ok {
			if code, _, data := a.do(who, method, path, "{}"); code != 403 {
				t.Errorf("%s with %s = %d, want 403: %s", rt.pattern, who, code, data)
			}
		}
		if code, _, data := a.do(at[rt.role], method, path, "{}"); code == 403 || code == 401 {
			t.Errorf("%s with %s = %d, want allowed: %s", rt.pattern, at[rt.role], code, data)
		}
		if code, _, _ := a.do("", method, path, "{}"); code != 401 {
			t.Errorf("%s without a token = %d, want 401", rt.pattern, code)
		}
	}
}

func TestErrorStatuses(t *testing.T) {
	a := mustAPI(t, storetest.Open(t))
	cust, draft, _ := a.fixture()
	okBody, _ := json.Marshal(invoiceBody(cust.ID))
	badQty := invoiceBody(cust.ID)
	badQty["items"].([]map[string]any)[0]["quantity"] = "abc"
	for _, tc := range []struct {
		name, who, method, path string
		body                    any
		hdr                     []string
		want                    int
		field                   string
	}{
		{"malformed JSON", "A-member", "POST", "/api/v1/documents", `{"kind":`, nil, 400, ""},
		{"unknown field", "A-member", "POST", "/api/v1/documents", `{"kind":"invoice","colour":"red"}`, nil, 400, ""},
		{"no token", "", "GET", "/api/v1/documents", nil, nil, 401, ""},
		{"bad token", "A-nobody", "GET", "/api/v1/documents", nil, nil, 401, ""},
		{"viewer creates", "A-viewer", "POST", "/api/v1/documents", okBody, nil, 403, ""},
		{"not found", "A-viewer", "GET", "/api/v1/documents/nope", nil, nil, 404, ""},
		{"stale version", "A-member", "PUT", "/api/v1/documents/" + draft.ID, okBody, []string{"If-Match", `"7"`}, 412, ""},
		{"no version", "A-member", "PUT", "/api/v1/documents/" + draft.ID, okBody, nil, 422, "version"},
		{"too large", "A-member", "POST", "/api/v1/documents", `{"notes":"` + strings.Repeat("x", 2<<20) + `"}`, nil, 413, ""},
		{"not JSON", "A-member", "POST", "/api/v1/documents", okBody, []string{"Content-Type", "text/plain"}, 415, ""},
		{"bad quantity", "A-member", "POST", "/api/v1/documents", badQty, nil, 422, "items[0].quantity"},
		{"missing customer", "A-member", "POST", "/api/v1/documents", `{"kind":"invoice","items":[]}`, nil, 422, "customer_id"},
		{"bad registration number", "A-admin", "PUT", "/api/v1/organization", `{"name":"株式会社A","registration_number":"T123"}`, nil, 422, "registration_number"},
		{"bad honorific", "A-member", "POST", "/api/v1/customers", `{"name":"x","honorific":"殿"}`, nil, 422, "honorific"},
		{"bad filter", "A-viewer", "GET", "/api/v1/documents?kind=poem", nil, nil, 422, "kind"},
		{"unknown route", "A-viewer", "GET", "/api/v1/nope", nil, nil, 404, ""},
		{"wrong method", "A-viewer", "PATCH", "/api/v1/documents/x", nil, nil, 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, hdr, data := a.do(tc.who, tc.method, tc.path, tc.body, tc.hdr...)
			if code != tc.want {
				t.Fatalf("= %d, want %d: %s", code, tc.want, data)
			}
			var e struct {
				Error struct {
					Code, Message string
					Fields        map[string]string
				}
			}
			if err := json.Unmarshal(data, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("error body %q (Content-Type %s): %v", data, hdr.Get("Content-Type"), err)
			}
			if tc.field != "" && e.Error.Fields[tc.field] == "" {
				t.Errorf("no message for field %s: %+v", tc.field, e.Error.Fields)
			}
		})
	}
}

// TestConcurrentIssueThroughAPI: 50 drafts issued at once get exactly INV-0001…INV-0050.
func TestConcurrentIssueThroughAPI(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))
		ids := make([]string, 50)
		for i := range ids {
			var d document.Document
			a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", invoiceBody(c.ID))
			ids[i] = d.ID
		}
		numbers := make(chan string, len(ids))
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var d document.Document
				a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+id+"/issue", nil)
				numbers <- *d.Number
			}()
		}
		wg.Wait()
		close(numbers)
		seen := map[string]bool{}
		for n := range numbers {
			seen[n] = true
		}
		for i := 1; i <= len(ids); i++ {
			if !seen[fmt.Sprintf("INV-%04d", i)] {
				t.Errorf("number INV-%04d missing; got %d distinct numbers", i, len(seen))
			}
		}
	})
}

// TestOpenAPIMatchesRoutes: every route under /api/v1 is in openapi.json and vice versa.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(openAPISpec, &spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", spec.OpenAPI)
	}
	inSpec := map[string]bool{}
	for path, ops := range spec.Paths {
		for m := range ops {
			if m != "parameters" {
				inSpec[strings.ToUpper(m)+" "+path] = true
			}
		}
	}
	inRoutes := map[string]bool{}
	for _, rt := range (&app{}).routes() {
		if strings.Contains(rt.pattern, " /api/v1/") {
			inRoutes[rt.pattern] = true
			if !inSpec[rt.pattern] {
				t.Errorf("route %s is not in openapi.json", rt.pattern)
			}
		}
	}
	for op := range inSpec {
		if !inRoutes[op] {
			t.Errorf("openapi.json has %s, which is not a route", op)
		}
	}
}

// TestOpenAPIErrorCodes: the error codes openapi.json lists are exactly the codes that exist.
func TestOpenAPIErrorCodes(t *testing.T) {
	var spec struct {
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties struct {
								Code struct {
									Enum []domain.Code `json:"enum"`
								} `json:"code"`
							} `json:"properties"`
						} `json:"error"`
					} `json:"properties"`
				} `json:"Error"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPISpec, &spec); err != nil {
		t.Fatal(err)
	}
	got := spec.Components.Schemas.Error.Properties.Error.Properties.Code.Enum
	slices.Sort(got)
	if diff := cmp.Diff(domain.Codes(), got); diff != "" {
		t.Errorf("openapi.json error codes (-domain +openapi):\n%s", diff)
	}
}

// FuzzCreateDocument: whatever a client posts, the API answers with a status below 500.
func FuzzCreateDocument(f *testing.F) {
	data, _ := json.Marshal(invoiceBody("x"))
	f.Add(data)
	f.Add([]byte(`{"kind":"invoice","items":[{"name":"a","quantity":"99999999999","unit_price":9223372036854775807,"tax_rate":10}]}`))
	f.Add([]byte(`{"kind":"credit_note","transaction_period":{"from":"2026-01-01","to":"2025-01-01"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a := fuzzAPI(t)
		s := strings.ReplaceAll(string(body), `"x"`, `"`+a.custID+`"`)
		code, _, resp := a.api.do("A-member", "POST", "/api/v1/documents", s)
		if code >= 500 {
			t.Fatalf("status %d for %q: %s", code, body, resp)
		}
	})
}

type fuzzFixture struct {
	api    *testAPI
	custID string
}

var fuzzOnce struct {
	sync.Mutex
	f *fuzzFixture
}

// fuzzAPI shares one API across fuzz iterations (building one per input would be all the work).
func fuzzAPI(t *testing.T) *fuzzFixture {
	fuzzOnce.Lock()
	defer fuzzOnce.Unlock()
	if fuzzOnce.f == nil {
		dir, err := os.MkdirTemp("", "reportapp-fuzz-")
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(context.Background(), "sqlite", dir+"/fuzz.db", store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		api, _ := startAPI(t, db) // shared by every iteration, never stopped
		var c document.Customer
		api.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))
		fuzzOnce.f = &fuzzFixture{api: api, custID: c.ID}
	}
	fuzzOnce.f.api.t = t
	return fuzzOnce.f
}
