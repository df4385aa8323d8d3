package pint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/pint/pinttest"
)

// mapped lists, for an invoice read by ReadInvoice, the values of every business term Build
// writes, keyed by term; want lists the same terms read from the file's element tree.
func mapped(inv Invoice) map[string]string {
	m := map[string]string{
		"IBT-024": inv.CustomizationID, "IBT-023": inv.ProfileID, "IBT-001": inv.ID,
		"IBT-002": inv.IssueDate, "IBT-009": inv.DueDate, "IBT-003": inv.InvoiceTypeCode,
		"IBT-022": inv.Note, "IBT-005": inv.DocumentCurrency,
		"IBT-106": inv.LegalMonetaryTotal.LineExtensionAmount.Value,
		"IBT-109": inv.LegalMonetaryTotal.TaxExclusiveAmount.Value,
		"IBT-112": inv.LegalMonetaryTotal.TaxInclusiveAmount.Value,
		"IBT-115": inv.LegalMonetaryTotal.PayableAmount.Value,
	}
	if p := inv.InvoicePeriod; p != nil {
		m["IBT-073"], m["IBT-074"] = p.StartDate, p.EndDate
	}
	for _, br := range inv.BillingReference {
		m["IBT-025"] += br.InvoiceDocumentReference.ID + ";"
		m["IBT-026"] += br.InvoiceDocumentReference.IssueDate + ";"
	}
	party := func(prefix string, p Party) {
		if p.EndpointID != nil {
			m[prefix+"endpoint"] = p.EndpointID.SchemeID + ":" + p.EndpointID.Value
		}
		for _, ts := range p.TaxScheme {
			m[prefix+"tax"] += ts.CompanyID + "/" + ts.TaxScheme.ID + ";"
		}
		m[prefix+"name"] = p.LegalEntity.RegistrationName
		if p.LegalEntity.CompanyID != nil {
			m[prefix+"legal"] = p.LegalEntity.CompanyID.SchemeID + ":" + p.LegalEntity.CompanyID.Value
		}
		m[prefix+"street"] = p.PostalAddress.StreetName
		m[prefix+"zip"] = p.PostalAddress.PostalZone
		m[prefix+"country"] = p.PostalAddress.Country.IdentificationCode
		if c := p.Contact; c != nil {
			m[prefix+"contact"] = c.Name + "|" + c.Telephone + "|" + c.ElectronicMail
		}
	}
	party("seller.", inv.Supplier.Party)
	party("buyer.", inv.Customer.Party)
	for _, pm := range inv.PaymentMeans {
		m["IBT-081"] += pm.Code.Value + "/" + pm.Code.Name + ";"
		if pm.Account != nil {
			m["IBT-084"] += pm.Account.ID + "/" + pm.Account.Name + ";"
		}
	}
	if inv.PaymentTerms != nil {
		m["IBT-020"] = inv.PaymentTerms.Note
	}
	for _, tt := range inv.TaxTotal {
		m["IBT-110"] += tt.TaxAmount.Value + " " + tt.TaxAmount.Currency + ";"
		for _, st := range tt.Subtotals {
			m["IBG-23"] += st.TaxableAmount.Value + "/" + st.TaxAmount.Value + "/" + st.Category.ID + "/" + st.Category.Percent + ";"
		}
	}
	for _, l := range inv.Lines {
		props := ""
		for _, p := range l.Item.Properties {
			props += p.Name + "=" + p.Value + ","
		}
		base := ""
		if l.Price.BaseQuantity != nil {
			base = l.Price.BaseQuantity.Value + " " + l.Price.BaseQuantity.UnitCode
		}
		m["IBG-25"] += strings.Join([]string{l.ID, l.InvoicedQuantity.Value, l.InvoicedQuantity.UnitCode,
			l.LineExtensionAmount.Value, l.Item.Name, l.Item.TaxCategory.ID, l.Item.TaxCategory.Percent,
			l.Price.PriceAmount.Value, base, props}, "|") + ";"
	}
	return m
}

// fromTree reads the same terms as mapped, from the file's element tree.
func fromTree(r *node) map[string]string {
	m := map[string]string{
		"IBT-024": r.get("cbc:CustomizationID"), "IBT-023": r.get("cbc:ProfileID"), "IBT-001": r.get("cbc:ID"),
		"IBT-002": r.get("cbc:IssueDate"), "IBT-009": r.get("cbc:DueDate"), "IBT-003": r.get("cbc:InvoiceTypeCode"),
		"IBT-022": r.get("cbc:Note"), "IBT-005": r.get("cbc:DocumentCurrencyCode"),
		"IBT-106": r.get("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
		"IBT-109": r.get("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
		"IBT-112": r.get("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
		"IBT-115": r.get("cac:LegalMonetaryTotal/cbc:PayableAmount"),
	}
	if len(r.all("cac:InvoicePeriod")) > 0 {
		m["IBT-073"], m["IBT-074"] = r.get("cac:InvoicePeriod/cbc:StartDate"), r.get("cac:InvoicePeriod/cbc:EndDate")
	}
	for _, br := range r.all("cac:BillingReference") {
		m["IBT-025"] += br.get("cac:InvoiceDocumentReference/cbc:ID") + ";"
		m["IBT-026"] += br.get("cac:InvoiceDocumentReference/cbc:IssueDate") + ";"
	}
	party := func(prefix, path string) {
		p := r.all(path)[0]
		if len(p.all("cbc:EndpointID")) > 0 {
			m[prefix+"endpoint"] = p.attr("cbc:EndpointID", "schemeID") + ":" + p.get("cbc:EndpointID")
		}
		for _, ts := range p.all("cac:PartyTaxScheme") {
			m[prefix+"tax"] += ts.get("cbc:CompanyID") + "/" + ts.get("cac:TaxScheme/cbc:ID") + ";"
		}
		m[prefix+"name"] = p.get("cac:PartyLegalEntity/cbc:RegistrationName")
		if len(p.all("cac:PartyLegalEntity/cbc:CompanyID")) > 0 {
			m[prefix+"legal"] = p.attr("cac:PartyLegalEntity/cbc:CompanyID", "schemeID") + ":" + p.get("cac:PartyLegalEntity/cbc:CompanyID")
		}
		m[prefix+"street"] = p.get("cac:PostalAddress/cbc:StreetName")
		m[prefix+"zip"] = p.get("cac:PostalAddress/cbc:PostalZone")
		m[prefix+"country"] = p.get("cac:PostalAddress/cac:Country/cbc:IdentificationCode")
		if len(p.all("cac:Contact")) > 0 {
			m[prefix+"contact"] = p.get("cac:Contact/cbc:Name") + "|" + p.get("cac:Contact/cbc:Telephone") + "|" + p.get("cac:Contact/cbc:ElectronicMail")
		}
	}
	party("seller.", "cac:AccountingSupplierParty/cac:Party")
	party("buyer.", "cac:AccountingCustomerParty/cac:Party")
	for _, pm := range r.all("cac:PaymentMeans") {
		m["IBT-081"] += pm.get("cbc:PaymentMeansCode") + "/" + pm.attr("cbc:PaymentMeansCode", "name") + ";"
		if len(pm.all("cac:PayeeFinancialAccount")) > 0 {
			m["IBT-084"] += pm.get("cac:PayeeFinancialAccount/cbc:ID") + "/" + pm.get("cac:PayeeFinancialAccount/cbc:Name") + ";"
		}
	}
	if len(r.all("cac:PaymentTerms")) > 0 {
		m["IBT-020"] = r.get("cac:PaymentTerms/cbc:Note")
	}
	for _, tt := range r.all("cac:TaxTotal") {
		m["IBT-110"] += tt.get("cbc:TaxAmount") + " " + tt.attr("cbc:TaxAmount", "currencyID") + ";"
		for _, st := range tt.all("cac:TaxSubtotal") {
			m["IBG-23"] += st.get("cbc:TaxableAmount") + "/" + st.get("cbc:TaxAmount") + "/" + st.get("cac:TaxCategory/cbc:ID") + "/" + st.get("cac:TaxCategory/cbc:Percent") + ";"
		}
	}
	for _, l := range r.all("cac:InvoiceLine") {
		props := ""
		for _, p := range l.all("cac:Item/cac:AdditionalItemProperty") {
			props += p.get("cbc:Name") + "=" + p.get("cbc:Value") + ","
		}
		base := ""
		if len(l.all("cac:Price/cbc:BaseQuantity")) > 0 {
			base = l.get("cac:Price/cbc:BaseQuantity") + " " + l.attr("cac:Price/cbc:BaseQuantity", "unitCode")
		}
		m["IBG-25"] += strings.Join([]string{l.get("cbc:ID"), l.get("cbc:InvoicedQuantity"), l.attr("cbc:InvoicedQuantity", "unitCode"),
			l.get("cbc:LineExtensionAmount"), l.get("cac:Item/cbc:Name"), l.get("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
			l.get("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"), l.get("cac:Price/cbc:PriceAmount"), base, props}, "|") + ";"
	}
	return m
}

// TestOfficialExamplesParse: each of the specification's examples reads into Invoice without
// losing any business term Build writes (compared with the file's own element tree), and
// writing what was read and reading it again changes nothing.
func TestOfficialExamplesParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(pinttest.Dir(t), "examples", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := ReadInvoice(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("ReadInvoice: %v", err)
			}
			got := mapped(inv)
			want := fromTree(parseTree(t, data))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("business terms read (-file +structs):\n%s", diff)
			}
			if len(inv.Lines) == 0 || inv.LegalMonetaryTotal.PayableAmount.Value == "" || len(inv.TaxTotal) == 0 {
				t.Errorf("nothing read: %d lines, payable %q", len(inv.Lines), inv.LegalMonetaryTotal.PayableAmount.Value)
			}

			// Write what was read, read it back: the same terms.
			inv.XMLNS, inv.XMLNSCAC, inv.XMLNSCBC = nsInvoice, nsCAC, nsCBC
			out, err := encode(inv)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ReadInvoice(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("ReadInvoice of the rewritten file: %v", err)
			}
			if diff := cmp.Diff(mapped(inv), mapped(again)); diff != "" {
				t.Errorf("rewritten and read again (-first +second):\n%s", diff)
			}
		})
	}
}
