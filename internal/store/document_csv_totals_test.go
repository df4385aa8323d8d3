package store

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
)

// FuzzDecodeTotals: decodeTotals decodes every input as json.Unmarshal does, and fails where it
// fails; the seeds are the forms the databases return (SQLite's compact JSON, PostgreSQL's jsonb
// text with its own key order) and what its fast path leaves to encoding/json.
func FuzzDecodeTotals(f *testing.F) {
	for _, s := range []string{
		`{"by_rate":[{"rate":10,"net":10000,"tax":1000,"gross":11000,"category":"standard"},{"rate":8,"net":800,"tax":64,"gross":864,"category":"reduced"}],"net":10800,"tax":1064,"gross":11864,"withholding":1021,"amount_due":10843}`,
		`{"net": 84, "tax": 0, "gross": 84, "by_rate": [{"net": 84, "tax": 0, "rate": 0, "gross": 84, "category": "exempt"}], "amount_due": 84, "withholding": 0}`,
		`{"by_rate":[{"rate":0,"net":500,"tax":0,"gross":500}],"net":-500,"gross":-500}`, // before categories
		`{"by_rate":[],"net":0}`, `{"by_rate":null}`, `{}`, `{"net":1.5}`, `{"net":1e3}`, `{"net":01}`, `{"net":"1"}`,
		`{"by_rate":[{"category":"st\u0061ndard"}]}`, `{"extra":1,"net":2}`, `{"net":9223372036854775808}`,
		`{"net":1,"net":2}`, `{"net":1} x`, `{"net":1`, `[]`, `null`, ``, `{"by_rate":[{"rate":4294967306}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want, got document.Totals
		wantErr := json.Unmarshal([]byte(s), &want)
		err := decodeTotals(s, &got)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decodeTotals(%q): error %v, json.Unmarshal %v", s, err, wantErr)
		}
		if err == nil {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decodeTotals(%q) (-json.Unmarshal +decodeTotals):\n%s", s, diff)
			}
		}
	})
}
