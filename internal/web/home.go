package web

import (
	"net/http"

	"reportapp/internal/store"
)

// home is a placeholder page until the web UI lands: it says the service is running.
func (a *app) home(w http.ResponseWriter, r *http.Request, _ store.Principal) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err := w.Write([]byte(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>reportapp</title></head>
<body><main><h1>reportapp</h1><p>サービスは稼働中です。 The service is running.</p>
<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p></main></body></html>
`))
	return err
}
