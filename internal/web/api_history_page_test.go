package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestHistoryIsPagedAndSummarised is issue 11 item 6: 300 edits of a 1,000-line draft made
// GET …/history answer 208 MB. The history is paged (default 50 events, cursor), its
// before-states and the document list are summaries without lines unless include=items, and
// include=items caps the page at 50. Budget: the default history page of a 200-line draft edited
// 60 times stays under 256 KB.
func TestHistoryIsPagedAndSummarised(t *testing.T) {
	t.Parallel() // among the package's slowest, and it shares nothing with the others
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))
		body := invoiceBody(c.ID)
		items := make([]map[string]any, 200)
		for i := range items {
			items[i] = map[string]any{"name": fmt.Sprintf("品目 %d", i), "quantity": "1", "unit": "個", "unit_price": 100, "tax_rate": 10}
		}
		body["items"] = items
		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", body)
		const edits = 60
		for i := range edits {
			body["subject"] = fmt.Sprintf("版 %d", i)
			body["version"] = d.Version
			a.mustJSON(200, &d, "A-member", "PUT", "/api/v1/documents/"+d.ID, body)
		}

		type page struct {
			Items []struct {
				ID     string          `json:"id"`
				Action string          `json:"action"`
				Before json.RawMessage `json:"before"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		path := "/api/v1/documents/" + d.ID + "/history"
		start := time.Now()
		code, _, raw := a.do("A-viewer", "GET", path, nil)
		t.Logf("default history page: %d bytes in %v", len(raw), time.Since(start))
		if code != 200 || len(raw) > 256<<10 {
			t.Fatalf("GET history = %d, %d bytes; want 200 within 256 KB", code, len(raw))
		}
		var p1 page
		if err := json.Unmarshal(raw, &p1); err != nil {
			t.Fatal(err)
		}
		if len(p1.Items) != 50 || p1.NextCursor == "" || p1.Items[0].Action != "create" {
			t.Fatalf("first page: %d events, cursor %q, first %q; want 50 from the create, and a cursor", len(p1.Items), p1.NextCursor, p1.Items[0].Action)
		}
		if strings.Contains(string(p1.Items[1].Before), `"items"`) || !strings.Contains(string(p1.Items[1].Before), `"version"`) {
			t.Errorf("before-state is not a summary: %.300s", p1.Items[1].Before)
		}
		var p2 page
		a.mustJSON(200, &p2, "A-viewer", "GET", path+"?cursor="+p1.NextCursor, nil)
		if len(p2.Items) != edits+1-50 || p2.NextCursor != "" {
			t.Errorf("second page: %d events, cursor %q; want %d and none", len(p2.Items), p2.NextCursor, edits+1-50)
		}
		seen := map[string]bool{}
		for _, e := range append(p1.Items, p2.Items...) {
			if seen[e.ID] {
				t.Errorf("event %s on two pages", e.ID)
			}
			seen[e.ID] = true
		}

		var full page
		start = time.Now()
		_, _, raw = a.do("A-viewer", "GET", path+"?include=items&limit=50", nil)
		t.Logf("include=items page of 50 (what the whole history held before): %d bytes in %v", len(raw), time.Since(start))
		if err := json.Unmarshal(raw, &full); err != nil {
			t.Fatal(err)
		}
		if len(full.Items) != 50 || !strings.Contains(string(full.Items[1].Before), `"items"`) {
			t.Errorf("include=items: %d events, before %.100s; want 50 with lines", len(full.Items), full.Items[1].Before)
		}
		a.mustJSON(422, nil, "A-viewer", "GET", path+"?include=items&limit=51", nil)
		a.mustJSON(422, nil, "A-viewer", "GET", path+"?include=everything", nil)
		a.mustJSON(422, nil, "A-viewer", "GET", path+"?cursor=bogus", nil)

		// The list: summaries unless include=items.
		_, _, list := a.do("A-viewer", "GET", "/api/v1/documents", nil)
		if strings.Contains(string(list), `"items":[{`) && strings.Contains(string(list), "品目 0") {
			t.Errorf("the list holds line items without include=items")
		}
		var withItems struct {
			Items []document.Document `json:"items"`
		}
		a.mustJSON(200, &withItems, "A-viewer", "GET", "/api/v1/documents?include=items", nil)
		if len(withItems.Items) != 1 || len(withItems.Items[0].Items) != 200 {
			t.Errorf("include=items: %d documents; want 1 with 200 lines", len(withItems.Items))
		}
	})
}
