package document

import (
	"time"
)

// Kind is the kind of a business document.
type Kind string

// The document kinds reportapp issues.
const (
	Invoice      Kind = "invoice"       // 請求書
	Quote        Kind = "quote"         // 見積書
	DeliveryNote Kind = "delivery_note" // 納品書
	Receipt      Kind = "receipt"       // 領収書
	CreditNote   Kind = "credit_note"   // 適格返還請求書
)

// Kinds lists every kind in a fixed order (for forms, prefixes and tests).
func Kinds() []Kind { return []Kind{Invoice, Quote, DeliveryNote, Receipt, CreditNote} }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	switch k {
	case Invoice, Quote, DeliveryNote, Receipt, CreditNote:
		return true
	}
	return false
}

// Title is the Japanese title printed on the document.
func (k Kind) Title() string {
	switch k {
	case Invoice:
		return "請求書"
	case Quote:
		return "見積書"
	case DeliveryNote:
		return "納品書"
	case Receipt:
		return "領収書"
	case CreditNote:
		return "適格返還請求書"
	}
	return string(k)
}

// DefaultPrefix is the number prefix an organisation starts with for kind k.
func (k Kind) DefaultPrefix() string {
	switch k {
	case Invoice:
		return "INV-"
	case Quote:
		return "QUO-"
	case DeliveryNote:
		return "DEL-"
	case Receipt:
		return "REC-"
	case CreditNote:
		return "CRN-"
	}
	return ""
}

// Status is where a document is in its lifecycle: draft → issued → cancelled.
type Status string

// The lifecycle states.
const (
	Draft     Status = "draft"
	Issued    Status = "issued"
	Cancelled Status = "cancelled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == Draft || s == Issued || s == Cancelled }

// Rounding is how a fractional yen amount becomes whole yen (the issuer's choice).
type Rounding string

// Rounding modes (shared/JP-INVOICE.md): 切り捨て, 四捨五入, 切り上げ.
const (
	Floor  Rounding = "floor"
	HalfUp Rounding = "half_up"
	Ceil   Rounding = "ceil"
)

// Valid reports whether r is a known rounding mode.
func (r Rounding) Valid() bool { return r == Floor || r == HalfUp || r == Ceil }

// TaxRate is a consumption-tax rate in percent: 10 (standard), 8 (reduced) or 0 (non-taxable).
type TaxRate int

// The rates in force.
const (
	RateStandard   TaxRate = 10
	RateReduced    TaxRate = 8
	RateNonTaxable TaxRate = 0
)

// Valid reports whether r is a rate in force.
func (r TaxRate) Valid() bool { return r == RateStandard || r == RateReduced || r == RateNonTaxable }

// Issuer is the organisation's data printed on a document; a copy is frozen into the document
// when it is issued.
type Issuer struct {
	Name               string `json:"name"`
	RegistrationNumber string `json:"registration_number"` // "T" + 13 digits, or ""
	PostalCode         string `json:"postal_code"`
	Address            string `json:"address"`
	Phone              string `json:"phone"`
	Fax                string `json:"fax"`            // optional
	ContactPerson      string `json:"contact_person"` // 担当者, optional
	Email              string `json:"email"`
	BankAccount        string `json:"bank_account"` // お振込先, free text
	PeppolID           string `json:"peppol_id"`    // "0188:法人番号" or "0221:登録番号", or ""
	// QualifiedInvoiceIssuer says whether the issuer is registered as a qualified-invoice
	// issuer (適格請求書発行事業者). One that is must have a registration number to issue an
	// invoice, receipt or credit note; the documents of one that is not (免税事業者) say
	// nothing that implies 適格.
	QualifiedInvoiceIssuer bool `json:"qualified_invoice_issuer"`
}

// NeedsRegistration reports whether k is a kind a qualified issuer must print its
// registration number on (適格請求書, 適格簡易請求書, 適格返還請求書).
func (k Kind) NeedsRegistration() bool { return k == Invoice || k == Receipt || k == CreditNote }

// Title is the title printed on the document: its kind's, except that the credit note of an
// issuer that is not a qualified-invoice issuer is a plain 返還請求書.
func (d Document) Title() string {
	if d.Kind == CreditNote && d.Issuer != nil && !d.Issuer.QualifiedInvoiceIssuer {
		return "返還請求書"
	}
	return d.Kind.Title()
}

// Prefixes are the number prefixes of an organisation, one per kind.
type Prefixes struct {
	Invoice      string `json:"invoice"`
	Quote        string `json:"quote"`
	DeliveryNote string `json:"delivery_note"`
	Receipt      string `json:"receipt"`
	CreditNote   string `json:"credit_note"`
}

// DefaultPrefixes returns each kind's DefaultPrefix.
func DefaultPrefixes() Prefixes {
	return Prefixes{Invoice.DefaultPrefix(), Quote.DefaultPrefix(), DeliveryNote.DefaultPrefix(), Receipt.DefaultPrefix(), CreditNote.DefaultPrefix()}
}

// For returns the prefix of kind k.
func (p Prefixes) For(k Kind) string {
	switch k {
	case Invoice:
		return p.Invoice
	case Quote:
		return p.Quote
	case DeliveryNote:
		return p.DeliveryNote
	case Receipt:
		return p.Receipt
	case CreditNote:
		return p.CreditNote
	}
	return ""
}

// Organization is a tenant: the issuer of its documents. Nothing of one organisation is ever
// visible to another.
type Organization struct {
	ID   string `json:"id"`
	Slug string `json:"slug"`
	Issuer
	RegistrationWarning string   `json:"registration_warning"` // read-only: a failed check digit
	DefaultTaxRounding  Rounding `json:"default_tax_rounding"`
	NumberPrefixes      Prefixes `json:"number_prefixes"`
	// TransferFees are the 振込手数料 payers commonly deduct; matching bank deposits tries each.
	TransferFees []int64 `json:"transfer_fees"`
	// Logo and Seal are PNG images (re-encoded on upload), or nil.
	Logo      []byte    `json:"-"`
	Seal      []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Honorifics a customer may carry after its name.
const (
	HonorificOnchu = "御中" // to a company or department
	HonorificSama  = "様"  // to a person
)

// Counterparty is a customer's data as printed on a document; frozen into the document when it is
// issued, so later edits of the customer never change an issued document.
type Counterparty struct {
	Name               string `json:"name"`
	Honorific          string `json:"honorific"` // "御中", "様" or ""
	PostalCode         string `json:"postal_code"`
	Address            string `json:"address"`
	ContactPerson      string `json:"contact_person"`
	Email              string `json:"email"`
	RegistrationNumber string `json:"registration_number"`
	PeppolID           string `json:"peppol_id"` // as Issuer.PeppolID
}

// Customer is a counterparty kept by an organisation.
type Customer struct {
	ID string `json:"id"`
	Counterparty
	// NameKana is the name's reading (フリガナ): customers sort by it (by Name when empty), and
	// it is the payer name bank deposits are matched against. Never printed on a document.
	NameKana            string        `json:"name_kana"`
	PaymentTerms        *PaymentTerms `json:"payment_terms"` // nil: the due date is entered by hand
	RegistrationWarning string        `json:"registration_warning,omitempty"`
	CreatedAt           time.Time     `json:"created_at"`
	UpdatedAt           time.Time     `json:"updated_at"`
}

// Period is an inclusive range of dates, e.g. a month for a monthly invoice.
type Period struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Item is one line of a document. Amount is computed: Quantity × UnitPrice rounded by the
// document's rounding mode. Name is one line; Description is optional free text of several
// lines (a period, what the work included), printed under the name in smaller type.
type Item struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Quantity    Quantity `json:"quantity"`
	Unit        string   `json:"unit"`
	UnitPrice   int64    `json:"unit_price"`
	TaxRate     TaxRate  `json:"tax_rate"`
	// TaxCategory is standard (10%), reduced (8%) or, for 0%, exempt, outside_scope or export.
	TaxCategory TaxCategory `json:"tax_category"`
	Amount      int64       `json:"amount"`
}

// RateTotal is the total of one tax rate and category: tax is computed once on the sum of the
// lines of the category (the three 0% categories are totalled separately).
type RateTotal struct {
	Rate     TaxRate     `json:"rate"`
	Net      int64       `json:"net"`
	Tax      int64       `json:"tax"`
	Gross    int64       `json:"gross"`
	Category TaxCategory `json:"category"`
}

// Totals are a document's computed totals.
type Totals struct {
	ByRate      []RateTotal `json:"by_rate"` // categories present, in the order of Categories
	Net         int64       `json:"net"`
	Tax         int64       `json:"tax"`
	Gross       int64       `json:"gross"`
	Withholding int64       `json:"withholding"`
	AmountDue   int64       `json:"amount_due"`
}

// RelatedDocument identifies another document: the invoice a credit note corrects (as printed
// on it), the quote an invoice was made from, or a document made from this one.
type RelatedDocument struct {
	ID        string `json:"id"`
	Kind      Kind   `json:"kind"`
	Status    Status `json:"status,omitempty"`
	Number    string `json:"number"`
	IssueDate Date   `json:"issue_date"`
}

// Document is a business document. Drafts are edited freely; issuing assigns Number and freezes
// Issuer and Customer; issued and cancelled documents never change again except for cancellation.
type Document struct {
	ID                string           `json:"id"`
	Kind              Kind             `json:"kind"`
	Status            Status           `json:"status"`
	Number            *string          `json:"number"`
	CustomerID        string           `json:"customer_id"`
	Customer          *Counterparty    `json:"customer"` // the snapshot once issued; the current data while draft
	Issuer            *Issuer          `json:"issuer"`   // likewise
	IssueDate         Date             `json:"issue_date"`
	TransactionDate   *Date            `json:"transaction_date"`
	TransactionPeriod *Period          `json:"transaction_period"`
	DueDate           *Date            `json:"due_date"`
	ValidUntil        *Date            `json:"valid_until"`
	Subject           string           `json:"subject"`
	Purpose           string           `json:"purpose"` // 但し書き of a receipt
	RelatedDocumentID *string          `json:"related_document_id"`
	RelatedDocument   *RelatedDocument `json:"related_document,omitempty"` // read-only
	// RelatedDocumentNumber is input only: the number of the related invoice, which the web
	// layer resolves into RelatedDocumentID.
	RelatedDocumentNumber string `json:"-"`
	// SourceDocumentID is the quote this document was made from (見積書 → 請求書).
	SourceDocumentID *string          `json:"source_document_id"`
	SourceDocument   *RelatedDocument `json:"source_document,omitempty"` // read-only
	// DerivedDocumentIDs and DerivedDocuments are read-only: the documents made from this one
	// (their source_document_id is this document), oldest first.
	DerivedDocumentIDs []string          `json:"derived_document_ids"`
	DerivedDocuments   []RelatedDocument `json:"derived_documents,omitempty"`
	// Ordered is read-only: a quote is ordered (受注) once a document made from it exists that
	// is not cancelled.
	Ordered          bool       `json:"ordered"`
	Notes            string     `json:"notes"`
	PricesIncludeTax bool       `json:"prices_include_tax"`
	TaxRounding      Rounding   `json:"tax_rounding"`
	WithholdingTax   bool       `json:"withholding_tax"`
	Items            []Item     `json:"items"`
	Totals           Totals     `json:"totals"`
	Version          int64      `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	IssuedAt         *time.Time `json:"issued_at"`
	CancelledAt      *time.Time `json:"cancelled_at,omitempty"`
	// What payments and credit notes make of an issued invoice (read-only, computed when read;
	// null for other kinds, drafts and cancelled invoices).
	PaymentStatus  *string `json:"payment_status"` // paid, overdue, partially_paid, unpaid
	PaidAmount     *int64  `json:"paid_amount"`
	CreditedAmount *int64  `json:"credited_amount"`
	Balance        *int64  `json:"balance"`
	// A summary invoice (合計請求書) lists the delivery notes it gathers and the carry-over header;
	// a delivery note gathered into one names it in BilledBy (read-only, from the store).
	SourceDocuments []SourceDocument `json:"source_documents,omitempty"`
	*CarryOver
	BilledBy *string `json:"billed_by,omitempty"`
	// PDFSHA256 is the hex SHA-256 of the PDF stored when the document was issued (原本の
	// SHA-256), read-only; "" for drafts and for documents whose PDF is not stored yet.
	PDFSHA256 string `json:"pdf_sha256,omitempty"`
}

// Event is one entry of a document's history (電子帳簿保存法): who did what when, with the
// document as it was before the change (nil for creation) and what changed.
type Event struct {
	ID         string    `json:"id"`
	DocumentID string    `json:"document_id"`
	Action     string    `json:"action"` // create, update, issue, cancel, delete
	Actor      Actor     `json:"actor"`
	At         time.Time `json:"at"`
	Before     *Document `json:"before"`
	// Changes are what the event changed, field by field (see Changes): from Before to the
	// document as the next event found it (or as it is now, after the last event).
	Changes []Change `json:"changes"`
	// PDFSHA256 is the hex SHA-256 of the PDF the event stored: the rendition of an issue or a
	// cancellation, the original of a "store_pdf" event; "" for other events.
	PDFSHA256 string `json:"pdf_sha256,omitempty"`
}

// Filter selects documents for search and export (電子帳簿保存法: date range, amount range,
// counterparty, combinable). Zero values mean "any". Which page of the matches is a separate
// domain.Page (limit, cursor).
type Filter struct {
	Kind       Kind
	Status     Status
	CustomerID string
	DateFrom   *Date // on the transaction date (the period's start), else the issue date
	DateTo     *Date
	TotalMin   *int64 // on Totals.Gross
	TotalMax   *int64
	Query      string // free text: number, subject, customer name, item names
	// PaymentStatus selects issued invoices by payment status (paid, overdue, partially_paid,
	// unpaid) as of Today (the store's today in its zone when zero).
	PaymentStatus string
	Today         Date
	DueFrom       *Date // on the due date
	DueTo         *Date
	// IncludePINT is an option of exports, not a condition: write the JP PINT XML of each issued
	// invoice and credit note beside its PDF.
	IncludePINT bool
	// Lang is an option of exports too: the language of index.csv (Japanese unless English).
	Lang CSVLang
}
