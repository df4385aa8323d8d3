package web

import (
	_ "embed"
	"net/http"

	"reportapp/internal/domain"
)

// openAPISpec describes every route under /api/v1; a test keeps it and the route table equal.
//
//go:embed openapi.json
var openAPISpec []byte

func (a *app) openAPI(w http.ResponseWriter, _ *http.Request, _ domain.Principal) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err := w.Write(openAPISpec)
	return err
}
