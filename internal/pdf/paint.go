package pdf

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/signintech/gopdf"
)

// opKind is what an op draws.
type opKind uint8

const (
	opAddPage     opKind = iota
	opSetPage            // go back to page
	opText               // s with its top-left corner at x, y, size points
	opLine               // a horizontal line from x to w at y, size points thick
	opFillRect           // x, y, w, h filled in gray
	opStrokeRect         // x, y, w, h outlined in black, size points thick
	opImage              // img fitted at x, y, w, h; s names it in errors
	opTextColor          // text colour gray
	opRotate             // rotate by size degrees around x, y
	opRotateReset        // end the rotation
)

// op is one recorded drawing step of a layout.
type op struct {
	kind             opKind
	gray             uint8
	page             int
	x, y, w, h, size float64
	s                string
	img              gopdf.ImageHolder
}

// newPDF starts a gopdf document whose only font is the TrueType font data.
func newPDF(font []byte, info gopdf.PdfInfo) (*gopdf.GoPdf, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	gp.SetCompressLevel(compressLevel)
	if err := gp.AddTTFFontData(fontFamily, font); err != nil {
		return nil, fmt.Errorf("add font: %w", err)
	}
	if err := gp.SetFont(fontFamily, "", sizeBody); err != nil {
		return nil, fmt.Errorf("set font: %w", err)
	}
	gp.SetInfo(info)
	return gp, nil
}

// paint replays ops on gp.
func paint(gp *gopdf.GoPdf, ops []op) error {
	size := sizeBody   // gp's font size
	curY := math.NaN() // gp's current y, NaN when unknown
	for i := range ops {
		o := &ops[i]
		switch o.kind {
		case opAddPage:
			gp.AddPage()
			curY = math.NaN()
		case opSetPage:
			if err := gp.SetPage(o.page); err != nil {
				return err
			}
		case opText:
			if o.size != size {
				if err := gp.SetFontSize(o.size); err != nil {
					return err
				}
				size = o.size
			}
			// gopdf allocates for each coordinate it is given: within a table row only x
			// changes. Text leaves y as it is.
			if y := o.y + o.size*ascent; y != curY {
				gp.SetXY(o.x, y)
				curY = y
			} else {
				gp.SetX(o.x)
			}
			if err := gp.Text(o.s); err != nil {
				return err
			}
		case opLine:
			gp.SetLineWidth(o.size)
			gp.Line(o.x, o.y, o.w, o.y)
		case opFillRect:
			gp.SetFillColor(o.gray, o.gray, o.gray)
			gp.RectFromUpperLeftWithStyle(o.x, o.y, o.w, o.h, "F")
			gp.SetFillColor(0, 0, 0) // the fill colour is also the text colour
		case opStrokeRect:
			gp.SetStrokeColor(0, 0, 0)
			gp.SetLineWidth(o.size)
			gp.RectFromUpperLeft(o.x, o.y, o.w, o.h)
		case opImage:
			if err := gp.ImageByHolder(o.img, o.x, o.y, &gopdf.Rect{W: o.w, H: o.h}); err != nil {
				return fmt.Errorf("%s image: %w", o.s, err)
			}
		case opTextColor:
			gp.SetTextColor(o.gray, o.gray, o.gray)
		case opRotate:
			gp.Rotate(o.size, o.x, o.y)
		case opRotateReset:
			gp.RotateReset()
		}
	}
	return nil
}

// runeSet is a set of characters: a bitmap for the BMP, a list above it.
type runeSet struct {
	bmp    [0x10000 / 64]uint64
	astral []rune
}

func (s *runeSet) addString(str string) {
	for _, r := range str {
		switch {
		case r < 0x10000:
			s.bmp[r>>6] |= 1 << (r & 63)
		case !slices.Contains(s.astral, r):
			s.astral = append(s.astral, r)
		}
	}
}

// appendSorted appends the set's characters to dst in ascending order.
func (s *runeSet) appendSorted(dst []rune) []rune {
	for i, w := range s.bmp {
		for w != 0 {
			dst = append(dst, rune(i*64+bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	n := len(dst)
	dst = append(dst, s.astral...)
	slices.Sort(dst[n:])
	return dst
}

func (s *runeSet) reset() {
	clear(s.bmp[:])
	s.astral = s.astral[:0]
}

// scratch is the memory of one render that the next can reuse: the Renderer pools it.
type scratch struct {
	ops   []op
	chars runeSet
	runes []rune
	sub   subsetScratch
}

// reset empties sc, dropping its references to the document's text and images.
func (sc *scratch) reset() {
	clear(sc.ops)
	sc.ops = sc.ops[:0]
	sc.chars.reset()
	sc.runes = sc.runes[:0]
}
