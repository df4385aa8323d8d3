package web

import (
	"slices"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// name_kana (フリガナ) is stored in full width, returned, and orders the list; a customer without
// one sorts by its name.
func TestCustomerNameKana(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := mustAPI(t, db)
		for _, c := range []map[string]any{
			{"name": "渡辺商店", "name_kana": "ﾜﾀﾅﾍﾞｼｮｳﾃﾝ"},
			{"name": "株式会社安藤", "name_kana": "アンドウ"},
			{"name": "Beta LLC"},
		} {
			a.mustJSON(201, nil, "A-member", "POST", "/api/v1/customers", c)
		}
		var list listResponse[document.Customer]
		a.mustJSON(200, &list, "A-viewer", "GET", "/api/v1/customers", nil)
		var names, kana []string
		for _, c := range list.Items {
			names, kana = append(names, c.Name), append(kana, c.NameKana)
		}
		if want := []string{"Beta LLC", "株式会社安藤", "渡辺商店"}; !slices.Equal(names, want) {
			t.Errorf("order = %v, want %v", names, want)
		}
		if kana[2] != "ワタナベショウテン" {
			t.Errorf("name_kana = %q, want full width", kana[2])
		}
		code, _, body := a.do("A-member", "POST", "/api/v1/customers", map[string]any{"name": "x", "name_kana": 5})
		if code != 422 {
			t.Errorf("name_kana of the wrong type = %d: %s", code, body)
		}
	})
}
