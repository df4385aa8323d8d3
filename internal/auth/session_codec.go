package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec encodes a session's deadline and values as JSON behind a 0x00 byte, each value
// tagged with its type (the values are strings, booleans and integers).
//
// scs's default, gob, builds its decoder anew for every session it decodes (each is a stream
// of its own, carrying its type descriptions): that was a tenth of a page view's CPU time.
// Sessions written by gob before are still read (a gob stream never starts with 0x00), so an
// upgrade signs nobody out.
type sessionCodec struct{}

var _ scs.Codec = sessionCodec{}

// sessionMagic starts every session sessionCodec writes.
const sessionMagic = 0x00

// sessionData is the encoded session.
type sessionData struct {
	Deadline time.Time               `json:"deadline"`
	Values   map[string]sessionValue `json:"values"`
}

// sessionValue is one value: exactly one field is set.
type sessionValue struct {
	S *string `json:"s,omitempty"`
	B *bool   `json:"b,omitempty"`
	I *int64  `json:"i,omitempty"` // an int64
	N *int    `json:"n,omitempty"` // an int
}

func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	d := sessionData{Deadline: deadline, Values: make(map[string]sessionValue, len(values))}
	for k, v := range values {
		var sv sessionValue
		switch v := v.(type) {
		case string:
			sv.S = &v
		case bool:
			sv.B = &v
		case int64:
			sv.I = &v
		case int:
			sv.N = &v
		default:
			return nil, fmt.Errorf("auth: session value %q of type %T cannot be stored", k, v)
		}
		d.Values[k] = sv
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return append([]byte{sessionMagic}, b...), nil
}

func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if len(b) == 0 || b[0] != sessionMagic {
		return scs.GobCodec{}.Decode(b)
	}
	var d sessionData
	if err := json.Unmarshal(b[1:], &d); err != nil {
		return time.Time{}, nil, fmt.Errorf("auth: decode session: %w", err)
	}
	values := make(map[string]any, len(d.Values))
	for k, v := range d.Values {
		switch {
		case v.S != nil:
			values[k] = *v.S
		case v.B != nil:
			values[k] = *v.B
		case v.I != nil:
			values[k] = *v.I
		case v.N != nil:
			values[k] = *v.N
		default:
			return time.Time{}, nil, errors.New("auth: decode session: value " + k + " has no type")
		}
	}
	return d.Deadline, values, nil
}
