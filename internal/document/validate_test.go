package document

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/domain"
)

// fieldsOf returns the sorted field paths of an *Error, or nil for nil.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.EInvalid {
		t.Fatalf("error = %v, want an domain.EInvalid *domain.Error", err)
	}
	var keys []string
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func ptr[T any](v T) *T { return &v }

// validDocument is an invoice that passes Validate.
func validDocument(t *testing.T) Document {
	t.Helper()
	return Document{
		Kind:            Invoice,
		CustomerID:      "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		IssueDate:       Date{2025, time.April, 30},
		TransactionDate: &Date{2025, time.April, 15},
		DueDate:         &Date{2025, time.May, 31},
		Subject:         "4月分 保守費用",
		Notes:           "お振込手数料はご負担ください。\r\n\t以上",
		Items:           []Item{item(t, "1.5", 3333, 10), {Name: "割引", Quantity: 1000, UnitPrice: -500, TaxRate: 10}},
	}
}

func TestDocumentValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(d *Document)
		want   []string // field paths with a problem; nil means valid
	}{
		{"valid", func(d *Document) {}, nil},
		{"period instead of date", func(d *Document) {
			d.TransactionDate = nil
			d.TransactionPeriod = &Period{Date{2025, time.April, 1}, Date{2025, time.April, 30}}
		}, nil},
		{"one-day period", func(d *Document) {
			d.TransactionDate = nil
			d.TransactionPeriod = &Period{Date{2025, time.April, 1}, Date{2025, time.April, 1}}
		}, nil},
		{"quote without transaction date", func(d *Document) {
			d.Kind, d.TransactionDate, d.DueDate, d.ValidUntil = Quote, nil, nil, &Date{2025, time.May, 31}
		}, nil},
		{"receipt with purpose", func(d *Document) { d.Kind, d.DueDate, d.Purpose = Receipt, nil, "お品代として" }, nil},
		{"credit note without related document", func(d *Document) { d.Kind, d.DueDate = CreditNote, nil }, nil},
		{"credit note with related document, negative", func(d *Document) {
			d.Kind, d.DueDate, d.RelatedDocumentID = CreditNote, nil, ptr("0190a1b2-0000-7000-8000-000000000000")
			d.Items = []Item{item(t, "1", -1000, 10)}
		}, nil},
		{"unknown kind", func(d *Document) { d.Kind = "bill" }, []string{"kind"}},
		{"empty kind", func(d *Document) { d.Kind = "" }, []string{"kind"}},
		{"no customer", func(d *Document) { d.CustomerID = "" }, []string{"customer_id"}},
		{"no issue date", func(d *Document) { d.IssueDate = Date{} }, []string{"issue_date"}},
		{"impossible issue date", func(d *Document) { d.IssueDate = Date{2025, time.February, 30} }, []string{"issue_date"}},
		{"neither date nor period", func(d *Document) { d.TransactionDate = nil }, []string{"transaction_date"}},
		{"zero transaction date counts as absent", func(d *Document) { d.TransactionDate = &Date{} }, []string{"transaction_date"}},
		{"both date and period", func(d *Document) {
			d.TransactionPeriod = &Period{Date{2025, time.April, 1}, Date{2025, time.April, 30}}
		}, []string{"transaction_date"}},
		{"period reversed", func(d *Document) {
			d.TransactionDate = nil
			d.TransactionPeriod = &Period{Date{2025, time.April, 30}, Date{2025, time.April, 1}}
		}, []string{"transaction_period.to"}},
		{"period without ends", func(d *Document) {
			d.TransactionDate = nil
			d.TransactionPeriod = &Period{}
		}, []string{"transaction_period.from", "transaction_period.to"}},
		{"due date on a quote", func(d *Document) {
			d.Kind, d.ValidUntil = Quote, nil
		}, []string{"due_date"}},
		{"due date before issue", func(d *Document) { d.DueDate = &Date{2025, time.April, 1} }, []string{"due_date"}},
		{"valid until on an invoice", func(d *Document) { d.ValidUntil = &Date{2025, time.May, 1} }, []string{"valid_until"}},
		{"purpose on an invoice", func(d *Document) { d.Purpose = "お品代" }, []string{"purpose"}},
		{"related document on an invoice", func(d *Document) { d.RelatedDocumentID = ptr("x") }, []string{"related_document_id"}},
		{"notes too long", func(d *Document) { d.Notes = strings.Repeat("あ", 5001) }, []string{"notes"}},
		{"notes at the limit", func(d *Document) { d.Notes = strings.Repeat("あ", 5000) }, nil},
		{"notes with a control character", func(d *Document) { d.Notes = "a\x00b" }, []string{"notes"}},
		{"notes with an escape", func(d *Document) { d.Notes = "a\x1b[31m" }, []string{"notes"}},
		{"subject with a newline", func(d *Document) { d.Subject = "a\nb" }, []string{"subject"}},
		{"subject too long", func(d *Document) { d.Subject = strings.Repeat("x", 201) }, []string{"subject"}},
		{"subject invalid UTF-8", func(d *Document) { d.Subject = "\xff\xfe" }, []string{"subject"}},
		{"no items", func(d *Document) { d.Items = nil }, []string{"items"}},
		{"too many items", func(d *Document) { d.Items = make([]Item, 1001) }, []string{"items"}},
		{"item without name", func(d *Document) { d.Items[1].Name = "" }, []string{"items[1].name"}},
		{"item name too long", func(d *Document) { d.Items[0].Name = strings.Repeat("名", 201) }, []string{"items[0].name"}},
		{"item name with a newline", func(d *Document) { d.Items[0].Name = "保守\n作業" }, []string{"items[0].name"}},
		{"description with line breaks", func(d *Document) { d.Items[0].Description = "4月1日〜30日\n\t夜間対応を含む\r\n以上" }, nil},
		{"description at the limit", func(d *Document) { d.Items[0].Description = strings.Repeat("説", MaxDescriptionLen) }, nil},
		{"description too long", func(d *Document) { d.Items[1].Description = strings.Repeat("説", MaxDescriptionLen+1) }, []string{"items[1].description"}},
		{"description with a control character", func(d *Document) { d.Items[0].Description = "a\x00b" }, []string{"items[0].description"}},
		{"description invalid UTF-8", func(d *Document) { d.Items[0].Description = "\xff" }, []string{"items[0].description"}},
		{"unit too long", func(d *Document) { d.Items[0].Unit = strings.Repeat("個", 21) }, []string{"items[0].unit"}},
		{"negative quantity", func(d *Document) { d.Items[0].Quantity = -1 }, []string{"items[0].quantity"}},
		{"quantity too large", func(d *Document) { d.Items[0].Quantity = MaxQuantity + 1 }, []string{"items[0].quantity"}},
		{"unit price too large", func(d *Document) { d.Items[0].UnitPrice = MaxAmount + 1 }, []string{"items[0].unit_price"}},
		{"tax rate 5", func(d *Document) { d.Items[1].TaxRate = 5 }, []string{"items[1].tax_rate"}},
		{"unknown rounding", func(d *Document) { d.TaxRounding = "round" }, []string{"tax_rounding"}},
		{"negative invoice", func(d *Document) { d.Items[1].UnitPrice = -100000 }, []string{"items"}},
		{"overflowing totals", func(d *Document) {
			d.Items = []Item{item(t, "1000000000", 10_000, 10)}
		}, []string{"totals"}},
		{"several problems at once", func(d *Document) {
			d.CustomerID, d.Items[0].Name, d.Items[1].TaxRate = "", "", 3
		}, []string{"customer_id", "items[0].name", "items[1].tax_rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDocument(t)
			tt.change(&d)
			err := d.Validate()
			if diff := cmp.Diff(tt.want, fieldsOf(t, err)); diff != "" {
				t.Fatalf("problem fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err == nil && d.Totals.Gross == 0 && len(d.Items) > 0 && d.Items[0].UnitPrice != 0 {
				t.Errorf("Validate did not compute totals: %+v", d.Totals)
			}
		})
	}
}

func TestDocumentValidateNormalisesDescriptionLineBreaks(t *testing.T) {
	// A browser's textarea submits CRLF; the description keeps its lines, stored as LF only.
	d := validDocument(t)
	d.Items[0].Description = "一行目\r\n二行目\r三行目\n\n五行目"
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := d.Items[0].Description, "一行目\n二行目\n三行目\n\n五行目"; got != want {
		t.Errorf("description = %q, want %q", got, want)
	}
}

func TestDocumentValidateComputesTotals(t *testing.T) {
	d := validDocument(t)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	// 4999 − 500 = 4499; tax 449.9 → 449
	want := Totals{ByRate: []RateTotal{{10, 4499, 449, 4948, CategoryStandard}}, Net: 4499, Tax: 449, Gross: 4948, AmountDue: 4948}
	if diff := cmp.Diff(want, d.Totals); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
}

func TestOrganizationValidate(t *testing.T) {
	valid := func() Organization {
		return Organization{
			Issuer: Issuer{
				Name: "株式会社アクメ", RegistrationNumber: "T7123456789012", PostalCode: "100-0001",
				Address: "東京都千代田区千代田1-1\n3F", Phone: "03-1234-5678", Email: "billing@acme.example",
				BankAccount: "みずほ銀行 本店\n普通 1234567",
			},
			DefaultTaxRounding: HalfUp,
			NumberPrefixes:     DefaultPrefixes(),
		}
	}
	tests := []struct {
		name        string
		change      func(o *Organization)
		want        []string
		wantWarning bool
	}{
		{"valid", func(o *Organization) {}, nil, false},
		{"not registered", func(o *Organization) { o.RegistrationNumber = "" }, nil, false},
		{"check digit warning", func(o *Organization) { o.RegistrationNumber = "T1123456789012" }, nil, true},
		{"bad registration number", func(o *Organization) { o.RegistrationNumber = "7123456789012" }, []string{"registration_number"}, false},
		{"no name", func(o *Organization) { o.Name = "" }, []string{"name"}, false},
		{"name too long", func(o *Organization) { o.Name = strings.Repeat("ア", 201) }, []string{"name"}, false},
		{"bad rounding", func(o *Organization) { o.DefaultTaxRounding = "up" }, []string{"default_tax_rounding"}, false},
		{"empty rounding becomes floor", func(o *Organization) { o.DefaultTaxRounding = "" }, nil, false},
		{"prefix with a space", func(o *Organization) { o.NumberPrefixes.Invoice = "INV 2025" }, []string{"number_prefixes.invoice"}, false},
		{"prefix with Japanese", func(o *Organization) { o.NumberPrefixes.Quote = "見積-" }, []string{"number_prefixes.quote"}, false},
		{"prefix too long", func(o *Organization) { o.NumberPrefixes.CreditNote = strings.Repeat("A", 21) }, []string{"number_prefixes.credit_note"}, false},
		{"prefix allowed characters", func(o *Organization) { o.NumberPrefixes.Receipt = "R_2025/a-" }, nil, false},
		{"empty prefix", func(o *Organization) { o.NumberPrefixes.DeliveryNote = "" }, nil, false},
		{"bad email", func(o *Organization) { o.Email = "billing" }, []string{"email"}, false},
		{"email with display name", func(o *Organization) { o.Email = "Acme <billing@acme.example>" }, []string{"email"}, false},
		{"phone with newline", func(o *Organization) { o.Phone = "03\n1234" }, []string{"phone"}, false},
		{"postal code too long", func(o *Organization) { o.PostalCode = "100-0001-0001" }, []string{"postal_code"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			o.RegistrationWarning = "stale"
			tt.change(&o)
			err := o.Validate()
			if diff := cmp.Diff(tt.want, fieldsOf(t, err)); diff != "" {
				t.Fatalf("problem fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if (o.RegistrationWarning != "") != tt.wantWarning {
				t.Errorf("RegistrationWarning = %q, want a warning: %v", o.RegistrationWarning, tt.wantWarning)
			}
			if err == nil && !o.DefaultTaxRounding.Valid() {
				t.Errorf("DefaultTaxRounding = %q after Validate", o.DefaultTaxRounding)
			}
		})
	}
}

func TestCustomerValidate(t *testing.T) {
	tests := []struct {
		name        string
		c           Counterparty
		want        []string
		wantWarning bool
	}{
		{"company", Counterparty{Name: "株式会社サンプル", Honorific: "御中"}, nil, false},
		{"person", Counterparty{Name: "山田 太郎", Honorific: "様", Email: "taro@example.jp"}, nil, false},
		{"no honorific", Counterparty{Name: "Example Ltd."}, nil, false},
		{"registered", Counterparty{Name: "A", RegistrationNumber: "T4011001098993"}, nil, false},
		{"check digit warning", Counterparty{Name: "A", RegistrationNumber: "T4011001098990"}, nil, true},
		{"bad registration number", Counterparty{Name: "A", RegistrationNumber: "T401100109899"}, []string{"registration_number"}, false},
		{"no name", Counterparty{Honorific: "様"}, []string{"name"}, false},
		{"bad honorific", Counterparty{Name: "A", Honorific: "殿"}, []string{"honorific"}, false},
		{"bad email", Counterparty{Name: "A", Email: "a@"}, []string{"email"}, false},
		{"email without a deliverable domain", Counterparty{Name: "A", Email: "keiri@localhost"}, []string{"email"}, false},
		{"email with a name", Counterparty{Name: "A", Email: "経理 <keiri@example.jp>"}, []string{"email"}, false},
		{"contact too long", Counterparty{Name: "A", ContactPerson: strings.Repeat("x", 201)}, []string{"contact_person"}, false},
		{"several", Counterparty{Honorific: "殿", Email: "@"}, []string{"email", "honorific", "name"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Customer{Counterparty: tt.c}
			err := c.Validate()
			if diff := cmp.Diff(tt.want, fieldsOf(t, err)); diff != "" {
				t.Fatalf("problem fields (-want +got):\n%s\nerror: %v", diff, err)
			}
			if (c.RegistrationWarning != "") != tt.wantWarning {
				t.Errorf("RegistrationWarning = %q, want a warning: %v", c.RegistrationWarning, tt.wantWarning)
			}
		})
	}
}
