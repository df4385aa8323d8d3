package web

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// TestBrowserDocumentRevisit: Chromium keeps the document page and asks again with its ETag when
// the user comes back; the server answers 304 and the browser shows the page it holds. After a
// payment is recorded the same visit gets the new page, not the kept one.
func TestBrowserDocumentRevisit(t *testing.T) {
	f, db, org := mustSignedIn(t, mustBrowser(t))
	base, bg := f.base, context.Background()
	c, err := db.CreateCustomer(bg, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "山田商事株式会社", Honorific: "御中"}})
	if err != nil {
		t.Fatal(err)
	}
	d := mustIssuedMaintenance(t, db, org.ID, c.ID)
	page := base + "/documents/" + d.ID

	// The statuses the server sent for the page, as the browser received them on the wire (the
	// response event reports a revalidated page as the 200 it kept).
	var (
		mu    sync.Mutex
		ids   []network.RequestID
		wired = map[network.RequestID]int64{}
	)
	if err := chromedp.Listen(f.ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			if e.Type == network.ResourceTypeDocument && e.Response.URL == page {
				ids = append(ids, e.RequestID)
			}
		case *network.EventResponseReceivedExtraInfo:
			wired[e.RequestID] = e.StatusCode
		}
	}); err != nil {
		t.Fatal(err)
	}
	seen := func() []int64 {
		mu.Lock()
		defer mu.Unlock()
		var s []int64
		for _, id := range ids {
			s = append(s, wired[id])
		}
		return s
	}
	visit := func(what string) {
		t.Helper()
		f.do(what, chromedp.Navigate(base+"/documents"), chromedp.WaitVisible(chromedp.CSS("table.docs")),
			chromedp.Click(chromedp.CSS(`table.docs a[href="/documents/`+d.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("#lines-view")))
	}

	visit("first visit")
	visit("second visit")
	if got := seen(); len(got) != 2 || got[0] != 200 || got[1] != 304 {
		t.Fatalf("statuses of the two visits %v, want [200 304]", got)
	}
	if got := f.text("#payment-status"); got != "未入金" {
		t.Errorf("the kept page shows payment status %q, want 未入金", got)
	}
	if got := f.text("#doc-number"); got != *d.Number {
		t.Errorf("the kept page shows number %q, want %q", got, *d.Number)
	}

	f.do("record a payment", chromedp.SetValue(chromedp.CSS("#pay-amount"), "10000"),
		chromedp.Click(chromedp.CSS("#record-payment")), chromedp.WaitVisible(chromedp.CSS("#payment-list")))
	visit("visit after the payment")
	got := seen()
	if last := got[len(got)-1]; last != 200 {
		t.Errorf("statuses %v: the visit after the payment got %d, want 200", got, last)
	}
	if rows := f.text("#payment-list tbody"); !strings.Contains(rows, "10,000") {
		t.Errorf("the page after the payment lists %q, want the payment of 10,000", rows)
	}
}

// mustIssuedMaintenance issues, in organisation orgID for customerID, the invoice the browser
// tests work on: one line 保守 of 50,000 yen at 10%, dated 2026-11-30, due 2026-12-31.
func mustIssuedMaintenance(t *testing.T, db *store.DB, orgID, customerID string) document.Document {
	t.Helper()
	bg := context.Background()
	due := document.Date{Year: 2026, Month: 12, Day: 31}
	d := document.Document{Kind: document.Invoice, CustomerID: customerID, IssueDate: document.Date{Year: 2026, Month: 11, Day: 30},
		TransactionDate: &document.Date{Year: 2026, Month: 11, Day: 30}, DueDate: &due,
		Items: []document.Item{{Name: "保守", Quantity: 1000, Unit: "式", UnitPrice: 50000, TaxRate: 10}}}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	d, err := db.CreateDocument(bg, orgID, "test", d)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = db.IssueDocument(bg, orgID, "test", d.ID); err != nil {
		t.Fatal(err)
	}
	return d
}
