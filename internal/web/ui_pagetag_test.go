package web

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestDocumentPageRevalidates: the document page carries a weak ETag and "private, no-cache"; the
// same tag back is answered 304 with no body, and anything the page shows that changes (a
// payment, the status, the viewer, the language, the notice) gives another tag and the page.
func TestDocumentPageRevalidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		inv := u.mustIssuedInvoice()
		path := "/documents/" + inv.ID

		first := u.get("A-member", path)
		tag := first.header.Get("ETag")
		if first.status != http.StatusOK || !strings.HasPrefix(tag, `W/"`) || first.header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("GET %s = %d, ETag %q, Cache-Control %q; want 200, a weak tag, private, no-cache",
				path, first.status, tag, first.header.Get("Cache-Control"))
		}
		again := u.get("A-member", path, "If-None-Match", tag)
		if again.status != http.StatusNotModified || len(again.body) != 0 || again.header.Get("ETag") != tag {
			t.Fatalf("revalidation = %d, %d bytes, ETag %q; want 304, empty, %q", again.status, len(again.body), again.header.Get("ETag"), tag)
		}
		if vary := strings.Join(again.header.Values("Vary"), ", "); !strings.Contains(vary, "Cookie") || !strings.Contains(vary, "Accept-Language") {
			t.Errorf("304 Vary %q, want Cookie and Accept-Language", vary)
		}
		if p := u.get("A-member", path, "If-None-Match", `"x", `+strings.TrimPrefix(tag, "W/")); p.status != http.StatusNotModified {
			t.Errorf("a list naming the tag (strong form) = %d, want 304", p.status)
		}

		changed := func(what string, p page) string {
			t.Helper()
			if p.status != http.StatusOK || len(p.body) == 0 || p.header.Get("ETag") == tag {
				t.Errorf("%s: %d, %d bytes, ETag %q; want the page with another tag than %q", what, p.status, len(p.body), p.header.Get("ETag"), tag)
			}
			return p.header.Get("ETag")
		}
		changed("another viewer", u.get("A-viewer", path, "If-None-Match", tag))
		changed("English", u.get("A-member", path, "If-None-Match", tag, "Accept-Language", "en"))
		changed("a notice", u.get("A-member", path+"?notice=saved", "If-None-Match", tag))
		if p := u.get("B-admin", path, "If-None-Match", tag); p.status != http.StatusNotFound {
			t.Errorf("another organisation with the tag = %d, want 404", p.status)
		}

		if p := u.post("A-member", path+"/payments", url.Values{"date": {"2026-12-10"}, "amount": {"10000"}, "method": {"bank_transfer"}}); p.status != http.StatusSeeOther {
			t.Fatalf("record a payment: %d %s", p.status, p.body)
		}
		paid := u.get("A-member", path, "If-None-Match", tag)
		tag2 := changed("after a payment", paid)
		if paid.doc.Find("#payment-list tbody tr").Length() != 1 {
			t.Errorf("the page after the payment has %d payment rows, want 1", paid.doc.Find("#payment-list tbody tr").Length())
		}
		if _, err := db.CancelDocument(context.Background(), u.orgA.ID, "test", inv.ID); err != nil {
			t.Fatal(err)
		}
		changed("after cancelling", u.get("A-member", path, "If-None-Match", tag2))

		// A form sent back with errors is not cached and has no tag.
		bad := u.post("A-member", path+"/payments", url.Values{"date": {"2026-12-10"}, "amount": {"x"}, "method": {"bank_transfer"}})
		if bad.header.Get("ETag") != "" || bad.header.Get("Cache-Control") != "no-store" {
			t.Errorf("re-rendered form: %d, ETag %q, Cache-Control %q; want no tag, no-store", bad.status, bad.header.Get("ETag"), bad.header.Get("Cache-Control"))
		}
	})
}

// TestPageTagWalk: the walk behind pageTag tells apart values that differ anywhere, exported
// field or not, and only those; and it refuses what it cannot hash.
func TestPageTagWalk(t *testing.T) {
	type inner struct {
		Name   string
		hidden int
		When   time.Time
		Ptr    *int64
	}
	type outer struct {
		A     string
		B     string
		In    inner
		List  []inner
		M     map[string]string
		Any   any
		Bytes []byte
	}
	tag := func(v any) string {
		b, ok := appendTagValue(nil, reflect.ValueOf(v), 0)
		if !ok {
			t.Fatalf("%#v: not hashed", v)
		}
		return string(b)
	}
	n1, n2 := int64(1), int64(1)
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	at := time.Date(2026, 12, 2, 9, 0, 0, 0, tokyo)
	base := func() outer {
		return outer{A: "ab", B: "c", In: inner{Name: "x", hidden: 1, When: at, Ptr: &n1},
			List: []inner{{Name: "y"}}, M: map[string]string{"k1": "v1", "k2": "v2"}, Any: 3, Bytes: []byte("png")}
	}
	want := tag(base())
	same := base()
	same.In.Ptr = &n2 // another pointer to an equal value
	same.M = map[string]string{"k2": "v2", "k1": "v1"}
	if tag(same) != want {
		t.Error("equal values (another pointer, another map order) hash differently")
	}
	for name, change := range map[string]func(*outer){
		"string boundary":  func(o *outer) { o.A, o.B = "a", "bc" },
		"unexported field": func(o *outer) { o.In.hidden = 2 },
		"time zone":        func(o *outer) { o.In.When = at.UTC() },
		"time":             func(o *outer) { o.In.When = at.Add(time.Nanosecond) },
		"pointed-to value": func(o *outer) { n := int64(2); o.In.Ptr = &n },
		"nil pointer":      func(o *outer) { o.In.Ptr = nil },
		"element":          func(o *outer) { o.List[0].Name = "z" },
		"map value":        func(o *outer) { o.M["k2"] = "v3" },
		"interface type":   func(o *outer) { o.Any = int64(3) },
		"bytes":            func(o *outer) { o.Bytes = []byte("pnh") },
	} {
		o := base()
		change(&o)
		if tag(o) == want {
			t.Errorf("%s: the change is not in the encoding", name)
		}
	}
	nilList, emptyList := base(), base()
	nilList.List, emptyList.List = nil, []inner{}
	if tag(nilList) == tag(emptyList) {
		t.Error("nil and empty slices: same encoding")
	}
	for name, v := range map[string]any{
		"a func":             struct{ F func() }{func() {}},
		"a channel":          struct{ C chan int }{make(chan int)},
		"a map keyed by int": map[int]string{1: "a"},
		"too deep":           deep(maxTagDepth + 1),
	} {
		if _, ok := appendTagValue(nil, reflect.ValueOf(v), 0); ok {
			t.Errorf("%s: hashed, want refused", name)
		}
	}
	if _, ok := appendTagValue(nil, reflect.ValueOf(deep(maxTagDepth/2-1)), 0); !ok {
		t.Error("a list within the depth bound refused")
	}
}

type link struct{ Next *link }

// deep returns a chain of n links (each is two levels of the walk: the pointer and the struct).
func deep(n int) *link {
	var l *link
	for range n {
		l = &link{Next: l}
	}
	return l
}
