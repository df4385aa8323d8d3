package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestUIFullWidthInput is issue 12 item 9 through the forms: a quantity of "１．５" and a price
// of "１２，０００" make a line with totals; the search takes "100,000" and "１０００００" as
// amounts; a customer's "Ｔ７１２３…" registration number and "１００－０００１" postal code are
// stored in ASCII while the name keeps its full-width letters.
func TestUIFullWidthInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		f := invoiceForm(u.custA.ID)
		f["item_quantity"] = []string{"１．５", "２"}
		f["item_unit_price"] = []string{"１２，０００", "￥５４０"}
		// The live preview shows the totals rather than losing them.
		if p := u.post("A-member", "/documents/editor/totals", f); p.status != http.StatusOK || !strings.Contains(string(p.body), "¥20,966") {
			t.Errorf("the live totals = %d, without ¥20,966:\n%s", p.status, p.body)
		}
		p := u.post("A-member", "/documents", f)
		if p.status != http.StatusSeeOther {
			t.Fatalf("save = %d:\n%s", p.status, p.body)
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(p.header.Get("Location"), "/documents/"), "?")
		d, err := db.GetDocument(t.Context(), u.orgA.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Items[0].Quantity != 1500 || d.Items[0].UnitPrice != 12000 || d.Items[0].Amount != 18000 || d.Items[1].UnitPrice != 540 {
			t.Errorf("lines %+v", d.Items)
		}
		wantGross := d.Totals.Gross
		if wantGross != 18000+1800+1080+86 {
			t.Errorf("gross %d", wantGross)
		}

		for _, min := range []string{"10,000", "１００００", "¥10,000", "１０，０００"} {
			list := u.get("A-viewer", "/documents?total_min="+url.QueryEscape(min))
			if list.status != http.StatusOK || list.doc.Find("table.docs tbody tr").Length() != 1 {
				t.Errorf("search total_min=%s: %d, %d rows:\n%s", min, list.status, list.doc.Find("table.docs tbody tr").Length(), list.body)
			}
		}
		if list := u.get("A-viewer", "/documents?total_min="+url.QueryEscape("１００，０００")); list.status != http.StatusOK || list.doc.Find("table.docs tbody tr").Length() != 0 {
			t.Errorf("search total_min=１００，０００: %d", list.status)
		}

		cf := url.Values{"name": {"株式会社ＡＢＣ"}, "honorific": {"御中"}, "registration_number": {"Ｔ７１２３４５６７８９０１２"},
			"postal_code": {"１００－０００１"}}
		if p := u.post("A-member", "/customers", cf); p.status != http.StatusSeeOther || p.header.Get("Location") != "/customers?notice=created" {
			t.Fatalf("save customer = %d %q:\n%s", p.status, p.header.Get("Location"), p.body)
		}
		cs, err := db.ListCustomers(t.Context(), u.orgA.ID, "ＡＢＣ", 10, 0)
		if err != nil || len(cs) != 1 {
			t.Fatalf("customers %v %v", cs, err)
		}
		if c := cs[0]; c.RegistrationNumber != "T7123456789012" || c.PostalCode != "100-0001" || c.Name != "株式会社ＡＢＣ" {
			t.Errorf("customer stored as %q %q %q", c.RegistrationNumber, c.PostalCode, c.Name)
		}
	})
}

// TestAPIFullWidthInput: the JSON API reads numbers and codes through the same normalisation.
func TestAPIFullWidthInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		body := customerBody("株式会社ＡＢＣ")
		body["registration_number"] = "Ｔ７１２３４５６７８９０１２"
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", body)
		if c.RegistrationNumber != "T7123456789012" || c.Name != "株式会社ＡＢＣ" {
			t.Errorf("customer %q %q", c.RegistrationNumber, c.Name)
		}
		inv := invoiceBody(c.ID)
		inv["items"] = []map[string]any{{"name": "作業", "quantity": "１．５", "unit": "時間", "unit_price": 12000, "tax_rate": 10}}
		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", inv)
		if d.Items[0].Quantity != 1500 || d.Totals.Gross != 19800 {
			t.Errorf("document %+v %+v", d.Items, d.Totals)
		}
		var list struct {
			Items []struct{ ID string } `json:"items"`
		}
		for _, min := range []string{"19,800", "１９８００"} {
			a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/documents?total_min="+url.QueryEscape(min), nil)
			if len(list.Items) != 1 {
				t.Errorf("total_min=%s: %d documents", min, len(list.Items))
			}
		}
		if code, _, _ := a.do("A-viewer", "GET", "/api/v1/documents?total_min=1,5", nil); code != 422 {
			t.Errorf("total_min=1,5 = %d, want 422", code)
		}
	})
}
