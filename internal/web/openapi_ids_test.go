package web

import (
	"encoding/json"
	"regexp"
	"testing"
)

// TestOpenAPIOperationIDs: client generators name methods by operationId, so every operation
// has one, unique and identifier-shaped; the document names its licence.
func TestOpenAPIOperationIDs(t *testing.T) {
	var doc struct {
		Info struct {
			License struct {
				Name string `json:"name"`
			} `json:"license"`
		} `json:"info"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.License.Name == "" {
		t.Error("info.license.name is empty")
	}
	shape := regexp.MustCompile(`^[a-z][A-Za-z0-9]+$`)
	seen := map[string]string{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			switch method {
			case "get", "put", "post", "delete", "patch":
			default:
				continue
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			where := method + " " + path
			switch {
			case !shape.MatchString(op.OperationID):
				t.Errorf("%s: operationId %q", where, op.OperationID)
			case seen[op.OperationID] != "":
				t.Errorf("%s and %s share operationId %q", seen[op.OperationID], where, op.OperationID)
			}
			seen[op.OperationID] = where
		}
	}
}
