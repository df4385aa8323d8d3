package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/mail"
	"reportapp/internal/mail/mailtest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// deliveryJSON is a delivery as the API answers it.
type deliveryJSON struct {
	ID            string     `json:"id"`
	Status        string     `json:"status"`
	To            []string   `json:"to"`
	Cc            []string   `json:"cc"`
	Subject       string     `json:"subject"`
	Message       string     `json:"message"`
	AttachPDF     bool       `json:"attach_pdf"`
	Link          bool       `json:"link"`
	CreatedAt     time.Time  `json:"created_at"`
	SentAt        *time.Time `json:"sent_at"`
	Error         *string    `json:"error"`
	OpenedAt      *time.Time `json:"opened_at"`
	Downloads     int64      `json:"downloads"`
	LinkRevokedAt *time.Time `json:"link_revoked_at"`
}

// sendFixture is an issued invoice of organisation A whose customer has an e-mail address.
func (a *testAPI) sendFixture() document.Document {
	a.t.Helper()
	var cust document.Customer
	body := customerBody("株式会社テスト")
	body["email"] = "keiri@customer.example"
	a.mustJSON(201, &cust, "A-member", "POST", "/api/v1/customers", body)
	var doc document.Document
	a.mustJSON(201, &doc, "A-member", "POST", "/api/v1/documents", invoiceBody(cust.ID))
	a.mustJSON(200, &doc, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/issue", nil)
	return doc
}

// waitDelivery polls the document's deliveries until id is no longer queued.
func (a *testAPI) waitDelivery(docID, id string) deliveryJSON {
	a.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var list struct{ Items []deliveryJSON }
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/documents/"+docID+"/deliveries", nil)
		for _, d := range list.Items {
			if d.ID == id && d.Status != "queued" {
				return d
			}
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("delivery %s still queued: %+v", id, list.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var linkPattern = regexp.MustCompile(`http://invoice\.test/d/([A-Za-z0-9_-]{43})`)

func TestSendDocument(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		doc := a.sendFixture()
		req := map[string]any{
			"to": []string{"経理部 <keiri@customer.example>"}, "cc": []string{"boss@customer.example"},
			"subject": "【請求書】{{number}} のご送付", "message": "{{customer}}\nいつもお世話になっております。\n{{link}}\n{{issuer}}",
			"attach_pdf": true, "link": true, "idempotency_key": "send-1",
		}
		var d deliveryJSON
		code, hdr, data := a.do("A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", req)
		if code != 202 || json.Unmarshal(data, &d) != nil {
			t.Fatalf("send = %d: %s", code, data)
		}
		if d.ID == "" || d.Status != "queued" || len(d.To) != 1 || d.To[0] != "経理部 <keiri@customer.example>" ||
			len(d.Cc) != 1 || d.Subject != "【請求書】"+*doc.Number+" のご送付" || !d.AttachPDF || !d.Link || d.CreatedAt.IsZero() {
			t.Errorf("202 body %s", data)
		}
		if hdr.Get("Location") != "/api/v1/deliveries/"+d.ID {
			t.Errorf("Location %q", hdr.Get("Location"))
		}
		// The same key is the same delivery, and sends nothing more.
		var again deliveryJSON
		a.mustJSON(202, &again, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", req)
		if again.ID != d.ID {
			t.Errorf("idempotency key gave a second delivery %s", again.ID)
		}

		msgs := a.smtp.Wait(t, 1, 30*time.Second)
		sent := a.waitDelivery(doc.ID, d.ID)
		if sent.Status != "sent" || sent.SentAt == nil || sent.Error != nil {
			t.Errorf("delivery after sending: %+v", sent)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(a.smtp.Messages()); n != 1 {
			t.Fatalf("%d messages for one idempotency key", n)
		}
		m := msgs[0]
		if m.From != "billing@issuer.example" || strings.Join(m.To, ",") != "keiri@customer.example,boss@customer.example" {
			t.Errorf("envelope %s → %v", m.From, m.To)
		}
		p := mailtest.Parse(t, m.Data)
		if p.Subject != d.Subject {
			t.Errorf("subject %q, want %q", p.Subject, d.Subject)
		}
		if want := "請求書_" + *doc.Number + ".pdf"; p.FileName != want || p.FileName2047 != want {
			t.Errorf("file name %q / %q, want %s", p.FileName, p.FileName2047, want)
		}
		code, _, pdfBytes := a.do("A-viewer", "GET", "/api/v1/documents/"+doc.ID+"/pdf", nil)
		if code != 200 || !bytes.Equal(p.File, pdfBytes) {
			t.Errorf("the attachment (%d bytes) is not the PDF download (%d, %d bytes)", len(p.File), code, len(pdfBytes))
		}
		for name, want := range map[string]string{"Message-Id": "<" + d.ID + "@issuer.example>", "Mime-Version": "1.0"} {
			if got := p.Header.Get(name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}
		if _, err := p.Header.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
		from, err := p.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "請求書" || from[0].Address != "billing@issuer.example" {
			t.Errorf("From %v %v", from, err)
		}
		if !strings.Contains(p.Text, "株式会社テスト 御中") || !strings.Contains(p.Text, "株式会社org-a") || !linkPattern.MatchString(p.Text) {
			t.Errorf("text lacks the customer, issuer or link:\n%s", p.Text)
		}
		if !strings.Contains(p.HTML, `<a href="http://invoice.test/d/`) {
			t.Errorf("HTML lacks the link: %s", p.HTML)
		}
		// The history records the send.
		var hist struct{ Items []document.Event }
		a.mustJSON(200, &hist, "A-viewer", "GET", "/api/v1/documents/"+doc.ID+"/history", nil)
		n := 0
		for _, e := range hist.Items {
			if e.Action == store.ActionSend {
				n++
			}
		}
		if n != 1 {
			t.Errorf("history has %d send events, want 1: %+v", n, hist.Items)
		}
	})
}

func TestSendDefaultsFromTemplates(t *testing.T) {
	a := mustAPI(t, storetest.Open(t))
	doc := a.sendFixture()
	var d deliveryJSON
	a.mustJSON(202, &d, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{})
	if len(d.To) != 1 || d.To[0] != "keiri@customer.example" {
		t.Errorf("to %v, want the customer's address", d.To)
	}
	if want := "【請求書】" + *doc.Number + " のご送付（株式会社org-a）"; d.Subject != want {
		t.Errorf("subject %q, want %q", d.Subject, want)
	}
	if !strings.Contains(d.Message, "株式会社テスト 御中") || !strings.Contains(d.Message, "¥") || !strings.Contains(d.Message, "2026年12月31日") {
		t.Errorf("message %q", d.Message)
	}
	p := mailtest.Parse(t, a.smtp.Wait(t, 1, 30*time.Second)[0].Data)
	if !linkPattern.MatchString(p.Text) || strings.Contains(p.Text, "{{") {
		t.Errorf("sent text %q", p.Text)
	}
}

func TestSendValidation(t *testing.T) {
	a := mustAPI(t, storetest.Open(t))
	doc := a.sendFixture()
	_, draft, _ := a.fixture()
	many := make([]string, mail.MaxRecipients+1)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@customer.example", i)
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		code  int
		field string
	}{
		{"bad address", map[string]any{"to": []string{"not-an-address"}}, 422, "to[0]"},
		{"bad cc", map[string]any{"cc": []string{"a@b"}}, 422, "cc[0]"},
		{"too many", map[string]any{"to": many}, 422, "to"},
		{"header injection in subject", map[string]any{"subject": "請求書\r\nBcc: victim@example.com"}, 422, "subject"},
		{"header injection in an address", map[string]any{"to": []string{"a@customer.example\r\nBcc: victim@example.com"}}, 422, "to[0]"},
		{"unknown placeholder", map[string]any{"message": "{{customer}} {{nonsense}}"}, 422, "message"},
		{"unknown placeholder in subject", map[string]any{"subject": "{{amount}}"}, 422, "subject"},
		{"too long", map[string]any{"message": strings.Repeat("あ", mail.MaxTextLen+1)}, 422, "message"},
		{"short access code", map[string]any{"access_code": "123"}, 422, "access_code"},
		{"neither link nor pdf", map[string]any{"link": false, "attach_pdf": false}, 422, "link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, data := a.do("A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", tc.body)
			var e struct {
				Error struct{ Fields map[string]string }
			}
			_ = json.Unmarshal(data, &e)
			if code != tc.code || e.Error.Fields[tc.field] == "" {
				t.Errorf("= %d %s, want %d on %s", code, data, tc.code, tc.field)
			}
		})
	}
	if code, _, data := a.do("A-member", "POST", "/api/v1/documents/"+draft.ID+"/send", map[string]any{"to": []string{"a@customer.example"}}); code != 409 {
		t.Errorf("sending a draft = %d %s, want 409", code, data)
	}
	if code, _, data := a.do("A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", `{"to":[],"bcc":[]}`); code != 400 {
		t.Errorf("unknown field = %d %s, want 400", code, data)
	}
	if n := len(a.smtp.Messages()); n != 0 {
		t.Errorf("%d messages sent by refused requests", n)
	}
}

func TestSendWithoutSMTP(t *testing.T) {
	a, stop := startAPIWith(t, storetest.Open(t), testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20, noMail: true})
	defer stop()
	doc := a.sendFixture()
	code, _, data := a.do("A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{})
	if code != 409 || !strings.Contains(string(data), "SMTP_URL") {
		t.Errorf("send without SMTP_URL = %d %s, want 409 naming SMTP_URL", code, data)
	}
}

func TestSendRateLimit(t *testing.T) {
	db := storetest.Open(t)
	a := mustAPI(t, db)
	doc := a.sendFixture()
	limit := jobs.DefaultSendLimit.Count
	// Fill the hour's allowance directly, as earlier sends would have.
	for i := 0; i < limit; i++ {
		if _, _, err := db.CreateDelivery(context.Background(), a.orgA.ID, "test", store.NewDelivery{DocumentID: doc.ID,
			To: []string{"a@customer.example"}, Subject: "s", Message: "m", MessageDomain: "x.example"}, store.DeliveryLimit{},
			func(context.Context, *sql.Tx, string) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	code, _, data := a.do("A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{})
	if code != 429 {
		t.Errorf("past the limit = %d %s, want 429", code, data)
	}
}

func TestSendRetriesTemporaryFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		doc := a.sendFixture()
		var mu sync.Mutex
		refused := 0
		a.smtp.Reject(func(stage string) error {
			mu.Lock()
			defer mu.Unlock()
			if stage == "rcpt" && refused < 2 {
				refused++
				return mailtest.Temporary
			}
			return nil
		})
		var d deliveryJSON
		a.mustJSON(202, &d, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{})
		a.smtp.Wait(t, 1, 30*time.Second)
		got := a.waitDelivery(doc.ID, d.ID)
		if got.Status != "sent" || refused != 2 {
			t.Errorf("after two 451s: %+v (refused %d)", got, refused)
		}
		time.Sleep(500 * time.Millisecond)
		if n := len(a.smtp.Messages()); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
	})
}

func TestSendPermanentFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		doc := a.sendFixture()
		calls := 0
		var mu sync.Mutex
		a.smtp.Reject(func(stage string) error {
			if stage == "rcpt" {
				mu.Lock()
				calls++
				mu.Unlock()
				return mailtest.Permanent
			}
			return nil
		})
		var d deliveryJSON
		a.mustJSON(202, &d, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{})
		got := a.waitDelivery(doc.ID, d.ID)
		if got.Status != "failed" || got.Error == nil || !strings.Contains(*got.Error, "550") || !strings.Contains(*got.Error, "No such user") {
			t.Errorf("after a 550: %+v", got)
		}
		time.Sleep(500 * time.Millisecond)
		mu.Lock()
		defer mu.Unlock()
		if calls != 1 {
			t.Errorf("a permanent failure was tried %d times", calls)
		}
	})
}

// TestSendReplicaStoppedMidSend: a replica stopped hard while the server is taking the message
// leaves it to the next replica, which does not send it again; nor does a replica that finds a
// delivery claimed by an attempt that never reported back (its process died).
func TestSendReplicaStoppedMidSend(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		smtp := mailtest.Start(t, mailtest.Options{})
		lim := testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 1 << 20, smtp: smtp}
		h, _ := mustApp(t, db, lim) // its queue never runs: the replicas below work the jobs
		ts := serveTest(t, db, h, h, lim)
		defer ts.Close()
		a := &testAPI{t: t, db: db, URL: ts.URL, tokens: map[string]string{}, smtp: smtp}
		a.addOrgs()
		doc := a.sendFixture()
		replica := func() *jobs.Queue {
			sender, _ := mail.NewSender(mail.Options{Host: smtp.Host, Port: smtp.Port, Timeout: 10 * time.Second})
			q, err := jobs.New(db, jobs.Options{PollInterval: 50 * time.Millisecond, RetryAfter: 100 * time.Millisecond,
				Mail: sender, MailFrom: "billing@issuer.example", BaseURL: "http://invoice.test", JobTimeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			return q
		}
		smtp.Hold()
		var d deliveryJSON
		a.mustJSON(202, &d, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{})
		ctxA, stopA := context.WithCancel(context.Background())
		doneA := make(chan error, 1)
		go func() { doneA <- replica().Run(ctxA, 100*time.Millisecond) }()
		smtp.Wait(t, 1, 30*time.Second) // replica A is handing the message over
		stopA()
		if err := <-doneA; err != nil {
			t.Fatalf("replica A: %v", err)
		}
		smtp.Release()
		ctxB, stopB := context.WithCancel(context.Background())
		doneB := make(chan error, 1)
		go func() { doneB <- replica().Run(ctxB, 5*time.Second) }()
		got := a.waitDelivery(doc.ID, d.ID)
		time.Sleep(time.Second)
		if n := len(smtp.Messages()); n != 1 {
			t.Errorf("%d messages after a replica stopped mid-send, want 1", n)
		}
		if got.Status != "failed" || got.Error == nil || !strings.Contains(*got.Error, "interrupted") {
			t.Errorf("delivery %+v, want failed saying it was interrupted", got)
		}

		// A claim left behind by a dead process: the next attempt does not send.
		stopB()
		<-doneB
		var d2 deliveryJSON
		a.mustJSON(202, &d2, "A-member", "POST", "/api/v1/documents/"+doc.ID+"/send", map[string]any{"idempotency_key": "dead"})
		if _, err := db.SQL().Exec(`UPDATE deliveries SET status = 'sending', claimed_attempt = 1 WHERE id = '` + d2.ID + `'`); err != nil {
			t.Fatal(err)
		}
		ctxC, stopC := context.WithCancel(context.Background())
		doneC := make(chan error, 1)
		go func() { doneC <- replica().Run(ctxC, 5*time.Second) }()
		got2 := a.waitDelivery(doc.ID, d2.ID)
		stopC()
		<-doneC
		if n := len(smtp.Messages()); n != 1 || got2.Status != "failed" {
			t.Errorf("after a dead claim: %d messages, delivery %+v", n, got2)
		}
	})
}
