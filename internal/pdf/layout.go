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
	sizeAmount = 16.0
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

const cellPad = 4.0

type column struct{ x, w float64 }

// item is one table row, its text cleaned.
type item struct {
	name, unit, qty, price, amount string
}

// layout draws one document. Errors from gopdf are kept in err (the first one wins) so that the
// drawing code reads top to bottom.
type layout struct {
	ctx     context.Context
	gp      *gopdf.GoPdf
	m       *metrics
	clean   cleaner
	doc     *document.Document
	assets  Assets
	created time.Time

	// Cleaned text.
	title, number, mark string
	items               []item
	reduced             bool // some line is at the reduced rate

	y     float64
	pages int
	size  float64
	err   error
}

func newLayout(ctx context.Context, r *Renderer, doc *document.Document, a Assets) (*layout, error) {
	l := &layout{ctx: ctx, m: r.metrics, clean: cleaner{m: r.metrics}, doc: doc, assets: a, created: creationTime(doc)}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	gp.SetCompressLevel(compressLevel)
	if err := gp.AddTTFFontFromFontContainer(fontFamily, r.fonts); err != nil {
		return nil, fmt.Errorf("pdf: add font: %w", err)
	}
	if err := gp.SetFont(fontFamily, "", sizeBody); err != nil {
		return nil, fmt.Errorf("pdf: set font: %w", err)
	}
	l.gp, l.size = gp, sizeBody

	l.title = l.clean.clean(doc.Kind.Title(), false)
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
			name += " (非課税)"
		}
		l.items[i] = item{
			name:   name,
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
	info := gopdf.PdfInfo{Title: title, Producer: "reportapp", Creator: "reportapp", CreationDate: l.created}
	if doc.Issuer != nil {
		info.Author = l.clean.clean(doc.Issuer.Name, false)
	}
	if doc.Subject != "" {
		info.Subject = l.clean.clean(doc.Subject, false)
	}
	gp.SetInfo(info)
	return l, nil
}

// compressLevel is the zlib level of the page content streams: BestSpeed, measured faster than
// the default at +0.6% size (docs/performance.md). gopdf always compresses the font at level 6.
const compressLevel = 1

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
	l.totals()
	if l.doc.Kind == document.Invoice && l.doc.Issuer != nil && strings.TrimSpace(l.doc.Issuer.BankAccount) != "" {
		l.paragraph("お振込先", l.clean.clean(l.doc.Issuer.BankAccount, true))
	}
	if strings.TrimSpace(l.doc.Notes) != "" {
		l.paragraph("備考", l.clean.clean(l.doc.Notes, true))
	}
	for p := 1; p <= l.pages && l.err == nil; p++ {
		l.fail(l.gp.SetPage(p))
		l.textCenter(pageW/2, pageH-36, strconv.Itoa(p)+" / "+strconv.Itoa(l.pages), sizeSmall)
	}
}

// newPage starts a page: watermark first (under everything), then on continuation pages a
// small running head.
func (l *layout) newPage() {
	if l.err == nil {
		l.fail(l.ctx.Err())
	}
	l.gp.AddPage()
	l.pages++
	l.y = top
	if l.mark != "" {
		l.gp.SetTextColor(215, 215, 215)
		l.gp.Rotate(35, pageW/2, pageH/2)
		w := textWidth(l.m, l.mark, sizeMark)
		l.text(pageW/2-w/2, pageH/2-sizeMark/2, l.mark, sizeMark)
		l.gp.RotateReset()
		l.gp.SetTextColor(0, 0, 0)
	}
	if l.pages > 1 {
		head := l.title
		if l.number != "" {
			head += " " + l.number
		}
		l.text(marginX, l.y, head+" (続き)", sizeSmall)
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

func (l *layout) setSize(size float64) {
	if size != l.size {
		l.fail(l.gp.SetFontSize(size))
		l.size = size
	}
}

// text draws s with its top-left corner at x, y.
func (l *layout) text(x, y float64, s string, size float64) {
	if s == "" || l.err != nil {
		return
	}
	l.setSize(size)
	l.gp.SetXY(x, y+size*ascent)
	l.fail(l.gp.Text(s))
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
	l.gp.SetLineWidth(width)
	l.gp.Line(x1, y, x2, y)
}

func (l *layout) fillRect(x, y, w, h float64, gray uint8) {
	l.gp.SetFillColor(gray, gray, gray)
	l.gp.RectFromUpperLeftWithStyle(x, y, w, h, "F")
	l.gp.SetFillColor(0, 0, 0) // the fill colour is also the text colour
}

// image draws img fitted into the box w×h at x, y (top-left), keeping its aspect ratio.
func (l *layout) image(img []byte, x, y, w, h float64, what string) {
	if len(img) == 0 || l.err != nil {
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
	if err := l.gp.ImageByHolder(holder, x+(w-iw), y, &gopdf.Rect{W: iw, H: ih}); err != nil {
		l.fail(fmt.Errorf("%s image: %w", what, err))
	}
}

func decodeConfig(img []byte) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	return cfg, err
}
