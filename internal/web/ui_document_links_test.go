package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/store/storetest"
)

// mustIssue saves the form as a draft and issues it; it returns the document's id.
func (u *testUI) mustIssue(form url.Values) string {
	u.t.Helper()
	p := u.post("A-member", "/documents", form)
	if p.status != http.StatusSeeOther {
		u.t.Fatalf("save = %d:\n%s", p.status, p.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(p.header.Get("Location"), "/documents/"), "?")
	if p := u.post("A-member", "/documents/"+id+"/issue", nil); p.status != http.StatusSeeOther {
		u.t.Fatalf("issue = %d:\n%s", p.status, p.body)
	}
	return id
}

// Converting a quote: the invoice's subject drops "のお見積り", the invoice links to the quote
// and the quote to the invoice, and the quote is marked ordered (受注済み).
func TestUIQuoteToInvoice(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	qf := invoiceForm(u.custA.ID)
	qf.Set("kind", "quote")
	qf.Set("subject", "ウェブサイト制作のお見積り")
	qf.Del("transaction_date")
	quoteID := u.mustIssue(qf)
	if u.get("A-viewer", "/documents/"+quoteID).doc.Find("#doc-ordered").Length() != 0 {
		t.Errorf("a new quote shows as ordered")
	}
	ed := u.get("A-member", "/documents/new?copy="+quoteID+"&kind=invoice")
	if got := ed.val(t, "#subject"); got != "ウェブサイト制作" {
		t.Errorf("subject = %q", got)
	}
	form := url.Values{}
	ed.doc.Find("#editor input, #editor select, #editor textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		switch {
		case name == "" || name == "op":
		case s.Is("select"):
			form.Add(name, s.Find("option[selected]").AttrOr("value", s.Find("option").First().AttrOr("value", "")))
		case s.Is("textarea"):
			form.Add(name, s.Text())
		case s.AttrOr("type", "") == "checkbox":
			if _, ok := s.Attr("checked"); ok {
				form.Add(name, s.AttrOr("value", "on"))
			}
		default:
			form.Add(name, s.AttrOr("value", ""))
		}
	})
	invID := u.mustIssue(form)
	inv := u.get("A-viewer", "/documents/"+invID)
	if href := inv.doc.Find("#source-link").AttrOr("href", ""); href != "/documents/"+quoteID {
		t.Errorf("invoice's link to its quote = %q", href)
	}
	q := u.get("A-viewer", "/documents/"+quoteID)
	if q.doc.Find("#doc-ordered").Length() != 1 || q.doc.Find(`#derived-links a[href="/documents/`+invID+`"]`).Length() != 1 {
		t.Errorf("quote page does not show the order and the invoice:\n%s", q.body)
	}
}

// A credit note made from an invoice names it by number, does not copy its 備考, and the
// picker offers the customer's issued invoices as the user types.
func TestUICreditNotePrefillAndPicker(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	f := invoiceForm(u.custA.ID)
	f.Set("notes", "お振込手数料はご負担ください")
	id := u.mustIssue(f)
	number := u.get("A-viewer", "/documents/"+id).text(t, "#doc-number")
	cn := u.get("A-member", "/documents/new?copy="+id+"&kind=credit_note")
	if got := cn.val(t, "#related_document_number"); got != number {
		t.Errorf("related number = %q, want %q", got, number)
	}
	if got := cn.text(t, "#notes"); got != "" {
		t.Errorf("notes copied into the credit note: %q", got)
	}
	opts := u.get("A-member", "/documents/editor/invoices?customer_id="+u.custA.ID+"&related_document_number="+url.QueryEscape(number[len(number)-2:]))
	if got := opts.doc.Find("datalist#invoice-options option").First().AttrOr("value", ""); got != number {
		t.Errorf("picker offers %q, want %q:\n%s", got, number, opts.body)
	}
	if n := u.get("A-member", "/documents/editor/invoices?related_document_number=NOPE").doc.Find("option").Length(); n != 0 {
		t.Errorf("picker offers %d invoices for a number nobody has", n)
	}
}
