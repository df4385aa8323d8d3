package pint

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/pint/pinttest"
)

// hostile is text that must not change the XML's structure or make it ill-formed: markup,
// a CDATA end, an emoji, and the neighbours of U+FFFF (U+FFFE and U+FFFF are not XML characters).
const hostile = "<b>&amp; ]]> \"'\U0001F600 \uFFFD\uFFFE\uFFFF\U00010000"

// issued is a valid issued document of kind k, changed by edit and validated as the API does.
func issued(t *testing.T, k document.Kind, edit func(d *document.Document)) document.Document {
	t.Helper()
	number := k.DefaultPrefix() + "0001"
	tx := document.Date{Year: 2026, Month: 11, Day: 20}
	due := document.Date{Year: 2026, Month: 12, Day: 31}
	d := document.Document{
		ID: "doc-1", Kind: k, Status: document.Issued, Number: &number, CustomerID: "c1",
		Issuer: &document.Issuer{Name: "テスト商事株式会社", RegistrationNumber: "T7123456789012",
			PostalCode: "530-0001", Address: "大阪府大阪市北区梅田1-2-3\n梅田ビル5階", Phone: "06-1234-5678",
			Email: "billing@example.jp", BankAccount: "みずほ銀行 梅田支店 普通 1234567 テストシヨウジ(カ"},
		Customer: &document.Counterparty{Name: "株式会社サンプル", Honorific: document.HonorificOnchu,
			PostalCode: "100-0001", Address: "東京都千代田区千代田1-1", ContactPerson: "山田 太郎",
			Email: "yamada@example.com", RegistrationNumber: "T9234567890123"},
		IssueDate: document.Date{Year: 2026, Month: 11, Day: 27}, TransactionDate: &tx,
		Subject: "11月分 システム保守", Notes: "お振込手数料は貴社にてご負担ください。", TaxRounding: document.Floor,
		Items: []document.Item{
			{Name: "保守作業", Quantity: 1500, Unit: "時間", UnitPrice: 20000, TaxRate: 10},
			{Name: "お弁当", Quantity: 3000, Unit: "個", UnitPrice: 105, TaxRate: 8},
		},
	}
	if k == document.Invoice {
		d.DueDate = &due
	}
	if edit != nil {
		edit(&d)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("fixture does not validate: %v", err)
	}
	return d
}

func item(name, qty string, unit string, price int64, rate document.TaxRate, cat document.TaxCategory) document.Item {
	q, err := document.ParseQuantity(qty)
	if err != nil {
		panic(err)
	}
	return document.Item{Name: name, Quantity: q, Unit: unit, UnitPrice: price, TaxRate: rate, TaxCategory: cat}
}

// matrix is the documents the validator must accept.
func matrix(t *testing.T) map[string]document.Document {
	t.Helper()
	m := map[string]document.Document{}
	add := func(name string, k document.Kind, edit func(d *document.Document)) { m[name] = issued(t, k, edit) }

	add("mixed-10-8", document.Invoice, nil)
	for _, c := range document.ZeroRateCategories() {
		add("zero-"+string(c), document.Invoice, func(d *document.Document) {
			d.Items = append(d.Items, item("0%の明細", "2", "式", 5500, 0, c))
		})
	}
	add("zero-only-outside-scope", document.Invoice, func(d *document.Document) {
		d.Items = []document.Item{item("立替金 (交通費)", "1", "", 12340, 0, document.CategoryOutsideScope)}
	})
	add("all-categories", document.Invoice, func(d *document.Document) {
		d.Items = []document.Item{item("作業", "1", "式", 10000, 10, ""), item("食品", "2", "箱", 1234, 8, ""),
			item("印紙", "1", "枚", 200, 0, document.CategoryExempt), item("立替", "1", "", 1230, 0, document.CategoryOutsideScope),
			item("輸出品", "3", "kg", 4560, 0, document.CategoryExport)}
	})
	for _, r := range []document.Rounding{document.Floor, document.HalfUp, document.Ceil} {
		add("rounding-"+string(r), document.Invoice, func(d *document.Document) {
			d.TaxRounding = r
			d.Items = []document.Item{item("作業", "1.5", "時間", 3333, 10, ""), item("お茶", "7", "本", 149, 8, ""),
				item("資料", "0.333", "部", 1001, 10, "")}
		})
		add("inclusive-"+string(r), document.Invoice, func(d *document.Document) {
			d.TaxRounding, d.PricesIncludeTax = r, true
			d.Items = []document.Item{item("作業 (税込)", "1", "時間", 55000, 10, ""), item("弁当 (税込)", "3", "個", 1080, 8, ""),
				item("値引", "1", "式", -1100, 10, ""), item("非課税", "1", "", 300, 0, document.CategoryExempt)}
		})
	}
	add("inclusive-half-up-odd", document.Invoice, func(d *document.Document) {
		d.TaxRounding, d.PricesIncludeTax = document.HalfUp, true
		d.Items = []document.Item{item("a", "1.5", "時間", 3333, 10, ""), item("b", "7", "本", 149, 8, ""), item("c", "2", "個", 1099, 10, "")}
	})
	add("discount-line", document.Invoice, func(d *document.Document) {
		d.Items = append(d.Items, item("値引", "1", "式", -3000, 10, ""), item("お弁当 値引", "3", "個", -5, 8, ""))
	})
	add("fractional-quantities", document.Invoice, func(d *document.Document) {
		d.Items = []document.Item{item("作業", "0.25", "時間", 12000, 10, ""), item("砂糖", "1.125", "kg", 480, 8, ""),
			item("ケーブル", "12.5", "m", 98, 10, ""), item("電力", "333.333", "kWh", 31, 10, "")}
	})
	add("200-lines", document.Invoice, func(d *document.Document) {
		d.Items = nil
		units := []string{"個", "式", "時間", "日", "月", "本", "枚", "箱", "kg", "m", "脚", ""}
		for i := range 200 {
			rate := document.TaxRate(10)
			if i%3 == 1 {
				rate = 8
			}
			d.Items = append(d.Items, item(fmt.Sprintf("明細 %d", i+1), strconv.Itoa(i%7+1)+".5", units[i%len(units)], int64(100+i*37), rate, ""))
		}
	})
	add("period", document.Invoice, func(d *document.Document) {
		d.TransactionDate = nil
		d.TransactionPeriod = &document.Period{From: document.Date{Year: 2026, Month: 11, Day: 1}, To: document.Date{Year: 2026, Month: 11, Day: 30}}
	})
	add("credit-note", document.CreditNote, func(d *document.Document) {
		d.RelatedDocument = &document.RelatedDocument{ID: "doc-0", Kind: document.Invoice, Number: "INV-0042", IssueDate: document.Date{Year: 2026, Month: 10, Day: 31}}
		d.Items = []document.Item{item("返品 保守作業", "0.5", "時間", 20000, 10, ""), item("返品 お弁当", "1", "個", 105, 8, "")}
	})
	add("hostile-text", document.Invoice, func(d *document.Document) {
		d.Subject, d.Notes = "件名 "+hostile, "備考\n"+hostile+"\n以上"
		d.Issuer.Name, d.Issuer.Address, d.Issuer.BankAccount = "売り手 "+hostile, "住所 "+hostile, "口座 "+hostile
		d.Customer.Name, d.Customer.ContactPerson = "買い手 "+hostile, "担当 "+hostile
		d.Items[0].Name, d.Items[0].Unit = "品名 "+hostile, "<u>&"
	})
	add("buyer-without-registration-number", document.Invoice, func(d *document.Document) {
		d.Customer.RegistrationNumber, d.Customer.PeppolID = "", "0188:9234567890123"
		d.Issuer.PeppolID = "0188:7123456789012"
	})
	m["summary-invoice"] = summaryInvoice(t)
	return m
}

// summaryInvoice is an issued 合計請求書 of two delivery notes, made as the store makes one.
func summaryInvoice(t *testing.T) document.Document {
	t.Helper()
	var notes []document.Document
	for i, day := range []int{5, 18} {
		n := issued(t, document.DeliveryNote, func(d *document.Document) {
			number := fmt.Sprintf("DEL-%04d", i+1)
			tx := document.Date{Year: 2026, Month: 11, Day: day}
			d.ID, d.Number, d.TransactionDate = fmt.Sprintf("note-%d", i+1), &number, &tx
			d.Items = d.Items[:i+1] // one line, then two
		})
		notes = append(notes, n)
	}
	period := document.Period{From: document.Date{Year: 2026, Month: 11, Day: 1}, To: document.Date{Year: 2026, Month: 11, Day: 30}}
	d, err := document.BuildSummary(notes, "c1", period, document.Date{Year: 2026, Month: 11, Day: 30}, document.CarryOver{PreviousBilled: 50000, PaymentsReceived: 50000})
	if err != nil {
		t.Fatal(err)
	}
	number, due := "INV-0100", document.Date{Year: 2026, Month: 12, Day: 31}
	d.ID, d.Status, d.Number, d.DueDate, d.TaxRounding = "doc-sum", document.Issued, &number, &due, document.Floor
	d.Issuer, d.Customer = notes[0].Issuer, notes[0].Customer
	if err := d.Validate(); err != nil {
		t.Fatalf("summary invoice does not validate: %v", err)
	}
	d.SetTotalBilled()
	return d
}

// TestSummaryInvoiceLines: as the specification's Example3-SumInv1, the closing period is the
// invoice period and each line states its delivery date as the line period and its delivery
// note as the line's document reference (IBT-188); once the lines no longer match the notes
// (edited as a draft), the references are left out rather than guessed.
func TestSummaryInvoiceLines(t *testing.T) {
	d := summaryInvoice(t)
	inv, err := Map(d)
	if err != nil {
		t.Fatal(err)
	}
	if p := inv.InvoicePeriod; p == nil || p.StartDate != "2026-11-01" || p.EndDate != "2026-11-30" {
		t.Errorf("invoice period = %+v", p)
	}
	want := []struct{ ref, day string }{{"DEL-0001", "2026-11-05"}, {"DEL-0002", "2026-11-18"}, {"DEL-0002", "2026-11-18"}}
	if len(inv.Lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(inv.Lines), len(want))
	}
	for i, w := range want {
		l := inv.Lines[i]
		if l.DocumentReference == nil || l.DocumentReference.ID != w.ref || l.InvoicePeriod == nil ||
			l.InvoicePeriod.StartDate != w.day || l.InvoicePeriod.EndDate != w.day {
			t.Errorf("line %d: reference %+v period %+v, want %s on %s", i+1, l.DocumentReference, l.InvoicePeriod, w.ref, w.day)
		}
	}
	out, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	tree := parseTree(t, out)
	lines := tree.all("cac:InvoiceLine")
	if got := lines[0].get("cac:DocumentReference/cbc:ID"); got != "DEL-0001" {
		t.Errorf("XML line 1 document reference = %q", got)
	}

	d.Items = d.Items[1:] // a line removed from the draft
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if inv, err = Map(d); err != nil {
		t.Fatal(err)
	}
	for i, l := range inv.Lines {
		if l.DocumentReference != nil || l.InvoicePeriod != nil {
			t.Errorf("edited: line %d still refers to %+v", i+1, l.DocumentReference)
		}
	}
}

// TestMatrixPassesValidator writes every document of the matrix and runs the official JP PINT
// validation (UBL schema, PINT and Japanese Schematron rules) over all of them in one call.
func TestMatrixPassesValidator(t *testing.T) {
	pinttest.Dir(t) // skip before building anything when the kit is missing
	dir := t.TempDir()
	var files []string
	docs := matrix(t)
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		out, err := Build(docs[name])
		if err != nil {
			t.Fatalf("%s: Build: %v", name, err)
		}
		f := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(f, out, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	t.Logf("validator output:\n%s", pinttest.Validate(t, dir, files...))
}

// TestRoundTrip: what the XML states equals the document's totals (negated for a credit note,
// which JP PINT states as a return with negative amounts), per category and in total, and the
// seller's tax id is the 登録番号.
func TestRoundTrip(t *testing.T) {
	codes := map[document.TaxCategory]string{document.CategoryStandard: "S", document.CategoryReduced: "AA",
		document.CategoryExempt: "E", document.CategoryOutsideScope: "O", document.CategoryExport: "G"}
	for name, d := range matrix(t) {
		t.Run(name, func(t *testing.T) {
			out, err := Build(d)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Build(d)
			if err != nil || !bytes.Equal(out, again) {
				t.Errorf("output is not deterministic")
			}
			inv, err := ReadInvoice(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("ReadInvoice: %v\n%s", err, out)
			}
			sign := int64(1)
			if d.Kind == document.CreditNote {
				sign = -1
			}
			yen := func(a Amount) int64 {
				v, err := strconv.ParseInt(a.Value, 10, 64)
				if err != nil || a.Currency != "JPY" {
					t.Errorf("amount %+v", a)
				}
				return v
			}
			if len(inv.TaxTotal) != 1 || len(inv.TaxTotal[0].Subtotals) != len(d.Totals.ByRate) {
				t.Fatalf("tax totals %+v, want one with %d breakdowns", inv.TaxTotal, len(d.Totals.ByRate))
			}
			for i, rt := range d.Totals.ByRate {
				st := inv.TaxTotal[0].Subtotals[i]
				if yen(st.TaxableAmount) != sign*rt.Net || yen(st.TaxAmount) != sign*rt.Tax || st.Category.ID != codes[rt.Category] {
					t.Errorf("breakdown %d = %+v, want %+v", i, st, rt)
				}
			}
			mt := inv.LegalMonetaryTotal
			if yen(inv.TaxTotal[0].TaxAmount) != sign*d.Totals.Tax || yen(mt.TaxExclusiveAmount) != sign*d.Totals.Net ||
				yen(mt.TaxInclusiveAmount) != sign*d.Totals.Gross || yen(mt.PayableAmount) != sign*d.Totals.AmountDue ||
				yen(mt.LineExtensionAmount) != sign*d.Totals.Net {
				t.Errorf("totals %+v, tax %v; want %+v", mt, inv.TaxTotal[0].TaxAmount, d.Totals)
			}
			if tax := inv.Supplier.Party.TaxScheme; len(tax) != 1 || tax[0].CompanyID != d.Issuer.RegistrationNumber {
				t.Errorf("seller tax id %+v, want %s", tax, d.Issuer.RegistrationNumber)
			}
			if inv.ID != *d.Number || len(inv.Lines) != len(d.Items) || inv.InvoiceTypeCode != "380" || inv.CustomizationID != CustomizationID {
				t.Errorf("id %s lines %d type %s", inv.ID, len(inv.Lines), inv.InvoiceTypeCode)
			}
			var lines int64
			for _, l := range inv.Lines {
				lines += yen(l.LineExtensionAmount)
				if p := yen(l.Price.PriceAmount); p < 0 {
					t.Errorf("line %s: negative price %d", l.ID, p)
				}
			}
			if lines != sign*d.Totals.Net {
				t.Errorf("Σ lines %d ≠ net %d", lines, sign*d.Totals.Net)
			}
			if d.Kind == document.CreditNote {
				if len(inv.BillingReference) != 1 || inv.BillingReference[0].InvoiceDocumentReference.ID != d.RelatedDocument.Number {
					t.Errorf("credit note does not refer to %s: %+v", d.RelatedDocument.Number, inv.BillingReference)
				}
			}
		})
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	d := matrix(t)["hostile-text"]
	out, err := Build(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("<b>")) || bytes.Contains(out, []byte("]]>")) || bytes.Contains(out, []byte("<u>")) {
		t.Errorf("user text reached the XML unescaped:\n%s", out)
	}
	if bytes.Contains(out, []byte("\uFFFE")) || bytes.Contains(out, []byte("\uFFFF")) {
		t.Errorf("non-XML characters written")
	}
	inv, err := ReadInvoice(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := "品名 <b>&amp; ]]> \"'\U0001F600 \uFFFD\uFFFD\uFFFD\U00010000"
	if inv.Lines[0].Item.Name != want {
		t.Errorf("item name read back %q, want %q", inv.Lines[0].Item.Name, want)
	}
}

// TestRefused: what JP PINT cannot express is a clear error, never a file that fails validation.
func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  document.Kind
		edit  func(d *document.Document)
		code  domain.Code
		field string
	}{
		{"withholding", document.Invoice, func(d *document.Document) { d.WithholdingTax = true }, domain.EInvalid, "withholding_tax"},
		{"no buyer address", document.Invoice, func(d *document.Document) { d.Customer.RegistrationNumber = "" }, domain.EInvalid, "customer.peppol_id"},
		{"no seller registration", document.Invoice, func(d *document.Document) { d.Issuer.RegistrationNumber = "" }, domain.EInvalid, "issuer.registration_number"},
		{"quote", document.Quote, func(d *document.Document) { d.DueDate = nil }, domain.EConflict, ""},
		{"draft", document.Invoice, func(d *document.Document) { d.Status, d.Number = document.Draft, nil }, domain.EConflict, ""},
		// ¥1,099 tax-inclusive, floored: tax 99 (1099 × 10/110 = 99.9), net 1,000, whose 10% is
		// 100: outside the window aligned-ibrp-051-jp accepts.
		{"inclusive floor outside the window", document.Invoice, func(d *document.Document) {
			d.PricesIncludeTax = true
			d.Items = []document.Item{item("a", "1", "個", 1099, 10, "")}
		}, domain.EInvalid, "totals"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := issued(t, tc.kind, tc.edit)
			_, err := Build(d)
			var e *domain.Error
			if !errors.As(err, &e) || e.Code != tc.code || (tc.field != "" && e.Fields[tc.field] == "") {
				t.Fatalf("Build = %v, want %s on %q", err, tc.code, tc.field)
			}
		})
	}
}

func TestUnitCode(t *testing.T) {
	for in, want := range map[string]string{"個": "H87", "式": "LS", "時間": "HUR", "日": "DAY", "月": "MON", "ヶ月": "MON",
		"本": "H87", "枚": "XST", "箱": "XBX", "kg": "KGM", "ｋｇ": "KGM", "KG": "KGM", "㎏": "KGM", "m": "MTR", "㎡": "MTK",
		"人": "IE", "": FallbackUnitCode, "脚": "H87", "人月": FallbackUnitCode} {
		if got := UnitCode(in); got != want {
			t.Errorf("UnitCode(%q) = %s, want %s", in, got, want)
		}
	}
}
