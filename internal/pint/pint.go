// Package pint writes an issued document as a JP PINT invoice: the UBL 2.1 Invoice of Peppol's
// Japanese specification ("Peppol BIS Standard Invoice JP PINT", 1.1.x), which a Peppol access
// point sends and a 電子取引 archive keeps.
//
// The mapping follows the specification's own examples:
//   - an invoice is InvoiceTypeCode 380; a credit note (適格返還請求書) is also a 380 invoice, with
//     negative quantities and amounts and a reference to the original invoice (IBG-03), as
//     Example7 (return) does. JP PINT allows only 380 (aligned-ibrp-cl-02-jp), so a UBL
//     CreditNote (381) would fail validation;
//   - each tax category and rate is one tax breakdown (IBG-23) with the tax the document
//     computed (once per rate, rounded as the document rounds), never recomputed per line;
//   - prices are net prices: for tax-inclusive documents each line's net amount is its share of
//     the category's net total (largest remainder), stated as the price of the line's quantity.
//
// What JP PINT cannot express is refused with an EInvalid *domain.Error naming the reason
// (Build): withholding tax (源泉徴収) has no business term in JP PINT; kinds other than invoices
// and credit notes are not invoices.
package pint

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// The identifiers JP PINT requires (IBT-024, IBT-023).
const (
	CustomizationID = "urn:peppol:pint:billing-1@jp-1"
	ProfileID       = "urn:peppol:bis:billing"
	currency        = "JPY"
)

// ContentType is the media type of Build's output.
const ContentType = "application/xml; charset=utf-8"

// Exportable reports whether documents of kind k have a JP PINT form.
func Exportable(k document.Kind) bool { return k == document.Invoice || k == document.CreditNote }

// Build returns the JP PINT XML of an issued invoice or credit note. Output is deterministic:
// the same document gives the same bytes. It returns an EConflict *domain.Error for a draft
// or a kind that is not an invoice, and an EInvalid one for a document JP PINT cannot express:
// withholding tax, a seller without a 登録番号, a party without an electronic address, or a
// tax-inclusive total whose tax lies outside the rounding window JP PINT allows.
func Build(d document.Document) ([]byte, error) {
	inv, err := Map(d)
	if err != nil {
		return nil, err
	}
	out, err := encode(inv)
	if err != nil {
		return nil, fmt.Errorf("pint: encode %s: %w", d.ID, err)
	}
	return out, nil
}

// encode writes inv as an XML document, indented.
func encode(inv Invoice) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(inv); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// FileName is the name of a document's XML file: its number and ".xml", with any character
// that is not safe in a file name replaced by "_".
func FileName(d document.Document) string {
	name := d.ID
	if d.Number != nil && *d.Number != "" {
		name = *d.Number
	}
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == '"' || r == ':' {
			return '_'
		}
		return r
	}, name)
	return name + ".xml"
}

// Map builds the Invoice of d without encoding it (Build's checks included).
func Map(d document.Document) (Invoice, error) {
	if err := check(d); err != nil {
		return Invoice{}, err
	}
	// A credit note states what is returned; as a return invoice every amount is negative.
	sign := int64(1)
	if d.Kind == document.CreditNote {
		sign = -1
	}
	inv := Invoice{
		XMLNS: nsInvoice, XMLNSCAC: nsCAC, XMLNSCBC: nsCBC,
		CustomizationID:  CustomizationID,
		ProfileID:        ProfileID,
		ID:               text(*d.Number),
		IssueDate:        d.IssueDate.String(),
		InvoiceTypeCode:  "380",
		Note:             text(joinNonEmpty("\n", d.Subject, d.Notes)),
		DocumentCurrency: currency,
		InvoicePeriod:    period(d),
	}
	if d.DueDate != nil && !d.DueDate.IsZero() {
		inv.DueDate = d.DueDate.String()
	}
	if r := d.RelatedDocument; r != nil && r.Number != "" {
		ref := DocumentReference{ID: text(r.Number)}
		if !r.IssueDate.IsZero() {
			ref.IssueDate = r.IssueDate.String()
		}
		inv.BillingReference = []BillingReference{{InvoiceDocumentReference: ref}}
	}
	inv.Supplier.Party = seller(*d.Issuer)
	inv.Customer.Party = buyer(*d.Customer)
	if d.Kind == document.Invoice && strings.TrimSpace(d.Issuer.BankAccount) != "" {
		inv.PaymentMeans = []PaymentMeans{{
			Code:    PaymentMeansCode{Name: "Credit transfer", Value: "30"},
			Account: &FinancialAccount{ID: text(oneLine(d.Issuer.BankAccount))},
		}}
	}
	if terms := paymentTerms(d); terms != "" {
		inv.PaymentTerms = &PaymentTerms{Note: text(terms)}
	}

	nets, err := lineNets(d)
	if err != nil {
		return Invoice{}, err
	}
	tt := TaxTotal{TaxAmount: yen(sign * d.Totals.Tax)}
	for _, rt := range d.Totals.ByRate {
		st := TaxSubtotal{
			TaxableAmount: yen(sign * rt.Net),
			TaxAmount:     yen(sign * rt.Tax),
			Category:      category(rt.Category),
		}
		if !inWindow(sign*rt.Net, sign*rt.Tax, rt.Rate) {
			return Invoice{}, invalid("totals", fmt.Sprintf(
				"%sの消費税 %d 円は JP PINT が認める範囲 (税抜 %d 円 × %d%% の切り捨て〜切り上げ) にありません。税込価格の端数処理を四捨五入にすると出力できます (the tax of %d yen on the %s lines lies outside JP PINT's window of floor..ceil of net %d × %d%% (aligned-ibrp-051-jp); tax-inclusive prices rounded half up always fit)",
				rt.Category.Label(), rt.Tax, rt.Net, rt.Rate, rt.Tax, rt.Category, rt.Net, rt.Rate))
		}
		tt.Subtotals = append(tt.Subtotals, st)
	}
	inv.TaxTotal = []TaxTotal{tt}

	var lineSum int64
	sources := d.LineSources() // a summary invoice: each line's delivery note
	for i, it := range d.Items {
		net := sign * nets[i]
		lineSum += net
		l := line(i, it, net, sign, d.PricesIncludeTax)
		if sources != nil {
			// As Example3-SumInv1: the delivery date as the line period, the note as its reference.
			day := sources[i].TransactionDate.String()
			l.InvoicePeriod = &Period{StartDate: day, EndDate: day}
			if n := text(sources[i].Number); n != "" {
				l.DocumentReference = &LineDocumentRef{ID: n}
			}
		}
		inv.Lines = append(inv.Lines, l)
	}
	inv.LegalMonetaryTotal = MonetaryTotal{
		LineExtensionAmount: yen(lineSum),
		TaxExclusiveAmount:  yen(sign * d.Totals.Net),
		TaxInclusiveAmount:  yen(sign * d.Totals.Gross),
		PayableAmount:       yen(sign * d.Totals.Gross),
	}
	if lineSum != sign*d.Totals.Net {
		return Invoice{}, fmt.Errorf("pint: %s: line amounts %d do not add up to the net total %d", d.ID, lineSum, sign*d.Totals.Net)
	}
	return inv, nil
}

// check refuses what has no JP PINT form.
func check(d document.Document) error {
	if d.Status != document.Issued || d.Number == nil || *d.Number == "" {
		return domain.Errorf(domain.EConflict, "電子インボイスは発行済みの書類のみ出力できます (only issued documents have a JP PINT invoice; this one is %s)", d.Status)
	}
	if !Exportable(d.Kind) {
		return domain.Errorf(domain.EConflict, "電子インボイス (JP PINT) は請求書と適格返還請求書のみです (JP PINT covers invoices and credit notes, not %s)", d.Kind)
	}
	if d.WithholdingTax || d.Totals.Withholding != 0 {
		return invalid("withholding_tax", "JP PINT には源泉徴収税を表す項目がないため、源泉徴収のある書類は電子インボイスにできません (JP PINT has no business term for withholding tax (源泉徴収); a document with withholding cannot be exported as JP PINT)")
	}
	if d.Issuer == nil || d.Customer == nil {
		return fmt.Errorf("pint: %s: issued document without issuer or customer", d.ID)
	}
	if d.Issuer.RegistrationNumber == "" {
		return invalid("issuer.registration_number", "JP PINT では売り手の登録番号 (IBT-031) が必須です (JP PINT requires the seller's registration number, IBT-031)")
	}
	if endpoint(d.Customer.PeppolID, d.Customer.RegistrationNumber) == nil {
		return invalid("customer.peppol_id", "取引先に Peppol ID も登録番号もないため、受信者 (IBT-049) を指定できません (the customer has neither a peppol_id nor a registration number, so the buyer's electronic address IBT-049 cannot be given)")
	}
	return nil
}

func invalid(field, msg string) error {
	return &domain.Error{Code: domain.EInvalid, Message: msg, Fields: map[string]string{field: msg}}
}

// period is the 取引年月日 as the invoice period (IBG-14), required by aligned-ibrp-052.
func period(d document.Document) *Period {
	switch {
	case d.TransactionPeriod != nil:
		return &Period{StartDate: d.TransactionPeriod.From.String(), EndDate: d.TransactionPeriod.To.String()}
	case d.TransactionDate != nil && !d.TransactionDate.IsZero():
		return &Period{StartDate: d.TransactionDate.String(), EndDate: d.TransactionDate.String()}
	}
	return &Period{StartDate: d.IssueDate.String(), EndDate: d.IssueDate.String()}
}

// endpoint is a party's electronic address: its Peppol ID, else its 登録番号 under scheme 0221.
func endpoint(peppolID, registration string) *Identifier {
	if scheme, value := document.SplitPeppolID(peppolID); value != "" {
		return &Identifier{SchemeID: scheme, Value: value}
	}
	if registration != "" {
		return &Identifier{SchemeID: document.PeppolSchemeRegistrationNumber, Value: registration}
	}
	return nil
}

// legalID is the 法人番号 (IBT-030 / IBT-047) when the Peppol ID is one.
func legalID(peppolID string) *Identifier {
	if scheme, value := document.SplitPeppolID(peppolID); scheme == document.PeppolSchemeCorporateNumber {
		return &Identifier{SchemeID: scheme, Value: value}
	}
	return nil
}

func address(postal, addr string) Address {
	return Address{StreetName: text(oneLine(addr)), PostalZone: text(postal), Country: Country{IdentificationCode: "JP"}}
}

func seller(is document.Issuer) Party {
	p := Party{
		EndpointID:    endpoint(is.PeppolID, is.RegistrationNumber),
		PostalAddress: address(is.PostalCode, is.Address),
		TaxScheme:     []PartyTaxScheme{{CompanyID: is.RegistrationNumber, TaxScheme: TaxScheme{ID: "VAT"}}},
		LegalEntity:   PartyLegalEntity{RegistrationName: text(is.Name), CompanyID: legalID(is.PeppolID)},
	}
	if is.Phone != "" || is.Email != "" {
		p.Contact = &Contact{Telephone: text(is.Phone), ElectronicMail: text(is.Email)}
	}
	return p
}

func buyer(c document.Counterparty) Party {
	p := Party{
		EndpointID:    endpoint(c.PeppolID, c.RegistrationNumber),
		PostalAddress: address(c.PostalCode, c.Address),
		LegalEntity:   PartyLegalEntity{RegistrationName: text(c.Name), CompanyID: legalID(c.PeppolID)},
	}
	if c.RegistrationNumber != "" {
		p.TaxScheme = []PartyTaxScheme{{CompanyID: c.RegistrationNumber, TaxScheme: TaxScheme{ID: "VAT"}}}
	}
	if c.ContactPerson != "" || c.Email != "" {
		p.Contact = &Contact{Name: text(c.ContactPerson), ElectronicMail: text(c.Email)}
	}
	return p
}

// paymentTerms is IBT-020: the due date and the bank account as the PDF states them.
func paymentTerms(d document.Document) string {
	if d.Kind != document.Invoice {
		return ""
	}
	var parts []string
	if d.DueDate != nil && !d.DueDate.IsZero() {
		parts = append(parts, fmt.Sprintf("お支払期限 %d年%d月%d日", d.DueDate.Year, d.DueDate.Month, d.DueDate.Day))
	}
	if b := strings.TrimSpace(d.Issuer.BankAccount); b != "" {
		parts = append(parts, "お振込先 "+oneLine(b))
	}
	return strings.Join(parts, " / ")
}

// category is the UNCL 5305 category of c: S 10%, AA 8%, E 非課税, O 不課税 (no rate), G 免税.
func category(c document.TaxCategory) TaxCategory {
	tc := TaxCategory{TaxScheme: TaxScheme{ID: "VAT"}}
	switch c {
	case document.CategoryStandard:
		tc.ID, tc.Percent = "S", "10"
	case document.CategoryReduced:
		tc.ID, tc.Percent = "AA", "8"
	case document.CategoryOutsideScope:
		tc.ID = "O"
	case document.CategoryExport:
		tc.ID, tc.Percent = "G", "0"
	default:
		tc.ID, tc.Percent = "E", "0"
	}
	return tc
}

// inWindow reports whether tax lies between the floor and the ceiling of net × rate / 100, the
// range aligned-ibrp-051-jp accepts (0 for 0% categories).
func inWindow(net, tax int64, rate document.TaxRate) bool {
	if rate == 0 {
		return tax == 0
	}
	x := new(big.Rat).SetFrac64(net*int64(rate), 100) // |net| ≤ 10^13: no overflow
	lo := new(big.Int).Div(x.Num(), x.Denom())        // Euclidean: the floor for a positive denominator
	hi := new(big.Int).Set(lo)
	if !x.IsInt() {
		hi.Add(hi, big.NewInt(1))
	}
	t := big.NewInt(tax)
	return t.Cmp(lo) >= 0 && t.Cmp(hi) <= 0
}

// lineNets is each line's net amount. With tax-exclusive prices that is the line's amount.
// With tax-inclusive prices the amounts are gross; each category's net total is shared out over
// its lines in proportion to their amounts, by largest remainder, so the lines add up to the
// category's taxable amount exactly.
func lineNets(d document.Document) ([]int64, error) {
	nets := make([]int64, len(d.Items))
	if !d.PricesIncludeTax {
		for i, it := range d.Items {
			nets[i] = it.Amount
		}
		return nets, nil
	}
	byCat := map[document.TaxCategory]document.RateTotal{}
	for _, rt := range d.Totals.ByRate {
		byCat[rt.Category] = rt
	}
	for _, cat := range document.Categories() {
		var idx []int
		for i, it := range d.Items {
			if it.TaxCategory == cat {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		rt, ok := byCat[cat]
		if !ok {
			return nil, fmt.Errorf("pint: %s: lines of category %s without a total", d.ID, cat)
		}
		if rt.Gross == 0 || rt.Tax == 0 {
			for _, i := range idx {
				nets[i] = d.Items[i].Amount
			}
			continue
		}
		// exact share: amount × net / gross, floored; remainders ranked
		type share struct {
			i   int
			rem *big.Rat
		}
		shares := make([]share, 0, len(idx))
		var sum int64
		for _, i := range idx {
			x := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(d.Items[i].Amount), big.NewInt(rt.Net)), big.NewInt(rt.Gross))
			fl := new(big.Int).Div(x.Num(), x.Denom()) // floor
			nets[i] = fl.Int64()
			sum += nets[i]
			shares = append(shares, share{i, new(big.Rat).Sub(x, new(big.Rat).SetInt(fl))})
		}
		slices.SortStableFunc(shares, func(a, b share) int { return b.rem.Cmp(a.rem) })
		k := rt.Net - sum
		if k < 0 || k > int64(len(shares)) {
			return nil, fmt.Errorf("pint: %s: cannot share net %d over %d lines (remainder %d)", d.ID, rt.Net, len(shares), k)
		}
		for j := int64(0); j < k; j++ {
			nets[shares[j].i]++
		}
	}
	return nets, nil
}

// line is the invoice line of item it. Prices are never negative (ibr-027): a discount line's
// sign moves to its quantity. With tax-exclusive prices the price is the unit price per one; with
// tax-inclusive prices it is the line's net amount per its whole quantity (BaseQuantity), which
// states the net exactly where a net unit price would need fractions of a yen.
func line(i int, it document.Item, net, sign int64, inclusive bool) Line {
	code := UnitCode(it.Unit)
	qty := int64(it.Quantity) * sign
	var price int64
	base := "1"
	if inclusive {
		price = abs(net)
		qty = abs(int64(it.Quantity))
		if net < 0 {
			qty = -qty
		}
		if it.Quantity != 0 {
			base = document.Quantity(abs(int64(it.Quantity))).String()
		}
	} else {
		price = abs(it.UnitPrice)
		if it.UnitPrice < 0 {
			qty = -qty
		}
	}
	l := Line{
		ID:                  strconv.Itoa(i + 1),
		InvoicedQuantity:    Quantity{UnitCode: code, Value: quantity(qty)},
		LineExtensionAmount: yen(net),
		Item: Item{
			Name:        text(it.Name),
			TaxCategory: category(it.TaxCategory),
		},
		Price: Price{PriceAmount: yen(price), BaseQuantity: &Quantity{UnitCode: code, Value: base}},
	}
	if u := text(it.Unit); u != "" {
		l.Item.Properties = append(l.Item.Properties, ItemProperty{Name: "表示単位名称", Value: u})
	}
	if inclusive {
		l.Item.Properties = append(l.Item.Properties, ItemProperty{Name: "税込単価", Value: strconv.FormatInt(it.UnitPrice, 10)})
	}
	return l
}

// quantity formats a signed count of 1/QuantityScale units.
func quantity(q int64) string {
	if q < 0 {
		return "-" + document.Quantity(-q).String()
	}
	return document.Quantity(q).String()
}

func yen(v int64) Amount { return Amount{Currency: currency, Value: strconv.FormatInt(v, 10)} }

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// oneLine joins the lines of a multi-line text with spaces (an address line, an account).
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)), " ")
}

// text makes s fit for XML: characters XML 1.0 cannot carry (controls other than tab and line
// breaks, U+FFFE, U+FFFF, unpaired surrogates) become U+FFFD. encoding/xml escapes the rest
// (<, &, > and so "]]>"), so no user text can change the document's structure.
func text(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return !xmlChar(r) }) && utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if !xmlChar(r) {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// xmlChar reports whether r is a Char of XML 1.0.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
