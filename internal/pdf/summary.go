package pdf

// summaryHeader draws the classic header of a summary invoice (合計請求書) below the amount box:
// 前回御請求額, 御入金額, 繰越金額, 今回御買上額 (net), 消費税額 and 今回御請求額 (= 繰越金額 +
// this period's amount due), one cell each. It returns the y below it; other documents have none.
func (l *layout) summaryHeader(y float64) float64 {
	c := l.doc.CarryOver
	if c == nil {
		return y
	}
	cells := []struct {
		title string
		v     int64
	}{
		{"前回御請求額", c.PreviousBilled},
		{"御入金額", c.PaymentsReceived},
		{"繰越金額", c.CarriedOver},
		{"今回御買上額", l.doc.Totals.Net},
		{"消費税額", l.doc.Totals.Tax},
		{"今回御請求額", c.TotalBilled},
	}
	w := (right - marginX) / float64(len(cells))
	h := lineH + 2*cellPad
	l.fillRect(marginX, y, right-marginX, h, 228)
	for i, cell := range cells {
		x := marginX + float64(i)*w
		l.textCenter(x+w/2, y+cellPad, cell.title, sizeBody)
		l.textRight(x+w-cellPad, y+h+cellPad, number(cell.v), sizeBody, w-2*cellPad)
		l.strokeRect(x, y, w, 2*h, 0.6)
	}
	return y + 2*h + 6
}
