package pdf

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // logo and seal formats
	_ "image/png"
	"strconv"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"reportapp/internal/document"
)

// Page geometry in points (A4 portrait).
const (
	pageW   = 595.28
	pageH   = 841.89
	marginX = 40.0
	top     = 40.0
	bottom  = pageH - 56 // content ends here; the page number sits below
	right   = pageW - marginX
	ascent  = 0.88 // IPAexGothic's ascender, as a fraction of the font size
)

// Font sizes.
const (
	sizeTitle  = 20.0
	sizeName   = 13.0
	sizeAmount = 20.0 // the amount due: the largest figure on the page
	sizeBody   = 9.0
	sizeSmall  = 8.0
	sizeMark   = 110.0
	lineFactor = 1.45 // line height / font size
)

// Items table columns: left edges and widths.
var (
	colName  = column{marginX, 250}
	colQty   = column{marginX + 250, 55}
	colUnit  = column{marginX + 305, 40}
	colPrice = column{marginX + 345, 80}
	colAmt   = column{marginX + 425, right - (marginX + 425)}
)

const cellPad = 2.0

type column struct{ x, w float64 }

// item is one table row, its text cleaned; desc is the multi-line description.
type item struct {
	name, desc, unit, qty, price, amount string
}

// layout lays out one document. It draws nothing itself: it records what to draw in ops, and
// the characters drawn in chars, so that the PDF's font can be built from exactly those
// characters before paint replays ops on gopdf. Errors are kept in err (the first one wins) so
// that the layout code reads top to bottom.
type layout struct {
	ctx     context.Context
	m       *metrics
	images  *imageDecoding
	clean   cleaner
	doc     *document.Document
	assets  Assets
	created time.Time
	info    gopdf.PdfInfo
	ops     []op
	chars   *runeSet

	// Cleaned text.
	title, number, mark string
	items               []item
	reduced             bool // some line is at the reduced rate

	y     float64
	pages int
	err   error
}

func newLayout(ctx context.Context, r *Renderer, doc *document.Document, a Assets, sc *scratch) *layout {
	l := &layout{ctx: ctx, m: r.metrics, images: r.images, clean: cleaner{m: r.metrics}, doc: doc, assets: a, created: creationTime(doc),
		ops: sc.ops[:0], chars: &sc.chars}

	l.title = l.clean.clean(doc.Title(), false)
	if doc.Number != nil {
		l.number = l.clean.clean(*doc.Number, false)
	}
	switch doc.Status {
	case document.Draft:
		l.mark = "下書き"
	case document.Cancelled:
		l.mark = "取消"
	}
	l.items = make([]item, len(doc.Items))
	for i, it := range doc.Items {
		name := l.clean.clean(it.Name, true)
		switch it.TaxRate {
		case document.RateReduced:
			name += " ※"
			l.reduced = true
		case document.RateNonTaxable:
			name += " (" + it.TaxCategory.Label() + ")" // 非課税, 不課税 or 免税
		}
		l.items[i] = item{
			name:   name,
			desc:   strings.TrimSpace(l.clean.clean(it.Description, true)),
			unit:   l.clean.clean(it.Unit, false),
			qty:    it.Quantity.String(),
			price:  number(it.UnitPrice),
			amount: number(it.Amount),
		}
	}

	title := l.title
	if l.number != "" {
		title += " " + l.number
	} else if doc.Status == document.Draft {
		title += " 下書き"
	}
	l.info = gopdf.PdfInfo{Title: title, Producer: "reportapp", Creator: "reportapp", CreationDate: l.created}
	if doc.Issuer != nil {
		l.info.Author = l.clean.clean(doc.Issuer.Name, false)
	}
	if doc.Subject != "" {
		l.info.Subject = l.clean.clean(doc.Subject, false)
	}
	return l
}

// compressLevel is the zlib level of the page content streams: BestSpeed, measured faster than
// the default at +0.6% size (docs/performance.md). gopdf always compresses the font at level 6,
// which is why the font given to it holds only the glyphs drawn (subset.go).
const compressLevel = 1

func (l *layout) add(o op) {
	if l.err == nil {
		l.ops = append(l.ops, o)
	}
}

func (l *layout) fail(err error) {
	if err != nil && l.err == nil {
		l.err = err
	}
}

// draw lays out the whole document, then writes "n / N" on every page.
func (l *layout) draw() {
	l.newPage()
	l.header()
	l.table()
	var paras [][2]string // heading, text
	if l.doc.Kind == document.Invoice && l.doc.Issuer != nil && strings.TrimSpace(l.doc.Issuer.BankAccount) != "" {
		paras = append(paras, [2]string{"お振込先", l.clean.clean(l.doc.Issuer.BankAccount, true)})
	}
	if strings.TrimSpace(l.doc.Notes) != "" {
		paras = append(paras, [2]string{"備考", l.clean.clean(l.doc.Notes, true)})
	}
	// お振込先 and 備考 go beside the totals when they fit there, else below at full width: a
	// 20-line invoice then fits on one page.
	startY, startPage := l.y, l.pages
	l.totals()
	besideW := totalsX - 16 - marginX
	if l.pages == startPage && startY+l.paragraphsHeight(paras, besideW) <= bottom {
		end := l.y
		l.y = startY
		for _, p := range paras {
			l.paragraph(marginX, besideW, p[0], p[1])
		}
		l.y = max(l.y, end)
	} else {
		for _, p := range paras {
			l.paragraph(marginX, right-marginX, p[0], p[1])
		}
	}
	for p := 1; p <= l.pages && l.err == nil; p++ {
		l.add(op{kind: opSetPage, page: p})
		l.textCenter(pageW/2, pageH-36, strconv.Itoa(p)+" / "+strconv.Itoa(l.pages), sizeSmall)
	}
}

// newPage starts a page: watermark first (under everything), then on continuation pages a
// small running head.
func (l *layout) newPage() {
	if l.err == nil {
		l.fail(l.ctx.Err())
	}
	l.add(op{kind: opAddPage})
	l.pages++
	l.y = top
	if l.mark != "" {
		l.add(op{kind: opTextColor, gray: 215})
		l.add(op{kind: opRotate, size: 35, x: pageW / 2, y: pageH / 2})
		w := textWidth(l.m, l.mark, sizeMark)
		l.text(pageW/2-w/2, pageH/2-sizeMark/2, l.mark, sizeMark)
		l.add(op{kind: opRotateReset})
		l.add(op{kind: opTextColor, gray: 0})
	}
	if l.pages > 1 {
		// The running head: what this is, and for whom, on every continuation page.
		head := l.title
		if l.number != "" {
			head += " " + l.number
		}
		l.text(marginX, l.y, head+" (続き)", sizeSmall)
		if c := l.doc.Customer; c != nil {
			name := l.clean.clean(c.Name, false)
			if h := l.clean.clean(c.Honorific, false); h != "" {
				name += " " + h
			}
			l.textRight(right, l.y, name, sizeSmall, right-marginX-textWidth(l.m, head+" (続き)", sizeSmall)-24)
		}
		l.y += sizeSmall * 2.5
	}
}

// ensure starts a new page unless h points fit below y; it reports whether it did.
func (l *layout) ensure(h float64) bool {
	if l.y+h <= bottom {
		return false
	}
	l.newPage()
	return true
}

// text draws s with its top-left corner at x, y.
func (l *layout) text(x, y float64, s string, size float64) {
	if s == "" || l.err != nil {
		return
	}
	l.chars.addString(s)
	l.add(op{kind: opText, x: x, y: y, s: s, size: size})
}

// textRight draws s ending at x; a text wider than maxW is drawn smaller so it fits.
func (l *layout) textRight(x, y float64, s string, size, maxW float64) {
	w := textWidth(l.m, s, size)
	if w > maxW && w > 0 {
		smaller := size * maxW / w
		y += (size - smaller) * ascent // keep the baseline in place
		size, w = smaller, maxW
	}
	l.text(x-w, y, s, size)
}

func (l *layout) textCenter(cx, y float64, s string, size float64) {
	l.text(cx-textWidth(l.m, s, size)/2, y, s, size)
}

func (l *layout) lines(s string, size, width float64) []string { return wrap(l.m, s, size, width) }

// block draws wrapped text from x, y, at most maxLines lines (the last ending in "…" when
// cut), and returns the y below it. Used for the header fields, which must stay on page one.
func (l *layout) block(x, y, width float64, s string, size float64, maxLines int) float64 {
	ls := l.lines(s, size, width)
	if len(ls) > maxLines {
		ls = ls[:maxLines]
		last := []rune(ls[maxLines-1])
		for len(last) > 0 && textWidth(l.m, string(last)+"…", size) > width {
			last = last[:len(last)-1]
		}
		ls[maxLines-1] = string(last) + "…"
	}
	for _, s := range ls {
		l.text(x, y, s, size)
		y += size * lineFactor
	}
	return y
}

func (l *layout) hline(x1, x2, y, width float64) {
	l.add(op{kind: opLine, x: x1, w: x2, y: y, size: width})
}

func (l *layout) fillRect(x, y, w, h float64, gray uint8) {
	l.add(op{kind: opFillRect, x: x, y: y, w: w, h: h, gray: gray})
}

// strokeRect draws a black rectangle's outline, width points thick.
func (l *layout) strokeRect(x, y, w, h, width float64) {
	l.add(op{kind: opStrokeRect, x: x, y: y, w: w, h: h, size: width})
}

// image draws img fitted into the box w×h at x, y (top-left), keeping its aspect ratio.
func (l *layout) image(img []byte, x, y, w, h float64, what string) {
	if len(img) == 0 || l.err != nil {
		return
	}
	// Images stored before uploads were normalised (16-bit PNGs from colour JPEGs) are repaired
	// here rather than failing every PDF of the organisation.
	img, err := l.images.repair(l.ctx, img)
	if err != nil {
		l.fail(fmt.Errorf("%s image: %w", what, err))
		return
	}
	holder, err := gopdf.ImageHolderByBytes(img)
	if err != nil {
		l.fail(fmt.Errorf("%s image: %w", what, err))
		return
	}
	cfg, err := decodeConfig(img)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		l.fail(fmt.Errorf("%s image: not a PNG or JPEG: %v", what, err))
		return
	}
	iw, ih := w, w*float64(cfg.Height)/float64(cfg.Width)
	if ih > h {
		iw, ih = h*float64(cfg.Width)/float64(cfg.Height), h
	}
	l.add(op{kind: opImage, img: holder, s: what, x: x + (w - iw), y: y, w: iw, h: ih})
}

func decodeConfig(img []byte) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	return cfg, err
}
