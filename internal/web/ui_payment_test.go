package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/bank/banktest"
	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// uploadStatement posts a bank file to the 入金消込 page.
func (u *testUI) uploadStatement(who string, file []byte) page {
	u.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "nyukin.txt")
	_, _ = fw.Write(file)
	_ = mw.WriteField("format", "")
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, u.URL+"/reconcile", &body)
	if err != nil {
		u.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return u.do(who, req)
}

// mustIssuedInvoice issues an invoice of organisation A (33,340 yen due 2026-12-31, as
// invoiceForm makes it) and returns it.
func (u *testUI) mustIssuedInvoice() document.Document {
	u.t.Helper()
	id := u.mustDraft()
	d, err := u.db.IssueDocument(context.Background(), u.orgA.ID, "test", id)
	if err != nil {
		u.t.Fatal(err)
	}
	return d
}

func TestUIPayments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		inv := u.mustIssuedInvoice()
		due := *inv.Balance
		path := "/documents/" + inv.ID

		p := u.get("A-viewer", path)
		if p.status != 200 || p.doc.Find("#payment-form").Length() != 0 {
			t.Fatalf("viewer sees the payment form (status %d)", p.status)
		}
		p = u.get("A-member", path)
		if got := p.text(t, "#payment-status"); got != "未入金" && got != "期日超過" {
			t.Errorf("status badge %q", got)
		}
		// Too much: the form comes back with the message on amount, nothing recorded.
		p = u.post("A-member", path+"/payments", url.Values{"date": {"2026-12-10"}, "amount": {"999999999"}, "method": {"bank_transfer"}})
		if p.status != http.StatusUnprocessableEntity || p.doc.Find("#payment-form .field-error").Length() == 0 {
			t.Fatalf("overpayment: %d", p.status)
		}
		p = u.post("A-member", path+"/payments", url.Values{"date": {"2026-12-10"}, "amount": {"10,000"}, "fee": {"110"}, "method": {"bank_transfer"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("record: %d %s", p.status, p.body)
		}
		p = u.get("A-member", path)
		if got := p.text(t, "#balance"); !strings.Contains(got, document.FormatYen(due-10110)) {
			t.Errorf("balance %q, want %s", got, document.FormatYen(due-10110))
		}
		if p.doc.Find("#payment-list tbody tr").Length() != 1 {
			t.Errorf("payment rows: %d", p.doc.Find("#payment-list tbody tr").Length())
		}
		action, _ := p.doc.Find("#payment-list form").Attr("action")
		// Void needs a reason; with one, the row is struck through and the balance is back.
		if p := u.post("A-member", action, url.Values{"reason": {""}, "document_id": {inv.ID}}); p.status != http.StatusUnprocessableEntity {
			t.Errorf("void without reason: %d", p.status)
		}
		if p := u.post("B-admin", action, url.Values{"reason": {"x"}}); p.status != http.StatusNotFound {
			t.Errorf("void by another org: %d", p.status)
		}
		if p := u.post("A-member", action, url.Values{"reason": {"二重登録"}, "document_id": {inv.ID}}); p.status != http.StatusSeeOther {
			t.Fatalf("void: %d %s", p.status, p.body)
		}
		p = u.get("A-member", path)
		if p.doc.Find("#payment-list tr.voided").Length() != 1 || !strings.Contains(p.text(t, "#balance"), document.FormatYen(due)) {
			t.Errorf("after void: %s", p.text(t, "#payments"))
		}
		// The list has the 入金状況 column and filter.
		p = u.get("A-member", "/documents?payment_status=paid")
		if p.status != 200 || p.doc.Find("table.docs tbody tr").Length() != 0 {
			t.Errorf("paid filter: %d rows", p.doc.Find("table.docs tbody tr").Length())
		}
		p = u.get("A-member", "/documents?kind=invoice&status=issued")
		if p.doc.Find("table.docs tbody tr span.badge[class*=pay-]").Length() != 1 {
			t.Errorf("payment badge missing in the list")
		}
		// The dashboard shows 売掛金 and the aging chart.
		p = u.get("A-viewer", "/")
		if !strings.Contains(p.text(t, "#receivables-total"), document.FormatYen(due)) || p.doc.Find("#aging-chart rect").Length() != 5 ||
			p.doc.Find("#top-customers a").Length() != 1 {
			t.Errorf("dashboard receivables: %q", p.text(t, "#receivables-total"))
		}
	})
}

func TestUIReconcile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		inv1, inv2 := u.mustIssuedInvoice(), u.mustIssuedInvoice()
		file := banktest.File("01", []banktest.Deposit{
			{Ref: "1", Date: "081210", Amount: *inv1.Balance - 110, Payer: "ｻﾝﾌﾟﾙ(ｶ"},
			{Ref: "2", Date: "081211", Amount: 777, Payer: "ﾌﾒｲ"},
		}, banktest.Trailer{}, "\r\n")
		if p := u.uploadStatement("A-viewer", file); p.status != http.StatusForbidden {
			t.Errorf("viewer uploads: %d", p.status)
		}
		bad := banktest.File("01", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1, Payer: "ﾀﾅｶ"}}, banktest.Trailer{Count: ptrInt(5)}, "")
		if p := u.uploadStatement("A-member", bad); p.status != http.StatusUnprocessableEntity || !strings.Contains(string(p.body), "振込合計件数") {
			t.Errorf("bad trailer: %d", p.status)
		}
		p := u.uploadStatement("A-member", file)
		if p.status != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", p.status, p.body)
		}
		review := p.header.Get("Location")
		p = u.get("A-member", review)
		rows := p.doc.Find("#review tbody tr")
		if rows.Length() != 2 {
			t.Fatalf("review rows %d", rows.Length())
		}
		// Both invoices have the same balance, so the first deposit is only suggested; confirm it,
		// and apply the second to the other invoice by choosing it.
		form := url.Values{}
		rows.Each(func(i int, s *goquery.Selection) {
			name, _ := s.Find("input[type=radio][value=confirm]").Attr("name")
			if i == 0 {
				if name == "" {
					t.Errorf("first line has no proposal: %s", s.Text())
				}
				form.Set(name, "confirm")
				feeName, _ := s.Find("input[name^=fee_]").Attr("name")
				form.Set(feeName, "110")
				return
			}
			radio, _ := s.Find("input[type=radio][value=other]").Attr("name")
			sel, _ := s.Find("select").Attr("name")
			form.Set(radio, "other")
			form.Set(sel, inv2.ID)
			feeName, _ := s.Find("input[name^=fee_]").Attr("name")
			form.Set(feeName, "0")
		})
		p = u.post("A-member", review+"/apply", form)
		if p.status != 200 || p.doc.Find(".result-recorded").Length() != 2 {
			t.Fatalf("apply: %d %s", p.status, p.doc.Find("#review").Text())
		}
		// Submitting again records nothing: the lines are applied.
		p = u.post("A-member", review+"/apply", form)
		if p.doc.Find(".result-recorded").Length() != 0 || p.doc.Find("#review .badge.issued").Length() != 2 {
			t.Errorf("second submit: %s", p.doc.Find("#review").Text())
		}
		for _, id := range []string{inv1.ID, inv2.ID} {
			ps, err := db.ListPayments(context.Background(), u.orgA.ID, id)
			if err != nil || len(ps) != 1 {
				t.Errorf("invoice %s: %d payments (%v)", id, len(ps), err)
			}
		}
		if p := u.get("B-admin", review); p.status != http.StatusNotFound {
			t.Errorf("other org sees the review: %d", p.status)
		}
	})
}
