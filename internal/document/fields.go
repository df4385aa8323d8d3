package document

import (
	"encoding/json"

	"reportapp/internal/domain"
)

// DecodeObject decodes the JSON object data strictly into v, a pointer to a struct whose fields
// are json.RawMessage: malformed JSON, trailing data, an empty body, a value that is not an
// object and unknown (or wrongly cased) fields are an EBadRequest *domain.Error. The values are
// then read with Fields, so every request body of the API is decoded the same way.
func DecodeObject(data []byte, v any) error { return decodeStrict(data, v, "") }

// Fields reads the raw values of an object DecodeObject decoded into typed ones, recording every
// problem under its field; Err returns them all as one EInvalid error.
type Fields struct{ fd fieldDecoder }

// NewFields returns a Fields with no problems recorded.
func NewFields() Fields { return Fields{fieldDecoder{domain.FieldErrors{}}} }

// Absent reports whether a field was left out or null.
func (Fields) Absent(raw json.RawMessage) bool { return absent(raw) }

// String reads a JSON string; absent or null is "".
func (f Fields) String(field string, raw json.RawMessage) string { return f.fd.str(field, raw) }

// Required reads a JSON string that must be present and not empty.
func (f Fields) Required(field string, raw json.RawMessage) string {
	s := f.fd.str(field, raw)
	if s == "" && (absent(raw) || raw[0] == '"') {
		f.fd.fe.Add(field, "必須です (required)")
	}
	return s
}

// Integer reads a JSON integer; absent or null is (0, false).
func (f Fields) Integer(field string, raw json.RawMessage) (int64, bool) {
	return f.fd.integer(field, raw)
}

// Date reads "YYYY-MM-DD"; absent, null and "" are the zero Date.
func (f Fields) Date(field string, raw json.RawMessage) Date { return f.fd.date(field, raw) }

// Bool reads true or false; absent or null is false.
func (f Fields) Bool(field string, raw json.RawMessage) bool { return f.fd.boolean(field, raw) }

// Add records a problem of field.
func (f Fields) Add(field, msg string) { f.fd.fe.Add(field, msg) }

// Problems is the problems recorded so far, by field (for copying them under a prefix).
func (f Fields) Problems() domain.FieldErrors { return f.fd.fe }

// Err is nil without problems, else one EInvalid *domain.Error naming every field.
func (f Fields) Err() error { return f.fd.fe.Err() }
