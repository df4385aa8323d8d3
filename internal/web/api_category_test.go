package web

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestTaxCategoryAndPeppolIDThroughAPI: 0% lines carry their category (exempt by default), the
// totals keep each category apart, the CSV has their amounts, and peppol_id is validated and
// kept on organisations and customers.
func TestTaxCategoryAndPeppolIDThroughAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)

		bad := customerBody("株式会社ペポル")
		bad["peppol_id"] = "0188:1234"
		code, _, data := a.do("A-member", "POST", "/api/v1/customers", bad)
		if code != 422 || !strings.Contains(string(data), "peppol_id") {
			t.Errorf("bad peppol_id: %d %s", code, data)
		}
		good := customerBody("株式会社ペポル")
		good["peppol_id"] = "0188:9234567890123"
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", good)
		a.mustJSON(200, &c, "A-viewer", "GET", "/api/v1/customers/"+c.ID, nil)
		if c.PeppolID != "0188:9234567890123" {
			t.Errorf("customer peppol_id = %q", c.PeppolID)
		}
		var org document.Organization
		a.mustJSON(200, &org, "A-admin", "PUT", "/api/v1/organization", map[string]any{"name": "株式会社エー", "peppol_id": "0221:T9234567890123"})
		if org.PeppolID != "0221:T9234567890123" {
			t.Errorf("organization peppol_id = %q", org.PeppolID)
		}

		body := invoiceBody(c.ID)
		body["items"] = []map[string]any{
			{"name": "作業", "quantity": "1", "unit_price": 10000, "tax_rate": 10},
			{"name": "印紙代", "quantity": "1", "unit_price": 200, "tax_rate": 0},
			{"name": "立替金", "quantity": "1", "unit_price": 1230, "tax_rate": 0, "tax_category": "outside_scope"},
			{"name": "輸出", "quantity": "1", "unit_price": 4560, "tax_rate": 0, "tax_category": "export"},
		}
		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", body)
		var cats []string
		for _, it := range d.Items {
			cats = append(cats, string(it.TaxCategory))
		}
		if strings.Join(cats, ",") != "standard,exempt,outside_scope,export" {
			t.Errorf("item categories = %v", cats)
		}
		var totals []string
		for _, rt := range d.Totals.ByRate {
			b, _ := json.Marshal(rt)
			totals = append(totals, string(b))
		}
		want := `{"rate":10,"net":10000,"tax":1000,"gross":11000,"category":"standard"} {"rate":0,"net":200,"tax":0,"gross":200,"category":"exempt"} {"rate":0,"net":1230,"tax":0,"gross":1230,"category":"outside_scope"} {"rate":0,"net":4560,"tax":0,"gross":4560,"category":"export"}`
		if got := strings.Join(totals, " "); got != want {
			t.Errorf("by_rate = %s\nwant %s", got, want)
		}

		body["items"] = []map[string]any{{"name": "x", "quantity": "1", "unit_price": 1, "tax_rate": 10, "tax_category": "exempt"}}
		code, _, data = a.do("A-member", "POST", "/api/v1/documents", body)
		if code != 422 || !strings.Contains(string(data), "items[0].tax_category") {
			t.Errorf("10%% exempt line: %d %s", code, data)
		}

		_, _, data = a.do("A-viewer", "GET", "/api/v1/documents.csv", nil)
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\uFEFF"))).ReadAll()
		if err != nil || len(rows) < 2 {
			t.Fatalf("CSV %v:\n%s", err, data)
		}
		got := map[string]string{}
		for i, h := range rows[0] {
			got[h] = rows[1][i]
		}
		if got["ID"] != d.ID || got["非課税"] != "200" || got["不課税"] != "1230" || got["免税"] != "4560" {
			t.Errorf("CSV row %v", got)
		}
	})
}
