package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The contract test: serveTest and mustServer put checkContract in front of the application,
// so every request an API test sends and every response it receives is validated against
// openapi.json by kin-openapi. A test fails when
//   - a request the document accepts is answered with a status it does not declare, or with a
//     body, or headers, that do not match the declared schema;
//   - a request the document refuses (a missing required field, a wrong type, no token) is
//     answered with a 2xx or 5xx: the server must refuse what the document refuses;
//   - a path under /api/ that is not in the document is answered with anything but 404/405.
//
// Binary and text responses (PDF, CSV, ZIP, XML) are checked for their status and content type.

// contractBodyCap bounds how much of a response body is kept for validation; a larger body is
// checked for status and content type only.
const contractBodyCap = 8 << 20

// contractRouter is openapi.json loaded, validated as an OpenAPI 3.1 document, and routed.
var contractRouter = sync.OnceValues(func() (routers.Router, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPISpec)
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	return gorillamux.NewRouter(doc)
})

// contractReporter is where the contract check reports a broken contract: the test's
// testing.TB, or a recorder in the test of the check itself.
type contractReporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// checkContract validates every exchange under /api/ that next handles against openapi.json
// and reports each mismatch to rep; it changes nothing in the exchange. With injected, the test
// puts the caller into the request's context and sends no token: the document's security
// requirement is then not checked.
func checkContract(rep contractReporter, next http.Handler, injected bool) http.Handler {
	router, err := contractRouter()
	if err != nil {
		rep.Errorf("openapi contract: %v", err)
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		req := r.Clone(context.WithoutCancel(r.Context()))
		body := &recordedBody{rc: r.Body}
		if r.Body == nil || r.Body == http.NoBody {
			body.eof = true
		} else {
			r.Body = body
		}
		rec := &recordedResponse{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
			rec.header = w.Header().Clone()
		}
		if problems := contractProblems(router, req, body, rec, injected); len(problems) > 0 {
			rep.Errorf("openapi contract: %s %s answered %d, which internal/web/openapi.json does not allow "+
				"(fix the operation's entry there, or the handler):\n  %s\n  response body: %.600s",
				r.Method, r.URL.RequestURI(), rec.status, strings.Join(problems, "\n  "), rec.body.Bytes())
		}
	})
}

// contractProblems returns what is wrong with the exchange according to the document.
func contractProblems(router routers.Router, req *http.Request, body *recordedBody, rec *recordedResponse, injected bool) []string {
	ctx := req.Context()
	req.Body = io.NopCloser(bytes.NewReader(body.buf.Bytes()))
	route, params, err := router.FindRoute(req)
	if err != nil {
		if rec.status == http.StatusNotFound || rec.status == http.StatusMethodNotAllowed {
			return nil // the server refuses it too
		}
		return []string{fmt.Sprintf("the route is not in the document (%v)", err)}
	}
	var problems []string
	op := "operation " + route.Operation.OperationID
	reqOpts := &openapi3filter.Options{
		MultiError:              true,
		ExcludeRequestBody:      !body.eof, // the server stopped reading (413, 408): it saw no whole body
		AuthenticationFunc:      bearerPresent,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
	}
	if injected {
		reqOpts.AuthenticationFunc = openapi3filter.NoopAuthenticationFunc
	}
	reqOpts.WithCustomSchemaErrorFunc(shortSchemaError)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: reqOpts}
	if reqErr := openapi3filter.ValidateRequest(ctx, in); reqErr != nil && (rec.status < 400 || rec.status >= 500) {
		problems = append(problems, fmt.Sprintf("%s: the document refuses the request, the server did not: %v", op, reqErr))
	}
	ct, jsonBody := rec.header.Get("Content-Type"), rec.json
	respOpts := &openapi3filter.Options{
		MultiError:              true,
		IncludeResponseStatus:   true,
		ExcludeResponseBody:     !jsonBody || rec.truncated,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
	}
	respOpts.WithCustomSchemaErrorFunc(shortSchemaError)
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.status, Header: rec.header, Options: respOpts}
	out.SetBodyBytes(rec.body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		problems = append(problems, fmt.Sprintf("%s: %v", op, err))
	}
	resp := route.Operation.Responses.Status(rec.status)
	if resp == nil || resp.Value == nil {
		return problems
	}
	if mt := resp.Value.Content.Get(ct); jsonBody && !rec.truncated && mt != nil && mt.Schema != nil {
		var v any
		if json.Unmarshal(rec.body.Bytes(), &v) == nil {
			for _, p := range undeclaredProperties(mt.Schema.Value, v, "") {
				problems = append(problems, fmt.Sprintf("%s: the response has %s, which the schema does not declare", op, p))
			}
		}
	} else if !jsonBody && rec.n > 0 && len(resp.Value.Content) > 0 && mt == nil {
		// The body is not validated; its content type must still be one the status declares.
		problems = append(problems, fmt.Sprintf("%s: status %d does not declare content type %q (it declares %v)",
			op, rec.status, ct, slices.Sorted(maps.Keys(resp.Value.Content))))
	}
	return problems
}

// undeclaredProperties returns the paths of the properties in v that schema does not declare:
// a response may not carry fields the document does not describe. Objects whose schema has no
// properties, or says what additional properties are, are open; so are the branches of oneOf
// and anyOf, which this does not try to choose between.
func undeclaredProperties(schema *openapi3.Schema, v any, at string) []string {
	if schema == nil {
		return nil
	}
	var found []string
	switch v := v.(type) {
	case map[string]any:
		props := map[string]*openapi3.Schema{}
		var add func(s *openapi3.Schema)
		add = func(s *openapi3.Schema) {
			for name, p := range s.Properties {
				props[name] = p.Value
			}
			for _, sub := range s.AllOf {
				add(sub.Value)
			}
		}
		add(schema)
		open := len(props) == 0 || len(schema.OneOf) > 0 || len(schema.AnyOf) > 0 ||
			schema.AdditionalProperties.Schema != nil || (schema.AdditionalProperties.Has != nil && *schema.AdditionalProperties.Has)
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p, ok := props[k]
			if !ok {
				if ap := schema.AdditionalProperties.Schema; ap != nil {
					found = append(found, undeclaredProperties(ap.Value, v[k], at+"."+k)...)
				} else if !open {
					found = append(found, strings.TrimPrefix(at+"."+k, "."))
				}
				continue
			}
			found = append(found, undeclaredProperties(p, v[k], at+"."+k)...)
		}
	case []any:
		if schema.Items != nil {
			for i, e := range v {
				found = append(found, undeclaredProperties(schema.Items.Value, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return found
}

// shortSchemaError says where a value breaks the schema and how, without kin-openapi's dump
// of the whole schema and value (the report shows the body).
func shortSchemaError(e *openapi3.SchemaError) string {
	at := "/" + strings.Join(e.JSONPointer(), "/")
	reason := cmp.Or(e.Reason, "does not match the schema's "+e.SchemaField)
	if e.Origin != nil {
		reason = e.Origin.Error()
	}
	if strings.Contains(reason, at) {
		return reason
	}
	return fmt.Sprintf("at %s: %s", at, reason)
}

// bearerPresent is the document's only security scheme as a client sees it: an Authorization
// header with a bearer token. Whether the token is good is the server's business.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	if s == nil || s.Type != "http" || !strings.EqualFold(s.Scheme, "bearer") {
		return fmt.Errorf("security scheme %q is not known to the contract test", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if len(h) < len("Bearer ") || !strings.EqualFold(h[:len("Bearer ")], "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// recordedBody keeps what the server reads of a request body.
type recordedBody struct {
	rc  io.ReadCloser
	buf bytes.Buffer
	eof bool
}

func (b *recordedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.buf.Write(p[:n])
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

func (b *recordedBody) Close() error { return b.rc.Close() }

// recordedResponse passes a response through and keeps its status, headers and (JSON only, up
// to contractBodyCap) body; of other bodies it counts the bytes.
type recordedResponse struct {
	http.ResponseWriter
	status    int
	header    http.Header
	json      bool
	body      bytes.Buffer
	n         int
	truncated bool
}

func (w *recordedResponse) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
		w.header = w.ResponseWriter.Header().Clone()
		mt, _, _ := mime.ParseMediaType(w.header.Get("Content-Type"))
		w.json = mt == "application/json" || strings.HasSuffix(mt, "+json")
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordedResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.n += len(p)
	switch {
	case !w.json:
	case w.body.Len()+len(p) > contractBodyCap:
		w.truncated = true
	case !w.truncated:
		w.body.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Flush lets streamed responses (CSV, ZIP) stream through the check.
func (w *recordedResponse) Flush() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *recordedResponse) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestOpenAPIDeclaresEveryErrorStatus: an operation declares every error status it can return.
// Any request can hold bad text (422, checkInput), fail (500) or be shed, time out or find the
// database away (503); a secured one can lack a token (401) or the role (403); one with a body
// can be malformed (400), slow (408), too large (413) or of another type (415); one with a path
// parameter can name nothing (404).
func TestOpenAPIDeclaresEveryErrorStatus(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPISpec)
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want := []int{422, 500, 503}
			if op.Security == nil || len(*op.Security) > 0 {
				want = append(want, 401, 403)
			}
			if op.RequestBody != nil {
				want = append(want, 400, 408, 413, 415)
			}
			if strings.Contains(path, "{") {
				want = append(want, 404)
			}
			for _, st := range want {
				if op.Responses.Status(st) == nil {
					t.Errorf("%s %s (%s) does not declare %d", method, path, op.OperationID, st)
				}
			}
			if r := op.Responses.Status(503); r != nil && r.Ref != "#/components/responses/Unavailable" {
				t.Errorf("%s %s: 503 is %q, want the Unavailable response (it has Retry-After)", method, path, r.Ref)
			}
		}
	}
}

// contractRecorder collects what checkContract reports, for the test of the check.
type contractRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *contractRecorder) Helper() {}

func (r *contractRecorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// TestContractCatchesDrift: the contract check reports a server that answers what the document
// does not allow, and nothing for one that answers what it allows.
func TestContractCatchesDrift(t *testing.T) {
	const errorJSON = `{"error":{"code":"not_found","message":"no such document"}}`
	for _, c := range []struct {
		name         string
		method, path string
		token        bool
		body         string
		status       int
		ct, answer   string
		want         string // in the report; "" for no report
	}{
		{"allowed", "GET", "/api/v1/openapi.json", false, "", 200, "application/json", `{}`, ""},
		{"allowed error", "GET", "/api/v1/documents/x", true, "", 404, "application/json", errorJSON, ""},
		{"refused without a token, and the server refuses", "GET", "/api/v1/organization", false, "", 401, "application/json",
			`{"error":{"code":"unauthorized","message":"sign in"}}`, ""},
		{"unknown route refused", "GET", "/api/v1/nowhere", true, "", 404, "application/json", errorJSON, ""},
		{"undeclared status", "GET", "/api/v1/organization", true, "", http.StatusTeapot, "application/json", errorJSON, "status is not supported"},
		{"error without its message", "GET", "/api/v1/documents/x", true, "", 404, "application/json",
			`{"error":{"code":"not_found"}}`, "missing property 'message'"},
		{"error code outside the enum", "GET", "/api/v1/documents/x", true, "", 404, "application/json",
			`{"error":{"code":"gone","message":"x"}}`, "code"},
		{"date of the wrong format", "GET", "/api/v1/exports/x", true, "", 200, "application/json",
			`{"id":"x","status":"done","done":1,"total":1,"error":"","created_at":"yesterday","expires_at":"2026-12-01T00:00:00Z"}`, "created_at"},
		{"body of the wrong shape", "GET", "/api/v1/customers", true, "", 200, "application/json", `{"items":"none"}`, "items"},
		{"undeclared property", "GET", "/api/v1/customers", true, "", 200, "application/json", `{"items":[],"total":3}`, "has total"},
		{"undeclared property deep down", "GET", "/api/v1/customers", true, "", 200, "application/json",
			`{"items":[{"id":"c1","name":"n","name_kana":"","honorific":"","postal_code":"","address":"","contact_person":"","email":"",` +
				`"registration_number":"","peppol_id":"","payment_terms":null,"created_at":"2026-12-01T00:00:00Z","updated_at":"2026-12-01T00:00:00Z","colour":"red"}]}`, "has items[0].colour"},
		{"binary of the wrong type", "GET", "/api/v1/documents/x/pdf", true, "", 200, "text/html", `<p>no</p>`, `"text/html"`},
		{"refused without a token, answered 200", "GET", "/api/v1/organization", false, "", 200, "application/json", `{}`,
			"the document refuses the request"},
		{"refused body, answered 201", "POST", "/api/v1/customers", true, `{"name":5}`, 201, "application/json", `{}`,
			"the document refuses the request"},
		{"undocumented route answered", "GET", "/api/v1/nowhere", true, "", 200, "application/json", `{}`, "not in the document"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var rec contractRecorder
			h := checkContract(&rec, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", c.ct)
				w.WriteHeader(c.status)
				_, _ = io.WriteString(w, c.answer)
			}), false)
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req := httptest.NewRequest(c.method, c.path, body)
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if c.token {
				req.Header.Set("Authorization", "Bearer t")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.status || w.Body.String() != c.answer {
				t.Errorf("the check changed the answer: %d %q", w.Code, w.Body)
			}
			got := strings.Join(rec.msgs, "\n")
			switch {
			case c.want == "" && got != "":
				t.Errorf("reported an allowed exchange:\n%s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("report %q does not contain %q", got, c.want)
			}
		})
	}
}
