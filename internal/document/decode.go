package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"reportapp/internal/domain"
)

// DocumentInput is the JSON body of POST and PUT /api/v1/documents: the fields a client sets.
// The read-only fields of a Document (id, status, number, customer, issuer, related_document,
// totals, items[].amount, created_at, updated_at, issued_at, cancelled_at, payment_status, paid_amount, credited_amount, balance) are accepted and
// ignored, so a client may PUT back what it got; any other field is rejected.
type DocumentInput struct {
	Kind              json.RawMessage `json:"kind"`
	CustomerID        json.RawMessage `json:"customer_id"`
	IssueDate         json.RawMessage `json:"issue_date"`
	TransactionDate   json.RawMessage `json:"transaction_date"`
	TransactionPeriod json.RawMessage `json:"transaction_period"` // {"from": date, "to": date}
	DueDate           json.RawMessage `json:"due_date"`
	ValidUntil        json.RawMessage `json:"valid_until"`
	Subject           json.RawMessage `json:"subject"`
	Purpose           json.RawMessage `json:"purpose"`
	RelatedDocumentID json.RawMessage `json:"related_document_id"`
	// RelatedDocumentNumber names the related invoice by its number instead of its id.
	RelatedDocumentNumber json.RawMessage `json:"related_document_number"`
	SourceDocumentID      json.RawMessage `json:"source_document_id"`
	Notes                 json.RawMessage `json:"notes"`
	PricesIncludeTax      json.RawMessage `json:"prices_include_tax"`
	TaxRounding           json.RawMessage `json:"tax_rounding"`
	WithholdingTax        json.RawMessage `json:"withholding_tax"`
	Items                 json.RawMessage `json:"items"` // [{name, description, quantity, unit, unit_price, tax_rate, tax_category}]
	Version               json.RawMessage `json:"version"`

	// Read-only, ignored.
	ID               json.RawMessage `json:"id"`
	Status           json.RawMessage `json:"status"`
	Number           json.RawMessage `json:"number"`
	Customer         json.RawMessage `json:"customer"`
	Issuer           json.RawMessage `json:"issuer"`
	RelatedDocument  json.RawMessage `json:"related_document"`
	SourceDocument   json.RawMessage `json:"source_document"`
	DerivedIDs       json.RawMessage `json:"derived_document_ids"`
	Derived          json.RawMessage `json:"derived_documents"`
	Ordered          json.RawMessage `json:"ordered"`
	Totals           json.RawMessage `json:"totals"`
	CreatedAt        json.RawMessage `json:"created_at"`
	UpdatedAt        json.RawMessage `json:"updated_at"`
	IssuedAt         json.RawMessage `json:"issued_at"`
	CancelledAt      json.RawMessage `json:"cancelled_at"`
	PaymentStatus    json.RawMessage `json:"payment_status"`
	PaidAmount       json.RawMessage `json:"paid_amount"`
	CreditedAmount   json.RawMessage `json:"credited_amount"`
	Balance          json.RawMessage `json:"balance"`
	SourceDocuments  json.RawMessage `json:"source_documents"`
	PreviousBilled   json.RawMessage `json:"previous_billed"`
	PaymentsReceived json.RawMessage `json:"payments_received"`
	CarriedOver      json.RawMessage `json:"carried_over"`
	TotalBilled      json.RawMessage `json:"total_billed"`
	BilledBy         json.RawMessage `json:"billed_by"`
	PDFSHA256        json.RawMessage `json:"pdf_sha256"`
}

// itemInput is one element of DocumentInput.Items.
type itemInput struct {
	Name        json.RawMessage `json:"name"`
	Description json.RawMessage `json:"description"`
	Quantity    json.RawMessage `json:"quantity"` // "1.5" (or, leniently, 1.5)
	Unit        json.RawMessage `json:"unit"`
	UnitPrice   json.RawMessage `json:"unit_price"`
	TaxRate     json.RawMessage `json:"tax_rate"`
	// TaxCategory may be left out: 10% is standard, 8% reduced and 0% exempt (非課税).
	TaxCategory json.RawMessage `json:"tax_category"`
	Amount      json.RawMessage `json:"amount"` // read-only, ignored
}

type periodInput struct {
	From json.RawMessage `json:"from"`
	To   json.RawMessage `json:"to"`
}

// decodeStrict decodes one JSON object from data into v, whose fields are json.RawMessage, so
// the only possible problems are malformed JSON, trailing data, unknown fields and a value that
// is not an object. Each is an EBadRequest *Error naming where (path prefixes the message of a
// nested object), except a nested value that is not an object (path != ""): that is an
// EInvalid *Error for the field path, as for any value of the wrong type.
func decodeStrict(data []byte, v any, path string) error {
	at := ""
	if path != "" {
		at = path + ": "
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return domain.Errorf(domain.EBadRequest, "%sJSON の後に余分なデータがあります (unexpected data after the JSON value)", at)
		}
		if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
			err = &json.UnmarshalTypeError{Value: string(t)} // null: not an object either
		} else {
			return exactKeys(data, v, at)
		}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return domain.Errorf(domain.EBadRequest, "%s本文が空です (empty body)", at)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.EBadRequest, "%sJSON が途中で終わっています (unexpected end of JSON)", at)
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return domain.Errorf(domain.EBadRequest, "%sJSON の形式が正しくありません (malformed JSON at line %d, column %d: %s)", at, line, col, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		if path == "" {
			return domain.Errorf(domain.EBadRequest, "本文は JSON オブジェクトでなければなりません (the body must be a JSON object, not %s)", typ.Value)
		}
		// A nested value of the wrong type is a field problem like any other.
		fe := domain.FieldErrors{}
		fe.Add(path, "オブジェクトで指定してください (must be a JSON object)")
		return fe.Err()
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return domain.Errorf(domain.EBadRequest, "%s不明な項目 %s です (unknown field %s)", at, name, name)
	}
	return domain.Errorf(domain.EBadRequest, "%sJSON を読めません (cannot decode JSON: %v)", at, err)
}

// exactKeys rejects keys of the object data that match a field of v only case-insensitively
// (encoding/json accepts "Kind" for "kind"; a strict API does not).
func exactKeys(data []byte, v any, at string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return domain.Errorf(domain.EBadRequest, "%sJSON を読めません (cannot decode JSON: %v)", at, err)
	}
	t := reflect.TypeOf(v).Elem()
	known := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		known[name] = true
	}
	var unknown []string
	for k := range m {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown) // the same body always gets the same message
	return domain.Errorf(domain.EBadRequest, "%s不明な項目 %q です (unknown field %q)", at, unknown[0], unknown[0])
}

// position converts a byte offset of data into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	nl := bytes.LastIndexByte(before, '\n')
	return 1 + bytes.Count(before, []byte("\n")), max(int(offset)-nl-1, 1)
}

// absent reports whether a field was left out or null.
func absent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// fieldDecoder converts raw JSON values into typed ones, recording every problem by its path.
type fieldDecoder struct{ fe domain.FieldErrors }

// object decodes the nested object raw at path into v. A value that is not an object is
// recorded as a field problem (ok false, err nil); malformed or unknown fields are an error.
func (fd fieldDecoder) object(path string, raw json.RawMessage, v any) (ok bool, err error) {
	err = decodeStrict(raw, v, path)
	var e *domain.Error
	if errors.As(err, &e) && e.Code == domain.EInvalid {
		for k, msg := range e.Fields {
			fd.fe.Add(k, msg)
		}
		return false, nil
	}
	return err == nil, err
}

// str reads a JSON string; absent is "".
func (fd fieldDecoder) str(path string, raw json.RawMessage) string {
	if absent(raw) {
		return ""
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		fd.fe.Add(path, "文字列で指定してください (must be a string)")
		return ""
	}
	return s
}

// optStr reads a JSON string or null; absent and "" are nil.
func (fd fieldDecoder) optStr(path string, raw json.RawMessage) *string {
	if s := fd.str(path, raw); s != "" {
		return &s
	}
	return nil
}

// boolean reads true or false; absent is false.
func (fd fieldDecoder) boolean(path string, raw json.RawMessage) bool {
	switch string(raw) {
	case "true":
		return true
	case "false", "null", "":
		return false
	}
	fd.fe.Add(path, "true か false で指定してください (must be true or false)")
	return false
}

// integer reads a JSON integer (no fraction, no exponent); absent is 0 and reported as false.
func (fd fieldDecoder) integer(path string, raw json.RawMessage) (int64, bool) {
	if absent(raw) {
		return 0, false
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		fd.fe.Add(path, "整数で指定してください (must be an integer)")
		return 0, false
	}
	return v, true
}

// date reads "YYYY-MM-DD"; absent, null and "" are the zero Date.
func (fd fieldDecoder) date(path string, raw json.RawMessage) Date {
	s := fd.str(path, raw)
	if s == "" {
		return Date{}
	}
	d, err := ParseDate(s)
	if err != nil {
		fd.fe.Add(path, err.Error())
		return Date{}
	}
	return d
}

// optDate is date with nil for absent.
func (fd fieldDecoder) optDate(path string, raw json.RawMessage) *Date {
	if d := fd.date(path, raw); !d.IsZero() {
		return &d
	}
	return nil
}

// DecodeDocument parses the JSON body of POST or PUT /api/v1/documents strictly. Malformed
// JSON, a body that is not an object, trailing data and unknown fields are an EBadRequest
// *Error whose message says where; values of the wrong type or format (quantity "abc", date
// "2025-13-01", tax_rate 5) are one EInvalid *Error with Fields keyed by JSON path
// ("items[0].quantity"). Read-only fields are ignored (see DocumentInput). It returns the
// document, not yet validated, and the optional "version" of the body (nil when absent).
func DecodeDocument(data []byte) (Document, *int64, error) {
	var in DocumentInput
	if err := decodeStrict(data, &in, ""); err != nil {
		return Document{}, nil, err
	}
	fd := fieldDecoder{domain.FieldErrors{}}
	d := Document{
		Kind:                  Kind(fd.str("kind", in.Kind)),
		CustomerID:            fd.str("customer_id", in.CustomerID),
		IssueDate:             fd.date("issue_date", in.IssueDate),
		TransactionDate:       fd.optDate("transaction_date", in.TransactionDate),
		DueDate:               fd.optDate("due_date", in.DueDate),
		ValidUntil:            fd.optDate("valid_until", in.ValidUntil),
		Subject:               fd.str("subject", in.Subject),
		Purpose:               fd.str("purpose", in.Purpose),
		RelatedDocumentID:     fd.optStr("related_document_id", in.RelatedDocumentID),
		RelatedDocumentNumber: NormalizeCode(fd.str("related_document_number", in.RelatedDocumentNumber)),
		SourceDocumentID:      fd.optStr("source_document_id", in.SourceDocumentID),
		Notes:                 fd.str("notes", in.Notes),
		PricesIncludeTax:      fd.boolean("prices_include_tax", in.PricesIncludeTax),
		TaxRounding:           Rounding(fd.str("tax_rounding", in.TaxRounding)),
		WithholdingTax:        fd.boolean("withholding_tax", in.WithholdingTax),
	}
	if !absent(in.TransactionPeriod) {
		var p periodInput
		ok, err := fd.object("transaction_period", in.TransactionPeriod, &p)
		if err != nil {
			return Document{}, nil, err
		}
		if ok {
			d.TransactionPeriod = &Period{
				From: fd.date("transaction_period.from", p.From),
				To:   fd.date("transaction_period.to", p.To),
			}
		}
	}
	if !absent(in.Items) {
		var raws []json.RawMessage
		if in.Items[0] != '[' || json.Unmarshal(in.Items, &raws) != nil {
			fd.fe.Add("items", "配列で指定してください (must be an array)")
		}
		if len(raws) > MaxItems {
			fd.fe.Add("items", fmt.Sprintf("明細は %d 行までです (at most %d line items, got %d)", MaxItems, MaxItems, len(raws)))
			raws = nil
		}
		d.Items = make([]Item, 0, len(raws))
		for i, raw := range raws {
			path := fmt.Sprintf("items[%d]", i)
			var ii itemInput
			ok, err := fd.object(path, raw, &ii)
			if err != nil {
				return Document{}, nil, err
			}
			if ok {
				d.Items = append(d.Items, fd.item(path, ii))
			}
		}
	}
	var version *int64
	if v, ok := fd.integer("version", in.Version); ok {
		version = &v
	}
	if err := fd.fe.Err(); err != nil {
		return Document{}, nil, err
	}
	return d, version, nil
}

// item converts one line.
func (fd fieldDecoder) item(path string, in itemInput) Item {
	it := Item{
		Name:        fd.str(path+".name", in.Name),
		Description: fd.str(path+".description", in.Description),
		Unit:        fd.str(path+".unit", in.Unit),
	}
	if absent(in.Quantity) {
		fd.fe.Add(path+".quantity", msgRequired)
	} else if err := it.Quantity.UnmarshalJSON(in.Quantity); err != nil {
		fd.fe.Add(path+".quantity", err.Error())
	}
	if absent(in.UnitPrice) {
		fd.fe.Add(path+".unit_price", msgRequired)
	} else if v, ok := fd.integer(path+".unit_price", in.UnitPrice); ok {
		it.UnitPrice = v
	}
	if absent(in.TaxRate) {
		fd.fe.Add(path+".tax_rate", msgRequired)
	} else if v, ok := fd.integer(path+".tax_rate", in.TaxRate); ok {
		if r := TaxRate(v); int64(r) == v && r.Valid() {
			it.TaxRate = r
		} else {
			fd.fe.Add(path+".tax_rate", "税率は 10, 8, 0 のいずれかです (tax rate must be 10, 8 or 0)")
		}
	}
	it.TaxCategory = TaxCategory(fd.str(path+".tax_category", in.TaxCategory))
	if it.TaxCategory == "" {
		it.TaxCategory = DefaultCategory(it.TaxRate)
	}
	return it
}

// organizationInput is the JSON body of PUT /api/v1/organization.
type organizationInput struct {
	Name               json.RawMessage `json:"name"`
	RegistrationNumber json.RawMessage `json:"registration_number"`
	PostalCode         json.RawMessage `json:"postal_code"`
	Address            json.RawMessage `json:"address"`
	Phone              json.RawMessage `json:"phone"`
	Fax                json.RawMessage `json:"fax"`
	ContactPerson      json.RawMessage `json:"contact_person"`
	Email              json.RawMessage `json:"email"`
	BankAccount        json.RawMessage `json:"bank_account"`
	PeppolID           json.RawMessage `json:"peppol_id"`
	DefaultTaxRounding json.RawMessage `json:"default_tax_rounding"`
	NumberPrefixes     json.RawMessage `json:"number_prefixes"`
	TransferFees       json.RawMessage `json:"transfer_fees"` // [110, 220, …]; absent keeps them
	// QualifiedInvoiceIssuer is true when absent.
	QualifiedInvoiceIssuer json.RawMessage `json:"qualified_invoice_issuer"`

	// Read-only, ignored.
	ID                  json.RawMessage `json:"id"`
	Slug                json.RawMessage `json:"slug"`
	RegistrationWarning json.RawMessage `json:"registration_warning"`
	CreatedAt           json.RawMessage `json:"created_at"`
	UpdatedAt           json.RawMessage `json:"updated_at"`
}

type prefixesInput struct {
	Invoice      json.RawMessage `json:"invoice"`
	Quote        json.RawMessage `json:"quote"`
	DeliveryNote json.RawMessage `json:"delivery_note"`
	Receipt      json.RawMessage `json:"receipt"`
	CreditNote   json.RawMessage `json:"credit_note"`
}

// DecodeOrganization parses the JSON body of PUT /api/v1/organization strictly, with the same
// error classes as DecodeDocument. Read-only fields (id, slug, registration_warning,
// created_at, updated_at) are ignored. A default_tax_rounding or a number prefix left out (or
// null) takes its default (Floor, Kind.DefaultPrefix); an explicit "" prefix stays empty.
// The result is not yet validated.
func DecodeOrganization(data []byte) (Organization, error) {
	var in organizationInput
	if err := decodeStrict(data, &in, ""); err != nil {
		return Organization{}, err
	}
	fd := fieldDecoder{domain.FieldErrors{}}
	o := Organization{
		Issuer: Issuer{
			Name:               fd.str("name", in.Name),
			RegistrationNumber: fd.str("registration_number", in.RegistrationNumber),
			PostalCode:         fd.str("postal_code", in.PostalCode),
			Address:            fd.str("address", in.Address),
			Phone:              fd.str("phone", in.Phone),
			Fax:                fd.str("fax", in.Fax),
			ContactPerson:      fd.str("contact_person", in.ContactPerson),
			Email:              fd.str("email", in.Email),
			BankAccount:        fd.str("bank_account", in.BankAccount),
			PeppolID:           fd.str("peppol_id", in.PeppolID),
			QualifiedInvoiceIssuer: absent(in.QualifiedInvoiceIssuer) ||
				fd.boolean("qualified_invoice_issuer", in.QualifiedInvoiceIssuer),
		},
		DefaultTaxRounding: Floor,
		NumberPrefixes:     DefaultPrefixes(),
	}
	if !absent(in.DefaultTaxRounding) {
		o.DefaultTaxRounding = Rounding(fd.str("default_tax_rounding", in.DefaultTaxRounding))
	}
	if !absent(in.NumberPrefixes) {
		var p prefixesInput
		if _, err := fd.object("number_prefixes", in.NumberPrefixes, &p); err != nil {
			return Organization{}, err
		}
		for _, f := range []struct {
			name string
			raw  json.RawMessage
			dst  *string
		}{
			{"invoice", p.Invoice, &o.NumberPrefixes.Invoice},
			{"quote", p.Quote, &o.NumberPrefixes.Quote},
			{"delivery_note", p.DeliveryNote, &o.NumberPrefixes.DeliveryNote},
			{"receipt", p.Receipt, &o.NumberPrefixes.Receipt},
			{"credit_note", p.CreditNote, &o.NumberPrefixes.CreditNote},
		} {
			if !absent(f.raw) {
				*f.dst = fd.str("number_prefixes."+f.name, f.raw)
			}
		}
	}
	if !absent(in.TransferFees) {
		o.TransferFees = []int64{}
		if err := json.Unmarshal(in.TransferFees, &o.TransferFees); err != nil {
			fd.fe.Add("transfer_fees", "整数 (円) の配列です (an array of integer yen)")
		}
	}
	if err := fd.fe.Err(); err != nil {
		return Organization{}, err
	}
	return o, nil
}

// customerInput is the JSON body of POST /api/v1/customers and PUT /api/v1/customers/{id}.
type customerInput struct {
	Name               json.RawMessage `json:"name"`
	NameKana           json.RawMessage `json:"name_kana"`
	Honorific          json.RawMessage `json:"honorific"`
	PostalCode         json.RawMessage `json:"postal_code"`
	Address            json.RawMessage `json:"address"`
	ContactPerson      json.RawMessage `json:"contact_person"`
	Email              json.RawMessage `json:"email"`
	RegistrationNumber json.RawMessage `json:"registration_number"`
	PaymentTerms       json.RawMessage `json:"payment_terms"` // null or PaymentTerms
	PeppolID           json.RawMessage `json:"peppol_id"`

	// Read-only, ignored.
	ID                  json.RawMessage `json:"id"`
	RegistrationWarning json.RawMessage `json:"registration_warning"`
	CreatedAt           json.RawMessage `json:"created_at"`
	UpdatedAt           json.RawMessage `json:"updated_at"`
}

// DecodeCustomer parses the JSON body of POST /api/v1/customers and PUT
// /api/v1/customers/{id} strictly, with the same error classes as DecodeDocument. Read-only
// fields (id, registration_warning, created_at, updated_at) are ignored. The result is not
// yet validated.
func DecodeCustomer(data []byte) (Customer, error) {
	var in customerInput
	if err := decodeStrict(data, &in, ""); err != nil {
		return Customer{}, err
	}
	fd := fieldDecoder{domain.FieldErrors{}}
	c := Customer{Counterparty: Counterparty{
		Name:               fd.str("name", in.Name),
		Honorific:          fd.str("honorific", in.Honorific),
		PostalCode:         fd.str("postal_code", in.PostalCode),
		Address:            fd.str("address", in.Address),
		ContactPerson:      fd.str("contact_person", in.ContactPerson),
		Email:              fd.str("email", in.Email),
		RegistrationNumber: fd.str("registration_number", in.RegistrationNumber),
		PeppolID:           fd.str("peppol_id", in.PeppolID),
	}, NameKana: fd.str("name_kana", in.NameKana)}
	c.PaymentTerms = fd.paymentTerms("payment_terms", in.PaymentTerms)
	if err := fd.fe.Err(); err != nil {
		return Customer{}, err
	}
	return c, nil
}

// paymentTerms decodes null (no terms) or a PaymentTerms object; holiday_rule defaults to none.
func (fd fieldDecoder) paymentTerms(path string, raw json.RawMessage) *PaymentTerms {
	if absent(raw) {
		return nil
	}
	var in struct {
		ClosingDay     json.RawMessage `json:"closing_day"`
		PayMonthOffset json.RawMessage `json:"pay_month_offset"`
		PayDay         json.RawMessage `json:"pay_day"`
		HolidayRule    json.RawMessage `json:"holiday_rule"`
	}
	ok, err := fd.object(path, raw, &in)
	if err != nil {
		fd.fe.Add(path, err.Error())
		return nil
	}
	if !ok {
		return nil
	}
	p := PaymentTerms{HolidayRule: HolidayNone}
	day := func(field string, raw json.RawMessage, v *MonthDay) {
		if absent(raw) {
			fd.fe.Add(path+"."+field, msgRequired)
		} else if err := v.UnmarshalJSON(raw); err != nil {
			fd.fe.Add(path+"."+field, err.Error())
		}
	}
	day("closing_day", in.ClosingDay, &p.ClosingDay)
	day("pay_day", in.PayDay, &p.PayDay)
	if n, ok := fd.integer(path+".pay_month_offset", in.PayMonthOffset); ok {
		p.PayMonthOffset = int(n)
	} else if absent(in.PayMonthOffset) {
		fd.fe.Add(path+".pay_month_offset", msgRequired)
	}
	if r := fd.str(path+".holiday_rule", in.HolidayRule); r != "" {
		p.HolidayRule = HolidayRule(r)
	}
	for k, v := range p.Validate(path + ".") {
		fd.fe.Add(k, v)
	}
	return &p
}
