package domain

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Code says what kind of failure an error is; it is the "code" of an API error body and decides
// the HTTP status.
type Code string

// The codes. Add one here and in statuses below (and in openapi.json's ErrorCode enum).
const (
	EBadRequest       Code = "bad_request"            // malformed input: not JSON, unknown field (400)
	EUnauthorized     Code = "unauthorized"           // not authenticated (401)
	EForbidden        Code = "forbidden"              // the role does not allow it, or a cross-origin request (403)
	ENotFound         Code = "not_found"              // no such object in this organisation, or no such route (404)
	EMethodNotAllowed Code = "method_not_allowed"     // the route exists with other methods (405)
	EBodyTimeout      Code = "body_timeout"           // the request body did not arrive in time (408)
	EConflict         Code = "conflict"               // the object's state forbids the change (409)
	EVersion          Code = "version"                // optimistic-concurrency mismatch (412)
	EBodyTooLarge     Code = "body_too_large"         // the request body is over the limit (413)
	EUnsupportedMedia Code = "unsupported_media_type" // the body is not of the expected type (415)
	EInvalid          Code = "invalid"                // validation failed (422), Fields says where
	ERateLimited      Code = "rate_limited"           // too many attempts; retry later (429)
	EInternal         Code = "internal"               // anything else (500); message is generic
	EUnavailable      Code = "unavailable"            // busy, timed out or a dependency is down; retry later (503)
	// ERegistrationMissing: a qualified-invoice issuer tried to issue an invoice, receipt or
	// credit note without a registration number of the valid format (422).
	ERegistrationMissing Code = "registration_number_missing"
)

// statuses is the one table from code to HTTP status.
var statuses = map[Code]int{
	EBadRequest:          http.StatusBadRequest,
	EUnauthorized:        http.StatusUnauthorized,
	EForbidden:           http.StatusForbidden,
	ENotFound:            http.StatusNotFound,
	EMethodNotAllowed:    http.StatusMethodNotAllowed,
	EBodyTimeout:         http.StatusRequestTimeout,
	EConflict:            http.StatusConflict,
	EVersion:             http.StatusPreconditionFailed,
	EBodyTooLarge:        http.StatusRequestEntityTooLarge,
	EUnsupportedMedia:    http.StatusUnsupportedMediaType,
	EInvalid:             http.StatusUnprocessableEntity,
	ERateLimited:         http.StatusTooManyRequests,
	EInternal:            http.StatusInternalServerError,
	EUnavailable:         http.StatusServiceUnavailable,
	ERegistrationMissing: http.StatusUnprocessableEntity,
}

// Status returns the HTTP status of the code; an unknown code is 500.
func (c Code) Status() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Codes returns every code, sorted.
func Codes() []Code {
	cs := make([]Code, 0, len(statuses))
	for c := range statuses {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	return cs
}

// Error is the one error type that carries a code and a message meant for the user. Fields maps
// a field path such as "items[0].quantity" to a problem with that field.
type Error struct {
	Code    Code
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
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) Code {
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

// Merge adds the field problems of err, when it is an *Error with fields; other errors add
// nothing.
func (f FieldErrors) Merge(err error) {
	var e *Error
	if errors.As(err, &e) {
		for k, v := range e.Fields {
			f.Add(k, v)
		}
	}
}

// Err returns nil when there are no problems, else an EInvalid *Error listing them.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Message: "入力内容に誤りがあります (validation failed)", Fields: map[string]string(f)}
}
