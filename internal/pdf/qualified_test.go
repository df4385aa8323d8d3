package pdf

import (
	"strings"
	"testing"

	"reportapp/internal/document"
)

// The documents of an issuer that is not a qualified-invoice issuer (免税事業者) imply nothing
// 適格: no 登録番号 line, and a credit note is a plain 返還請求書.
func TestNotQualifiedIssuer(t *testing.T) {
	r := mustRenderer(t)
	for _, k := range []document.Kind{document.Invoice, document.Receipt, document.CreditNote} {
		d := mustDoc(t, k, 3)
		d.Issuer.QualifiedInvoiceIssuer, d.Issuer.RegistrationNumber = false, ""
		data, _ := mustRender(t, r, d, Assets{})
		text := strings.Join(mustText(t, data, 1), "\n")
		for _, s := range []string{"適格", "登録番号"} {
			if strings.Contains(text, s) {
				t.Errorf("%s of a non-registered issuer says %q:\n%s", k, s, text)
			}
		}
		if k == document.CreditNote && !strings.Contains(text, "返還請求書") {
			t.Errorf("credit note lacks its title 返還請求書:\n%s", text)
		}
		if got := Filename(d); strings.Contains(got, "適格") {
			t.Errorf("file name %q", got)
		}
	}
}
