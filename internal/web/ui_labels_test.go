package web

import (
	"testing"

	"reportapp/internal/store/storetest"
)

// The amount of each kind is named as on its PDF, in the editor's live totals and on the page.
func TestUIAmountLabelPerKind(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	for kind, want := range map[string]string{"invoice": "ご請求金額", "quote": "御見積金額", "delivery_note": "合計金額",
		"receipt": "領収金額", "credit_note": "返還金額"} {
		f := invoiceForm(u.custA.ID)
		f.Set("kind", kind)
		if kind == "quote" {
			f.Del("transaction_date")
		}
		id := u.mustIssue(f)
		if got := u.get("A-viewer", "/documents/"+id).text(t, "#totals tr:last-child th"); got != want {
			t.Errorf("%s page names its amount %q, want %q", kind, got, want)
		}
		if got := u.post("A-member", "/documents/editor/totals", f).text(t, "#totals tr:last-child th"); got != want {
			t.Errorf("%s editor names its amount %q, want %q", kind, got, want)
		}
	}
}
