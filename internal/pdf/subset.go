package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Why each render builds its own font: gopdf subsets a font by keeping the glyph data of the
// characters used but the full loca and hmtx tables (4 bytes per glyph each, about 98 KB for
// IPAexGothic's 12,239 glyphs), and compresses the result at zlib's default level on every
// render. That compression was two thirds of the render time. So the layout first records what
// it draws, then a subsetter writes a TrueType font of only the glyphs drawn, renumbered from 1
// in character order, and gopdf is given that font: its loca and hmtx shrink to a few hundred
// bytes, and small glyph IDs also spare gopdf an allocation per character written.

// subsetter writes small TrueType fonts from one parsed font. It is read-only after
// newSubsetter, so concurrent renders share it.
type subsetter struct {
	m        *metrics
	glyf     []byte   // the font's glyf table
	loca     []uint32 // offsets into glyf, one per glyph plus the end
	advance  []uint16 // advance width of every glyph
	lsb      []int16  // left side bearing of every glyph
	fixed    map[string][]byte
	numGlyph int
}

// Tables of a subset font, in the directory's (sorted) order. gopdf embeds cvt, fpgm, glyf,
// head, hhea, hmtx, loca, maxp and prep; it only reads the others (OS/2, cmap, name, post).
var subsetTags = [...]string{"OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post", "prep"}

// Tables copied unchanged (or patched once) from the font.
var fixedTags = [...]string{"OS/2", "cvt ", "fpgm", "head", "hhea", "maxp", "name", "post", "prep"}

var errBadFont = errors.New("malformed TrueType font")

// newSubsetter reads the tables of the TrueType font data that subsets need.
func newSubsetter(data []byte, m *metrics) (*subsetter, error) {
	tables, err := tableDirectory(data)
	if err != nil {
		return nil, err
	}
	s := &subsetter{m: m, fixed: map[string][]byte{}}
	for _, tag := range fixedTags {
		t, ok := tables[tag]
		if !ok {
			return nil, fmt.Errorf("pdf: font lacks the %q table: %w", tag, errBadFont)
		}
		s.fixed[tag] = append([]byte(nil), t...)
	}
	head, hhea, maxp, post := s.fixed["head"], s.fixed["hhea"], s.fixed["maxp"], s.fixed["post"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(post) < 32 {
		return nil, fmt.Errorf("pdf: font head, hhea, maxp or post too short: %w", errBadFont)
	}
	longLoca := binary.BigEndian.Uint16(head[50:]) == 1
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment: not recomputed
	binary.BigEndian.PutUint16(head[50:], 1)
	binary.BigEndian.PutUint32(post[0:], 0x00030000) // version 3: no glyph names
	s.fixed["post"] = post[:32]

	s.numGlyph = int(binary.BigEndian.Uint16(maxp[4:]))
	numH := int(binary.BigEndian.Uint16(hhea[34:]))
	s.glyf = tables["glyf"]
	loca, hmtx := tables["loca"], tables["hmtx"]
	if s.numGlyph == 0 || numH == 0 || numH > s.numGlyph || len(hmtx) < 4*numH+2*(s.numGlyph-numH) {
		return nil, fmt.Errorf("pdf: font hmtx: %w", errBadFont)
	}
	s.loca = make([]uint32, s.numGlyph+1)
	for i := range s.loca {
		if longLoca {
			if len(loca) < 4*len(s.loca) {
				return nil, fmt.Errorf("pdf: font loca: %w", errBadFont)
			}
			s.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		} else {
			if len(loca) < 2*len(s.loca) {
				return nil, fmt.Errorf("pdf: font loca: %w", errBadFont)
			}
			s.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		}
		if i > 0 && (s.loca[i] < s.loca[i-1] || int(s.loca[i]) > len(s.glyf)) {
			return nil, fmt.Errorf("pdf: font loca: %w", errBadFont)
		}
	}
	s.advance = make([]uint16, s.numGlyph)
	s.lsb = make([]int16, s.numGlyph)
	for g := range s.numGlyph {
		if g < numH {
			s.advance[g] = binary.BigEndian.Uint16(hmtx[4*g:])
			s.lsb[g] = int16(binary.BigEndian.Uint16(hmtx[4*g+2:]))
		} else {
			s.advance[g] = s.advance[numH-1]
			s.lsb[g] = int16(binary.BigEndian.Uint16(hmtx[4*numH+2*(g-numH):]))
		}
		// Composite glyphs refer to other glyphs by ID, which a subset renumbers; this font
		// has none, so rather than rewrite them, refuse a font that has them.
		if d := s.glyphData(g); len(d) >= 2 && int16(binary.BigEndian.Uint16(d)) < 0 {
			return nil, fmt.Errorf("pdf: font has composite glyph %d, which subsets do not support: %w", g, errBadFont)
		}
	}
	return s, nil
}

// tableDirectory returns the tables of TrueType font data by tag.
func tableDirectory(data []byte) (map[string][]byte, error) {
	if len(data) < 12 || binary.BigEndian.Uint32(data) != 0x00010000 {
		return nil, fmt.Errorf("pdf: not a TrueType font: %w", errBadFont)
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	if len(data) < 12+16*n {
		return nil, fmt.Errorf("pdf: font table directory: %w", errBadFont)
	}
	tables := make(map[string][]byte, n)
	for i := range n {
		rec := data[12+16*i:]
		off, length := uint64(binary.BigEndian.Uint32(rec[8:])), uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+length > uint64(len(data)) {
			return nil, fmt.Errorf("pdf: font table %q out of bounds: %w", rec[:4], errBadFont)
		}
		tables[string(rec[:4])] = data[off : off+length]
	}
	return tables, nil
}

func (s *subsetter) glyphData(g int) []byte { return s.glyf[s.loca[g]:s.loca[g+1]] }

// subsetScratch is the per-render memory of build, kept in a pool.
type subsetScratch struct {
	newID []uint16 // new glyph ID by old; zero for glyphs not (yet) in the subset
	old   []uint16 // old glyph ID by new; old[0] is .notdef
	font  []byte   // the subset font of the last build
}

// build returns a TrueType font holding .notdef and the glyphs of runes (sorted and unique),
// written over sc.font. Runes the font lacks are left out: gopdf draws them as spaces, as it
// did with the full font (the cleaner has already replaced user text the font lacks with 〓).
// New glyph IDs follow rune order, so runs of consecutive characters (digits, kana) share a
// cmap segment, and the same runes always give the same bytes.
func (s *subsetter) build(sc *subsetScratch, runes []rune) []byte {
	if len(sc.newID) != s.numGlyph {
		sc.newID = make([]uint16, s.numGlyph)
	}
	defer func() {
		for _, g := range sc.old {
			sc.newID[g] = 0
		}
	}()
	sc.old = append(sc.old[:0], 0)
	for _, r := range runes {
		if g := s.m.glyph(r); g != 0 && int(g) < s.numGlyph && sc.newID[g] == 0 {
			sc.newID[g] = uint16(len(sc.old))
			sc.old = append(sc.old, g)
		}
	}
	n := len(sc.old)

	out := append(sc.font[:0], make([]byte, 12+16*len(subsetTags))...)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(len(subsetTags)))
	sel := log2(len(subsetTags))
	binary.BigEndian.PutUint16(out[6:], uint16(16<<sel))                      // searchRange
	binary.BigEndian.PutUint16(out[8:], uint16(sel))                          // entrySelector
	binary.BigEndian.PutUint16(out[10:], uint16(16*(len(subsetTags)-1<<sel))) // rangeShift

	var glyfLen uint32
	for i, tag := range subsetTags {
		start := len(out)
		switch tag {
		case "cmap":
			out = s.appendCmap(out, sc, runes)
		case "glyf":
			for _, g := range sc.old {
				out = append(out, s.glyphData(int(g))...)
				out = pad4(out)
			}
			glyfLen = uint32(len(out) - start)
		case "loca":
			off := uint32(0)
			for _, g := range sc.old {
				out = binary.BigEndian.AppendUint32(out, off)
				off += uint32(len(s.glyphData(int(g)))+3) &^ 3
			}
			out = binary.BigEndian.AppendUint32(out, glyfLen)
		case "hmtx":
			for _, g := range sc.old {
				out = binary.BigEndian.AppendUint16(out, s.advance[g])
				out = binary.BigEndian.AppendUint16(out, uint16(s.lsb[g]))
			}
		default:
			out = append(out, s.fixed[tag]...)
			switch tag {
			case "hhea":
				binary.BigEndian.PutUint16(out[start+34:], uint16(n)) // numberOfHMetrics
			case "maxp":
				binary.BigEndian.PutUint16(out[start+4:], uint16(n)) // numGlyphs
			}
		}
		length := len(out) - start
		out = pad4(out)
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(out[start:]))
		binary.BigEndian.PutUint32(rec[8:], uint32(start))
		binary.BigEndian.PutUint32(rec[12:], uint32(length))
	}
	sc.font = out
	return out
}

// appendCmap appends a cmap table mapping runes to their new glyph IDs: format 4 for the BMP
// and, when some rune is above it, format 12 for all (gopdf reads it only above the BMP). A segment (group) covers each run of
// consecutive characters with consecutive glyph IDs.
func (s *subsetter) appendCmap(out []byte, sc *subsetScratch, runes []rune) []byte {
	type run struct{ first, last rune }
	var bmp, astral []run // few: ranges are cheap to recount, so build them twice
	add := func(rs *[]run, r rune) {
		if k := len(*rs) - 1; k >= 0 && (*rs)[k].last == r-1 && s.id(sc, r) == s.id(sc, r-1)+1 {
			(*rs)[k].last = r
			return
		}
		*rs = append(*rs, run{r, r})
	}
	for _, r := range runes {
		switch {
		case s.id(sc, r) == 0:
		case r < 0xFFFF:
			add(&bmp, r)
		case r > 0xFFFF:
			add(&astral, r)
		}
	}
	bmp = append(bmp, run{0xFFFF, 0xFFFF}) // the required last segment

	subtables := 1
	if len(astral) > 0 {
		subtables = 2
	}
	out = binary.BigEndian.AppendUint16(out, 0)
	out = binary.BigEndian.AppendUint16(out, uint16(subtables))
	f4At := 4 + 8*subtables
	f4Len := 16 + 8*len(bmp)
	out = append(out, 0, 3, 0, 1) // Windows, Unicode BMP
	out = binary.BigEndian.AppendUint32(out, uint32(f4At))
	if len(astral) > 0 {
		out = append(out, 0, 3, 0, 10) // Windows, Unicode full repertoire
		out = binary.BigEndian.AppendUint32(out, uint32(f4At+f4Len))
	}

	seg, sel := len(bmp), log2(len(bmp))
	for _, v := range []int{4, f4Len, 0, 2 * seg, 2 << sel, sel, 2*seg - 2<<sel} {
		out = binary.BigEndian.AppendUint16(out, uint16(v))
	}
	for _, g := range bmp {
		out = binary.BigEndian.AppendUint16(out, uint16(g.last))
	}
	out = binary.BigEndian.AppendUint16(out, 0) // reservedPad
	for _, g := range bmp {
		out = binary.BigEndian.AppendUint16(out, uint16(g.first))
	}
	for _, g := range bmp {
		delta := 1 - uint16(g.first) // 0xFFFF → .notdef
		if g.first != 0xFFFF {
			delta = uint16(s.id(sc, g.first)) - uint16(g.first)
		}
		out = binary.BigEndian.AppendUint16(out, delta)
	}
	for range bmp {
		out = binary.BigEndian.AppendUint16(out, 0) // idRangeOffset
	}

	if len(astral) > 0 {
		// Format 12 covers every character, the BMP too, as readers use it alone when present.
		groups := append(bmp[:len(bmp)-1:len(bmp)-1], astral...)
		out = binary.BigEndian.AppendUint16(out, 12)
		out = binary.BigEndian.AppendUint16(out, 0)
		out = binary.BigEndian.AppendUint32(out, uint32(16+12*len(groups)))
		out = binary.BigEndian.AppendUint32(out, 0) // language
		out = binary.BigEndian.AppendUint32(out, uint32(len(groups)))
		for _, g := range groups {
			out = binary.BigEndian.AppendUint32(out, uint32(g.first))
			out = binary.BigEndian.AppendUint32(out, uint32(g.last))
			out = binary.BigEndian.AppendUint32(out, uint32(s.id(sc, g.first)))
		}
	}
	return out
}

// id is r's glyph ID in the subset being built, 0 when r is not in it.
func (s *subsetter) id(sc *subsetScratch, r rune) uint16 {
	g := s.m.glyph(r)
	if g == 0 || int(g) >= s.numGlyph {
		return 0
	}
	return sc.newID[g]
}

// log2 is the largest e with 1<<e ≤ n (n ≥ 1).
func log2(n int) int {
	e := 0
	for 1<<(e+1) <= n {
		e++
	}
	return e
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// checksum is the TrueType table checksum of b, zero-padded to a multiple of four bytes.
func checksum(b []byte) uint32 {
	var sum uint32
	for len(b) >= 4 {
		sum += binary.BigEndian.Uint32(b)
		b = b[4:]
	}
	var last [4]byte
	copy(last[:], b)
	return sum + binary.BigEndian.Uint32(last[:])
}
