package pdf

import (
	"regexp"
	"strings"
	"testing"

	"reportapp/internal/document"
)

// TestSummaryHeader: a summary invoice prints the carry-over header with its six figures; an
// ordinary invoice prints none of it.
func TestSummaryHeader(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 3)
	plain, res := mustRender(t, r, d, Assets{})
	if text := strings.Join(mustText(t, plain, res.Pages), ""); strings.Contains(text, "前回御請求額") {
		t.Errorf("an ordinary invoice prints the summary header:\n%s", text)
	}
	d.CarryOver = &document.CarryOver{PreviousBilled: 123456, PaymentsReceived: 100000, CarriedOver: 23456}
	d.SetTotalBilled()
	pdf, res := mustRender(t, r, d, Assets{})
	text := strings.Join(mustText(t, pdf, res.Pages), "")
	for _, want := range []string{"前回御請求額", "御入金額", "繰越金額", "今回御買上額", "消費税額", "今回御請求額"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary header lacks %s:\n%s", want, text)
		}
	}
	// The figures row: previous, payments, carried over, net, tax, total billed, in order.
	row := regexp.MustCompile(`123,456\s+100,000\s+23,456\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)`).FindStringSubmatch(text)
	if row == nil {
		t.Fatalf("no figures row in:\n%s", text)
	}
	if row[1] != number(d.Totals.Net) || row[2] != number(d.Totals.Tax) || row[3] != number(23456+d.Totals.AmountDue) {
		t.Errorf("figures %v, want net %d, tax %d, total %d", row[1:], d.Totals.Net, d.Totals.Tax, 23456+d.Totals.AmountDue)
	}
}
