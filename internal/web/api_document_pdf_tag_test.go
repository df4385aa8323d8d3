package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store/storetest"
)

// TestDraftPDFTagFollowsTheBuild: a draft's PDF is rendered live, so its ETag must change with the
// program that renders it, as the pages' tags do (buildKey), not only with the version string: a
// binary built from source without -ldflags says "dev" in every release, and browsers kept the
// previous release's rendering of an unchanged draft (304) after an upgrade.
func TestDraftPDFTagFollowsTheBuild(t *testing.T) {
	e := mustDocumentBench(t, storetest.Open(t))
	bearer := "Bearer " + e.token
	get := func(method, path string, body []byte, hdr ...string) *httptest.ResponseRecorder {
		t.Helper()
		return e.serve(method, path, body, append([]string{"Authorization", bearer, "Content-Type", "application/json"}, hdr...)...)
	}
	var issued document.Document
	if rec := get(http.MethodGet, "/api/v1/documents/"+e.id, nil); rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &issued) != nil {
		t.Fatalf("GET the issued invoice = %d", rec.Code)
	}
	body, _ := json.Marshal(invoiceBody(issued.CustomerID))
	var draft document.Document
	if rec := get(http.MethodPost, "/api/v1/documents", body); rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &draft) != nil {
		t.Fatalf("create a draft = %d: %s", rec.Code, rec.Body)
	}
	path := "/api/v1/documents/" + draft.ID + "/pdf"
	first := get(http.MethodGet, path, nil)
	tag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || tag == "" {
		t.Fatalf("draft PDF = %d, ETag %q", first.Code, tag)
	}
	if rec := get(http.MethodGet, path, nil, "If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Fatalf("the same build: If-None-Match = %d, want 304", rec.Code)
	}
	old := buildKey
	t.Cleanup(func() { buildKey = old })
	buildKey = func() []byte { return []byte("another build of the same version") }
	rec := get(http.MethodGet, path, nil, "If-None-Match", tag)
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") == tag {
		t.Errorf("another build: If-None-Match = %d, ETag %q (was %q); want the PDF rendered again under a new tag", rec.Code, rec.Header().Get("ETag"), tag)
	}
}

// TestPDFIfNoneMatchLists: both PDF routes compare If-None-Match as RFC 9110 says (weakly, any
// tag of a list, or *), for a stored PDF (strong tag: its SHA-256) as for the pages.
func TestPDFIfNoneMatchLists(t *testing.T) {
	e := mustDocumentBench(t, storetest.Open(t))
	for _, route := range []struct{ path, hdr, value string }{
		{"/api/v1/documents/" + e.id + "/pdf", "Authorization", "Bearer " + e.token},
		{"/documents/" + e.id + "/pdf", "Cookie", e.cookie},
	} {
		get := func(inm string) *httptest.ResponseRecorder {
			hdr := []string{route.hdr, route.value}
			if inm != "" {
				hdr = append(hdr, "If-None-Match", inm)
			}
			return e.serve(http.MethodGet, route.path, nil, hdr...)
		}
		first := get("")
		tag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || len(tag) < 3 || tag[0] != '"' {
			t.Fatalf("%s = %d, ETag %q", route.path, first.Code, tag)
		}
		for inm, want := range map[string]int{
			tag:                       http.StatusNotModified,
			`"other", ` + tag:         http.StatusNotModified,
			`"other",` + tag + `,"x"`: http.StatusNotModified,
			"W/" + tag:                http.StatusNotModified,
			"*":                       http.StatusNotModified,
			`"other"`:                 http.StatusOK,
			`"other", W/"x"`:          http.StatusOK,
			tag[:len(tag)-2] + `"`:    http.StatusOK,
		} {
			rec := get(inm)
			if rec.Code != want {
				t.Errorf("%s with If-None-Match %s = %d, want %d", route.path, inm, rec.Code, want)
			}
			if want == http.StatusNotModified && (rec.Body.Len() != 0 || rec.Header().Get("ETag") != tag) {
				t.Errorf("%s with If-None-Match %s: 304 with %d bytes, ETag %q", route.path, inm, rec.Body.Len(), rec.Header().Get("ETag"))
			}
			if want == http.StatusOK && !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
				t.Errorf("%s with If-None-Match %s: 200 without the PDF", route.path, inm)
			}
		}
	}
}
