package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"reportapp/internal/auth"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// testUI is the application behind the real middleware chain, with organisation A (an admin, a
// member and a viewer) and organisation B (an admin). A request names who sends it; the harness
// puts that member's principal into the context, as the session middleware would after login.
// (The real login is exercised by the browser tests.)
type testUI struct {
	t     testing.TB
	db    *store.DB
	URL   string
	who   map[string]domain.Principal // "A-admin", "A-member", "A-viewer", "B-admin"
	hc    *http.Client
	orgA  document.Organization
	custA document.Customer
	// queue takes exports but works none until runQueue.
	queue *jobs.Queue
	smtp  *mailtest.Server // the mail server the queue sends through
	h     *Handler         // the application, for tests that look inside it
}

func mustUI(t testing.TB, db *store.DB) *testUI {
	t.Helper()
	return mustUIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 4 << 20, smtp: mailtest.Start(t, mailtest.Options{})})
}

// mustUIWith is mustUI with other limits (noMail: sending is not configured).
func mustUIWith(t testing.TB, db *store.DB, lim testLimits) *testUI {
	t.Helper()
	ctx := context.Background()
	h, queue := mustApp(t, db, lim)
	u := &testUI{t: t, db: db, who: map[string]domain.Principal{}, queue: queue, smtp: lim.smtp, h: h}
	inject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := u.who[r.Header.Get("X-Test-As")]; ok {
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		h.ServeHTTP(w, r)
	})
	ts := serveTest(t, db, inject, h, lim)
	t.Cleanup(ts.Close)
	u.URL = ts.URL
	u.hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, o := range []struct {
		slug  string
		roles []domain.Role
	}{{"org-a", []domain.Role{admin, member, viewer}}, {"org-b", []domain.Role{admin}}} {
		org, err := db.CreateOrganization(ctx, o.slug, "株式会社"+o.slug)
		if err != nil {
			t.Fatal(err)
		}
		org = storetest.MustRegister(t, db, org)
		if o.slug == "org-a" {
			u.orgA = org
		}
		for _, role := range o.roles {
			usr, err := db.CreateUser(ctx, string(role)+"@"+o.slug+".example.com", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.SetMember(ctx, org.ID, usr.ID, role); err != nil {
				t.Fatal(err)
			}
			u.who[strings.ToUpper(o.slug[4:])+"-"+string(role)] = domain.Principal{OrgID: org.ID, OrgSlug: org.Slug,
				UserID: usr.ID, Email: usr.Email, Role: role}
		}
	}
	var err error
	u.custA, err = db.CreateCustomer(ctx, u.orgA.ID, document.Customer{Counterparty: document.Counterparty{Name: "株式会社サンプル", Honorific: "御中"}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// page is a response with its parsed HTML.
type page struct {
	status int
	header http.Header
	doc    *goquery.Document
	body   []byte
}

func (u *testUI) do(who string, req *http.Request) page {
	u.t.Helper()
	if who != "" {
		req.Header.Set("X-Test-As", who)
	}
	resp, err := u.hc.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		u.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		u.t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, doc: doc, body: body}
}

func (u *testUI) get(who, path string, hdr ...string) page {
	u.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u.URL+path, nil)
	if err != nil {
		u.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return u.do(who, req)
}

func (u *testUI) post(who, path string, form url.Values, hdr ...string) page {
	u.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return u.do(who, req)
}

// text returns the trimmed text of the first match of sel, failing when there is none.
func (p page) text(t *testing.T, sel string) string {
	t.Helper()
	s := p.doc.Find(sel)
	if s.Length() == 0 {
		t.Fatalf("no %q in the page (status %d):\n%s", sel, p.status, p.body)
	}
	return strings.TrimSpace(s.First().Text())
}

// val returns the value attribute of the first match of sel.
func (p page) val(t *testing.T, sel string) string {
	t.Helper()
	s := p.doc.Find(sel)
	if s.Length() == 0 {
		t.Fatalf("no %q in the page (status %d)", sel, p.status)
	}
	return s.First().AttrOr("value", "")
}

// invoiceForm is an editor form of an invoice with a 10% and an 8% line.
func invoiceForm(customerID string) url.Values {
	return url.Values{
		"kind": {"invoice"}, "customer_id": {customerID}, "issue_date": {"2026-11-27"}, "transaction_date": {"2026-11-20"},
		"subject": {"11月分"}, "tax_rounding": {"floor"},
		"item_name": {"コンサルティング", "お菓子"}, "item_quantity": {"1", "2"}, "item_unit": {"式", "個"},
		"item_unit_price": {"10,000", "540"}, "item_tax_rate": {"10", "8"},
	}
}

// mustDraft saves an invoice through the editor and returns its id.
func (u *testUI) mustDraft() string {
	u.t.Helper()
	p := u.post("A-member", "/documents", invoiceForm(u.custA.ID))
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/documents/") {
		u.t.Fatalf("save draft = %d %q:\n%s", p.status, loc, p.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/documents/"), "?")
	return id
}

func TestUIPagesRender(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	id := u.mustDraft()
	exportID := u.mustExport(url.Values{})
	tests := []struct {
		who, path, sel string
	}{
		{"A-viewer", "/", "svg[role=img] rect"},
		{"A-viewer", "/customers", "#customers tbody tr"},
		{"A-member", "/customers/new", "form input#name"},
		{"A-viewer", "/customers/" + u.custA.ID, "input#name"},
		{"A-viewer", "/documents", "form#search input#total_min"},
		{"A-member", "/documents/new", "form#editor #lines tbody tr"},
		{"A-viewer", "/documents/" + id, "iframe#pdf-preview"},
		{"A-member", "/documents/" + id + "/edit", "form#editor"},
		{"A-member", "/documents/" + id + "/issue", "button#confirm-issue"},
		{"A-viewer", "/documents/" + id + "/history", "table#history tbody tr"},
		{"A-admin", "/settings", "form#org-form input#registration_number"},
		{"A-admin", "/settings/members", "table#members tbody tr"},
		{"A-viewer", "/tokens", "form#token-form"},
		{"A-viewer", "/exports/" + exportID, "progress#export-bar"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p := u.get(tt.who, tt.path)
			if p.status != http.StatusOK {
				t.Fatalf("GET %s as %s = %d:\n%s", tt.path, tt.who, p.status, p.body)
			}
			if p.doc.Find(tt.sel).Length() == 0 {
				t.Errorf("GET %s: no %q", tt.path, tt.sel)
			}
			if p.doc.Find("html[lang=ja] main h1").Length() != 1 {
				t.Errorf("GET %s: no Japanese page with one h1", tt.path)
			}
			// Accessibility basics: every visible form control has a label.
			p.doc.Find("input:not([type=hidden]):not([type=submit]), select, textarea").Each(func(_ int, s *goquery.Selection) {
				id, ok := s.Attr("id")
				if !ok || p.doc.Find(`label[for="`+id+`"]`).Length() == 0 {
					h, _ := goquery.OuterHtml(s)
					t.Errorf("GET %s: control without a label: %s", tt.path, h)
				}
			})
			// CSP: no inline scripts or styles.
			if n := p.doc.Find("script:not([src]), style, [style]").Length(); n > 0 {
				t.Errorf("GET %s: %d inline scripts or styles", tt.path, n)
			}
		})
	}
	// A viewer sees no editing actions.
	if n := u.get("A-viewer", "/documents/"+id).doc.Find("#edit, #issue, #duplicate").Length(); n != 0 {
		t.Errorf("a viewer sees %d editing actions", n)
	}
}

// TestUIRolesByRouteTable: for every browser route, a member below the route's role gets 403,
// one at it does not, and an anonymous GET is sent to the login page. Driven from the route
// table, so a new page is covered.
func TestUIRolesByRouteTable(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	below := map[domain.Role]string{member: "A-viewer", admin: "A-member"}
	at := map[domain.Role]string{viewer: "A-viewer", member: "A-member", admin: "A-admin"}
	for _, rt := range (&app{}).browserRoutes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		if rt.role == public {
			continue
		}
		path = strings.NewReplacer("{id}", "00000000-0000-0000-0000-000000000000", "{which}", "logo", "{$}", "").Replace(path)
		send := func(who string) page {
			if method == http.MethodGet {
				return u.get(who, path)
			}
			return u.post(who, path, url.Values{})
		}
		if who, ok := below[rt.role]; ok {
			if p := send(who); p.status != http.StatusForbidden {
				t.Errorf("%s as %s = %d, want 403", rt.pattern, who, p.status)
			}
		}
		if p := send(at[rt.role]); p.status == http.StatusForbidden || p.status == http.StatusUnauthorized || p.status >= 500 {
			t.Errorf("%s as %s = %d, want allowed:\n%s", rt.pattern, at[rt.role], p.status, p.body)
		}
		p := send("")
		switch {
		case method == http.MethodGet && (p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login?next=")):
			t.Errorf("anonymous %s = %d %q, want a redirect to the login page", rt.pattern, p.status, p.header.Get("Location"))
		case method != http.MethodGet && p.status != http.StatusUnauthorized:
			t.Errorf("anonymous %s = %d, want 401", rt.pattern, p.status)
		}
	}
}

// TestUIIsolation: organisation B's admin never sees or changes A's customers and documents
// through the browser routes.
func TestUIIsolation(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	id := u.mustDraft()
	exportID := u.mustExport(url.Values{})
	for _, path := range []string{"/customers/" + u.custA.ID, "/documents/" + id, "/documents/" + id + "/edit",
		"/documents/" + id + "/history", "/documents/" + id + "/pdf", "/documents/new?copy=" + id,
		"/exports/" + exportID, "/exports/" + exportID + "/download"} {
		if p := u.get("B-admin", path); p.status != http.StatusNotFound {
			t.Errorf("B GET %s = %d, want 404", path, p.status)
		}
	}
	for _, path := range []string{"/customers/" + u.custA.ID, "/customers/" + u.custA.ID + "/delete", "/documents/" + id + "/issue",
		"/documents/" + id + "/delete"} {
		if p := u.post("B-admin", path, url.Values{"name": {"B"}}); p.status != http.StatusNotFound && p.status != http.StatusUnprocessableEntity {
			t.Errorf("B POST %s = %d, want 404", path, p.status)
		}
	}
	if p := u.post("B-admin", "/documents/"+id, invoiceForm(u.custA.ID)); p.status < 400 {
		t.Errorf("B saving A's draft = %d", p.status)
	}
	if list := u.get("B-admin", "/documents"); list.doc.Find("table.docs tbody tr").Length() != 0 {
		t.Errorf("B's document list shows A's documents")
	}
	d, err := u.db.GetDocument(context.Background(), u.orgA.ID, id)
	if err != nil || d.Status != document.Draft || d.Subject != "11月分" {
		t.Errorf("A's draft changed: %v %+v", err, d)
	}
}

func TestUICustomerForm(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	tests := []struct {
		name       string
		form       url.Values
		wantStatus int
		wantErrors []string // ids of the fields with a message
	}{
		{"missing name and bad email", url.Values{"name": {""}, "email": {"not-an-address"}, "address": {"東京都千代田区1-1"}},
			http.StatusUnprocessableEntity, []string{"name", "email"}},
		{"bad registration number", url.Values{"name": {"株式会社テスト"}, "registration_number": {"T123"}},
			http.StatusUnprocessableEntity, []string{"registration_number"}},
		{"valid", url.Values{"name": {"株式会社テスト"}, "honorific": {"御中"}, "registration_number": {"T7123456789012"}},
			http.StatusSeeOther, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := u.post("A-member", "/customers", tt.form)
			if p.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d:\n%s", p.status, tt.wantStatus, p.body)
			}
			var got []string
			p.doc.Find("input, textarea").Each(func(_ int, s *goquery.Selection) {
				if s.Parent().Find(".field-error").Length() > 0 {
					got = append(got, s.AttrOr("id", ""))
				}
			})
			if diff := cmp.Diff(tt.wantErrors, got); diff != "" {
				t.Errorf("fields with errors (-want +got):\n%s", diff)
			}
			// Nothing typed is lost.
			for k, v := range tt.form {
				if p.status != http.StatusUnprocessableEntity || k == "honorific" {
					continue
				}
				sel := "#" + k
				got := p.val(t, sel)
				if k == "address" {
					got = p.text(t, sel)
				}
				if got != v[0] {
					t.Errorf("%s re-rendered as %q, want %q", k, got, v[0])
				}
			}
		})
	}
	// Editing an existing customer and deleting one that is in use.
	p := u.post("A-member", "/customers/"+u.custA.ID, url.Values{"name": {"株式会社サンプル改"}, "honorific": {"御中"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("update = %d:\n%s", p.status, p.body)
	}
	if got := u.get("A-viewer", "/customers?q=サンプル改").text(t, "#customers tbody td a"); !strings.Contains(got, "株式会社サンプル改") {
		t.Errorf("search result = %q", got)
	}
	id := u.mustDraft()
	if p := u.post("A-member", "/documents/"+id+"/issue", nil); p.status != http.StatusSeeOther {
		t.Fatalf("issue = %d", p.status)
	}
	if p := u.post("A-member", "/customers/"+u.custA.ID+"/delete", nil); p.status != http.StatusConflict || p.doc.Find("main p.error, main p").Length() == 0 {
		t.Errorf("deleting a customer in use = %d, want a 409 page", p.status)
	}
}

func TestUIEditor(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	t.Run("validation keeps what was typed", func(t *testing.T) {
		f := invoiceForm(u.custA.ID)
		f["item_quantity"] = []string{"1", "abc"}
		f["item_name"] = []string{"", "お菓子"}
		f.Set("due_date", "2026-01-01") // before the issue date
		p := u.post("A-member", "/documents", f)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("status = %d:\n%s", p.status, p.body)
		}
		if got := p.val(t, "#item-qty-1"); got != "abc" {
			t.Errorf("quantity re-rendered as %q", got)
		}
		if got := p.val(t, "#item-price-0"); got != "10,000" {
			t.Errorf("unit price re-rendered as %q", got)
		}
		for _, sel := range []string{"#item-name-0", "#item-qty-1", "#due_date"} {
			if p.doc.Find(sel).Parent().Find(".field-error").Length() == 0 {
				t.Errorf("no message beside %s", sel)
			}
		}
		if p.doc.Find("tr.line.reduced #item-rate-1").Length() != 1 {
			t.Errorf("the 8%% line is not marked")
		}
	})
	t.Run("live totals", func(t *testing.T) {
		tests := []struct {
			name  string
			edit  func(url.Values)
			gross string
			due   string
		}{
			{"10% and 8%", func(url.Values) {}, "¥12,166", "¥12,166"}, // 10,000+1,000 tax; 1,080+86 tax
			{"inclusive", func(f url.Values) { f.Set("prices_include_tax", "1") }, "¥11,080", "¥11,080"},
			{"withholding", func(f url.Values) { f.Set("withholding_tax", "1") }, "¥12,166", "¥11,035"}, // withholding floor(11,080 × 10.21%) = 1,131
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := invoiceForm(u.custA.ID)
				tt.edit(f)
				p := u.post("A-member", "/documents/editor/totals", f, "HX-Request", "true")
				if p.status != http.StatusOK || p.doc.Find("html head").Children().Length() != 0 {
					t.Fatalf("totals = %d, want a fragment:\n%s", p.status, p.body)
				}
				if got := p.text(t, "#totals #total-gross"); got != tt.gross {
					t.Errorf("gross = %q, want %q", got, tt.gross)
				}
				if got := p.text(t, "#totals #total-due"); got != tt.due {
					t.Errorf("amount due = %q, want %q", got, tt.due)
				}
			})
		}
		f := invoiceForm(u.custA.ID)
		f["item_unit_price"] = []string{"x", "1"}
		if p := u.post("A-member", "/documents/editor/totals", f, "HX-Request", "true"); p.doc.Find("#totals-problem").Length() != 1 {
			t.Errorf("incomplete lines do not explain the missing totals:\n%s", p.body)
		}
	})
	t.Run("line operations", func(t *testing.T) {
		tests := []struct {
			op   string
			want []string
		}{
			{"add", []string{"a", "b", "c", ""}},
			{"remove:1", []string{"a", "c"}},
			{"up:2", []string{"a", "c", "b"}},
			{"down:0", []string{"b", "a", "c"}},
			{"up:0", []string{"a", "b", "c"}},
			{"remove:9", []string{"a", "b", "c"}},
			{"bogus", []string{"a", "b", "c"}},
		}
		for _, tt := range tests {
			f := invoiceForm(u.custA.ID)
			f["item_name"] = []string{"a", "b", "c"}
			f["item_quantity"] = []string{"1", "1", "1"}
			f["item_unit_price"] = []string{"1", "2", "3"}
			f["item_tax_rate"] = []string{"10", "8", "10"}
			f.Set("op", tt.op)
			p := u.post("A-member", "/documents/editor/lines", f, "HX-Request", "true")
			var got []string
			p.doc.Find("#lines tbody input[name=item_name]").Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("value", "")) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("op %s (-want +got):\n%s", tt.op, diff)
			}
			if p.doc.Find("#lines #totals").Length() != 1 {
				t.Errorf("op %s: the fragment has no totals", tt.op)
			}
		}
		// Without JavaScript the same buttons re-render the whole editor.
		f := invoiceForm(u.custA.ID)
		f.Set("op", "add")
		if p := u.post("A-member", "/documents", f); p.status != http.StatusOK || p.doc.Find("#editor #lines tbody tr.line").Length() != 3 {
			t.Errorf("add without htmx = %d, %d lines", p.status, p.doc.Find("#editor #lines tbody tr.line").Length())
		}
	})
	t.Run("save, stale version, issue twice", func(t *testing.T) {
		id := u.mustDraft()
		edit := u.get("A-member", "/documents/"+id+"/edit")
		f := invoiceForm(u.custA.ID)
		f.Set("version", edit.val(t, "input[name=version]"))
		f.Set("subject", "変更後")
		if p := u.post("A-member", "/documents/"+id, f); p.status != http.StatusSeeOther {
			t.Fatalf("update = %d:\n%s", p.status, p.body)
		}
		f.Set("subject", "古い版から")
		p := u.post("A-member", "/documents/"+id, f)
		if p.status != http.StatusPreconditionFailed || p.val(t, "#subject") != "古い版から" {
			t.Errorf("stale save = %d, subject %q", p.status, p.val(t, "#subject"))
		}
		if p := u.post("A-member", "/documents/"+id+"/issue", nil); p.status != http.StatusSeeOther {
			t.Fatalf("issue = %d:\n%s", p.status, p.body)
		}
		again := u.post("A-member", "/documents/"+id+"/issue", nil)
		if again.status != http.StatusConflict || again.text(t, "#doc-status") != "発行済み" || again.doc.Find("p.error[role=alert]").Length() != 1 {
			t.Errorf("second issue = %d:\n%s", again.status, again.body)
		}
		view := u.get("A-viewer", "/documents/"+id)
		if got := view.text(t, "#doc-number"); got != "INV-000001" && !strings.HasPrefix(got, "INV-") {
			t.Errorf("number = %q", got)
		}
		if got := view.text(t, "#total-gross"); got != "¥12,166" {
			t.Errorf("issued gross = %q", got)
		}
		if u.get("A-member", "/documents/"+id+"/edit").status != http.StatusConflict {
			t.Errorf("an issued document opens in the editor")
		}
		// Credit note and duplicate prefill the editor from the issued invoice.
		cn := u.get("A-member", "/documents/new?copy="+id+"&kind=credit_note")
		if cn.val(t, "#related_document_number") != view.text(t, "#doc-number") || cn.doc.Find("#kind option[selected]").AttrOr("value", "") != "credit_note" {
			t.Errorf("credit note editor not prefilled")
		}
		hist := u.get("A-viewer", "/documents/"+id+"/history")
		if n := hist.doc.Find("#history tbody tr").Length(); n != 3 {
			t.Errorf("history has %d rows, want create, update, issue", n)
		}
	})
}

func TestUIDocumentSearch(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	id := u.mustDraft()
	tests := []struct {
		query     string
		status    int
		rows      int
		errorNear string
	}{
		{"total_min=12000&total_max=13000", http.StatusOK, 1, ""},
		{"total_min=13000", http.StatusOK, 0, ""},
		{"date_from=2026-11-01&date_to=2026-11-30&kind=invoice&status=draft&q=お菓子", http.StatusOK, 1, ""},
		{"date_from=2026-13-01", http.StatusUnprocessableEntity, 0, "#date_from"},
		{"total_min=abc", http.StatusUnprocessableEntity, 0, "#total_min"},
		{"total_min=500&total_max=100", http.StatusUnprocessableEntity, 0, "#total_max"},
		{"cursor=forged", http.StatusUnprocessableEntity, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := u.get("A-viewer", "/documents?"+tt.query)
			if p.status != tt.status {
				t.Fatalf("status = %d, want %d:\n%s", p.status, tt.status, p.body)
			}
			if got := p.doc.Find("table.docs tbody tr").Length(); got != tt.rows {
				t.Errorf("rows = %d, want %d", got, tt.rows)
			}
			if tt.errorNear != "" && p.doc.Find(tt.errorNear).Parent().Find(".field-error").Length() == 0 {
				t.Errorf("no message beside %s", tt.errorNear)
			}
			if tt.status == http.StatusOK && tt.rows == 1 {
				if href := p.doc.Find("a#csv").AttrOr("href", ""); !strings.HasPrefix(href, "/documents.csv?") {
					t.Errorf("CSV link = %q", href)
				}
			}
		})
	}
	p := u.get("A-viewer", "/documents.csv?total_min=12000")
	if p.status != http.StatusOK || !bytes.HasPrefix(p.body, []byte("\uFEFF")) || !bytes.Contains(p.body, []byte(id)) {
		t.Errorf("CSV = %d:\n%s", p.status, p.body)
	}
}

func TestUISettings(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	base := url.Values{"name": {"株式会社テスト"}, "default_tax_rounding": {"half_up"}, "prefix_invoice": {"INV-"},
		"prefix_quote": {"QUO-"}, "prefix_delivery_note": {"DEL-"}, "prefix_receipt": {"REC-"}, "prefix_credit_note": {"CRN-"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range base {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	tests := []struct {
		name      string
		form      url.Values
		status    int
		errorNear string
		warning   bool
	}{
		{"bad format", with("registration_number", "T12"), http.StatusUnprocessableEntity, "#registration_number", false},
		{"bad prefix", with("prefix_invoice", "請求"), http.StatusUnprocessableEntity, "#prefix_invoice", false},
		{"empty name", with("name", ""), http.StatusUnprocessableEntity, "#name", false},
		{"check digit fails", with("registration_number", "T1123456789012"), http.StatusOK, "", true},
		{"valid", with("registration_number", "T7123456789012"), http.StatusSeeOther, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := u.post("A-admin", "/settings", tt.form)
			if p.status != tt.status {
				t.Fatalf("status = %d, want %d:\n%s", p.status, tt.status, p.body)
			}
			if tt.errorNear != "" && p.doc.Find(tt.errorNear).Parent().Find(".field-error").Length() == 0 {
				t.Errorf("no message beside %s", tt.errorNear)
			}
			if got := p.doc.Find("#reg-warning .warning").Length() == 1; got != tt.warning {
				t.Errorf("warning shown = %v, want %v", got, tt.warning)
			}
		})
	}
	org, _ := u.db.GetOrganization(context.Background(), u.orgA.ID)
	if org.DefaultTaxRounding != document.HalfUp || org.RegistrationNumber != "T7123456789012" {
		t.Errorf("saved organisation: %+v", org.Issuer)
	}
}

func (u *testUI) upload(who string, files map[string][]byte) page {
	u.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		fw, err := mw.CreateFormFile(name, name+".png")
		if err != nil {
			u.t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, u.URL+"/settings/images", &body)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return u.do(who, req)
}

func TestUIImages(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	// A tEXt chunk (metadata) inserted before IEND must not survive the re-encoding.
	chunk := []byte("tEXtGPS\x0035.6819")
	withMeta := append([]byte{}, buf.Bytes()[:buf.Len()-12]...)
	withMeta = binary.BigEndian.AppendUint32(withMeta, uint32(len(chunk)-4))
	withMeta = append(withMeta, chunk...)
	withMeta = binary.BigEndian.AppendUint32(withMeta, crc32.ChecksumIEEE(chunk))
	withMeta = append(withMeta, buf.Bytes()[buf.Len()-12:]...)
	tests := []struct {
		name   string
		files  map[string][]byte
		status int
		field  string
	}{
		{"not an image", map[string][]byte{"logo": []byte("GIF89a nope")}, http.StatusUnprocessableEntity, "#logo"},
		{"too large", map[string][]byte{"seal": bytes.Repeat([]byte{1}, maxImageBytes+1)}, http.StatusUnprocessableEntity, "#seal"},
		{"nothing chosen", map[string][]byte{}, http.StatusUnprocessableEntity, "#logo"},
		{"png with metadata", map[string][]byte{"logo": withMeta, "seal": buf.Bytes()}, http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := u.upload("A-admin", tt.files)
			if p.status != tt.status {
				t.Fatalf("status = %d, want %d:\n%s", p.status, tt.status, p.body)
			}
			if tt.field != "" && p.doc.Find(tt.field).Parent().Find(".field-error").Length() == 0 {
				t.Errorf("no message beside %s", tt.field)
			}
		})
	}
	org, _ := u.db.GetOrganization(context.Background(), u.orgA.ID)
	if len(org.Logo) == 0 || bytes.Contains(org.Logo, []byte("GPS")) {
		t.Errorf("logo not stored or metadata kept (%d bytes)", len(org.Logo))
	}
	if _, err := png.Decode(bytes.NewReader(org.Seal)); err != nil {
		t.Errorf("stored seal is not a PNG: %v", err)
	}
	s := u.get("A-admin", "/settings")
	if s.doc.Find("img#logo-preview[src='/settings/images/logo']").Length() != 1 {
		t.Errorf("no logo preview")
	}
	resp := u.get("A-admin", "/settings/images/logo")
	if resp.status != http.StatusOK || resp.header.Get("Content-Type") != "image/png" {
		t.Errorf("logo preview = %d %s", resp.status, resp.header.Get("Content-Type"))
	}
}

func TestUIMembersAndTokens(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	tests := []struct {
		name, email, role string
		status            int
		errorNear         string
	}{
		{"bad email", "nope", "member", http.StatusUnprocessableEntity, "#invite-email"},
		{"bad role", "x@example.com", "owner", http.StatusUnprocessableEntity, "#invite-role"},
		{"already a member", "viewer@org-a.example.com", "member", http.StatusUnprocessableEntity, ""},
		{"new member", "hanako@example.com", "member", http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := u.post("A-admin", "/settings/members", url.Values{"email": {tt.email}, "role": {tt.role}})
			if p.status != tt.status {
				t.Fatalf("status = %d, want %d:\n%s", p.status, tt.status, p.body)
			}
			if tt.errorNear != "" && p.doc.Find(tt.errorNear).Parent().Find(".field-error").Length() == 0 {
				t.Errorf("no message beside %s", tt.errorNear)
			}
			if tt.status == http.StatusOK && (!strings.Contains(p.text(t, "#invited"), "パスワードを再設定") || p.doc.Find("#temp-password").Length() != 0) {
				t.Errorf("invited: want the way to a temporary password, and none made:\n%s", p.body)
			}
		})
	}
	// The last admin cannot demote themself.
	if p := u.post("A-admin", "/settings/members/"+u.who["A-admin"].UserID+"/role", url.Values{"role": {"viewer"}}); p.status != http.StatusConflict {
		t.Errorf("demoting the last admin = %d, want 409", p.status)
	}
	// Tokens: shown once, never above the creator's role, revocable only by their owner or an admin.
	if p := u.post("A-viewer", "/tokens", url.Values{"name": {"ci"}, "role": {"admin"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("a viewer creating an admin token = %d, want 422", p.status)
	}
	p := u.post("A-viewer", "/tokens", url.Values{"name": {"ci"}, "role": {"viewer"}})
	tok := p.text(t, "#new-token")
	if !regexp.MustCompile(`^rpt_[A-Za-z0-9_-]{43}$`).MatchString(tok) {
		t.Fatalf("token = %q", tok)
	}
	if strings.Contains(string(u.get("A-viewer", "/tokens").body), tok) {
		t.Errorf("the token is shown again")
	}
	ts, _ := u.db.ListTokens(context.Background(), u.orgA.ID, u.who["A-viewer"].UserID)
	if p := u.post("A-member", "/tokens/"+ts[0].ID+"/revoke", nil); p.status != http.StatusNotFound {
		t.Errorf("another member revoking the token = %d, want 404", p.status)
	}
	if p := u.post("A-viewer", "/tokens/"+ts[0].ID+"/revoke", nil); p.status != http.StatusSeeOther {
		t.Errorf("revoking own token = %d", p.status)
	}
}

func TestUIAssetsAndHeaders(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	home := u.get("A-viewer", "/")
	css := home.doc.Find("link[rel=stylesheet]").AttrOr("href", "")
	js := home.doc.Find("script[src]").AttrOr("src", "")
	for _, src := range []string{css, js} {
		if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{8}\.(css|min\.js)$`).MatchString(src) {
			t.Errorf("asset URL %q is not content-hashed", src)
			continue
		}
		p := u.get("", src)
		if p.status != http.StatusOK || p.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s = %d, Cache-Control %q", src, p.status, p.header.Get("Cache-Control"))
		}
	}
	// The sign-in page (package auth) links the very stylesheet the pages use.
	if got := u.get("", "/login").doc.Find("link[rel=stylesheet]").AttrOr("href", ""); got != css {
		t.Errorf("login page's stylesheet = %q, pages' = %q", got, css)
	}
	if p := u.get("", "/static/app.00000000.css"); p.status != http.StatusNotFound {
		t.Errorf("a stale asset name = %d, want 404", p.status)
	}
	if cfg := home.doc.Find(`meta[name=htmx-config]`).AttrOr("content", ""); !strings.Contains(cfg, `"includeIndicatorStyles":false`) {
		t.Errorf("htmx config = %q", cfg)
	}
	// The PDF may be framed by our own pages only; pages themselves by nobody.
	id := u.mustDraft()
	pdf := u.get("A-viewer", "/documents/"+id+"/pdf")
	if pdf.status != http.StatusOK || !strings.Contains(pdf.header.Get("Content-Security-Policy"), "frame-ancestors 'self'") {
		t.Errorf("PDF = %d, CSP %q", pdf.status, pdf.header.Get("Content-Security-Policy"))
	}
	if csp := home.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("page CSP = %q", csp)
	}
}

func TestUILanguage(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	tests := []struct {
		accept, cookie string
		want           string
	}{
		{"", "", "ja"},
		{"en-US,en;q=0.9", "", "en"},
		{"ja,en;q=0.8", "", "ja"},
		{"fr,en;q=0.5,ja;q=0.4", "", "en"},
		{"en", "ja", "ja"},
		{"", "en", "en"},
		{"de", "bogus", "ja"},
	}
	for _, tt := range tests {
		hdr := []string{"Accept-Language", tt.accept}
		if tt.cookie != "" {
			hdr = append(hdr, "Cookie", "lang="+tt.cookie)
		}
		p := u.get("A-viewer", "/customers", hdr...)
		if got := p.doc.Find("html").AttrOr("lang", ""); got != tt.want {
			t.Errorf("Accept-Language %q, cookie %q: lang %q, want %q", tt.accept, tt.cookie, got, tt.want)
		}
	}
	en := u.get("A-viewer", "/customers", "Accept-Language", "en")
	if got := en.text(t, "main h1"); got != "Customers" {
		t.Errorf("English title = %q", got)
	}
	// The return address is this site's: never another host, however it is spelled.
	for next, want := range map[string]string{"//evil.example/": "/", "/\t/evil.example": "/", "/\\evil.example": "/",
		"https://evil.example/": "/", "/documents?kind=invoice": "/documents?kind=invoice"} {
		p := u.post("", "/lang", url.Values{"lang": {"en"}, "next": {next}})
		if p.status != http.StatusSeeOther || p.header.Get("Location") != want || !strings.Contains(p.header.Get("Set-Cookie"), "lang=en") {
			t.Errorf("POST /lang next=%q = %d %q %q, want a redirect to %q", next, p.status, p.header.Get("Location"), p.header.Get("Set-Cookie"), want)
		}
	}
}

// TestCatalogues: both languages have the same keys, and every key the templates use exists.
func TestCatalogues(t *testing.T) {
	ja, en := messagesJA(), messagesEN()
	for k := range ja {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is missing from English", k)
		}
	}
	for k := range en {
		if _, ok := ja[k]; !ok {
			t.Errorf("%q is missing from Japanese", k)
		}
	}
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`\{\{-?\s*(?:t|tf)\s+"([^"]+)"`)
	for _, e := range entries {
		data, _ := templateFS.ReadFile("templates/" + e.Name())
		for _, m := range re.FindAllSubmatch(data, -1) {
			if _, ok := ja[string(m[1])]; !ok {
				t.Errorf("%s uses the unknown key %q", e.Name(), m[1])
			}
		}
	}
}

// TestUIAccountPages: an admin resets a member's password from the members page (behind a
// confirmation), the header links the password change, and the dashboard guides the first steps
// until the profile and the 登録番号 are filled in.
func TestUIAccountPages(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	ctx := context.Background()
	target := u.who["A-member"]
	members := u.get("A-admin", "/settings/members")
	if members.doc.Find(`details form[action="/settings/members/`+target.UserID+`/reset"]`).Length() != 1 {
		t.Errorf("no confirmed reset form for the member")
	}
	p := u.post("A-admin", "/settings/members/"+target.UserID+"/reset", nil)
	if p.status != http.StatusOK || len(p.text(t, "#temp-password")) < 12 {
		t.Fatalf("reset = %d:\n%s", p.status, p.body)
	}
	if pw, err := u.db.Password(ctx, target.UserID); err != nil || !pw.Temporary {
		t.Errorf("after the reset the password is %+v, %v; want a temporary one", pw, err)
	}
	if p := u.post("A-member", "/settings/members/"+u.who["A-admin"].UserID+"/reset", nil); p.status != http.StatusForbidden {
		t.Errorf("a member resetting the admin's password = %d, want 403", p.status)
	}

	home := u.get("A-viewer", "/")
	if home.doc.Find(`a#change-password[href="/account/password"]`).Length() != 1 {
		t.Errorf("the header has no link to the password change")
	}
	org, err := u.db.GetOrganization(ctx, u.orgA.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := 1 // the 登録番号
	if org.Address == "" || org.Phone == "" && org.Email == "" {
		want++
	}
	if n := home.doc.Find("#setup-guide li").Length(); org.RegistrationNumber == "" && n != want {
		t.Errorf("guide steps on a fresh organisation = %d, want %d", n, want)
	}
	org.Address, org.Phone, org.RegistrationNumber = "東京都千代田区千代田1-1", "03-1234-5678", "T1234567890123"
	if _, err := u.db.UpdateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	if n := u.get("A-viewer", "/").doc.Find("#setup-guide").Length(); n != 0 {
		t.Errorf("the guide is still shown after the profile and 登録番号 were filled in")
	}
}
