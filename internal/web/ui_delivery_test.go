package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"reportapp/internal/mail/mailtest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestUISendForm: 送信 on an issued document opens the form pre-filled from the customer and the
// templates, previews the mail, queues it, and the document shows the delivery log; the mail
// settings page refuses an unknown placeholder.
func TestUISendForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		ctx := context.Background()
		c := u.custA
		c.Email = "keiri@customer.example"
		if _, err := db.UpdateCustomer(ctx, u.orgA.ID, c); err != nil {
			t.Fatal(err)
		}
		id := u.mustDraft()
		doc, err := db.IssueDocument(ctx, u.orgA.ID, "test", id)
		if err != nil {
			t.Fatal(err)
		}
		view := u.get("A-member", "/documents/"+id)
		if view.doc.Find("#send").AttrOr("href", "") != "/documents/"+id+"/send" || view.doc.Find("#no-deliveries").Length() != 1 {
			t.Fatalf("document page lacks 送信 or the empty log:\n%s", view.body)
		}
		form := u.get("A-member", "/documents/"+id+"/send")
		if form.status != 200 || strings.TrimSpace(form.doc.Find("#to").Text()) != "keiri@customer.example" ||
			!strings.Contains(form.doc.Find("#subject").AttrOr("value", ""), *doc.Number) ||
			!strings.Contains(form.doc.Find("#message").Text(), "株式会社サンプル 御中") {
			t.Fatalf("send form = %d:\n%s", form.status, form.body)
		}
		if !strings.Contains(form.doc.Find("#preview-subject").Text(), *doc.Number) || !strings.Contains(form.doc.Find("#preview-text").Text(), "/d/") {
			t.Errorf("preview %q / %q", form.doc.Find("#preview-subject").Text(), form.doc.Find("#preview-text").Text())
		}
		key := form.doc.Find(`input[name="key"]`).AttrOr("value", "")
		vals := url.Values{"to": {"経理部 <keiri@customer.example>"}, "subject": {"【請求書】{{number}}"}, "message": {"{{customer}}\n{{link}}"},
			"attach_pdf": {"1"}, "link": {"1"}, "key": {key}}
		// Bad input re-renders the form with the field's message.
		bad := url.Values{}
		for k, v := range vals {
			bad[k] = v
		}
		bad.Set("message", "{{unknown}}")
		if p := u.post("A-member", "/documents/"+id+"/send", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(string(p.body), "不明な差し込み項目") {
			t.Errorf("unknown placeholder = %d:\n%s", p.status, p.body)
		}
		preview := url.Values{}
		for k, v := range vals {
			preview[k] = v
		}
		preview.Set("preview", "1")
		if p := u.post("A-member", "/documents/"+id+"/send", preview); p.status != 200 || p.doc.Find("#preview-subject").Text() != "【請求書】"+*doc.Number {
			t.Errorf("preview = %d %q", p.status, p.doc.Find("#preview-subject").Text())
		}
		if n := len(u.smtp.Messages()); n != 0 {
			t.Errorf("the preview sent %d mails", n)
		}
		p := u.post("A-member", "/documents/"+id+"/send", vals)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/documents/"+id+"?notice=sent") {
			t.Fatalf("send = %d %s:\n%s", p.status, p.header.Get("Location"), p.body)
		}
		if p := u.post("A-member", "/documents/"+id+"/send", vals); p.status != http.StatusSeeOther { // a double submit
			t.Fatalf("second submit = %d", p.status)
		}
		list, err := db.ListDeliveries(ctx, u.orgA.ID, id)
		if err != nil || len(list) != 1 {
			t.Fatalf("deliveries after a double submit: %d %v", len(list), err)
		}
		u.runQueue()
		p2 := mailtest.Parse(t, u.smtp.Wait(t, 1, 30*time.Second)[0].Data)
		if p2.Subject != "【請求書】"+*doc.Number {
			t.Errorf("subject %q", p2.Subject)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			view = u.get("A-viewer", "/documents/"+id)
			if view.doc.Find("#delivery-list .delivery-sent").Length() == 1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if view.doc.Find("#delivery-list .delivery-sent").Length() != 1 || view.doc.Find("#send").Length() != 0 {
			t.Errorf("delivery log (viewer sees no 送信):\n%s", view.doc.Find("#deliveries").Text())
		}
		if page := u.get("A-viewer", "/deliveries"); page.status != 200 || page.doc.Find("#deliveries .delivery-sent").Length() != 1 {
			t.Errorf("/deliveries = %d", page.status)
		}
		if page := u.get("A-viewer", "/deliveries?status=failed"); page.status != 200 || page.doc.Find("#no-deliveries").Length() != 1 {
			t.Errorf("/deliveries?status=failed = %d", page.status)
		}
		// Revoking from the log.
		view = u.get("A-member", "/documents/"+id)
		if p := u.post("A-member", "/deliveries/"+list[0].ID+"/revoke", url.Values{}); p.status != http.StatusSeeOther {
			t.Errorf("revoke = %d", p.status)
		}
		if dl, _ := db.GetDelivery(ctx, u.orgA.ID, list[0].ID); dl.LinkRevokedAt == nil {
			t.Error("the link was not revoked")
		}

		// Settings.
		if p := u.get("A-admin", "/settings/mail"); p.status != 200 || p.doc.Find("#link_days").AttrOr("value", "") != "60" {
			t.Errorf("/settings/mail = %d", p.status)
		}
		set := url.Values{"subject_template": {"{{number}} {{bogus}}"}, "message_template": {"x"}, "reminder_subject_template": {"r"},
			"reminder_message_template": {"r"}, "link_days": {"30"}, "reminder_after_days": {"7"}, "reminder_every_days": {"14"}, "reminder_max": {"3"}}
		if p := u.post("A-admin", "/settings/mail", set); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.doc.Find("#mail-settings-form").Text(), "bogus") {
			t.Errorf("unknown placeholder in settings = %d", p.status)
		}
		set.Set("subject_template", "{{number}} のご案内")
		set.Set("sender_name", "株式会社サンプル経理部")
		if p := u.post("A-admin", "/settings/mail", set); p.status != 200 {
			t.Errorf("save settings = %d", p.status)
		}
		if s, _ := db.GetMailSettings(ctx, u.orgA.ID); s.LinkDays != 30 || s.SenderName != "株式会社サンプル経理部" {
			t.Errorf("saved settings %+v", s)
		}
	})
}

// TestUISendWithoutSMTP: without SMTP_URL the form, the log and the settings say how to enable
// sending, and a submit is refused with the form kept.
func TestUISendWithoutSMTP(t *testing.T) {
	db := storetest.Open(t)
	u := mustUIWith(t, db, testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 4 << 20, noMail: true})
	id := u.mustDraft()
	if _, err := db.IssueDocument(context.Background(), u.orgA.ID, "test", id); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/documents/" + id + "/send", "/deliveries", "/settings/mail"} {
		p := u.get("A-admin", path)
		if p.status != 200 || !strings.Contains(p.doc.Find("#send-disabled").Text(), "SMTP_URL") {
			t.Errorf("%s = %d without the way to enable sending", path, p.status)
		}
	}
	p := u.post("A-member", "/documents/"+id+"/send", url.Values{"to": {"a@customer.example"}, "subject": {"s"}, "message": {"m"}, "attach_pdf": {"1"}})
	if p.status != http.StatusConflict || p.doc.Find("#send-form").Length() != 1 {
		t.Errorf("submit without SMTP = %d", p.status)
	}
}
