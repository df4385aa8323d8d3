package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestUIHistoryShowsActorsAndChanges is issue 12 item 4 in the browser's HTML: the history block
// names each actor by name and e-mail (a user who left the organisation too, and the API token
// a change came through) and shows what changed, before → after, with lines added, removed and
// changed, in Japanese and in English.
func TestUIHistoryShowsActorsAndChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		ctx := context.Background()
		taro, err := db.CreateUser(ctx, "taro@org-a.example.com", "営業 太郎")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetMember(ctx, u.orgA.ID, taro.ID, member); err != nil {
			t.Fatal(err)
		}
		u.who["A-taro"] = domain.Principal{OrgID: u.orgA.ID, OrgSlug: u.orgA.Slug, UserID: taro.ID, Email: taro.Email, Role: member}

		p := u.post("A-taro", "/documents", invoiceForm(u.custA.ID))
		if p.status != http.StatusSeeOther {
			t.Fatalf("save draft = %d:\n%s", p.status, p.body)
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(p.header.Get("Location"), "/documents/"), "?")
		// Taro edits: the subject, the second line's quantity, and a third line.
		f := invoiceForm(u.custA.ID)
		f.Set("subject", "12月分")
		f["item_name"] = []string{"コンサルティング", "お菓子", "交通費"}
		f["item_quantity"] = []string{"1", "3", "1"}
		f["item_unit"] = []string{"式", "個", "式"}
		f["item_unit_price"] = []string{"10,000", "540", "1,200"}
		f["item_tax_rate"] = []string{"10", "8", "10"}
		d, err := db.GetDocument(ctx, u.orgA.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		f.Set("version", "1")
		if p := u.post("A-taro", "/documents/"+id, f); p.status != http.StatusSeeOther {
			t.Fatalf("save = %d:\n%s", p.status, p.body)
		}
		// Then an integration drops the first line through an API token of the admin.
		admin := u.who["A-admin"]
		if err := db.SetUserName(ctx, admin.UserID, "管理 者"); err != nil {
			t.Fatal(err)
		}
		_, tok, err := db.CreateToken(ctx, u.orgA.ID, admin.UserID, "請求連携", admin.Role)
		if err != nil {
			t.Fatal(err)
		}
		if d, err = db.GetDocument(ctx, u.orgA.ID, id); err != nil {
			t.Fatal(err)
		}
		d.Items = d.Items[1:]
		if err := document.ComputeTotals(&d); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateDocument(ctx, u.orgA.ID, domain.Principal{TokenID: tok.ID}.Actor(), d); err != nil {
			t.Fatal(err)
		}
		// Taro leaves the organisation; the history still names him.
		if err := db.RemoveMember(ctx, u.orgA.ID, taro.ID); err != nil {
			t.Fatal(err)
		}

		ja := u.get("A-viewer", "/documents/"+id+"/history")
		rows := ja.doc.Find("#history tbody tr")
		if rows.Length() != 3 {
			t.Fatalf("history has %d rows, want 3:\n%s", rows.Length(), ja.body)
		}
		create, update, byToken := rows.Eq(0), rows.Eq(1), rows.Eq(2)
		for _, r := range []*goquery.Selection{create, update} {
			if r.Find(".actor-name").Text() != "営業 太郎" || r.Find(".actor-email").Text() != "taro@org-a.example.com" {
				t.Errorf("row %q: actor %q, want 営業 太郎 and his e-mail", r.AttrOr("data-action", ""), r.Find(".actor").Text())
			}
		}
		if got := byToken.Find(".actor").Text(); !strings.Contains(got, "管理 者") || !strings.Contains(got, "admin@org-a.example.com") ||
			!strings.Contains(got, "APIトークン「請求連携」") {
			t.Errorf("token row actor %q", got)
		}
		change := func(r *goquery.Selection, field string) string {
			return strings.Join(strings.Fields(r.Find(`li[data-field="`+field+`"]`).Text()), " ")
		}
		checks := []struct {
			row         *goquery.Selection
			field, want string
		}{
			{update, "subject", "件名: 11月分 → 12月分"},
			{update, "lines[2].quantity", "2行目の数量: 2 → 3"},
			{update, "lines[2].amount", "2行目の金額: ¥1,080 → ¥1,620"},
			{update, "lines[+]", "行を追加: 交通費 1 式 × 1200 (10%)"},
			{byToken, "lines[1]", "1行目を削除: コンサルティング 1 式 × 10000 (10%)"},
			{create, "status", "状態: (なし) → 下書き"},
		}
		for _, c := range checks {
			if got := change(c.row, c.field); got != c.want {
				t.Errorf("%s %s = %q, want %q", c.row.AttrOr("data-action", ""), c.field, got, c.want)
			}
		}

		en := u.get("A-viewer", "/documents/"+id+"/history", "Cookie", "lang=en")
		rows = en.doc.Find("#history tbody tr")
		if got := change(rows.Eq(1), "lines[2].quantity"); got != "Line 2 quantity: 2 → 3" {
			t.Errorf("English change = %q", got)
		}
		if got := change(rows.Eq(0), "status"); got != "Status: (none) → Draft" {
			t.Errorf("English status change = %q", got)
		}
		if got := rows.Eq(2).Find(".actor-token").Text(); got != "API token “請求連携”" {
			t.Errorf("English token = %q", got)
		}

		// Issuing shows the status and the number.
		if p := u.post("A-member", "/documents/"+id+"/issue", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("issue = %d:\n%s", p.status, p.body)
		}
		issued, err := db.GetDocument(ctx, u.orgA.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		rows = u.get("A-viewer", "/documents/"+id+"/history").doc.Find("#history tbody tr")
		issue := rows.Eq(3)
		if got := change(issue, "status"); got != "状態: 下書き → 発行済み" {
			t.Errorf("issue status change = %q", got)
		}
		if got := change(issue, "number"); got != "番号: (なし) → "+*issued.Number {
			t.Errorf("issue number change = %q", got)
		}
	})
}
