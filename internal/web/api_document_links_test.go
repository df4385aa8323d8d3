package web

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// creditBody is a credit note for customerID returning amount (net, 税抜) at rate.
func creditBody(customerID string, related map[string]any, amount int64, rate int) map[string]any {
	b := map[string]any{
		"kind": "credit_note", "customer_id": customerID, "issue_date": "2026-11-28",
		"transaction_date": "2026-11-20", "subject": "返品",
		"items": []map[string]any{{"name": "返品", "quantity": "1", "unit_price": amount, "tax_rate": rate}},
	}
	for k, v := range related {
		b[k] = v
	}
	return b
}

// wantFields checks a 422 whose field errors include each of fields.
func wantFields(t *testing.T, what string, code int, body []byte, fields ...string) {
	t.Helper()
	if code != 422 {
		t.Errorf("%s = %d, want 422: %s", what, code, body)
		return
	}
	var e struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("%s: %v: %s", what, err, body)
	}
	for _, f := range fields {
		if e.Error.Fields[f] == "" {
			t.Errorf("%s: no problem with %s in %s", what, f, body)
		}
	}
}

// A credit note must correct an issued invoice of the same customer, and all the credit notes
// issued against one invoice may not return more than it charged at any rate.
func TestCreditNoteRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		cust, draft, inv := a.fixture() // inv: 10% gross 33,000 and 8% gross 340
		var other document.Customer
		a.mustJSON(201, &other, "A-member", "POST", "/api/v1/customers", customerBody("別の取引先"))
		var quote document.Document
		qb := invoiceBody(cust.ID)
		qb["kind"], qb["due_date"] = "quote", nil
		a.mustJSON(201, &quote, "A-member", "POST", "/api/v1/documents", qb)
		a.mustJSON(200, &quote, "A-member", "POST", "/api/v1/documents/"+quote.ID+"/issue", nil)

		byID := func(id string) map[string]any { return map[string]any{"related_document_id": id} }
		code, _, body := a.do("A-member", "POST", "/api/v1/documents", creditBody(other.ID, byID(inv.ID), 1000, 10))
		wantFields(t, "another customer's invoice", code, body, "related_document_id")
		code, _, body = a.do("A-member", "POST", "/api/v1/documents", creditBody(cust.ID, byID(draft.ID), 1000, 10))
		wantFields(t, "a draft invoice", code, body, "related_document_id")
		code, _, body = a.do("A-member", "POST", "/api/v1/documents", creditBody(cust.ID, byID(quote.ID), 1000, 10))
		wantFields(t, "a quote", code, body, "related_document_id")
		code, _, body = a.do("A-member", "POST", "/api/v1/documents", creditBody(cust.ID, byID(inv.ID), 11_000_000, 10))
		wantFields(t, "¥11,000,000 against ¥33,000", code, body, "totals.by_rate.10")
		if !strings.Contains(string(body), "10%") {
			t.Errorf("the problem does not name the rate: %s", body)
		}
		code, _, body = a.do("A-member", "POST", "/api/v1/documents", creditBody(cust.ID, byID(inv.ID), 1000, 0))
		wantFields(t, "a rate the invoice does not have", code, body, "totals.by_rate.0")

		// By number; 20,000 + 10% = 22,000 of the 33,000 at 10%.
		var cn1, cn2 document.Document
		a.mustJSON(201, &cn1, "A-member", "POST", "/api/v1/documents",
			creditBody(cust.ID, map[string]any{"related_document_number": *inv.Number}, 20000, 10))
		if cn1.RelatedDocumentID == nil || *cn1.RelatedDocumentID != inv.ID || cn1.RelatedDocument == nil ||
			cn1.RelatedDocument.Number != *inv.Number {
			t.Errorf("related_document_number did not resolve: %+v, %+v", cn1.RelatedDocumentID, cn1.RelatedDocument)
		}
		code, _, body = a.do("A-member", "POST", "/api/v1/documents",
			creditBody(cust.ID, map[string]any{"related_document_number": "INV-999999"}, 100, 10))
		wantFields(t, "an unknown number", code, body, "related_document_number")

		// Each of two drafts fits; the second to be issued no longer does.
		a.mustJSON(201, &cn2, "A-member", "POST", "/api/v1/documents", creditBody(cust.ID, byID(inv.ID), 20000, 10))
		a.mustJSON(200, &cn1, "A-member", "POST", "/api/v1/documents/"+cn1.ID+"/issue", nil)
		code, _, body = a.do("A-member", "POST", "/api/v1/documents/"+cn2.ID+"/issue", nil)
		wantFields(t, "issuing past the invoice's amount", code, body, "totals.by_rate.10")
		// What is left (11,000 gross) can still be credited, exactly.
		var cn3 document.Document
		a.mustJSON(201, &cn3, "A-member", "POST", "/api/v1/documents", creditBody(cust.ID, byID(inv.ID), 10000, 10))
		a.mustJSON(200, &cn3, "A-member", "POST", "/api/v1/documents/"+cn3.ID+"/issue", nil)
		// A cancelled credit note no longer counts.
		a.mustJSON(200, nil, "A-member", "POST", "/api/v1/documents/"+cn1.ID+"/cancel", nil)
		a.mustJSON(200, nil, "A-member", "POST", "/api/v1/documents/"+cn2.ID+"/issue", nil)
	})
}

// An invoice made from a quote links back to it; the quote lists it and is ordered (受注).
func TestQuoteToInvoiceLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		cust, _, inv := a.fixture()
		var quote, derived document.Document
		qb := invoiceBody(cust.ID)
		qb["kind"], qb["due_date"] = "quote", nil
		a.mustJSON(201, &quote, "A-member", "POST", "/api/v1/documents", qb)
		ib := invoiceBody(cust.ID)
		ib["source_document_id"] = quote.ID
		code, _, body := a.do("A-member", "POST", "/api/v1/documents", ib)
		wantFields(t, "a draft quote as source", code, body, "source_document_id")
		a.mustJSON(200, &quote, "A-member", "POST", "/api/v1/documents/"+quote.ID+"/issue", nil)
		if quote.Ordered || len(quote.DerivedDocumentIDs) != 0 {
			t.Errorf("a fresh quote is ordered %v with %v", quote.Ordered, quote.DerivedDocumentIDs)
		}
		a.mustJSON(201, &derived, "A-member", "POST", "/api/v1/documents", ib)
		if derived.SourceDocumentID == nil || *derived.SourceDocumentID != quote.ID || derived.SourceDocument == nil ||
			derived.SourceDocument.Number != *quote.Number {
			t.Errorf("invoice's source = %v, %+v", derived.SourceDocumentID, derived.SourceDocument)
		}
		a.mustJSON(200, &quote, "A-viewer", "GET", "/api/v1/documents/"+quote.ID, nil)
		if !quote.Ordered || !slices.Equal(quote.DerivedDocumentIDs, []string{derived.ID}) {
			t.Errorf("quote: ordered %v, derived %v, want %s", quote.Ordered, quote.DerivedDocumentIDs, derived.ID)
		}
		ib["source_document_id"] = inv.ID
		code, _, body = a.do("A-member", "POST", "/api/v1/documents", ib)
		wantFields(t, "an invoice as source", code, body, "source_document_id")
		ib["source_document_id"], ib["kind"] = quote.ID, "credit_note"
		code, _, body = a.do("A-member", "POST", "/api/v1/documents", ib)
		wantFields(t, "a credit note made from a quote", code, body, "source_document_id")
	})
}
