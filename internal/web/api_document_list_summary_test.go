package web

import (
	"encoding/json"
	"testing"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestDocumentListIsSummaries (issue 11 item 6): a list's documents come without their line items
// unless include=items asks for them, and one response is capped: 500 summaries, or 50 whole
// documents; beyond, 422 on limit.
func TestDocumentListIsSummaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		a.fixture() // two documents with lines
		type listed struct {
			Items []map[string]json.RawMessage `json:"items"`
		}
		var summaries, whole listed
		a.mustJSON(200, &summaries, "A-viewer", "GET", "/api/v1/documents", nil)
		a.mustJSON(200, &whole, "A-viewer", "GET", "/api/v1/documents?include=items", nil)
		if len(summaries.Items) != 2 || len(whole.Items) != 2 {
			t.Fatalf("listed %d summaries and %d documents, want 2 each", len(summaries.Items), len(whole.Items))
		}
		for i := range 2 {
			if _, ok := summaries.Items[i]["items"]; ok {
				t.Errorf("summary %d carries its line items: %s", i, summaries.Items[i]["items"])
			}
			if _, ok := summaries.Items[i]["totals"]; !ok {
				t.Errorf("summary %d lacks its totals", i)
			}
			if lines, ok := whole.Items[i]["items"]; !ok || len(lines) < 3 {
				t.Errorf("include=items: document %d has items %s", i, lines)
			}
		}
		for query, want := range map[string]int{
			"limit=500": 200, "limit=501": 422, "include=items&limit=50": 200, "include=items&limit=51": 422,
			"include=lines": 422, "limit=0": 422,
		} {
			if code, _, body := a.do("A-viewer", "GET", "/api/v1/documents?"+query, nil); code != want {
				t.Errorf("?%s = %d, want %d: %s", query, code, want, body)
			}
		}
	})
}
