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
	get := func(method, path string, body []byte, hdr ...string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		return rec
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
