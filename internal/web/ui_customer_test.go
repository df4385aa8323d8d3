package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/store/storetest"
)

// The form keeps the reading (フリガナ); the list shows it.
func TestUICustomerKana(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	p := u.post("A-member", "/customers", url.Values{"name": {"株式会社安藤"}, "name_kana": {"ｱﾝﾄﾞｳ"}, "honorific": {"御中"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save = %d:\n%s", p.status, p.body)
	}
	list := u.get("A-viewer", "/customers")
	if got := list.text(t, "#customers tbody tr:first-child .kana"); got != "アンドウ" {
		t.Errorf("first customer's reading = %q, want アンドウ (sorted first, full width)", got)
	}
	href, _ := list.doc.Find("#customers tbody tr:first-child a").Attr("href")
	if got := u.get("A-member", href).val(t, "#name_kana"); got != "アンドウ" {
		t.Errorf("form's name_kana = %q", got)
	}
}

// Deleting a customer in use answers 409 on the customer's own page, which says why and links
// to its documents and back to the list, not only home.
func TestUICustomerInUse(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	u.mustDraft()
	p := u.post("A-member", "/customers/"+u.custA.ID+"/delete", nil)
	if p.status != http.StatusConflict {
		t.Fatalf("delete in use = %d", p.status)
	}
	if p.doc.Find("main p.error").Length() == 0 {
		t.Errorf("no explanation:\n%s", p.body)
	}
	for _, href := range []string{"/customers", "/documents?customer_id=" + u.custA.ID} {
		if p.doc.Find(`main a[href="`+href+`"]`).Length() == 0 {
			t.Errorf("no link to %s", href)
		}
	}
	if got := p.val(t, "#name"); got != u.custA.Name {
		t.Errorf("the customer's form shows name %q", got)
	}
}

// /favicon.ico is an icon, for every visitor, and pages link the same icon.
func TestUIFavicon(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	p := u.get("", "/favicon.ico")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "image/vnd.microsoft.icon" ||
		!strings.HasPrefix(string(p.body), "\x00\x00\x01\x00") {
		t.Fatalf("/favicon.ico = %d %q % x", p.status, p.header.Get("Content-Type"), p.body[:min(8, len(p.body))])
	}
	href, ok := u.get("A-viewer", "/").doc.Find(`link[rel="icon"]`).Attr("href")
	if !ok {
		t.Fatal("no icon link")
	}
	if q := u.get("", href); q.status != http.StatusOK || string(q.body) != string(p.body) {
		t.Errorf("linked icon %s = %d", href, q.status)
	}
}

// Every deletion asks first, in the page's language: the forms carry the question that
// static/confirm.js puts to the user, and every page loads that script.
func TestUIDeleteConfirmations(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	draft := u.mustDraft()
	for _, tt := range []struct{ path, form, want string }{
		{"/customers/" + u.custA.ID, `form[action$="/delete"]`, "取引先「株式会社サンプル」を削除します"},
		{"/documents/" + draft, `form[action$="/delete"]`, "この下書きを削除します"},
		{"/settings/members", `form[action$="/remove"]`, "をメンバーから削除します"},
	} {
		p := u.get("A-admin", tt.path)
		got, ok := p.doc.Find(tt.form).Attr("data-confirm")
		if !ok || !strings.Contains(got, tt.want) {
			t.Errorf("%s: data-confirm = %q, want it to say %q", tt.path, got, tt.want)
		}
		if p.doc.Find(`script[src*="confirm"]`).Length() != 1 {
			t.Errorf("%s does not load confirm.js", tt.path)
		}
	}
	en := u.get("A-admin", "/documents/"+draft, "Accept-Language", "en")
	if got := en.doc.Find(`form[action$="/delete"]`).AttrOr("data-confirm", ""); got != "Delete this draft?" {
		t.Errorf("English confirmation = %q", got)
	}
}
