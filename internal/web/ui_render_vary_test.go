package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"reportapp/internal/store/storetest"
)

// TestRenderFailureVaryOnce: a page whose template fails is answered by the error page, rendered
// through the same function, and the answer says Vary once, not once per attempt.
func TestRenderFailureVaryOnce(t *testing.T) {
	e := mustDocumentBench(t, storetest.Open(t))
	u := e.app.a.ui
	req := httptest.NewRequest(http.MethodGet, "/documents/x", nil)
	rec := httptest.NewRecorder()
	if err := u.render(rec, req, http.StatusOK, "document_view.html", view{Data: 42}); err == nil {
		t.Fatal("rendering the document page from an int did not fail")
	}
	u.errorPage(rec, req, http.StatusInternalServerError, "")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("error page = %d", rec.Code)
	}
	if v := rec.Header().Values("Vary"); len(v) != 1 || v[0] != "Cookie, Accept-Language" {
		t.Errorf("Vary %q, want it once", v)
	}
}
