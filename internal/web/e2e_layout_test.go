package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"reportapp/internal/bank"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/recurring"
	"reportapp/internal/store"
)

// layoutFixture fills an organisation with what makes pages wide: long customer names, every
// kind of document (an issued invoice due 2026年12月31日 with a payment, a 適格返還請求書
// against it, a quote, a receipt, a draft with described lines), a schedule, a bank
// statement, a token and a second member. It returns the pages to look at, by name.
func layoutFixture(t *testing.T, db *store.DB, org document.Organization) map[string]string {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var custs []document.Customer
	for _, c := range []document.Customer{
		{Counterparty: document.Counterparty{Name: "株式会社グローバル・インフォメーション・テクノロジー・ホールディングス", Honorific: "御中",
			PostalCode: "100-0005", Address: "東京都千代田区丸の内一丁目1番1号\nパレスビルディング12階", Email: "keiri-department@global-information-technology.example.co.jp",
			RegistrationNumber: "T7123456789012"}, NameKana: "グローバルインフォメーションテクノロジーホールディングス"},
		{Counterparty: document.Counterparty{Name: "山田商事株式会社", Honorific: "御中"}, NameKana: "ヤマダショウジ"},
	} {
		c, err := db.CreateCustomer(ctx, org.ID, c)
		must(err)
		custs = append(custs, c)
	}
	day := func(m, d int) *document.Date { return &document.Date{Year: 2026, Month: time.Month(m), Day: d} }
	lines := []document.Item{
		{Name: "システム保守 (月額) ・ 夜間休日対応・障害一次切り分けを含む", Description: "2026年11月1日〜11月30日\nサーバー 12 台", Quantity: 1000, Unit: "式", UnitPrice: 1250000, TaxRate: 10},
		{Name: "会議用お弁当", Quantity: 12000, Unit: "個", UnitPrice: 1080, TaxRate: 8},
		{Name: "収入印紙代 (立替)", Quantity: 1000, Unit: "式", UnitPrice: 200, TaxRate: 0, TaxCategory: document.CategoryOutsideScope},
	}
	save := func(d document.Document, issue bool) document.Document {
		t.Helper()
		d.CustomerID, d.IssueDate = custs[0].ID, *day(11, 30)
		if d.Items == nil {
			d.Items = lines
		}
		must(d.Validate())
		d, err := db.CreateDocument(ctx, org.ID, "test", d)
		must(err)
		if issue {
			d, err = db.IssueDocument(ctx, org.ID, "test", d.ID)
			must(err)
		}
		return d
	}
	inv := save(document.Document{Kind: document.Invoice, Subject: "2026年11月分 システム保守・運用支援業務委託料", TransactionDate: day(11, 30), DueDate: day(12, 31)}, true)
	cn := save(document.Document{Kind: document.CreditNote, TransactionDate: day(11, 30), RelatedDocumentID: &inv.ID,
		Items: []document.Item{{Name: "値引き", Quantity: 1000, Unit: "式", UnitPrice: 10000, TaxRate: 10}}}, true)
	save(document.Document{Kind: document.Quote, Subject: "新規開発のお見積り", ValidUntil: day(12, 31)}, true)
	save(document.Document{Kind: document.Receipt, Purpose: "システム保守料として", TransactionDate: day(11, 30)}, true)
	draft := save(document.Document{Kind: document.Invoice, TransactionDate: day(11, 30), DueDate: day(12, 31)}, false)
	_, err := db.RecordPayment(ctx, org.ID, "test", inv.ID, receivables.Payment{Date: *day(12, 1), Amount: 100000, Method: "bank_transfer", Note: "一部入金 (振込手数料は先方負担)"})
	must(err)

	body, _ := json.Marshal(scheduleBody(custs[0].ID))
	sched, err := recurring.Decode(body)
	must(err)
	sched, err = db.CreateSchedule(ctx, org.ID, "test", sched)
	must(err)
	stmt, err := db.ImportStatement(ctx, org.ID, "test", "nyukin-2026-12.csv", bank.Statement{Format: "csv", Encoding: "utf-8",
		Deposits: []bank.Deposit{{LineNo: 2, Date: *day(12, 1), Amount: inv.Totals.AmountDue - 100000, PayerName: "ｶ)ｸﾞﾛｰﾊﾞﾙｲﾝﾌｫﾒｰｼｮﾝﾃｸﾉﾛｼﾞｰﾎｰﾙﾃﾞｨﾝｸﾞｽ"}}})
	must(err)
	admin, err := db.GetUserByEmail(ctx, "admin@example.co.jp")
	must(err)
	_, _, err = db.CreateToken(ctx, org.ID, admin.ID, "会計ソフト連携 (freee への自動エクスポート用)", domain.RoleViewer)
	must(err)
	u, err := db.CreateUser(ctx, "yamada.taro.keiri-department@example.co.jp", "山田 太郎")
	must(err)
	must(db.SetMember(ctx, org.ID, u.ID, domain.RoleMember))

	return map[string]string{
		"dashboard": "/", "documents": "/documents", "document": "/documents/" + inv.ID,
		"history": "/documents/" + inv.ID + "/history", "credit note": "/documents/" + cn.ID,
		"editor (new)": "/documents/new", "editor (draft)": "/documents/" + draft.ID + "/edit",
		"customers": "/customers", "customer form": "/customers/new", "customer": "/customers/" + custs[0].ID,
		"settings": "/settings", "members": "/settings/members", "tokens": "/tokens",
		"reconcile": "/reconcile", "statement": "/reconcile/" + stmt.ID, "schedules": "/schedules",
		"schedule form": "/schedules/new", "schedule": "/schedules/" + sched.ID, "closing": "/closing",
		"password": "/account/password",
	}
}

// pageFits is the page's layout check: the width of the page against the viewport's, and the
// dates and kinds that break over more than one line.
type pageFits struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Widest      string   `json:"widest"`
	Broken      []string `json:"broken"`
}

const pageFitsJS = `(() => {
  const de = document.documentElement, iw = window.innerWidth;
  let widest = '';
  if (de.scrollWidth > iw) {
    const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) { if (/auto|scroll|hidden|clip/.test(getComputedStyle(a).overflowX)) return true } return false };
    const found = [];
    for (const e of document.body.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.right > iw + 1 && !clipped(e)) found.push(e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') + ' (' + Math.round(r.right) + 'px)');
    }
    widest = found.slice(-3).join(', ');
  }
  const re = /^(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{2}-\d{2}|請求書|見積書|納品書|領収書|適格返還請求書)$/;
  const broken = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = w.nextNode());) {
    const s = n.textContent.trim();
    if (!re.test(s)) continue;
    const r = document.createRange();
    r.selectNodeContents(n);
    const tops = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0).map(x => Math.round(x.top)));
    if (tops.size > 1) broken.push(s + ' in ' + n.parentElement.tagName);
  }
  return JSON.stringify({scrollWidth: de.scrollWidth, innerWidth: iw, widest: widest, broken: broken});
})()`

// checkFits loads the page and reports what does not fit the viewport.
func (f flow) checkFits(name, path string) {
	f.t.Helper()
	f.do("open "+name, chromedp.Navigate(f.base+path), chromedp.WaitReady(chromedp.CSS("footer.bottom")))
	var got pageFits
	if err := json.Unmarshal([]byte(evalJS[string](f, pageFitsJS)), &got); err != nil {
		f.t.Fatal(err)
	}
	if got.ScrollWidth > got.InnerWidth {
		f.t.Errorf("%s (%s) at %dpx: the page is %dpx wide; first too wide: %s", name, path, got.InnerWidth, got.ScrollWidth, got.Widest)
	}
	if len(got.Broken) > 0 {
		f.t.Errorf("%s (%s) at %dpx: broken over lines: %s", name, path, got.InnerWidth, strings.Join(got.Broken, "; "))
	}
}

// TestBrowserPhoneLayout: every main page fits a 390×844 phone without horizontal scrolling
// (document.documentElement.scrollWidth ≤ window.innerWidth), keeps dates and kinds on one
// line, and gives the editor's item name a usable box; the same pages still fit a desktop.
func TestBrowserPhoneLayout(t *testing.T) {
	ctx := mustBrowser(t)
	f, db, org := mustSignedIn(t, ctx)
	f.shot = true
	pages := layoutFixture(t, db, org)
	f.do("an export", chromedp.Navigate(f.base+"/documents"), chromedp.Click(chromedp.CSS("#export")), chromedp.WaitVisible(chromedp.CSS("#export-download")))
	pages["export"] = evalJS[string](f, `location.pathname`)

	for _, vp := range []struct{ w, h int64 }{{390, 844}, {1280, 900}} {
		f.do(fmt.Sprintf("viewport %dx%d", vp.w, vp.h), chromedp.EmulateViewport(vp.w, vp.h, chromedp.EmulateScale(2)))
		for name, path := range pages {
			f.checkFits(name, path)
		}
		if vp.w == 390 {
			f.do("editor", chromedp.Navigate(f.base+pages["editor (draft)"]), chromedp.WaitVisible(chromedp.CSS("#item-name-0")))
			if w := evalJS[float64](f, `document.querySelector('#item-name-0').getBoundingClientRect().width`); w < 250 {
				t.Errorf("the item name box is %.0fpx wide on a phone", w)
			}
			f.do("the editor's lines", chromedp.ScrollIntoView(chromedp.CSS("#lines")))
			f.viewportScreenshot("phone-editor")
			f.do("documents", chromedp.Navigate(f.base+"/documents"), chromedp.WaitVisible(chromedp.CSS("#results")),
				chromedp.ScrollIntoView(chromedp.CSS("#results")))
			f.viewportScreenshot("phone-documents")
		}
	}
	f.do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("form[action='/login']")))
	for _, vp := range []struct{ w, h int64 }{{390, 844}, {1280, 900}} {
		f.do("viewport", chromedp.EmulateViewport(vp.w, vp.h))
		f.checkFits("login", "/login")
	}
}
