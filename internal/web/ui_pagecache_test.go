package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestDocumentPageKept: a second view of the document page by the same viewer in the same state,
// without the browser's copy, is the first view's bytes and executes no template; another viewer,
// another language, a notice, a payment or a cancellation is rendered afresh, and another
// organisation still gets 404.
func TestDocumentPageKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		kept := u.h.a.ui.kept
		inv := u.mustIssuedInvoice()
		path := "/documents/" + inv.ID

		rendered := func(what string, want int64) {
			t.Helper()
			if got := kept.renders.Load(); got != want {
				t.Errorf("%s: %d renders of kept pages so far, want %d", what, got, want)
			}
		}
		first := u.get("A-member", path)
		if first.status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, first.status)
		}
		rendered("first view", 1)
		again := u.get("A-member", path)
		rendered("second view", 1)
		if again.status != http.StatusOK || !bytes.Equal(again.body, first.body) || again.header.Get("ETag") != first.header.Get("ETag") ||
			again.header.Get("Content-Type") != "text/html; charset=utf-8" || again.header.Get("Cache-Control") != "private, no-cache" {
			t.Errorf("second view = %d, %d bytes (first %d), ETag %q (first %q), Content-Type %q, Cache-Control %q; want the first's bytes and headers",
				again.status, len(again.body), len(first.body), again.header.Get("ETag"), first.header.Get("ETag"),
				again.header.Get("Content-Type"), again.header.Get("Cache-Control"))
		}

		fresh := func(what string, p page, renders int64) page {
			t.Helper()
			rendered(what, renders)
			if p.status != http.StatusOK || bytes.Equal(p.body, first.body) {
				t.Errorf("%s: %d, same bytes as the member's first view: %v; want its own page", what, p.status, bytes.Equal(p.body, first.body))
			}
			return p
		}
		fresh("another viewer", u.get("A-viewer", path), 2)
		if en := fresh("English", u.get("A-member", path, "Accept-Language", "en"), 3); !strings.Contains(string(en.body), `lang="en"`) {
			t.Errorf("the English page is not in English:\n%.300s", en.body)
		}
		fresh("a notice", u.get("A-member", path+"?notice=saved"), 4)
		u.get("A-viewer", path)
		rendered("the viewer again", 4)
		if p := u.get("B-admin", path); p.status != http.StatusNotFound {
			t.Errorf("another organisation = %d, want 404", p.status)
		}

		if p := u.post("A-member", path+"/payments", url.Values{"date": {"2026-12-10"}, "amount": {"10000"}, "method": {"bank_transfer"}}); p.status != http.StatusSeeOther {
			t.Fatalf("record a payment: %d %s", p.status, p.body)
		}
		paid := fresh("after a payment", u.get("A-member", path), 5)
		if n := paid.doc.Find("#payment-list tbody tr").Length(); n != 1 {
			t.Errorf("the page after the payment has %d payment rows, want 1", n)
		}
		if _, err := db.CancelDocument(context.Background(), u.orgA.ID, "test", inv.ID); err != nil {
			t.Fatal(err)
		}
		fresh("after cancelling", u.get("A-member", path), 6)
	})
}

// TestPageCacheBound: the kept pages never weigh more than pageCacheBytes, however many are put,
// and a page longer than pageCacheMaxPage is not kept.
func TestPageCacheBound(t *testing.T) {
	c := newPageCache()
	page := bytes.Repeat([]byte("x"), 10<<10)
	n := 3 * pageCacheBytes / len(page)
	for i := range n {
		c.put([32]byte{byte(i), byte(i >> 8), byte(i >> 16)}, page)
	}
	c.c.CleanUp()
	if w := c.c.WeightedSize(); w > pageCacheBytes || w < pageCacheBytes/2 {
		t.Errorf("after %d pages of %d bytes the cache weighs %d, want at most %d (and not nearly empty)", n, len(page), w, pageCacheBytes)
	}
	if got := c.renders.Load(); got != int64(n) {
		t.Errorf("renders = %d, want %d", got, n)
	}
	long := [32]byte{0xff}
	c.put(long, make([]byte, pageCacheMaxPage+1))
	if _, ok := c.get(long); ok {
		t.Errorf("a page of %d bytes was kept; the limit is %d", pageCacheMaxPage+1, pageCacheMaxPage)
	}
}
