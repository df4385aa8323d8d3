package pdf

import (
	_ "embed"
	"fmt"

	"github.com/signintech/gopdf"
)

// ipaexGothic is IPAexGothic (IPA Font License v1.0, see font/), embedded so that rendering
// never depends on the fonts of the machine.
//
//go:embed font/ipaexg.ttf
var ipaexGothic []byte

// fontFamily is the name the font is registered under in each PDF.
const fontFamily = "IPAexGothic"

// substitute is drawn in place of a character the font lacks (〓, the geta mark, a Japanese
// typesetting convention for a missing glyph).
const substitute = '〓'

// metrics are the advance widths and glyph IDs of every character the font has, computed once
// from the font so that line breaking never asks gopdf and never searches the cmap, and so that
// each render can build a font of just the glyphs it draws (subset.go).
type metrics struct {
	bmp        []uint16        // width in 1/1000 em, indexed by rune below 0x10000; 0: lacking
	astra      map[rune]uint16 // widths of the characters above the BMP
	bmpGlyph   []uint16        // glyph ID, indexed like bmp
	astraGlyph map[rune]uint16 // glyph IDs of the characters above the BMP
}

// newMetrics reads the character map and horizontal metrics of the TTF data.
func newMetrics(data []byte) (*metrics, error) {
	var s gopdf.SubsetFontObj
	if err := s.SetTTFData(data); err != nil {
		return nil, fmt.Errorf("pdf: parse font: %w", err)
	}
	p := s.GetTTFParser()
	m := &metrics{bmp: make([]uint16, 0x10000), astra: map[rune]uint16{},
		bmpGlyph: make([]uint16, 0x10000), astraGlyph: map[rune]uint16{}}
	for c, gid := range p.Chars() {
		if gid == 0 || gid > 0xFFFF || c < 0 || c > 0x10FFFF {
			continue
		}
		w := s.GlyphIndexToPdfWidth(gid)
		w = max(1, min(w, 0xFFFF)) // zero means "missing"; a zero-width glyph is measured as 1
		if c < 0x10000 {
			m.bmp[c], m.bmpGlyph[c] = uint16(w), uint16(gid)
		} else {
			m.astra[rune(c)], m.astraGlyph[rune(c)] = uint16(w), uint16(gid)
		}
	}
	for _, g := range p.GroupingTables() {
		for c := g.StartCharCode; c <= g.EndCharCode && c <= 0x10FFFF; c++ {
			if c < 0x10000 {
				continue // already in the format 4 table
			}
			gid := c - g.StartCharCode + g.GlyphID
			if gid == 0 || gid > 0xFFFF {
				continue
			}
			m.astra[rune(c)] = uint16(max(1, min(s.GlyphIndexToPdfWidth(gid), 0xFFFF)))
			m.astraGlyph[rune(c)] = uint16(gid)
		}
	}
	if m.width(substitute) == 0 {
		return nil, fmt.Errorf("pdf: font lacks the substitute character %q", substitute)
	}
	return m, nil
}

// width is the advance of r in 1/1000 em, 0 when the font lacks r.
func (m *metrics) width(r rune) int {
	if r >= 0 && r < 0x10000 {
		return int(m.bmp[r])
	}
	return int(m.astra[r])
}

// glyph is r's glyph ID in the font, 0 (.notdef) when the font lacks r.
func (m *metrics) glyph(r rune) uint16 {
	if r >= 0 && r < 0x10000 {
		return m.bmpGlyph[r]
	}
	return m.astraGlyph[r]
}

// has reports whether the font has a glyph for r.
func (m *metrics) has(r rune) bool { return m.width(r) != 0 }
