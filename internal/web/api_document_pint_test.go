package web

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/jobs"
	"reportapp/internal/pint"
	"reportapp/internal/pint/pinttest"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestDocumentPINT: GET /api/v1/documents/{id}/pint.xml serves issued invoices and credit notes
// as JP PINT XML whose figures are the API's totals, and refuses what has no JP PINT form.
func TestDocumentPINT(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		a.mustJSON(200, nil, "A-admin", "PUT", "/api/v1/organization", map[string]any{
			"name": "株式会社エー & <Co>", "registration_number": "T7123456789012", "postal_code": "530-0001",
			"address": "大阪府大阪市北区梅田1-2-3", "bank_account": "みずほ銀行 梅田支店 普通 1234567"})
		cb := customerBody("株式会社サンプル")
		cb["registration_number"] = "T9234567890123"
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", cb)

		body := invoiceBody(c.ID)
		body["items"] = []map[string]any{
			{"name": "コンサルティング", "quantity": "1.5", "unit": "時間", "unit_price": 20000, "tax_rate": 10},
			{"name": "お弁当", "quantity": "3", "unit": "個", "unit_price": 105, "tax_rate": 8},
			{"name": "立替金", "quantity": "1", "unit_price": 1230, "tax_rate": 0, "tax_category": "outside_scope"},
		}
		var inv document.Document
		a.mustJSON(201, &inv, "A-member", "POST", "/api/v1/documents", body)
		path := "/api/v1/documents/" + inv.ID + "/pint.xml"
		if code, _, data := a.do("A-viewer", "GET", path, nil); code != 409 {
			t.Errorf("draft: %d %s", code, data)
		}
		a.mustJSON(200, &inv, "A-member", "POST", "/api/v1/documents/"+inv.ID+"/issue", nil)

		code, hdr, xmlInv := a.do("A-viewer", "GET", path, nil)
		if code != 200 || hdr.Get("Content-Type") != "application/xml; charset=utf-8" ||
			!strings.Contains(hdr.Get("Content-Disposition"), `filename="INV-0001.xml"`) {
			t.Fatalf("pint.xml: %d %q %q %s", code, hdr.Get("Content-Type"), hdr.Get("Content-Disposition"), xmlInv)
		}
		checkPINT(t, xmlInv, inv, 1, "T7123456789012")

		// A credit note against the invoice: a return invoice referring to it.
		cn := invoiceBody(c.ID)
		delete(cn, "due_date")
		cn["kind"], cn["related_document_id"] = "credit_note", inv.ID
		cn["items"] = []map[string]any{{"name": "返品 お弁当", "quantity": "1", "unit": "個", "unit_price": 105, "tax_rate": 8}}
		var credit document.Document
		a.mustJSON(201, &credit, "A-member", "POST", "/api/v1/documents", cn)
		a.mustJSON(200, &credit, "A-member", "POST", "/api/v1/documents/"+credit.ID+"/issue", nil)
		code, _, xmlCN := a.do("A-viewer", "GET", "/api/v1/documents/"+credit.ID+"/pint.xml", nil)
		if code != 200 {
			t.Fatalf("credit note: %d %s", code, xmlCN)
		}
		parsed := checkPINT(t, xmlCN, credit, -1, "T7123456789012")
		if len(parsed.BillingReference) != 1 || parsed.BillingReference[0].InvoiceDocumentReference.ID != "INV-0001" {
			t.Errorf("credit note refers to %+v, want INV-0001", parsed.BillingReference)
		}

		// Withholding tax has no JP PINT form: 422 naming it.
		wb := invoiceBody(c.ID)
		wb["withholding_tax"] = true
		var w document.Document
		a.mustJSON(201, &w, "A-member", "POST", "/api/v1/documents", wb)
		a.mustJSON(200, &w, "A-member", "POST", "/api/v1/documents/"+w.ID+"/issue", nil)
		if code, _, data := a.do("A-viewer", "GET", "/api/v1/documents/"+w.ID+"/pint.xml", nil); code != 422 || !strings.Contains(string(data), "源泉徴収") {
			t.Errorf("withholding: %d %s", code, data)
		}
		// A quote is not an invoice: 409.
		qb := invoiceBody(c.ID)
		delete(qb, "due_date")
		qb["kind"] = "quote"
		var q document.Document
		a.mustJSON(201, &q, "A-member", "POST", "/api/v1/documents", qb)
		a.mustJSON(200, &q, "A-member", "POST", "/api/v1/documents/"+q.ID+"/issue", nil)
		if code, _, data := a.do("A-viewer", "GET", "/api/v1/documents/"+q.ID+"/pint.xml", nil); code != 409 {
			t.Errorf("quote: %d %s", code, data)
		}
		// Another organisation's document does not exist.
		if code, _, _ := a.do("B-admin", "GET", path, nil); code != 404 {
			t.Errorf("other organisation: %d", code)
		}

		// A bulk export with include_pint has the XML beside each issued invoice's PDF, and says in
		// index.csv why the withholding invoice has none.
		var e jobs.Export
		a.mustJSON(202, &e, "A-member", "POST", "/api/v1/exports", map[string]any{"status": "issued", "include_pint": true})
		for deadline := time.Now().Add(60 * time.Second); e.Status != jobs.Done; {
			if time.Now().After(deadline) || e.Status == jobs.Failed {
				t.Fatalf("export = %+v", e)
			}
			time.Sleep(50 * time.Millisecond)
			a.mustJSON(200, &e, "A-viewer", "GET", "/api/v1/exports/"+e.ID, nil)
		}
		_, _, zipped := a.do("A-viewer", "GET", "/api/v1/exports/"+e.ID+"/download", nil)
		zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
		if err != nil {
			t.Fatal(err)
		}
		entries := map[string][]byte{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			entries[f.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		if !bytes.Equal(entries["請求書_INV-0001.xml"], xmlInv) || !bytes.Equal(entries["適格返還請求書_CRN-0001.xml"], xmlCN) ||
			entries["請求書_INV-0002.pdf"] == nil || entries["請求書_INV-0002.xml"] != nil || entries["見積書_QUO-0001.xml"] != nil {
			var names []string
			for n := range entries {
				names = append(names, n)
			}
			t.Errorf("export entries %v", names)
		}
		if !strings.Contains(string(entries["index.csv"]), "JP PINT: ") {
			t.Errorf("index.csv does not say why INV-0002 has no XML:\n%s", entries["index.csv"])
		}

		// What the API served passes the official validation.
		dir := t.TempDir()
		var files []string
		for name, data := range map[string][]byte{"invoice.xml": xmlInv, "credit-note.xml": xmlCN} {
			f := filepath.Join(dir, name)
			if err := os.WriteFile(f, data, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		t.Log(pinttest.Validate(t, dir, files...))
	})
}

// checkPINT parses data and fails unless its breakdowns, totals and payable amount are d's
// totals (times sign) and the seller's tax id is registration.
func checkPINT(t *testing.T, data []byte, d document.Document, sign int64, registration string) pint.Invoice {
	t.Helper()
	inv, err := pint.ReadInvoice(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadInvoice: %v\n%s", err, data)
	}
	n := func(a pint.Amount) int64 {
		v, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil {
			t.Errorf("amount %+v", a)
		}
		return v
	}
	if len(inv.TaxTotal) != 1 || len(inv.TaxTotal[0].Subtotals) != len(d.Totals.ByRate) {
		t.Fatalf("tax breakdowns %+v, want %d", inv.TaxTotal, len(d.Totals.ByRate))
	}
	for i, rt := range d.Totals.ByRate {
		st := inv.TaxTotal[0].Subtotals[i]
		if n(st.TaxableAmount) != sign*rt.Net || n(st.TaxAmount) != sign*rt.Tax {
			t.Errorf("breakdown %d (%s): taxable %s tax %s, want %d %d", i, st.Category.ID, st.TaxableAmount.Value, st.TaxAmount.Value, sign*rt.Net, sign*rt.Tax)
		}
	}
	mt := inv.LegalMonetaryTotal
	if n(inv.TaxTotal[0].TaxAmount) != sign*d.Totals.Tax || n(mt.TaxExclusiveAmount) != sign*d.Totals.Net ||
		n(mt.TaxInclusiveAmount) != sign*d.Totals.Gross || n(mt.PayableAmount) != sign*d.Totals.AmountDue {
		t.Errorf("totals %+v, want %+v × %d", mt, d.Totals, sign)
	}
	if ts := inv.Supplier.Party.TaxScheme; len(ts) != 1 || ts[0].CompanyID != registration {
		t.Errorf("seller tax id %+v, want %s", ts, registration)
	}
	if inv.ID != *d.Number {
		t.Errorf("invoice number %q, want %q", inv.ID, *d.Number)
	}
	return inv
}
