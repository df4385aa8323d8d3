package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestInputRejectsNULAndInvalidUTF8 is issue 11 item 7: a NUL byte or invalid UTF-8 in any
// input (path, query, form, multipart, JSON) is refused with 400 or 422 naming the field, on
// both databases; before, PostgreSQL answered 500 and exports were retried forever.
func TestInputRejectsNULAndInvalidUTF8(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		u := mustUI(t, db)
		tokens := map[string]string{}
		for _, who := range []string{"A-admin", "A-member"} {
			p := u.who[who]
			tok, _, err := db.CreateToken(context.Background(), p.OrgID, p.UserID, "test", p.Role)
			if err != nil {
				t.Fatal(err)
			}
			tokens[who] = tok
		}
		a := &testAPI{t: t, db: db, URL: u.URL, tokens: tokens}
		cust := u.custA
		var draft document.Document
		a.mustJSON(201, &draft, "A-member", "POST", "/api/v1/documents", invoiceBody(cust.ID))

		multipartBody := func(field, filename, value string) (string, []byte) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			if filename != "" {
				fw, _ := mw.CreateFormFile(field, filename)
				fw.Write([]byte("\x89PNG"))
			} else {
				mw.WriteField(field, value)
			}
			mw.Close()
			return mw.FormDataContentType(), b.Bytes()
		}
		docWith := func(field, value string) string {
			body := invoiceBody(cust.ID)
			body["version"] = 1
			if field == "items[0].name" {
				body["items"].([]map[string]any)[0]["name"] = "@@"
			} else {
				body[field] = "@@"
			}
			data, _ := json.Marshal(body)
			return strings.Replace(string(data), "@@", value, 1)
		}
		form := "application/x-www-form-urlencoded"
		tests := []struct {
			name, who, method, path, ctype, body, field string
			ui                                          bool // a browser route (X-Test-As)
		}{
			{"login email NUL", "", "POST", "/login", form, "email=a%00@x&password=p", "email", true},
			{"login email invalid UTF-8", "", "POST", "/login", form, "email=a%FF@x&password=p", "email", true},
			{"API query NUL", "A-admin", "GET", "/api/v1/documents?q=%00", "", "", "q", false},
			{"API query invalid UTF-8", "A-admin", "GET", "/api/v1/customers?q=%C3%28", "", "", "q", false},
			{"API query NUL in a name", "A-admin", "GET", "/api/v1/documents?a%00=1", "", "", "a\uFFFD", false},
			{"API path NUL", "A-admin", "GET", "/api/v1/documents/%00", "", "", "path", false},
			{"API JSON NUL", "A-member", "POST", "/api/v1/customers", "application/json", `{"name":"a\u0000b","honorific":"御中"}`, "name", false},
			{"API JSON invalid UTF-8", "A-member", "POST", "/api/v1/customers", "application/json", "{\"name\":\"a\xffb\",\"honorific\":\"御中\"}", "name", false},
			{"API JSON lone surrogate", "A-member", "POST", "/api/v1/customers", "application/json", `{"name":"a\ud800b","honorific":"御中"}`, "name", false},
			{"API JSON NUL in a line", "A-member", "PUT", "/api/v1/documents/" + draft.ID, "application/json", docWith("items[0].name", `x\u0000`), "items[0].name", false},
			{"API JSON NUL in a key", "A-member", "POST", "/api/v1/customers", "application/json", `{"na\u0000me":"x"}`, "", false},
			{"export query NUL", "A-member", "POST", "/api/v1/exports", "application/json", `{"q":"\u0000"}`, "q", false},
			{"UI query NUL", "A-admin", "GET", "/documents?q=%00", "", "", "q", true},
			{"UI form NUL", "A-member", "POST", "/customers", form, "name=a%00&honorific=" + "%E5%BE%A1%E4%B8%AD", "name", true},
			{"UI form invalid UTF-8", "A-admin", "POST", "/settings", form, "name=%FF", "name", true},
		}
		ct, mb := multipartBody("logo", "a\x00.png", "")
		tests = append(tests, struct {
			name, who, method, path, ctype, body, field string
			ui                                          bool
		}{"multipart filename NUL", "A-admin", "POST", "/settings/images", ct, string(mb), "logo", true})
		ct, mb = multipartBody("remove_logo", "", "\xff")
		tests = append(tests, struct {
			name, who, method, path, ctype, body, field string
			ui                                          bool
		}{"multipart field invalid UTF-8", "A-admin", "POST", "/settings/images", ct, string(mb), "remove_logo", true})

		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var rd *strings.Reader
				if tt.body != "" {
					rd = strings.NewReader(tt.body)
				}
				var req *http.Request
				var err error
				if rd != nil {
					req, err = http.NewRequest(tt.method, u.URL+tt.path, rd)
				} else {
					req, err = http.NewRequest(tt.method, u.URL+tt.path, nil)
				}
				if err != nil {
					t.Fatal(err)
				}
				if tt.ctype != "" {
					req.Header.Set("Content-Type", tt.ctype)
				}
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				if tt.ui {
					req.Header.Set("Accept-Language", "en")
				} else if tt.who != "" {
					req.Header.Set("Authorization", "Bearer "+a.tokens[tt.who])
				}
				var status int
				var body []byte
				if tt.ui {
					p := u.do(tt.who, req)
					status, body = p.status, p.body
				} else {
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					var buf bytes.Buffer
					buf.ReadFrom(resp.Body)
					resp.Body.Close()
					status, body = resp.StatusCode, buf.Bytes()
				}
				if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
					t.Fatalf("%s %s = %d, want 400 or 422:\n%.400s", tt.method, tt.path, status, body)
				}
				if tt.field == "" {
					return
				}
				if tt.ui {
					if !bytes.Contains(body, []byte(tt.field)) {
						t.Errorf("page does not name the field %q:\n%.600s", tt.field, body)
					}
					return
				}
				var e errorBody
				if err := json.Unmarshal(body, &e); err != nil {
					t.Fatalf("not a JSON error: %v: %s", err, body)
				}
				if _, ok := e.Error.Fields[tt.field]; !ok {
					t.Errorf("error fields %v do not name %q: %s", e.Error.Fields, tt.field, body)
				}
			})
		}
	})
}

// FuzzBadJSONText checks badJSONText against the decoder: whatever JSON it passes decodes to
// strings without NUL, and a string it passes survives a round trip through the decoder.
func FuzzBadJSONText(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":["x\u0000"]}`, "{\"a\":\"\xff\"}", `["\ud800"]`, `["\ufffd\\ufffd"]`, `{"a":{"b":[1,{"c":"\u0000"}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, bad := badJSONText(data)
		var v any
		if bad || json.Unmarshal(data, &v) != nil {
			return
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				if !goodText(x) {
					t.Fatalf("passed %q, which decodes to %q", data, x)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			case map[string]any:
				for k, e := range x {
					walk(k)
					walk(e)
				}
			}
		}
		walk(v)
	})
}
