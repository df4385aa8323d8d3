package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"reportapp/internal/document"
	"reportapp/internal/mail/mailtest"
)

// TestBrowserSendAndOpenLink: in Chromium, 送信 on an issued invoice opens the form pre-filled
// from the customer, previews the mail, sends it; the link in the mail that arrives opens the
// public page (in the same browser, which the link does not need to be signed in for) and the
// document page then shows 開封済み.
func TestBrowserSendAndOpenLink(t *testing.T) {
	f, db, org, smtp := mustSignedInWithMail(t, mustBrowser(t))
	base, bg := f.base, context.Background()
	c, err := db.CreateCustomer(bg, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "山田商事株式会社", Honorific: "御中", Email: "keiri@yamada.example"}})
	if err != nil {
		t.Fatal(err)
	}
	d := mustIssuedMaintenance(t, db, org.ID, c.ID)
	f.do("document", chromedp.Navigate(base+"/documents/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#send")))
	f.do("send form", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#send-form")))
	if got, err := chromedp.Run(f.ctx, chromedp.Value(chromedp.CSS("#to"))); err != nil || strings.TrimSpace(got) != "keiri@yamada.example" {
		t.Errorf("to %q (%v), want the customer's address", got, err)
	}
	if got := f.text("#preview-subject"); !strings.Contains(got, *d.Number) {
		t.Errorf("preview subject %q", got)
	}
	f.do("preview", chromedp.SetValue(chromedp.CSS("#subject"), "【請求書】{{number}} ご確認ください"),
		chromedp.Click(chromedp.CSS("#send-preview")), chromedp.Sleep(time.Second), chromedp.WaitVisible(chromedp.CSS("#mail-preview")))
	if got := f.text("#preview-subject"); got != "【請求書】"+*d.Number+" ご確認ください" {
		t.Errorf("preview subject after editing %q", got)
	}
	f.do("send", chromedp.Click(chromedp.CSS("#send-submit")), chromedp.WaitVisible(chromedp.CSS("#delivery-list")))
	msg := smtp.Wait(t, 1, 60*time.Second)[0]
	p := mailtest.Parse(t, msg.Data)
	if p.Subject != "【請求書】"+*d.Number+" ご確認ください" {
		t.Errorf("subject %q", p.Subject)
	}
	link := strings.Fields(p.Text[strings.Index(p.Text, base+"/d/"):])[0]
	f.do("public link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#link-download")))
	if got := f.text("#link-title"); !strings.Contains(got, *d.Number) {
		t.Errorf("public page title %q", got)
	}
	if got := f.text("#link-amount"); got != document.FormatYen(d.Totals.AmountDue) {
		t.Errorf("public page amount %q", got)
	}
	f.do("opened", chromedp.Navigate(base+"/documents/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#doc-opened")))
}
