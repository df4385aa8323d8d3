package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/document"
	"reportapp/internal/store/storetest"
)

// mustSaved saves the editor form as a new draft and returns it as stored.
func (u *testUI) mustSaved(t *testing.T, what string, f url.Values) document.Document {
	t.Helper()
	p := u.post("A-member", "/documents", f)
	if p.status != http.StatusSeeOther {
		t.Fatalf("%s = %d:\n%s", what, p.status, p.body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(p.header.Get("Location"), "/documents/"), "?")
	d, err := u.db.GetDocument(context.Background(), u.orgA.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestUIEditorBlankLinesAndKinds: rows left empty are not lines (saving and the totals ignore
// them), a value typed into a field of another kind is not saved, and every line keeps its
// description, newlines included, through the editor and onto the document's page.
func TestUIEditorBlankLinesAndKinds(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	t.Run("blank rows", func(t *testing.T) {
		f := invoiceForm(u.custA.ID)
		f["item_name"] = []string{"コンサルティング", "", "お菓子", ""}
		f["item_quantity"] = []string{"1", "1", "2", ""}
		f["item_unit"] = []string{"式", "", "個", ""}
		f["item_unit_price"] = []string{"10,000", "", "540", ""}
		f["item_tax_rate"] = []string{"10", "10", "8", "10"}
		f["item_description"] = []string{"", "", "", ""}
		if p := u.post("A-member", "/documents/editor/totals", f, "HX-Request", "true"); p.doc.Find("#total-gross").Text() != "¥12,166" {
			t.Errorf("totals with blank rows:\n%s", p.body)
		}
		d := u.mustSaved(t, "save with blank rows", f)
		if len(d.Items) != 2 || d.Items[1].Name != "お菓子" {
			t.Errorf("saved lines %+v, want the two that were filled in", d.Items)
		}
		// Only blank rows: the message asks for a line and there is a row to type it into.
		f["item_name"], f["item_unit"], f["item_unit_price"] = []string{"", ""}, []string{"", ""}, []string{"", ""}
		f["item_quantity"], f["item_tax_rate"] = []string{"1", "1"}, []string{"10", "10"}
		p := u.post("A-member", "/documents", f)
		if p.status != http.StatusUnprocessableEntity || p.doc.Find("#lines .field-error").Length() == 0 || p.doc.Find("#lines tr.line").Length() != 1 {
			t.Errorf("only blank rows = %d, %d rows:\n%s", p.status, p.doc.Find("#lines tr.line").Length(), p.body)
		}
		// A row with only a price is not blank: its missing name is reported on it.
		f = invoiceForm(u.custA.ID)
		f["item_name"] = []string{"コンサルティング", ""}
		p = u.post("A-member", "/documents", f)
		if p.status != http.StatusUnprocessableEntity || p.doc.Find("#item-name-1").Parent().Find(".field-error").Length() != 1 {
			t.Errorf("a priced row without a name = %d:\n%s", p.status, p.body)
		}
	})
	t.Run("fields of another kind", func(t *testing.T) {
		f := invoiceForm(u.custA.ID)
		f.Set("kind", "quote")
		f.Set("due_date", "2026-12-31")           // typed while it was an invoice
		f.Set("purpose", "お品代として")                // a receipt's
		f.Set("related_document_number", "INV-1") // a credit note's
		f.Set("valid_until", "2026-12-31")
		d := u.mustSaved(t, "a quote with other kinds' fields", f)
		id := d.ID
		if d.DueDate != nil || d.Purpose != "" || d.ValidUntil == nil || d.ValidUntil.String() != "2026-12-31" {
			t.Errorf("saved quote: due %v, purpose %q, valid until %v", d.DueDate, d.Purpose, d.ValidUntil)
		}
		edit := u.get("A-member", "/documents/"+id+"/edit")
		for sel, kinds := range map[string]string{"#due_date": "invoice", "#valid_until": "quote", "#purpose": "receipt", "#related_document_number": "credit_note"} {
			if got := edit.doc.Find(sel).Parent().AttrOr("data-kinds", ""); got != kinds {
				t.Errorf("%s is shown for %q, want %q", sel, got, kinds)
			}
		}
	})
	t.Run("descriptions", func(t *testing.T) {
		f := invoiceForm(u.custA.ID)
		f["item_description"] = []string{"4月1日〜30日\n夜間対応を含む", ""}
		d := u.mustSaved(t, "save", f)
		id := d.ID
		if d.Items[0].Description != "4月1日〜30日\n夜間対応を含む" || d.Items[1].Description != "" {
			t.Errorf("saved descriptions %q, %q", d.Items[0].Description, d.Items[1].Description)
		}
		edit := u.get("A-member", "/documents/"+id+"/edit")
		if got := edit.doc.Find("#item-desc-0").Text(); got != "4月1日〜30日\n夜間対応を含む" {
			t.Errorf("editor description = %q", got)
		}
		if _, open := edit.doc.Find("#item-desc-0").Closest("details").Attr("open"); !open {
			t.Errorf("a line with a description opens with it hidden")
		}
		if _, open := edit.doc.Find("#item-desc-1").Closest("details").Attr("open"); open {
			t.Errorf("a line without a description opens its box")
		}
		view := u.get("A-viewer", "/documents/"+id)
		if got := view.doc.Find("#lines-view tbody tr").First().Find(".item-desc-text").Text(); got != "4月1日〜30日\n夜間対応を含む" {
			t.Errorf("document page description = %q", got)
		}
		f["item_description"] = []string{strings.Repeat("説", 1001), ""}
		if p := u.post("A-member", "/documents", f); p.status != http.StatusUnprocessableEntity || p.doc.Find("#item-desc-0").Parent().Find(".field-error").Length() != 1 {
			t.Errorf("a too long description = %d:\n%s", p.status, p.body)
		}
	})
	t.Run("focus after a line button", func(t *testing.T) {
		tests := []struct{ op, focus string }{
			{"add", "item-name-3"}, {"remove:1", "item-name-1"}, {"remove:2", "item-name-1"},
			{"up:2", "item-up-1"}, {"up:1", "item-down-0"}, {"down:0", "item-down-1"}, {"down:1", "item-up-2"},
		}
		for _, tt := range tests {
			f := invoiceForm(u.custA.ID)
			f["item_name"], f["item_quantity"] = []string{"a", "b", "c"}, []string{"1", "1", "1"}
			f["item_unit_price"], f["item_tax_rate"] = []string{"1", "2", "3"}, []string{"10", "10", "10"}
			f.Set("op", tt.op)
			for _, hx := range []bool{true, false} {
				var p page
				if hx {
					p = u.post("A-member", "/documents/editor/lines", f, "HX-Request", "true")
				} else {
					p = u.post("A-member", "/documents", f)
				}
				if got := p.doc.Find("[autofocus]"); got.Length() != 1 || got.AttrOr("id", "") != tt.focus {
					t.Errorf("op %s (htmx %v): autofocus on %v, want #%s", tt.op, hx, got.Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("id", "") }), tt.focus)
				}
			}
		}
		f := invoiceForm(u.custA.ID)
		f["item_name"], f["item_quantity"], f["item_unit_price"], f["item_tax_rate"] = []string{"a"}, []string{"1"}, []string{"1"}, []string{"10"}
		f["item_unit"] = []string{"式"}
		f.Set("op", "remove:0")
		if p := u.post("A-member", "/documents/editor/lines", f, "HX-Request", "true"); p.doc.Find("#add-line[autofocus]").Length() != 1 {
			t.Errorf("removing the only line does not focus 行を追加:\n%s", p.body)
		}
	})
}

// TestUIEditorAddCustomer: the editor's inline form adds a customer and comes back with the
// draft as typed and the customer chosen, as a fragment for htmx and as the whole editor
// without JavaScript; a new organisation's editor offers it open.
func TestUIEditorAddCustomer(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	if p := u.get("B-admin", "/documents/new"); p.doc.Find("#no-customers a[href='/customers/new']").Length() != 1 || p.doc.Find("details#new-customer[open]").Length() != 1 {
		t.Errorf("an organisation without customers is not offered to add one:\n%s", p.body)
	}
	if p := u.get("A-member", "/documents/new"); p.doc.Find("#no-customers").Length() != 0 || p.doc.Find("details#new-customer[open]").Length() != 0 {
		t.Errorf("the inline form is open although there are customers")
	}
	f := invoiceForm("")
	f.Set("subject", "下書きの件名")
	f.Set("new_customer_name", "株式会社インライン")
	f.Set("new_customer_honorific", "様")
	p := u.post("A-member", "/documents/editor/customer", f)
	if p.status != http.StatusOK {
		t.Fatalf("add without htmx = %d:\n%s", p.status, p.body)
	}
	chosen := p.doc.Find("#customer_id option[selected]")
	if !strings.Contains(chosen.Text(), "株式会社インライン 様") || p.val(t, "#subject") != "下書きの件名" || p.val(t, "#item-name-1") != "お菓子" {
		t.Errorf("after adding: chosen %q, subject %q:\n%s", chosen.Text(), p.val(t, "#subject"), p.body)
	}
	if p.doc.Find("#customer_id[autofocus]").Length() != 1 || p.val(t, "#new_customer_name") != "" {
		t.Errorf("after adding, the list is not focused or the inline form not cleared")
	}
	cs, err := u.db.ListCustomers(context.Background(), u.orgA.ID, "インライン", 10, 0)
	if err != nil || len(cs) != 1 || cs[0].Honorific != "様" || cs[0].ID != chosen.AttrOr("value", "") {
		t.Fatalf("stored customers %+v, %v", cs, err)
	}
	f.Set("new_customer_name", "")
	hx := u.post("A-member", "/documents/editor/customer", f, "HX-Request", "true")
	if hx.status != http.StatusOK || hx.doc.Find("html head").Children().Length() != 0 || hx.doc.Find("#customer-picker details[open] .field-error").Length() != 1 {
		t.Errorf("a nameless customer by htmx = %d:\n%s", hx.status, hx.body)
	}
	f.Set("new_customer_name", "株式会社フラグメント")
	hx = u.post("A-member", "/documents/editor/customer", f, "HX-Request", "true")
	if !strings.Contains(hx.doc.Find("#customer-picker #customer_id option[selected]").Text(), "株式会社フラグメント") {
		t.Errorf("the picker fragment does not choose the new customer:\n%s", hx.body)
	}
	if got := u.post("A-viewer", "/documents/editor/customer", f).status; got != http.StatusForbidden {
		t.Errorf("a viewer adding a customer = %d, want 403", got)
	}
}
