package document

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes. The web layer maps each to exactly one HTTP status.
const (
	EBadRequest   = "bad_request"  // malformed input: not JSON, unknown field (400)
	EInvalid      = "invalid"      // validation failed (422), Fields says where
	ENotFound     = "not_found"    // no such object in this organisation (404)
	EConflict     = "conflict"     // the object's state forbids the change (409)
	EVersion      = "version"      // optimistic-concurrency mismatch (412)
	EForbidden    = "forbidden"    // the role does not allow it (403)
	EUnauthorized = "unauthorized" // not authenticated (401)
	EInternal     = "internal"     // anything else (500); message is generic
)

// Error is the one error type that carries a code and a message meant for the user. Fields maps
// a field path such as "items[0].quantity" to a problem with that field.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

// Error returns the message followed by each field problem, sorted by field path.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
	}
	return b.String()
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// FieldErrors collects field problems while validating; Err turns them into an *Error.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a problem (the first one wins).
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns nil when there are no problems, else an EInvalid *Error listing them.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "入力内容に誤りがあります (validation failed)", Fields: map[string]string(f)}
}
