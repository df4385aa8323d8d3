package pdf

import (
	"strconv"
	"strings"

	"reportapp/internal/document"
)

const (
	lineH  = sizeBody * lineFactor
	smallH = sizeSmall * 1.35 // a description's lines, a little tighter than the body's
)

// header draws page one's top: title, recipient, the document's number and dates, the issuer
// block with logo and seal, the lead sentence and the amount box.
func (l *layout) header() {
	d := l.doc
	tw := textWidth(l.m, l.title, sizeTitle)
	l.textCenter(pageW/2, top, l.title, sizeTitle)
	l.hline(pageW/2-tw/2-12, pageW/2+tw/2+12, top+sizeTitle*1.25, 0.8)
	l.hline(pageW/2-tw/2-12, pageW/2+tw/2+12, top+sizeTitle*1.25+2, 0.4)
	start := top + sizeTitle*1.25 + 22

	// Right column: number and dates, then the issuer.
	const rx = 365.0
	const rw = right - rx
	y := start
	meta := func(label, value string) {
		if value == "" {
			return
		}
		l.text(rx, y, label, sizeBody)
		l.textRight(right, y, value, sizeBody, rw-60)
		y += lineH
	}
	meta("No.", l.number)
	meta("発行日", d.IssueDate.Japanese())
	txLabel := "取引日"
	if d.Kind == document.CreditNote {
		txLabel = "返還日"
	}
	switch {
	case d.TransactionPeriod != nil && !d.TransactionPeriod.From.IsZero():
		meta("取引期間", d.TransactionPeriod.From.Japanese()+"〜"+d.TransactionPeriod.To.Japanese())
	case d.TransactionDate != nil:
		meta(txLabel, d.TransactionDate.Japanese())
	}
	if d.DueDate != nil && d.Kind == document.Invoice {
		meta("お支払期限", d.DueDate.Japanese())
	}
	if d.ValidUntil != nil && d.Kind == document.Quote {
		meta("有効期限", d.ValidUntil.Japanese())
	}
	y += 6
	if len(l.assets.Logo) > 0 {
		// Beside the title, at the top of the right column: the logo takes no height of its own.
		l.image(l.assets.Logo, rx+40, top-8, rw-40, start-top-4, "logo")
	}
	if is := d.Issuer; is != nil {
		y = l.issuerName(rx, y, rw, l.clean.clean(is.Name, false))
		addr := l.clean.clean(is.Address, true) // its line breaks kept
		if is.PostalCode != "" {
			addr = "〒" + l.clean.clean(is.PostalCode, false) + " " + addr
		}
		y = l.block(rx, y, rw, addr, sizeBody, 4)
		var contact []string
		if is.Phone != "" {
			contact = append(contact, "TEL "+l.clean.clean(is.Phone, false))
		}
		if is.Fax != "" {
			contact = append(contact, "FAX "+l.clean.clean(is.Fax, false))
		}
		if is.Email != "" {
			contact = append(contact, l.clean.clean(is.Email, false))
		}
		if len(contact) > 0 {
			y = l.block(rx, y, rw, strings.Join(contact, "  "), sizeBody, 2)
		}
		if is.ContactPerson != "" {
			y = l.block(rx, y, rw, "担当 "+l.clean.clean(is.ContactPerson, false), sizeBody, 1)
		}
		if is.RegistrationNumber != "" {
			y = l.block(rx, y, rw, "登録番号 "+l.clean.clean(is.RegistrationNumber, false), sizeBody, 1)
		}
	}
	rightEnd := y

	// Left column: recipient, subject, lead sentence, amount box.
	const lw = 295.0
	y = start
	if c := d.Customer; c != nil {
		name := l.clean.clean(c.Name, false)
		if h := l.clean.clean(c.Honorific, false); h != "" {
			name += " " + h
		}
		y = l.block(marginX, y, lw, name, sizeName, 3)
		l.hline(marginX, marginX+lw, y+1, 0.8)
		y += 6
		addr := l.clean.clean(c.Address, true) // its line breaks kept
		if c.PostalCode != "" {
			addr = "〒" + l.clean.clean(c.PostalCode, false) + " " + addr
		}
		y = l.block(marginX, y, lw, addr, sizeSmall, 3)
		if c.ContactPerson != "" {
			y = l.block(marginX, y, lw, "ご担当 "+l.clean.clean(c.ContactPerson, false)+" 様", sizeSmall, 1)
		}
	}
	y += 8
	if d.Subject != "" {
		y = l.block(marginX, y, lw, "件名 "+l.clean.clean(d.Subject, false), sizeBody+1, 2)
	}
	if lead := leadSentence(d.Kind); lead != "" {
		y = l.block(marginX, y, lw, lead, sizeBody, 1)
	}
	if d.Kind == document.CreditNote && d.RelatedDocument != nil {
		rel := "対象請求書 " + l.clean.clean(d.RelatedDocument.Number, false)
		if !d.RelatedDocument.IssueDate.IsZero() {
			rel += " (" + d.RelatedDocument.IssueDate.Japanese() + " 発行)"
		}
		y = l.block(marginX, y, lw, rel, sizeBody, 2)
	}
	y += 4
	label, amount := amountBox(d)
	const boxH = 38.0
	l.strokeRect(marginX, y, lw, boxH, 1)
	l.text(marginX+8, y+(boxH-11)/2, label, 11)
	amt := yen(amount) + "-"
	l.text(marginX+lw-8-textWidth(l.m, "(税込)", sizeBody), y+boxH/2-sizeBody/2+2, "(税込)", sizeBody)
	l.textRight(marginX+lw-14-textWidth(l.m, "(税込)", sizeBody), y+(boxH-sizeAmount)/2, amt, sizeAmount, lw-110)
	y += boxH + 6
	y = l.summaryHeader(y)
	if d.Kind == document.Receipt {
		if d.Purpose != "" {
			y = l.block(marginX, y, lw, l.clean.clean(document.PurposeLine(d.Purpose), false), sizeBody+1, 2)
		}
		y = l.block(marginX, y, lw, "上記正に領収いたしました。", sizeBody+1, 1)
	}
	l.y = max(y, rightEnd) + 14
}

// sealSize is the side of the box the 角印 is drawn in (about 16 mm, a common 角印 size).
const sealSize = 46.0

// issuerName draws the issuer's name from x, y and returns the y below it. With a seal (never on
// a cancelled document) the 角印 overlaps the end of the name, as a stamp does on paper, and
// the name is centred on it, so that the address that follows starts below the seal: the seal
// never covers the address.
func (l *layout) issuerName(x, y, width float64, name string) float64 {
	const size = 11.0
	if len(l.assets.Seal) == 0 || l.doc.Status == document.Cancelled {
		return l.block(x, y, width-20, name, size, 2)
	}
	lines := l.lines(name, size, width-sealSize/2)
	lines = lines[:min(len(lines), 2)]
	nameH := float64(len(lines)) * size * lineFactor
	nameY := y + max(0, (sealSize-nameH)/2)
	l.block(x, nameY, width-sealSize/2, name, size, 2)
	last := textWidth(l.m, lines[len(lines)-1], size)
	sealX := min(x+last-sealSize*0.4, x+width-sealSize)
	sealY := nameY + nameH/2 - sealSize/2
	l.image(l.assets.Seal, sealX, sealY, sealSize, sealSize, "seal")
	return max(nameY+nameH, sealY+sealSize) + 2
}

// leadSentence is the sentence printed above the amount box.
func leadSentence(k document.Kind) string {
	switch k {
	case document.Invoice:
		return "下記の通りご請求申し上げます。"
	case document.Quote:
		return "下記の通りお見積り申し上げます。"
	case document.DeliveryNote:
		return "下記の通り納品いたしました。"
	case document.CreditNote:
		return "下記の通り返還いたします。"
	}
	return ""
}

// amountBox is the label and amount of the prominent box on page one.
func amountBox(d *document.Document) (string, int64) {
	switch d.Kind {
	case document.Invoice:
		return "ご請求金額", d.Totals.AmountDue
	case document.Quote:
		return "御見積金額", d.Totals.Gross
	case document.Receipt:
		return "金額", d.Totals.AmountDue
	case document.CreditNote:
		return "返還金額", d.Totals.Gross
	}
	return "合計金額", d.Totals.Gross
}

// tableHeader draws the items table's column titles (on every page the table continues on).
func (l *layout) tableHeader() {
	h := lineH + 2*cellPad
	l.fillRect(marginX, l.y, right-marginX, h, 228)
	for _, c := range []struct {
		col     column
		title   string
		numeric bool // right-aligned like the numbers below it
	}{{colName, "品目", false}, {colQty, "数量", true}, {colUnit, "単位", false}, {colPrice, "単価", true}, {colAmt, "金額", true}} {
		if c.numeric {
			l.textRight(c.col.x+c.col.w-cellPad, l.y+cellPad, c.title, sizeBody, c.col.w)
		} else {
			l.textCenter(c.col.x+c.col.w/2, l.y+cellPad, c.title, sizeBody)
		}
	}
	l.y += h
	l.hline(marginX, right, l.y, 0.6)
}

// rowLine is one line of an item's row: a line of its name, or in smaller type of its
// description, and the unit's line beside it.
type rowLine struct {
	name, unit string
	size, h    float64
}

// rowLines are the lines of it's row: its name, then its description, in the name column.
func (l *layout) rowLines(it item) []rowLine {
	var rows []rowLine
	for _, s := range l.lines(it.name, sizeBody, colName.w-2*cellPad) {
		rows = append(rows, rowLine{name: s, size: sizeBody, h: lineH})
	}
	if it.desc != "" {
		for _, s := range l.lines(it.desc, sizeSmall, colName.w-2*cellPad-6) {
			rows = append(rows, rowLine{name: s, size: sizeSmall, h: smallH})
		}
	}
	for i, s := range l.lines(it.unit, sizeBody, colUnit.w-2*cellPad) {
		if i == len(rows) {
			rows = append(rows, rowLine{size: sizeBody, h: lineH})
		}
		rows[i].unit = s
	}
	if len(rows) == 0 {
		rows = append(rows, rowLine{size: sizeBody, h: lineH})
	}
	return rows
}

// table draws the items. A row moves to the next page whole when it fits there; a row taller
// than a page is split between its lines.
func (l *layout) table() {
	headerH := lineH + 2*cellPad
	l.ensure(headerH + lineH + 2*cellPad)
	l.tableHeader()
	fresh := bottom - (top + sizeSmall*2.5) - headerH // room on a continuation page
	for _, it := range l.items {
		rows := l.rowLines(it)
		rowH := 2 * cellPad
		for _, r := range rows {
			rowH += r.h
		}
		if l.y+rowH > bottom && rowH <= fresh {
			l.newPage()
			l.tableHeader()
		}
		for start := 0; start < len(rows); {
			// As many lines as fit on this page.
			k, h := 0, 0.0
			for start+k < len(rows) && l.y+2*cellPad+h+rows[start+k].h <= bottom {
				h += rows[start+k].h
				k++
			}
			if k == 0 {
				l.newPage()
				l.tableHeader()
				continue
			}
			ly := l.y + cellPad
			for _, r := range rows[start : start+k] {
				x := colName.x + cellPad
				if r.size == sizeSmall {
					x += 6 // the description is indented under the name
					l.add(op{kind: opTextColor, gray: 70})
				}
				l.text(x, ly, r.name, r.size)
				if r.size == sizeSmall {
					l.add(op{kind: opTextColor, gray: 0})
				}
				l.text(colUnit.x+cellPad, ly, r.unit, sizeBody)
				ly += r.h
			}
			if start == 0 {
				ly := l.y + cellPad
				l.textRight(colQty.x+colQty.w-cellPad, ly, it.qty, sizeBody, colQty.w-2*cellPad)
				l.textRight(colPrice.x+colPrice.w-cellPad, ly, it.price, sizeBody, colPrice.w-2*cellPad)
				l.textRight(colAmt.x+colAmt.w-cellPad, ly, it.amount, sizeBody, colAmt.w-2*cellPad)
			}
			l.y += h + 2*cellPad
			l.hline(marginX, right, l.y, 0.3)
			start += k
			if l.err != nil {
				return
			}
		}
	}
	if l.reduced {
		l.ensure(lineH + 4)
		l.text(marginX, l.y+4, "※は軽減税率対象", sizeBody)
		l.y += lineH + 4
	}
}

// totalsX is the left edge of the totals block.
const totalsX = 300.0

// totals draws the totals per rate and the document's total, kept on one page with its heading.
func (l *layout) totals() {
	d := l.doc
	t := d.Totals
	type row struct {
		label    string
		amount   int64
		tax      int64
		withTax  bool
		ruleOver bool
	}
	var rows []row
	for _, rt := range t.ByRate {
		switch rt.Rate {
		case document.RateNonTaxable: // each 0% category on its own row
			rows = append(rows, row{label: rt.Category.Label(), amount: rt.Gross})
		default:
			label, amount := strconv.Itoa(int(rt.Rate))+"%対象", rt.Net
			if d.PricesIncludeTax {
				label, amount = label+"(税込)", rt.Gross
			}
			rows = append(rows, row{label: label, amount: amount, tax: rt.Tax, withTax: true})
		}
	}
	rows = append(rows,
		row{label: "小計(税抜)", amount: t.Net, ruleOver: true},
		row{label: "消費税合計", amount: t.Tax},
		row{label: "合計", amount: t.Gross},
	)
	if t.Withholding != 0 {
		rows = append(rows, row{label: "源泉徴収税", amount: -t.Withholding})
	}
	switch {
	case d.Kind == document.Invoice:
		rows = append(rows, row{label: "ご請求金額", amount: t.AmountDue, ruleOver: true})
	case t.Withholding != 0:
		rows = append(rows, row{label: "差引金額", amount: t.AmountDue, ruleOver: true})
	}

	heading := "税率別内訳"
	if d.Kind == document.CreditNote {
		heading = "返還額 税率別内訳"
	}
	const x0 = totalsX
	l.y += 10
	l.ensure(lineH*1.4 + float64(len(rows))*lineH + 4)
	l.text(x0, l.y, heading, sizeBody+1)
	l.y += lineH * 1.4
	l.hline(x0, right, l.y-2, 0.6)
	for _, r := range rows {
		if r.ruleOver {
			l.hline(x0, right, l.y, 0.3)
		}
		ly := l.y + 2
		l.text(x0, ly, r.label, sizeBody)
		if r.withTax {
			l.textRight(452, ly, yen(r.amount), sizeBody, 452-x0-70)
			l.text(460, ly, "消費税", sizeBody)
			l.textRight(right, ly, yen(r.tax), sizeBody, right-460-30)
		} else {
			l.textRight(right, ly, yen(r.amount), sizeBody, right-x0-70)
		}
		l.y += lineH
	}
}

// paragraph draws a headed free text (お振込先, 備考) in width points from x; it continues on
// further pages.
func (l *layout) paragraph(x, width float64, heading, text string) {
	lines := l.lines(text, sizeBody, width-8)
	l.y += 10
	l.ensure(lineH*1.4 + lineH*float64(min(2, len(lines))))
	l.text(x, l.y, heading, sizeBody+1)
	l.y += lineH * 1.4
	for _, s := range lines {
		if l.ensure(lineH) && l.err != nil {
			return
		}
		l.text(x+8, l.y, s, sizeBody)
		l.y += lineH
	}
}

// paragraphsHeight is the height paragraph takes for paras at width.
func (l *layout) paragraphsHeight(paras [][2]string, width float64) float64 {
	h := 0.0
	for _, p := range paras {
		h += 10 + lineH*1.4 + lineH*float64(len(l.lines(p[1], sizeBody, width-8)))
	}
	return h
}
