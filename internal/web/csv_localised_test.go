package web

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// parseCSV reads a CSV download: UTF-8 with a BOM, a heading row, rows keyed by heading.
func parseCSV(t *testing.T, data []byte) ([]string, []map[string]string) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatalf("no BOM: %.80q", data)
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("parse CSV: %v\n%s", err, data)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return recs[0], rows
}

// TestDocumentCSVLocalisedPerRateAndSigned is issue 12 item 7: the CSV's headings and values
// are Japanese (状態 下書き/発行済み/取消, kinds in words) unless the user chose English; it has
// the net and tax of each rate (10%対象, 10%消費税, 8%対象, 8%消費税, 0%対象); a credit note's
// amounts are negative, so that summing the issued documents gives net sales.
func TestDocumentCSVLocalisedPerRateAndSigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		cust, draft, inv := a.fixture() // inv: 10% net 30,000 tax 3,000; 8% net 315 tax 25
		var cn document.Document
		a.mustJSON(201, &cn, "A-member", "POST", "/api/v1/documents",
			creditBody(cust.ID, map[string]any{"related_document_id": inv.ID}, 1000, 10))
		a.mustJSON(200, &cn, "A-member", "POST", "/api/v1/documents/"+cn.ID+"/issue", nil)

		code, _, data := a.do("A-viewer", "GET", "/api/v1/documents.csv", nil)
		if code != 200 {
			t.Fatalf("CSV = %d: %s", code, data)
		}
		head, rows := parseCSV(t, data)
		wantHead := []string{"番号", "種類", "状態", "発行日", "取引日", "取引先", "件名", "税抜金額", "消費税", "税込金額",
			"10%対象", "10%消費税", "8%対象", "8%消費税", "0%対象", "非課税", "不課税", "免税", "源泉徴収税", "請求金額",
			"入金状況", "入金済額", "返還額", "残高", "ID"}
		if diff := cmp.Diff(wantHead, head); diff != "" {
			t.Errorf("headings (-want +got):\n%s", diff)
		}
		byID := map[string]map[string]string{}
		for _, r := range rows {
			byID[r["ID"]] = r
		}
		want := map[string]map[string]string{
			draft.ID: {"種類": "請求書", "状態": "下書き", "税込金額": "33340", "10%対象": "30000", "10%消費税": "3000",
				"8%対象": "315", "8%消費税": "25", "0%対象": "0", "入金状況": ""},
			inv.ID: {"種類": "請求書", "状態": "発行済み", "税込金額": "33340", "10%対象": "30000", "入金状況": "未入金", "返還額": "1100"},
			cn.ID: {"種類": "適格返還請求書", "状態": "発行済み", "税抜金額": "-1000", "消費税": "-100", "税込金額": "-1100",
				"10%対象": "-1000", "10%消費税": "-100", "8%対象": "0", "請求金額": "-1100"},
		}
		for id, cols := range want {
			for col, v := range cols {
				if got := byID[id][col]; got != v {
					t.Errorf("document %s %s = %q, want %q", byID[id]["種類"], col, got, v)
				}
			}
		}
		// Net sales: the issued documents' gross summed.
		var net int64
		for _, r := range rows {
			if r["状態"] == "発行済み" {
				n, err := strconv.ParseInt(r["税込金額"], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				net += n
			}
		}
		if net != 33340-1100 {
			t.Errorf("issued gross sums to %d, want %d", net, 33340-1100)
		}

		a.mustJSON(200, nil, "A-member", "POST", "/api/v1/documents/"+cn.ID+"/cancel", nil)
		for _, hdr := range [][]string{nil, {"Accept-Language", "en-US,en;q=0.9"}} {
			path := "/api/v1/documents.csv"
			if hdr == nil {
				path += "?lang=en"
			}
			_, _, data = a.do("A-viewer", "GET", path, nil, hdr...)
			head, rows = parseCSV(t, data)
			if head[2] != "Status" || head[10] != "10% taxable" || head[11] != "10% tax" || head[14] != "0% amount" {
				t.Errorf("English headings %q", head)
			}
			got := map[string]string{}
			for _, r := range rows {
				got[r["ID"]] = r["Kind"] + "/" + r["Status"]
			}
			if got[cn.ID] != "Credit note/Cancelled" || got[draft.ID] != "Invoice/Draft" {
				t.Errorf("English values %v", got)
			}
		}
		_, _, data = a.do("A-viewer", "GET", "/api/v1/documents.csv?status=cancelled", nil)
		if _, rows = parseCSV(t, data); len(rows) != 1 || rows[0]["状態"] != "取消" {
			t.Errorf("cancelled rows %v", rows)
		}
	})
}

// TestUIDocumentCSVFollowsTheChosenLanguage: the browser's CSV is English when the user chose
// English, Japanese otherwise.
func TestUIDocumentCSVFollowsTheChosenLanguage(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	u.mustDraft()
	head, rows := parseCSV(t, u.get("A-viewer", "/documents.csv").body)
	if head[2] != "状態" || len(rows) != 1 || rows[0]["状態"] != "下書き" || rows[0]["種類"] != "請求書" {
		t.Errorf("Japanese CSV %q %v", head, rows)
	}
	head, rows = parseCSV(t, u.get("A-viewer", "/documents.csv", "Cookie", "lang=en").body)
	if head[2] != "Status" || len(rows) != 1 || rows[0]["Status"] != "Draft" || rows[0]["Kind"] != "Invoice" {
		t.Errorf("English CSV %q %v", head, rows)
	}
}
