package web

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"reportapp/internal/bank/banktest"
	"reportapp/internal/document"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// upload posts a bank file as multipart field "file" (with optional extra fields).
func (a *testAPI) upload(who, path string, file []byte, fields map[string]string) (int, []byte) {
	a.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", "statement.txt")
	_, _ = fw.Write(file)
	_ = mw.Close()
	code, _, data := a.do(who, "POST", path, b.Bytes(), "Content-Type", mw.FormDataContentType())
	return code, data
}

func TestPaymentsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		_, draft, inv := a.fixture() // inv: 33,340 due 2026-12-31
		base := "/api/v1/documents/" + inv.ID + "/payments"

		var p receivables.Payment
		a.mustJSON(201, &p, "A-member", "POST", base, map[string]any{"date": "2026-12-10", "amount": 20000, "fee": 110, "method": "bank_transfer", "note": ""})
		if p.ID == "" || p.DocumentID != inv.ID || p.Amount != 20000 || p.Fee != 110 || p.CreatedBy == "" || p.VoidedAt != nil {
			t.Errorf("payment %+v", p)
		}
		var d document.Document
		a.mustJSON(200, &d, "A-viewer", "GET", "/api/v1/documents/"+inv.ID, nil)
		if *d.PaymentStatus != "partially_paid" && *d.PaymentStatus != "overdue" || *d.PaidAmount != 20110 || *d.CreditedAmount != 0 || *d.Balance != 13230 {
			t.Errorf("document after payment: %v %v %v %v", *d.PaymentStatus, *d.PaidAmount, *d.CreditedAmount, *d.Balance)
		}
		var dr document.Document
		a.mustJSON(200, &dr, "A-viewer", "GET", "/api/v1/documents/"+draft.ID, nil)
		if dr.PaymentStatus != nil || dr.Balance != nil {
			t.Errorf("draft has payment fields: %v %v", dr.PaymentStatus, dr.Balance)
		}
		// Refusals.
		for _, tt := range []struct {
			who, path string
			body      any
			want      int
			field     string
		}{
			{"A-member", base, map[string]any{"date": "2026-12-11", "amount": 13231}, 422, "amount"},
			{"A-member", base, map[string]any{"date": "2026-12-11", "amount": 0}, 422, "amount"},
			{"A-member", base, map[string]any{"date": "2026-12-11", "amount": 1, "fee": -1}, 422, "fee"},
			{"A-member", base, map[string]any{"date": "2026-12-11", "amount": 1, "method": "cheque"}, 422, "method"},
			{"A-member", base, map[string]any{"date": "12/11", "amount": 1}, 422, "date"},
			{"A-member", base, map[string]any{"amount": "1"}, 422, "amount"},
			{"A-member", base, map[string]any{"amount": 1, "extra": 1}, 400, ""},
			{"A-member", "/api/v1/documents/" + draft.ID + "/payments", map[string]any{"date": "2026-12-11", "amount": 1}, 409, ""},
			{"A-viewer", base, map[string]any{"date": "2026-12-11", "amount": 1}, 403, ""},
			{"B-admin", base, map[string]any{"date": "2026-12-11", "amount": 1}, 404, ""},
		} {
			code, _, body := a.do(tt.who, "POST", tt.path, tt.body)
			if code != tt.want || (tt.field != "" && !strings.Contains(string(body), `"`+tt.field+`"`)) {
				t.Errorf("%s %v: %d %s, want %d on %q", tt.who, tt.body, code, body, tt.want, tt.field)
			}
		}
		// Pay the rest, then void the first with a reason.
		a.mustJSON(201, nil, "A-member", "POST", base, map[string]any{"date": "2026-12-12", "amount": 13230})
		a.mustJSON(200, &d, "A-viewer", "GET", "/api/v1/documents/"+inv.ID, nil)
		if *d.PaymentStatus != "paid" || *d.Balance != 0 {
			t.Errorf("after full payment: %s %d", *d.PaymentStatus, *d.Balance)
		}
		if code, _, _ := a.do("A-member", "POST", "/api/v1/payments/"+p.ID+"/void", map[string]any{}); code != 422 {
			t.Errorf("void without reason: %d", code)
		}
		if code, _, _ := a.do("B-admin", "POST", "/api/v1/payments/"+p.ID+"/void", map[string]any{"reason": "x"}); code != 404 {
			t.Errorf("void from another org: %d", code)
		}
		var v receivables.Payment
		a.mustJSON(200, &v, "A-member", "POST", "/api/v1/payments/"+p.ID+"/void", map[string]any{"reason": "二重登録"})
		if v.VoidedAt == nil || v.VoidReason == nil || *v.VoidReason != "二重登録" {
			t.Errorf("voided %+v", v)
		}
		if code, _, _ := a.do("A-member", "POST", "/api/v1/payments/"+p.ID+"/void", map[string]any{"reason": "again"}); code != 409 {
			t.Errorf("void twice: %d", code)
		}
		var list struct{ Items []receivables.Payment }
		a.mustJSON(200, &list, "A-viewer", "GET", base, nil)
		if len(list.Items) != 2 || list.Items[0].VoidedAt == nil {
			t.Errorf("list %+v", list.Items)
		}
		if code, _, _ := a.do("B-admin", "GET", base, nil); code != 404 {
			t.Errorf("list from another org: %d", code)
		}
		// Search by payment status and due date; the list and CSV carry the fields.
		var page struct{ Items []document.Document }
		a.mustJSON(200, &page, "A-viewer", "GET", "/api/v1/documents?payment_status=partially_paid&due_from=2026-12-01&due_to=2026-12-31", nil)
		if len(page.Items) != 0 && *page.Items[0].PaymentStatus != "partially_paid" {
			t.Errorf("search %+v", page.Items)
		}
		a.mustJSON(200, &page, "A-viewer", "GET", "/api/v1/documents?kind=invoice&status=issued&due_to=2026-12-31", nil)
		if len(page.Items) != 1 || page.Items[0].Balance == nil || *page.Items[0].Balance != 20110 {
			t.Errorf("list item %+v", page.Items)
		}
		if code, _, _ := a.do("A-viewer", "GET", "/api/v1/documents?payment_status=late", nil); code != 422 {
			t.Errorf("bad payment_status: %d", code)
		}
		_, _, csv := a.do("A-viewer", "GET", "/api/v1/documents.csv?kind=invoice&status=issued", nil)
		if !strings.Contains(string(csv), "入金状況") || !strings.Contains(string(csv), ",20110") {
			t.Errorf("csv: %s", csv)
		}
		// Receivables.
		var ag receivables.Aging
		a.mustJSON(200, &ag, "A-viewer", "GET", "/api/v1/receivables?as_of=2027-02-15", nil)
		if ag.Total != 20110 || ag.Buckets["31_60"] != 20110 || len(ag.Customers) != 1 || ag.Customers[0].Total != 20110 {
			t.Errorf("aging %+v", ag)
		}
		if code, _, _ := a.do("A-viewer", "GET", "/api/v1/receivables?as_of=tomorrow", nil); code != 422 {
			t.Errorf("bad as_of: %d", code)
		}
		a.mustJSON(200, &ag, "B-admin", "GET", "/api/v1/receivables?as_of=2027-02-15", nil)
		if ag.Total != 0 || len(ag.Customers) != 0 {
			t.Errorf("other org's aging %+v", ag)
		}
	})
}

func TestBankStatementsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		var c document.Customer
		body := customerBody("株式会社ヤマダ商事")
		body["name_kana"] = "ヤマダショウジ"
		a.mustJSON(201, &c, "A-member", "POST", "/api/v1/customers", body)
		var inv document.Document
		a.mustJSON(201, &inv, "A-member", "POST", "/api/v1/documents", invoiceBody(c.ID))
		a.mustJSON(200, &inv, "A-member", "POST", "/api/v1/documents/"+inv.ID+"/issue", nil) // 33,340
		var inv2 document.Document
		a.mustJSON(201, &inv2, "A-member", "POST", "/api/v1/documents", invoiceBody(c.ID))
		a.mustJSON(200, &inv2, "A-member", "POST", "/api/v1/documents/"+inv2.ID+"/issue", nil)
		a.mustJSON(201, nil, "A-member", "POST", "/api/v1/documents/"+inv2.ID+"/payments", map[string]any{"date": "2026-12-01", "amount": 1000}) // 32,340 left

		file := banktest.File("01", []banktest.Deposit{
			{Ref: "11", Date: "081210", Amount: 33340, Payer: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"},
			{Ref: "12", Date: "081211", Amount: 32230, Payer: "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ"},
			{Ref: "13", Date: "081211", Amount: 5000, Payer: "ﾌﾒｲ"},
		}, banktest.Trailer{}, "\r\n")
		code, data := a.upload("A-member", "/api/v1/bank-statements", file, nil)
		if code != 201 {
			t.Fatalf("upload: %d %s", code, data)
		}
		var st struct {
			ID       string `json:"id"`
			Format   string `json:"format"`
			Encoding string `json:"encoding"`
			Lines    []struct {
				ID        string `json:"id"`
				LineNo    int    `json:"line_no"`
				Date      string `json:"date"`
				Amount    int64  `json:"amount"`
				PayerName string `json:"payer_name"`
				Reference string `json:"reference"`
				Status    string `json:"status"`
				Match     struct {
					DocumentIDs []string `json:"document_ids"`
					Fee         int64    `json:"fee"`
				} `json:"match"`
			} `json:"lines"`
			Results []struct {
				LineID string `json:"line_id"`
				Result string `json:"result"`
			} `json:"results"`
		}
		decode(t, data, &st)
		if st.Format != "zengin" || st.Encoding == "" || len(st.Lines) != 3 {
			t.Fatalf("statement %s", data)
		}
		l := st.Lines
		if l[0].Status != "matched" || l[0].Date != "2026-12-10" || l[0].Match.DocumentIDs[0] != inv.ID || l[1].Match.DocumentIDs[0] != inv2.ID ||
			l[1].Status != "suggested" || l[1].Match.Fee != 110 || l[2].Status != "unmatched" {
			t.Errorf("lines %s", data)
		}
		a.mustJSON(200, nil, "A-viewer", "GET", "/api/v1/bank-statements/"+st.ID, nil)
		if code, _, _ := a.do("B-admin", "GET", "/api/v1/bank-statements/"+st.ID, nil); code != 404 {
			t.Errorf("other org reads statement: %d", code)
		}
		if code, _ := a.upload("A-viewer", "/api/v1/bank-statements", file, nil); code != 403 {
			t.Errorf("viewer uploads: %d", code)
		}
		// A wrong trailer is a clear 422 on file.
		bad := banktest.File("01", []banktest.Deposit{{Ref: "1", Date: "081210", Amount: 1, Payer: "ﾀﾅｶ"}}, banktest.Trailer{Sum: ptrInt(2)}, "\r\n")
		if code, data := a.upload("A-member", "/api/v1/bank-statements", bad, nil); code != 422 || !strings.Contains(string(data), "file") || !strings.Contains(string(data), "振込合計金額") {
			t.Errorf("bad trailer: %d %s", code, data)
		}
		if code, data := a.upload("A-member", "/api/v1/bank-statements", file, map[string]string{"format": "ofx"}); code != 422 {
			t.Errorf("bad format: %d %s", code, data)
		}
		if code, _, _ := a.do("A-member", "POST", "/api/v1/bank-statements", map[string]any{}); code != http.StatusUnsupportedMediaType {
			t.Errorf("json upload: %d", code)
		}
		// CSV with given columns.
		csvFile := []byte("日,内容,x,金額\n2026/12/20,ﾀﾅｶ,,777\n")
		if code, data := a.upload("A-member", "/api/v1/bank-statements", csvFile, map[string]string{"format": "csv", "columns": "date:1,amount:4,payer:2"}); code != 201 || !strings.Contains(string(data), `"amount":777`) {
			t.Errorf("csv upload: %d %s", code, data)
		}

		apply := map[string]any{"matches": []map[string]any{
			{"line_id": l[0].ID, "document_ids": l[0].Match.DocumentIDs, "fee": 0},
			{"line_id": l[1].ID, "document_ids": l[1].Match.DocumentIDs, "fee": 110},
		}}
		var applied = st
		a.mustJSON(200, &applied, "A-member", "POST", "/api/v1/bank-statements/"+st.ID+"/apply", apply)
		if len(applied.Results) != 2 || applied.Results[0].Result != "recorded" || applied.Results[1].Result != "recorded" {
			t.Errorf("apply results %+v", applied.Results)
		}
		var d document.Document
		for _, id := range []string{inv.ID, inv2.ID} {
			a.mustJSON(200, &d, "A-viewer", "GET", "/api/v1/documents/"+id, nil)
			if *d.PaymentStatus != "paid" {
				t.Errorf("invoice %s: %s balance %d", id, *d.PaymentStatus, *d.Balance)
			}
		}
		a.mustJSON(200, &applied, "A-member", "POST", "/api/v1/bank-statements/"+st.ID+"/apply", apply)
		if applied.Results[0].Result != "already_applied" || applied.Results[1].Result != "already_applied" {
			t.Errorf("apply twice %+v", applied.Results)
		}
		var list struct{ Items []receivables.Payment }
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/documents/"+inv.ID+"/payments", nil)
		if len(list.Items) != 1 || list.Items[0].StatementLineID == nil {
			t.Errorf("payments after applying twice: %d", len(list.Items))
		}
		// The bank's spelling is learned.
		var cust struct {
			PayerNames []string `json:"payer_names"`
		}
		a.mustJSON(200, &cust, "A-viewer", "GET", "/api/v1/customers/"+c.ID, nil)
		if len(cust.PayerNames) != 1 || cust.PayerNames[0] != "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ" { // ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ is the same name
			t.Errorf("payer names %v", cust.PayerNames)
		}
		// Re-import: duplicates; applying one says so.
		code, data = a.upload("A-member", "/api/v1/bank-statements", file, nil)
		decode(t, data, &st)
		if code != 201 || st.Lines[0].Status != "duplicate" {
			t.Errorf("re-import: %d %s", code, data)
		}
		a.mustJSON(200, &applied, "A-member", "POST", "/api/v1/bank-statements/"+st.ID+"/apply",
			map[string]any{"matches": []map[string]any{{"line_id": st.Lines[0].ID, "document_ids": []string{inv.ID}}}})
		if applied.Results[0].Result != "duplicate" {
			t.Errorf("apply duplicate: %+v", applied.Results)
		}
		if code, _, _ := a.do("A-member", "POST", "/api/v1/bank-statements/"+st.ID+"/apply",
			map[string]any{"matches": []map[string]any{{"line_id": "nope", "document_ids": []string{inv.ID}}}}); code != 422 {
			t.Errorf("unknown line: %d", code)
		}
		// Transfer fees are the organisation's.
		var org document.Organization
		a.mustJSON(200, &org, "A-viewer", "GET", "/api/v1/organization", nil)
		if len(org.TransferFees) != 7 || org.TransferFees[0] != 110 {
			t.Errorf("default fees %v", org.TransferFees)
		}
		a.mustJSON(200, &org, "A-admin", "PUT", "/api/v1/organization", map[string]any{"name": "株式会社org-a", "transfer_fees": []int{165, 330}})
		if len(org.TransferFees) != 2 || org.TransferFees[0] != 165 {
			t.Errorf("fees after update %v", org.TransferFees)
		}
		if code, _, _ := a.do("A-admin", "PUT", "/api/v1/organization", map[string]any{"name": "x", "transfer_fees": []int{-1}}); code != 422 {
			t.Errorf("negative fee: %d", code)
		}
	})
}

func ptrInt(n int64) *int64 { return &n }

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode: %v: %s", err, data)
	}
}

// TestPaymentHistoryNamesTheToken: a payment recorded and voided through an API token is
// recorded as the token's, in the payment and in the invoice's history, as a document change is.
func TestPaymentHistoryNamesTheToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		_, _, inv := a.fixture()
		var p receivables.Payment
		a.mustJSON(201, &p, "A-member", "POST", "/api/v1/documents/"+inv.ID+"/payments", map[string]any{"date": "2026-12-10", "amount": 1000})
		a.mustJSON(200, &p, "A-member", "POST", "/api/v1/payments/"+p.ID+"/void", map[string]any{"reason": "二重登録"})
		if !strings.HasPrefix(p.CreatedBy, "token:") || p.VoidedBy == nil || !strings.HasPrefix(*p.VoidedBy, "token:") {
			t.Errorf("payment created by %q, voided by %v: want the token", p.CreatedBy, p.VoidedBy)
		}
		var h struct {
			Items []historyEvent `json:"items"`
		}
		a.mustJSON(200, &h, "A-viewer", "GET", "/api/v1/documents/"+inv.ID+"/history", nil)
		seen := map[string]bool{}
		for _, e := range h.Items {
			if e.Action != store.ActionPayment && e.Action != store.ActionPaymentVoid {
				continue
			}
			seen[e.Action] = true
			if e.Actor.Type != "token" || e.Actor.Token == nil || e.Actor.Email != "member@org-a.example.com" {
				t.Errorf("%s event actor = %+v, want the member through its token", e.Action, e.Actor)
			}
		}
		if !seen[store.ActionPayment] || !seen[store.ActionPaymentVoid] {
			t.Errorf("history %+v: want a payment and a void event", h.Items)
		}
	})
}
