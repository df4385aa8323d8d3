package web

import (
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func TestDocumentItemDescription(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", customerBody("株式会社サンプル"))

		// A description keeps its lines (CRLF from a browser becomes LF) through create, read and issue.
		body := invoiceBody(c.ID)
		body["items"].([]map[string]any)[0]["description"] = "11月1日〜30日\r\n夜間対応を含む"
		var d document.Document
		a.mustJSON(201, &d, "A-member", "POST", "/api/v1/documents", body)
		a.mustJSON(200, &d, "A-member", "POST", "/api/v1/documents/"+d.ID+"/issue", nil)
		a.mustJSON(200, &d, "A-viewer", "GET", "/api/v1/documents/"+d.ID, nil)
		if got, want := d.Items[0].Description, "11月1日〜30日\n夜間対応を含む"; got != want {
			t.Errorf("description = %q, want %q", got, want)
		}
		if d.Items[1].Description != "" {
			t.Errorf("a line without a description got %q", d.Items[1].Description)
		}

		// Too long, or a multi-line name: 422 naming the line's field.
		for field, change := range map[string]func(it map[string]any){
			"items[0].description": func(it map[string]any) { it["description"] = strings.Repeat("説", document.MaxDescriptionLen+1) },
			"items[0].name":        func(it map[string]any) { it["name"] = "一行目\n二行目" },
		} {
			body := invoiceBody(c.ID)
			change(body["items"].([]map[string]any)[0])
			var e struct {
				Error struct{ Fields map[string]string }
			}
			a.mustJSON(422, &e, "A-member", "POST", "/api/v1/documents", body)
			if e.Error.Fields[field] == "" || len(e.Error.Fields) != 1 {
				t.Errorf("%s: fields = %v, want one message for %s", field, e.Error.Fields, field)
			}
		}
	})
}
