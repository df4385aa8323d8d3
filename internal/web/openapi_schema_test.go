package web

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"reportapp/internal/document"
	"reportapp/internal/receivables"
	"reportapp/internal/recurring"
	"reportapp/internal/store"
)

// TestOpenAPISchemasMatchGoTypes: each response schema of openapi.json describes the Go type the
// API encodes: every JSON field of the type is a property, and a field encoded always (no
// omitempty) is required. The contract test sees the bodies the tests happen to make; this sees
// every field.
func TestOpenAPISchemasMatchGoTypes(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	sent := requestSchemas(t)
	// Fields always encoded by the type but left out by some operations.
	optional := map[string]string{
		"Document.items": "lists and history leave the lines out unless include=items",
	}
	for name, typ := range map[string]reflect.Type{
		"Organization":   reflect.TypeFor[document.Organization](),
		"Issuer":         reflect.TypeFor[document.Issuer](),
		"Counterparty":   reflect.TypeFor[document.Counterparty](),
		"Customer":       reflect.TypeFor[document.Customer](),
		"Item":           reflect.TypeFor[document.Item](),
		"RateTotal":      reflect.TypeFor[document.RateTotal](),
		"Totals":         reflect.TypeFor[document.Totals](),
		"Document":       reflect.TypeFor[document.Document](),
		"Event":          reflect.TypeFor[eventView](),
		"Export":         reflect.TypeFor[store.Export](),
		"PaymentTerms":   reflect.TypeFor[document.PaymentTerms](),
		"Schedule":       reflect.TypeFor[recurring.Schedule](),
		"ScheduleRun":    reflect.TypeFor[recurring.RunRecord](),
		"Payment":        reflect.TypeFor[receivables.Payment](),
		"Receivables":    reflect.TypeFor[receivables.Aging](),
		"BankStatement":  reflect.TypeFor[store.BankStatement](),
		"SourceDocument": reflect.TypeFor[document.SourceDocument](),
		"Delivery":       reflect.TypeFor[store.Delivery](),
		"MailSettings":   reflect.TypeFor[store.MailSettings](),
		"LinkAccess":     reflect.TypeFor[store.LinkAccess](),
	} {
		ref := doc.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("openapi.json has no schema %s", name)
			continue
		}
		s := ref.Value
		for _, f := range jsonFields(typ) {
			if s.Properties[f.name] == nil {
				t.Errorf("schema %s has no property %q, which %v encodes", name, f.name, typ)
				continue
			}
			// In a schema clients also send, required says what a client must send.
			if !f.omitempty && !sent[name] && optional[name+"."+f.name] == "" && !slices.Contains(s.Required, f.name) {
				t.Errorf("schema %s: %q is always encoded (%v has no omitempty): list it in required", name, f.name, typ)
			}
			if p := s.Properties[f.name].Value; f.pointer && !f.omitempty && p.Type != nil && !p.Type.IncludesNull() {
				t.Errorf("schema %s: %q is null when unset (a pointer without omitempty): its type must include \"null\"", name, f.name)
			}
		}
	}
}

// requestSchemas returns the names of the component schemas a request body refers to, directly
// or through other schemas.
func requestSchemas(t *testing.T) map[string]bool {
	t.Helper()
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	ref := regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`)
	sent := map[string]bool{}
	var visit func(raw []byte)
	visit = func(raw []byte) {
		for _, m := range ref.FindAllSubmatch(raw, -1) {
			if name := string(m[1]); !sent[name] {
				sent[name] = true
				visit(doc.Components.Schemas[name])
			}
		}
	}
	for _, item := range doc.Paths {
		for _, raw := range item {
			var op struct {
				RequestBody json.RawMessage `json:"requestBody"`
			}
			if json.Unmarshal(raw, &op) == nil {
				visit(op.RequestBody)
			}
		}
	}
	return sent
}

// jsonField is a field as encoding/json names it.
type jsonField struct {
	name      string
	omitempty bool
	pointer   bool // encoded as null when nil
}

// jsonFields returns the fields encoding/json writes for a struct type: its own, then those of
// embedded structs that no shallower field hides.
func jsonFields(typ reflect.Type) []jsonField {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	var own, embedded []jsonField
	for f := range typ.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if ft := f.Type; f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				fs := jsonFields(ft)
				for i := range fs {
					// A nil embedded pointer leaves all its fields out.
					fs[i].omitempty = fs[i].omitempty || f.Type.Kind() == reflect.Pointer
				}
				embedded = append(embedded, fs...)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		own = append(own, jsonField{name, slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero"), f.Type.Kind() == reflect.Pointer})
	}
	for _, f := range embedded {
		if !slices.ContainsFunc(own, func(o jsonField) bool { return o.name == f.name }) {
			own = append(own, f)
		}
	}
	return own
}
