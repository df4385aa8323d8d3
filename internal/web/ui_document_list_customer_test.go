package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/document"
	"reportapp/internal/store/storetest"
)

// TestUISearchCustomerByName: with 2,100 customers, the search form finds a customer by typing
// (part of) its name or its reading, in katakana or hiragana; the suggestions come from the
// server however far down the list the customer sorts; the search then filters by that customer
// and its paging and CSV links carry its id; an unknown or ambiguous name re-renders the form
// with the field's message.
func TestUISearchCustomerByName(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	ctx := context.Background()
	var last document.Customer
	for i := range 2100 {
		c, err := u.db.CreateCustomer(ctx, u.orgA.ID, document.Customer{Counterparty: document.Counterparty{
			Name: fmt.Sprintf("株式会社テスト%04d", i), Honorific: document.HonorificOnchu}, NameKana: fmt.Sprintf("テスト%04d", i)})
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	wa, err := u.db.CreateCustomer(ctx, u.orgA.ID, document.Customer{Counterparty: document.Counterparty{
		Name: "ワタナベ商店", Honorific: document.HonorificOnchu}, NameKana: "ワタナベショウテン"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []document.Customer{last, wa, u.custA} {
		day := document.Date{Year: 2026, Month: 11, Day: 2}
		d := document.Document{Kind: document.Invoice, CustomerID: c.ID, IssueDate: day, TransactionDate: &day,
			Subject: "保守", TaxRounding: document.Floor, Items: []document.Item{{Name: "作業", Quantity: 1000, UnitPrice: 1000, TaxRate: 10}}}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.CreateDocument(ctx, u.orgA.ID, "test", d); err != nil {
			t.Fatal(err)
		}
	}

	// Suggestions: a fragment with the matching customers only.
	p := u.get("A-viewer", "/documents/customers?customer="+url.QueryEscape("テスト2099"), "HX-Request", "true")
	if got := p.doc.Find("datalist#customer-options option").Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("value"); return v }); len(got) != 1 || got[0] != last.Name {
		t.Errorf("suggestions for テスト2099 = %v, want [%s]", got, last.Name)
	}
	if n := u.get("A-viewer", "/documents/customers?customer=テスト", "HX-Request", "true").doc.Find("option").Length(); n != customerOptionsLimit {
		t.Errorf("%d suggestions for a common prefix, want %d", n, customerOptionsLimit)
	}
	if n := u.get("A-viewer", "/documents/customers?customer=わたなべ", "HX-Request", "true").doc.Find("option").Length(); n != 1 {
		t.Errorf("a reading in hiragana: %d suggestions, want 1", n)
	}

	// The search by name: the last of 2,100 customers, by exact name, by reading, by hiragana.
	for _, typed := range []string{last.Name, "テスト2099", "わたなべしょうてん", "ワタナベ商店"} {
		want := last
		if strings.Contains(typed, "わた") || strings.Contains(typed, "ワタ") {
			want = wa
		}
		p := u.get("A-viewer", "/documents?customer="+url.QueryEscape(typed))
		if p.status != 200 {
			t.Fatalf("%s: status %d", typed, p.status)
		}
		rows := p.doc.Find("table tbody tr")
		if rows.Length() != 1 || !strings.Contains(rows.Text(), want.Name) {
			t.Errorf("%s: %d rows %q, want the document of %s", typed, rows.Length(), rows.Text(), want.Name)
		}
		if v, _ := p.doc.Find("input#customer").Attr("value"); v != want.Name {
			t.Errorf("%s: the field shows %q, want %q", typed, v, want.Name)
		}
		if href, _ := p.doc.Find(`a[href^="/documents.csv"]`).Attr("href"); !strings.Contains(href, "customer_id="+want.ID) {
			t.Errorf("%s: CSV link %q does not carry the customer's id", typed, href)
		}
	}
	// A link with customer_id (from elsewhere) shows the name.
	if v, _ := u.get("A-viewer", "/documents?customer_id="+last.ID).doc.Find("input#customer").Attr("value"); v != last.Name {
		t.Errorf("customer_id link: the field shows %q", v)
	}
	for typed, msg := range map[string]string{"存在しない取引先": "search.customer_none", "テスト": "search.customer_ambiguous"} {
		p := u.get("A-viewer", "/documents?customer="+url.QueryEscape(typed))
		if p.status != 422 {
			t.Errorf("%s: status %d, want 422", typed, p.status)
		}
		if got := strings.TrimSpace(p.doc.Find(".field-error").Text()); got != messagesJA()[msg] {
			t.Errorf("%s: field error %q, want %q", typed, got, messagesJA()[msg])
		}
		if n := p.doc.Find("select#customer_id").Length(); n != 0 {
			t.Errorf("the form still has the drop-down of customers")
		}
	}
}
