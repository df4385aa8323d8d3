package auth

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// A signed-in session's values, of each type the service stores.
func sessionValues() map[string]any {
	return map[string]any{keyUserID: "u_0123456789", keyOrgID: "o_0123456789", keyEpoch: int64(3),
		keyMustSet: true, keyNext: "/documents?q=請求", "count": 7}
}

func TestSessionCodecRoundTrip(t *testing.T) {
	deadline := time.Date(2026, 12, 2, 9, 30, 0, 123, time.UTC)
	b, err := sessionCodec{}.Encode(deadline, sessionValues())
	if err != nil {
		t.Fatal(err)
	}
	checkDecodes(t, b, deadline)
}

// Sessions written by scs's gob codec before the upgrade still decode.
func TestSessionCodecReadsGobSessions(t *testing.T) {
	deadline := time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)
	b, err := scs.GobCodec{}.Encode(deadline, sessionValues())
	if err != nil {
		t.Fatal(err)
	}
	checkDecodes(t, b, deadline)
}

// checkDecodes checks that sessionCodec decodes b into deadline and sessionValues.
func checkDecodes(t *testing.T, b []byte, deadline time.Time) {
	t.Helper()
	got, values, err := sessionCodec{}.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(deadline) || !maps.Equal(values, sessionValues()) {
		t.Errorf("decoded %v %#v, want %v %#v", got, values, deadline, sessionValues())
	}
}

func TestSessionCodecRefusesWhatItCannotKeep(t *testing.T) {
	if _, err := (sessionCodec{}).Encode(time.Now(), map[string]any{"x": 1.5}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("float value: err = %v, want one naming the key", err)
	}
	for _, b := range []string{"\x00{", "\x00{\"values\":{\"k\":{}}}", ""} {
		if _, _, err := (sessionCodec{}).Decode([]byte(b)); err == nil {
			t.Errorf("Decode(%q) = nil error", b)
		}
	}
}

// BenchmarkSessionDecode decodes a signed-in session as a page view does, with this codec and
// with scs's gob codec.
func BenchmarkSessionDecode(b *testing.B) {
	for _, c := range []struct {
		name  string
		codec scs.Codec
	}{{"json", sessionCodec{}}, {"gob", scs.GobCodec{}}} {
		b.Run(c.name, func(b *testing.B) {
			data, err := c.codec.Encode(time.Now(), sessionValues())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := c.codec.Decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
