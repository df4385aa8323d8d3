package pdf

import (
	"fmt"
	"testing"
	"time"

	"reportapp/internal/document"
)

// mustDoc returns a complete issued document of kind k with n items (every third at the reduced
// rate, every seventh non-taxable), its totals computed by the document package.
func mustDoc(t testing.TB, k document.Kind, n int) document.Document {
	t.Helper()
	num := k.DefaultPrefix() + "0001"
	issued := time.Date(2025, 4, 1, 10, 30, 0, 0, time.UTC)
	d := document.Document{
		ID:     "doc-1",
		Kind:   k,
		Status: document.Issued,
		Number: &num,
		Customer: &document.Counterparty{
			Name:          "株式会社サンプル",
			Honorific:     document.HonorificOnchu,
			PostalCode:    "100-0001",
			Address:       "東京都千代田区千代田1-1",
			ContactPerson: "山田 太郎",
		},
		Issuer: &document.Issuer{
			Name:                   "テスト商事株式会社",
			RegistrationNumber:     "T7123456789012",
			QualifiedInvoiceIssuer: true,
			PostalCode:             "530-0001",
			Address:                "大阪府大阪市北区梅田1-2-3 梅田ビル5階",
			Phone:                  "06-1234-5678",
			Email:                  "billing@example.jp",
			BankAccount:            "みずほ銀行 梅田支店 普通 1234567 テストシヨウジ(カ",
		},
		IssueDate:       document.Date{Year: 2025, Month: 4, Day: 1},
		TransactionDate: &document.Date{Year: 2025, Month: 3, Day: 31},
		Subject:         "2025年3月分 システム保守",
		Notes:           "お振込手数料は貴社にてご負担ください。",
		TaxRounding:     document.Floor,
		IssuedAt:        &issued,
	}
	switch k {
	case document.Invoice:
		d.DueDate = &document.Date{Year: 2025, Month: 4, Day: 30}
	case document.Quote:
		d.ValidUntil = &document.Date{Year: 2025, Month: 5, Day: 1}
	case document.Receipt:
		d.Purpose = "システム保守代"
	case document.CreditNote:
		d.RelatedDocument = &document.RelatedDocument{ID: "doc-0", Kind: document.Invoice, Number: "INV-0042", IssueDate: document.Date{Year: 2025, Month: 3, Day: 1}}
	}
	for i := range n {
		it := document.Item{
			Name:      fmt.Sprintf("保守作業 %d", i+1),
			Quantity:  document.Quantity((i%5 + 1) * document.QuantityScale),
			Unit:      "時間",
			UnitPrice: int64(1000 + 137*i),
			TaxRate:   document.RateStandard,
		}
		switch {
		case i%7 == 6:
			it.Name, it.Unit, it.TaxRate = fmt.Sprintf("印紙代 %d", i+1), "枚", document.RateNonTaxable
		case i%3 == 1:
			it.Name, it.Unit, it.TaxRate = fmt.Sprintf("お弁当（幕の内）%d", i+1), "個", document.RateReduced
		}
		d.Items = append(d.Items, it)
	}
	if err := document.ComputeTotals(&d); err != nil {
		t.Fatalf("ComputeTotals: %v", err)
	}
	return d
}
