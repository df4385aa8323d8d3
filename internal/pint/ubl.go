package pint

import (
	"encoding/xml"
	"io"
	"strings"
)

// The UBL 2.1 namespaces. Elements are written with the cac:/cbc: prefixes the specification's
// examples use; ReadInvoice maps whatever prefixes a file declares onto these.
const (
	nsInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	nsCAC     = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC     = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

// Invoice is the subset of a UBL 2.1 Invoice that JP PINT uses and reportapp fills, in the
// order of the UBL schema (xsd:sequence), which the schema check enforces. Each field names its
// business term (IBT-xxx, IBG-xx). Empty optional elements are left out (ibr-079).
type Invoice struct {
	XMLName            xml.Name           `xml:"Invoice"`
	XMLNS              string             `xml:"xmlns,attr"`
	XMLNSCAC           string             `xml:"xmlns:cac,attr"`
	XMLNSCBC           string             `xml:"xmlns:cbc,attr"`
	CustomizationID    string             `xml:"cbc:CustomizationID"`         // IBT-024
	ProfileID          string             `xml:"cbc:ProfileID"`               // IBT-023
	ID                 string             `xml:"cbc:ID"`                      // IBT-001
	IssueDate          string             `xml:"cbc:IssueDate"`               // IBT-002
	DueDate            string             `xml:"cbc:DueDate,omitempty"`       // IBT-009
	InvoiceTypeCode    string             `xml:"cbc:InvoiceTypeCode"`         // IBT-003
	Note               string             `xml:"cbc:Note,omitempty"`          // IBT-022
	DocumentCurrency   string             `xml:"cbc:DocumentCurrencyCode"`    // IBT-005
	InvoicePeriod      *Period            `xml:"cac:InvoicePeriod,omitempty"` // IBG-14
	BillingReference   []BillingReference `xml:"cac:BillingReference"`        // IBG-03
	Supplier           PartyWrapper       `xml:"cac:AccountingSupplierParty"` // IBG-04
	Customer           PartyWrapper       `xml:"cac:AccountingCustomerParty"` // IBG-07
	PaymentMeans       []PaymentMeans     `xml:"cac:PaymentMeans"`            // IBG-16
	PaymentTerms       *PaymentTerms      `xml:"cac:PaymentTerms,omitempty"`  // IBG-33
	TaxTotal           []TaxTotal         `xml:"cac:TaxTotal"`                // IBT-110, IBG-23
	LegalMonetaryTotal MonetaryTotal      `xml:"cac:LegalMonetaryTotal"`      // IBG-22
	Lines              []Line             `xml:"cac:InvoiceLine"`             // IBG-25
}

// Period is an invoice period (IBG-14: IBT-073, IBT-074) or a line period (IBG-26).
type Period struct {
	StartDate string `xml:"cbc:StartDate,omitempty"`
	EndDate   string `xml:"cbc:EndDate,omitempty"`
}

// BillingReference refers to a preceding invoice (IBG-03).
type BillingReference struct {
	InvoiceDocumentReference DocumentReference `xml:"cac:InvoiceDocumentReference"`
}

// DocumentReference is a preceding invoice's number (IBT-025) and issue date (IBT-026).
type DocumentReference struct {
	ID        string `xml:"cbc:ID"`
	IssueDate string `xml:"cbc:IssueDate,omitempty"`
}

// PartyWrapper is AccountingSupplierParty or AccountingCustomerParty.
type PartyWrapper struct {
	Party Party `xml:"cac:Party"`
}

// Party is the seller (IBG-04) or the buyer (IBG-07).
type Party struct {
	EndpointID    *Identifier      `xml:"cbc:EndpointID,omitempty"` // IBT-034 / IBT-049
	PostalAddress Address          `xml:"cac:PostalAddress"`        // IBG-05 / IBG-08
	TaxScheme     []PartyTaxScheme `xml:"cac:PartyTaxScheme"`       // IBT-031 / IBT-048
	LegalEntity   PartyLegalEntity `xml:"cac:PartyLegalEntity"`     // IBT-027 / IBT-044
	Contact       *Contact         `xml:"cac:Contact,omitempty"`    // IBG-06 / IBG-09
}

// Identifier is an identifier with its scheme (ISO 6523 ICD or EAS code).
type Identifier struct {
	SchemeID string `xml:"schemeID,attr,omitempty"`
	Value    string `xml:",chardata"`
}

// Address is a postal address. reportapp keeps an address as one free text, which becomes
// the first address line; the country is always JP.
type Address struct {
	StreetName string  `xml:"cbc:StreetName,omitempty"` // IBT-035 / IBT-050
	PostalZone string  `xml:"cbc:PostalZone,omitempty"` // IBT-038 / IBT-053
	Country    Country `xml:"cac:Country"`              // IBT-040 / IBT-055
}

// Country holds an ISO 3166-1 code.
type Country struct {
	IdentificationCode string `xml:"cbc:IdentificationCode"`
}

// PartyTaxScheme is a party's tax identifier: the 登録番号 with scheme VAT.
type PartyTaxScheme struct {
	CompanyID string    `xml:"cbc:CompanyID"`
	TaxScheme TaxScheme `xml:"cac:TaxScheme"`
}

// TaxScheme is always VAT (消費税, aligned-ibr-jp-03).
type TaxScheme struct {
	ID string `xml:"cbc:ID"`
}

// PartyLegalEntity is the registered name (IBT-027 / IBT-044) and the legal registration
// identifier (IBT-030 / IBT-047, the 法人番号).
type PartyLegalEntity struct {
	RegistrationName string      `xml:"cbc:RegistrationName"`
	CompanyID        *Identifier `xml:"cbc:CompanyID,omitempty"`
}

// Contact is a party's contact point (IBT-041..043 / IBT-056..058).
type Contact struct {
	Name           string `xml:"cbc:Name,omitempty"`
	Telephone      string `xml:"cbc:Telephone,omitempty"`
	ElectronicMail string `xml:"cbc:ElectronicMail,omitempty"`
}

// PaymentMeans is a payment instruction (IBG-16): code 30, credit transfer, to the seller's
// account (IBG-17).
type PaymentMeans struct {
	Code    PaymentMeansCode  `xml:"cbc:PaymentMeansCode"`                // IBT-081, IBT-082
	Account *FinancialAccount `xml:"cac:PayeeFinancialAccount,omitempty"` // IBG-17
}

// PaymentMeansCode is a UNCL 4461 code with its text.
type PaymentMeansCode struct {
	Name  string `xml:"name,attr,omitempty"`
	Value string `xml:",chardata"`
}

// FinancialAccount is the account to pay to (IBT-084 identifier, IBT-085 name).
type FinancialAccount struct {
	ID   string `xml:"cbc:ID"`
	Name string `xml:"cbc:Name,omitempty"`
}

// PaymentTerms is the payment terms text (IBT-020).
type PaymentTerms struct {
	Note string `xml:"cbc:Note"`
}

// Amount is an amount in a currency.
type Amount struct {
	Currency string `xml:"currencyID,attr"`
	Value    string `xml:",chardata"`
}

// Quantity is a quantity with its UN/ECE Recommendation 20 unit code.
type Quantity struct {
	UnitCode string `xml:"unitCode,attr"`
	Value    string `xml:",chardata"`
}

// TaxTotal is the document's tax (IBT-110) and its breakdown (IBG-23).
type TaxTotal struct {
	TaxAmount Amount        `xml:"cbc:TaxAmount"`
	Subtotals []TaxSubtotal `xml:"cac:TaxSubtotal"`
}

// TaxSubtotal is one tax breakdown (IBG-23): taxable amount (IBT-116), tax (IBT-117) and
// category (IBT-118, IBT-119).
type TaxSubtotal struct {
	TaxableAmount Amount      `xml:"cbc:TaxableAmount"`
	TaxAmount     Amount      `xml:"cbc:TaxAmount"`
	Category      TaxCategory `xml:"cac:TaxCategory"`
}

// TaxCategory is a UNCL 5305 code (S, AA, E, O, G) with its rate; an O category has no rate
// (aligned-ibrp-o-05).
type TaxCategory struct {
	ID        string    `xml:"cbc:ID"`
	Percent   string    `xml:"cbc:Percent,omitempty"`
	TaxScheme TaxScheme `xml:"cac:TaxScheme"`
}

// MonetaryTotal is the document totals (IBG-22).
type MonetaryTotal struct {
	LineExtensionAmount Amount `xml:"cbc:LineExtensionAmount"` // IBT-106
	TaxExclusiveAmount  Amount `xml:"cbc:TaxExclusiveAmount"`  // IBT-109
	TaxInclusiveAmount  Amount `xml:"cbc:TaxInclusiveAmount"`  // IBT-112
	PayableAmount       Amount `xml:"cbc:PayableAmount"`       // IBT-115
}

// Line is an invoice line (IBG-25).
type Line struct {
	ID                  string           `xml:"cbc:ID"`                          // IBT-126
	InvoicedQuantity    Quantity         `xml:"cbc:InvoicedQuantity"`            // IBT-129, IBT-130
	LineExtensionAmount Amount           `xml:"cbc:LineExtensionAmount"`         // IBT-131
	InvoicePeriod       *Period          `xml:"cac:InvoicePeriod,omitempty"`     // IBG-26
	DocumentReference   *LineDocumentRef `xml:"cac:DocumentReference,omitempty"` // IBG-36
	Item                Item             `xml:"cac:Item"`                        // IBG-31
	Price               Price            `xml:"cac:Price"`                       // IBG-29
}

// LineDocumentRef is a line's document reference (IBG-36: IBT-188), e.g. the delivery note a
// summary invoice's line came from, as the specification's Example3-SumInv1 does.
type LineDocumentRef struct {
	ID string `xml:"cbc:ID"`
}

// Item is a line's item (IBG-31): name (IBT-153), tax category (IBG-30) and attributes (IBG-32),
// where the unit as the user typed it is kept as 表示単位名称, as the specification's examples do.
type Item struct {
	Description string         `xml:"cbc:Description,omitempty"` // IBT-154
	Name        string         `xml:"cbc:Name"`
	TaxCategory TaxCategory    `xml:"cac:ClassifiedTaxCategory"`
	Properties  []ItemProperty `xml:"cac:AdditionalItemProperty"`
}

// ItemProperty is an item attribute (IBT-160 name, IBT-161 value).
type ItemProperty struct {
	Name  string `xml:"cbc:Name"`
	Value string `xml:"cbc:Value"`
}

// Price is the item net price (IBT-146) per base quantity (IBT-149, IBT-150).
type Price struct {
	PriceAmount  Amount    `xml:"cbc:PriceAmount"`
	BaseQuantity *Quantity `xml:"cbc:BaseQuantity,omitempty"`
}

// ReadInvoice parses a UBL Invoice written with any namespace prefixes (the specification's
// examples, other systems' files) into Invoice. It fails on a document that is not an Invoice.
func ReadInvoice(r io.Reader) (Invoice, error) {
	var inv Invoice
	d := xml.NewTokenDecoder(&prefixer{d: xml.NewDecoder(r)})
	if err := d.Decode(&inv); err != nil {
		return Invoice{}, err
	}
	return inv, nil
}

// prefixer turns a namespaced token stream into the literal names Invoice's tags use ("cbc:ID"
// for an ID in the basic-components namespace, whatever its prefix in the file), so one set of
// structs both writes and reads.
type prefixer struct {
	d      *xml.Decoder
	scopes []map[string]string // prefix → namespace URI, innermost last
}

func (p *prefixer) Token() (xml.Token, error) {
	tok, err := p.d.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		scope := map[string]string{}
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				scope[""] = a.Value
			case a.Name.Space == "xmlns":
				scope[a.Name.Local] = a.Value
			}
		}
		p.scopes = append(p.scopes, scope)
		t.Name = p.canonical(t.Name)
		attrs := t.Attr[:0:0]
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
				continue // declarations are resolved here; Invoice's xmlns fields stay empty on read
			}
			attrs = append(attrs, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
		}
		t.Attr = attrs
		return t, nil
	case xml.EndElement:
		t.Name = p.canonical(t.Name)
		if len(p.scopes) > 0 {
			p.scopes = p.scopes[:len(p.scopes)-1]
		}
		return t, nil
	}
	return xml.CopyToken(tok), nil
}

// canonical names an element by the prefix Invoice uses for its namespace.
func (p *prefixer) canonical(n xml.Name) xml.Name {
	uri := ""
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if u, ok := p.scopes[i][n.Space]; ok {
			uri = u
			break
		}
	}
	switch uri {
	case nsCBC:
		return xml.Name{Local: "cbc:" + n.Local}
	case nsCAC:
		return xml.Name{Local: "cac:" + n.Local}
	case nsInvoice:
		return xml.Name{Local: n.Local}
	}
	return xml.Name{Local: strings.TrimPrefix(n.Space+":"+n.Local, ":")}
}
