package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"reportapp/internal/bank/banktest"
	"reportapp/internal/document"
	"reportapp/internal/store/storetest"
)

// TestBrowserReconcile drives the 入金消込 page: upload a 全銀協 file, keep the proposed match,
// apply in one submit, and find the invoice paid.
func TestBrowserReconcile(t *testing.T) {
	ctx := mustBrowser(t)
	db := storetest.Open(t)
	base, authSvc := mustServer(t, db, nil)
	setup, ok, err := authSvc.SetupURL(context.Background())
	if err != nil || !ok {
		t.Fatalf("SetupURL = %v, %v", ok, err)
	}
	f := flow{t: t, ctx: ctx, base: base}
	f.do("first-run setup", chromedp.Navigate(setup),
		chromedp.SendKeys(chromedp.CSS("input[name=org_name]"), "株式会社テスト"),
		chromedp.SendKeys(chromedp.CSS("input[name=org_slug]"), "test"),
		chromedp.SendKeys(chromedp.CSS("input[name=email]"), "admin@example.co.jp"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "correct horse battery staple"),
		chromedp.Submit(chromedp.CSS("input[name=org_name]")))
	f.do("after setup", chromedp.WaitVisible(chromedp.CSS("#logout")))
	f.do("enter the registration number", chromedp.Navigate(base+"/settings"),
		chromedp.SendKeys(chromedp.CSS("#registration_number"), "T7123456789012"),
		chromedp.Submit(chromedp.CSS("#registration_number")),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))

	bg := context.Background()
	org, err := db.GetOrganizationBySlug(bg, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateCustomer(bg, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "山田商事株式会社", Honorific: "御中"}, NameKana: "ヤマダショウジ"})
	if err != nil {
		t.Fatal(err)
	}
	due := document.Date{Year: 2026, Month: 12, Day: 31}
	d := document.Document{Kind: document.Invoice, CustomerID: c.ID, IssueDate: document.Date{Year: 2026, Month: 11, Day: 30}, TransactionDate: &document.Date{Year: 2026, Month: 11, Day: 30}, DueDate: &due,
		Items: []document.Item{{Name: "保守", Quantity: 1000, Unit: "式", UnitPrice: 50000, TaxRate: 10}}}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	d, err = db.CreateDocument(bg, org.ID, "test", d)
	if err != nil {
		t.Fatal(err)
	}
	if d, err = db.IssueDocument(bg, org.ID, "test", d.ID); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "nyukin.txt")
	if err := os.WriteFile(file, banktest.File("01", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: d.Totals.AmountDue, Payer: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"}}, banktest.Trailer{}, "\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.do("upload", chromedp.Navigate(base+"/reconcile"), chromedp.WaitVisible(chromedp.CSS("#upload-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS("#upload")),
		chromedp.WaitVisible(chromedp.CSS("#review")))
	if got := f.text("#review tbody tr td:nth-child(4)"); !strings.Contains(got, "一致") {
		t.Errorf("status cell %q, want 一致 (matched)", got)
	}
	f.do("apply", chromedp.Click(chromedp.CSS("#apply")), chromedp.WaitVisible(chromedp.CSS(".result-recorded")))
	f.do("invoice", chromedp.Navigate(base+"/documents/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#payment-status")))
	if got := f.text("#payment-status"); got != "入金済み" {
		t.Errorf("payment status %q, want 入金済み", got)
	}
}
