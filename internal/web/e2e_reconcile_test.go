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
)

// TestBrowserReconcile drives the 入金消込 page: upload a 全銀協 file, keep the proposed match,
// apply in one submit, and find the invoice paid.
func TestBrowserReconcile(t *testing.T) {
	f, db, org := mustSignedIn(t, mustBrowser(t))
	base, bg := f.base, context.Background()
	c, err := db.CreateCustomer(bg, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "山田商事株式会社", Honorific: "御中"}, NameKana: "ヤマダショウジ"})
	if err != nil {
		t.Fatal(err)
	}
	d := mustIssuedMaintenance(t, db, org.ID, c.ID)
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
