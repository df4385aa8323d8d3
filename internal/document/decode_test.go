package document

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/domain"
)

const fullDocumentJSON = `{
  "kind": "invoice",
  "customer_id": "c1",
  "issue_date": "2025-04-30",
  "transaction_date": null,
  "transaction_period": {"from": "2025-04-01", "to": "2025-04-30"},
  "due_date": "2025-05-31",
  "valid_until": null,
  "subject": "4月分",
  "purpose": "",
  "related_document_id": null,
  "notes": "備考\n二行目",
  "prices_include_tax": false,
  "tax_rounding": "half_up",
  "withholding_tax": true,
  "items": [
    {"name": "作業", "description": "設計レビュー\n夜間対応を含む", "quantity": "1.5", "unit": "時間", "unit_price": 3333, "tax_rate": 10, "amount": 999},
    {"name": "お茶", "quantity": 2, "unit": "本", "unit_price": 150, "tax_rate": 8}
  ],
  "version": 3,
  "id": "d1", "status": "issued", "number": "INV-0001", "customer": {"name": "x"}, "issuer": null,
  "related_document": null, "totals": {"net": 1}, "created_at": "2025-01-01T00:00:00Z",
  "updated_at": "garbage", "issued_at": null, "cancelled_at": null
}`

func TestDecodeDocument(t *testing.T) {
	d, version, err := DecodeDocument([]byte(fullDocumentJSON))
	if err != nil {
		t.Fatalf("DecodeDocument: %v", err)
	}
	want := Document{
		Kind:              Invoice,
		CustomerID:        "c1",
		IssueDate:         Date{2025, time.April, 30},
		TransactionPeriod: &Period{Date{2025, time.April, 1}, Date{2025, time.April, 30}},
		DueDate:           &Date{2025, time.May, 31},
		Subject:           "4月分",
		Notes:             "備考\n二行目",
		TaxRounding:       HalfUp,
		WithholdingTax:    true,
		Items: []Item{
			{Name: "作業", Description: "設計レビュー\n夜間対応を含む", Quantity: 1500, Unit: "時間", UnitPrice: 3333, TaxRate: 10, TaxCategory: CategoryStandard},
			{Name: "お茶", Quantity: 2000, Unit: "本", UnitPrice: 150, TaxRate: 8, TaxCategory: CategoryReduced},
		},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	if version == nil || *version != 3 {
		t.Errorf("version = %v, want 3", version)
	}
	if err := d.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestDecodeDocumentRoundTrip(t *testing.T) {
	// A client may PUT back what it got: every field of a marshalled Document is accepted.
	d := validDocument(t)
	d.ID, d.Status, d.Number, d.Version = "d1", Issued, ptr("INV-0001"), 7
	d.Customer = &Counterparty{Name: "A"}
	d.RelatedDocument = &RelatedDocument{ID: "x"}
	d.CancelledAt = ptr(time.Now())
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	got, version, err := DecodeDocument(b)
	if err != nil {
		t.Fatalf("DecodeDocument(%s): %v", b, err)
	}
	if version == nil || *version != 7 {
		t.Errorf("version = %v, want 7", version)
	}
	want := validDocument(t) // the read-only fields are dropped
	for i := range want.Items {
		want.Items[i].TaxCategory = DefaultCategory(want.Items[i].TaxRate) // filled in on decode
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestDecodeDocumentBadRequest(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		mention string // the message says where
	}{
		{"empty", ``, "empty"},
		{"whitespace", "  \n", "empty"},
		{"not JSON", `kind=invoice`, "line 1, column 1"},
		{"malformed on line 3", "{\n\"kind\": \"invoice\",\n\"subject\": 'x'\n}", "line 3, column 12"},
		{"truncated", `{"kind": "invoice"`, "end"},
		{"trailing comma", `{"kind": "invoice",}`, "malformed"},
		{"array body", `[]`, "object"},
		{"string body", `"invoice"`, "object"},
		{"null body", `null`, "object"},
		{"unknown field", `{"kind": "invoice", "colour": "red"}`, `"colour"`},
		{"unknown field in an item", `{"items": [{"name": "a"}, {"name": "b", "price": 1}]}`, `items[1]: `},
		{"unknown field in the period", `{"transaction_period": {"from": "2025-01-01", "until": "2025-01-31"}}`, `transaction_period: `},
		{"misspelled field", `{"Kind": "invoice"}`, `"Kind"`},
		{"two objects", `{} {}`, "after"},
		{"trailing garbage", `{"kind": "invoice"} x`, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeDocument([]byte(tt.body))
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != domain.EBadRequest {
				t.Fatalf("error = %v, want a bad_request *domain.Error", err)
			}
			if !strings.Contains(e.Message, tt.mention) {
				t.Errorf("message %q does not mention %q", e.Message, tt.mention)
			}
		})
	}
}

func TestDecodeDocumentInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"quantity abc", `{"items": [{"name": "a", "quantity": "abc", "unit_price": 1, "tax_rate": 10}]}`, []string{"items[0].quantity"}},
		{"quantity too precise", `{"items": [{"quantity": "1.2345", "unit_price": 1, "tax_rate": 10}]}`, []string{"items[0].quantity"}},
		{"quantity negative", `{"items": [{"quantity": "-1", "unit_price": 1, "tax_rate": 10}]}`, []string{"items[0].quantity"}},
		{"quantity exponent", `{"items": [{"quantity": 1e3, "unit_price": 1, "tax_rate": 10}]}`, []string{"items[0].quantity"}},
		{"quantity object", `{"items": [{"quantity": {}, "unit_price": 1, "tax_rate": 10}]}`, []string{"items[0].quantity"}},
		{"missing line values", `{"items": [{"name": "a"}]}`, []string{"items[0].quantity", "items[0].tax_rate", "items[0].unit_price"}},
		{"impossible date", `{"issue_date": "2025-13-01"}`, []string{"issue_date"}},
		{"february 30", `{"due_date": "2025-02-30"}`, []string{"due_date"}},
		{"date as number", `{"issue_date": 20250401}`, []string{"issue_date"}},
		{"date with time", `{"transaction_date": "2025-04-01T00:00:00Z"}`, []string{"transaction_date"}},
		{"period dates", `{"transaction_period": {"from": "2025-04-31", "to": 1}}`, []string{"transaction_period.from", "transaction_period.to"}},
		{"period not an object", `{"transaction_period": "2025-04"}`, []string{"transaction_period"}},
		{"tax rate 5", `{"items": [{"quantity": "1", "unit_price": 1, "tax_rate": 5}]}`, []string{"items[0].tax_rate"}},
		{"tax rate string", `{"items": [{"quantity": "1", "unit_price": 1, "tax_rate": "10"}]}`, []string{"items[0].tax_rate"}},
		{"tax rate fraction", `{"items": [{"quantity": "1", "unit_price": 1, "tax_rate": 10.0}]}`, []string{"items[0].tax_rate"}},
		{"tax rate huge", `{"items": [{"quantity": "1", "unit_price": 1, "tax_rate": 4294967306}]}`, []string{"items[0].tax_rate"}},
		{"unit price fraction", `{"items": [{"quantity": "1", "unit_price": 1.5, "tax_rate": 10}]}`, []string{"items[0].unit_price"}},
		{"unit price string", `{"items": [{"quantity": "1", "unit_price": "100", "tax_rate": 10}]}`, []string{"items[0].unit_price"}},
		{"unit price beyond int64", `{"items": [{"quantity": "1", "unit_price": 99999999999999999999, "tax_rate": 10}]}`, []string{"items[0].unit_price"}},
		{"item not an object", `{"items": [{"quantity": "1", "unit_price": 1, "tax_rate": 10}, 3]}`, []string{"items[1]"}},
		{"items not an array", `{"items": {"name": "a"}}`, []string{"items"}},
		{"description number", `{"items": [{"name": "a", "description": 5, "quantity": "1", "unit_price": 1, "tax_rate": 10}]}`, []string{"items[0].description"}},
		{"too many items", `{"items": [` + strings.Repeat(`{},`, 1000) + `{}]}`, []string{"items"}},
		{"kind number", `{"kind": 1}`, []string{"kind"}},
		{"subject array", `{"subject": ["a"]}`, []string{"subject"}},
		{"flag as string", `{"prices_include_tax": "true", "withholding_tax": 1}`, []string{"prices_include_tax", "withholding_tax"}},
		{"version string", `{"version": "3"}`, []string{"version"}},
		{"everything at once", `{"kind": 1, "issue_date": "x", "items": [{"name": 2, "quantity": "x", "unit_price": 1, "tax_rate": 9}]}`,
			[]string{"issue_date", "items[0].name", "items[0].quantity", "items[0].tax_rate", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := DecodeDocument([]byte(tt.body))
			if diff := cmp.Diff(tt.want, fieldsOf(t, err)); diff != "" {
				t.Errorf("problem fields (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestDecodeDocumentNulls(t *testing.T) {
	d, version, err := DecodeDocument([]byte(`{"kind": null, "issue_date": null, "transaction_date": "", "transaction_period": null, "items": null, "version": null, "related_document_id": ""}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Document{}, d); diff != "" {
		t.Errorf("document (-want +got):\n%s", diff)
	}
	if version != nil {
		t.Errorf("version = %d, want nil", *version)
	}
}

func TestDecodeOrganization(t *testing.T) {
	o, err := DecodeOrganization([]byte(`{"id": "o1", "slug": "acme", "name": "株式会社アクメ", "registration_number": "T7123456789012",
		"registration_warning": "old", "postal_code": "100-0001", "address": "東京都", "phone": "03", "email": "a@acme.example",
		"bank_account": "みずほ", "default_tax_rounding": "ceil", "number_prefixes": {"invoice": "I-", "quote": ""},
		"created_at": "2025-01-01T00:00:00Z", "updated_at": null}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Organization{
		Issuer: Issuer{Name: "株式会社アクメ", RegistrationNumber: "T7123456789012", PostalCode: "100-0001",
			Address: "東京都", Phone: "03", Email: "a@acme.example", BankAccount: "みずほ",
			QualifiedInvoiceIssuer: true}, // absent: the default
		DefaultTaxRounding: Ceil,
		NumberPrefixes:     Prefixes{Invoice: "I-", Quote: "", DeliveryNote: "DEL-", Receipt: "REC-", CreditNote: "CRN-"},
	}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("organization (-want +got):\n%s", diff)
	}

	o, err = DecodeOrganization([]byte(`{"name": "A"}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.DefaultTaxRounding != Floor || o.NumberPrefixes != DefaultPrefixes() {
		t.Errorf("defaults not applied: %+v", o)
	}

	for body, code := range map[string]domain.Code{
		`{"name": "A", "logo": "x"}`:           domain.EBadRequest,
		`{"number_prefixes": {"order": "O-"}}`: domain.EBadRequest,
		`{"name": `:                            domain.EBadRequest,
		`{"name": 1}`:                          domain.EInvalid,
		`{"number_prefixes": {"invoice": 1}}`:  domain.EInvalid,
		`{"number_prefixes": "INV-"}`:          domain.EInvalid,
		`{"default_tax_rounding": ["floor"]}`:  domain.EInvalid,
	} {
		if _, err := DecodeOrganization([]byte(body)); domain.ErrorCode(err) != code {
			t.Errorf("DecodeOrganization(%s) = %v, want code %s", body, err, code)
		}
	}
	_, err = DecodeOrganization([]byte(`{"number_prefixes": {"invoice": 1}, "email": false}`))
	if diff := cmp.Diff([]string{"email", "number_prefixes.invoice"}, fieldsOf(t, err)); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestDecodeCustomer(t *testing.T) {
	c, err := DecodeCustomer([]byte(`{"id": "c1", "name": "山田 太郎", "honorific": "様", "postal_code": "1", "address": "a",
		"contact_person": "b", "email": "t@example.jp", "registration_number": "", "registration_warning": "", "created_at": null}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Customer{Counterparty: Counterparty{Name: "山田 太郎", Honorific: "様", PostalCode: "1", Address: "a", ContactPerson: "b", Email: "t@example.jp"}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("customer (-want +got):\n%s", diff)
	}
	for body, code := range map[string]domain.Code{
		`{"name": "A", "phone": "03"}`: domain.EBadRequest,
		`[{"name": "A"}]`:              domain.EBadRequest,
		`{"name": true}`:               domain.EInvalid,
		`{"honorific": null}`:          "",
	} {
		if _, err := DecodeCustomer([]byte(body)); domain.ErrorCode(err) != code {
			t.Errorf("DecodeCustomer(%s) = %v, want code %q", body, err, code)
		}
	}
}
