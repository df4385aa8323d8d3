package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestUITaxCategoryAndPINT: the editor keeps a 0% line's category, the view names it, and an
// issued invoice offers its JP PINT download.
func TestUITaxCategoryAndPINT(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		form := invoiceForm(u.custA.ID)
		form["item_name"] = append(form["item_name"], "立替金")
		form["item_quantity"] = append(form["item_quantity"], "1")
		form["item_unit"] = append(form["item_unit"], "")
		form["item_unit_price"] = append(form["item_unit_price"], "1230")
		form["item_tax_rate"] = append(form["item_tax_rate"], "0")
		form["item_tax_category"] = []string{"exempt", "exempt", "outside_scope"} // ignored on 10% and 8% lines
		p := u.post("A-member", "/documents", form)
		if p.status != http.StatusSeeOther {
			t.Fatalf("save = %d:\n%s", p.status, p.body)
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(p.header.Get("Location"), "/documents/"), "?")

		edit := u.get("A-member", "/documents/"+id+"/edit")
		if got := edit.doc.Find("#item-cat-2 option[selected]").AttrOr("value", ""); got != "outside_scope" {
			t.Errorf("editor's category of line 3 = %q, want outside_scope", got)
		}
		view := u.get("A-viewer", "/documents/"+id)
		if !strings.Contains(view.text(t, "main"), "不課税") {
			t.Errorf("view does not name the 0%% line's category:\n%s", view.body)
		}
		if view.doc.Find("#download-pint").Length() != 0 {
			t.Errorf("a draft offers the JP PINT download")
		}

		if _, err := db.IssueDocument(context.Background(), u.orgA.ID, "tester", id); err != nil {
			t.Fatal(err)
		}
		view = u.get("A-viewer", "/documents/"+id)
		if href := view.doc.Find("#download-pint").AttrOr("href", ""); href != "/documents/"+id+"/pint.xml" {
			t.Errorf("issued invoice: JP PINT link %q", href)
		}
		// Neither the organisation nor the customer has a 登録番号 here: JP PINT cannot name them.
		if x := u.get("A-viewer", "/documents/"+id+"/pint.xml"); x.status != http.StatusUnprocessableEntity {
			t.Errorf("pint.xml without 登録番号 = %d", x.status)
		}
	})
}
