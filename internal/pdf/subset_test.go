package pdf

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/signintech/gopdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"reportapp/internal/document"
)

func mustSFNT(t *testing.T, data []byte) *sfnt.Font {
	t.Helper()
	f, err := sfnt.Parse(data)
	if err != nil {
		t.Fatalf("sfnt.Parse: %v", err)
	}
	return f
}

// TestSubsetFont checks the fonts each render gives gopdf against the full font with an
// independent parser: every character maps to a glyph with the same advance and the same
// outline, glyph IDs follow character order, and gopdf reads the same widths.
func TestSubsetFont(t *testing.T) {
	r := mustRenderer(t)
	full := mustSFNT(t, ipaexGothic)
	tests := []struct {
		name  string
		runes []rune
	}{
		{"empty", nil},
		{"ascii run", []rune("0123456789")},
		{"invoice", []rune(" ,-0123456789INV¥〒請求書金額株式会社サンプル（）")},
		{"above the BMP", []rune("A字\U0002000B\U00020089")}, // 𠀋 and 𠂉 are in IPAexGothic
	}
	var sc subsetScratch
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runes := slices.Clone(tt.runes)
			slices.Sort(runes)
			runes = slices.Compact(runes)
			data := slices.Clone(r.subset.build(&sc, runes))
			sub := mustSFNT(t, data)
			if got, want := sub.NumGlyphs(), len(runes)+1; got != want {
				t.Errorf("NumGlyphs = %d, want %d", got, want)
			}
			var fb, sb sfnt.Buffer
			ppem := fixed.I(1000)
			for i, c := range runes {
				fg, err := full.GlyphIndex(&fb, c)
				if err != nil || fg == 0 {
					t.Fatalf("full font lacks %q: %v", c, err)
				}
				sg, err := sub.GlyphIndex(&sb, c)
				if err != nil {
					t.Fatalf("GlyphIndex(%q): %v", c, err)
				}
				if int(sg) != i+1 {
					t.Errorf("glyph of %q = %d, want %d", c, sg, i+1)
				}
				fa, _ := full.GlyphAdvance(&fb, fg, ppem, 0)
				sa, err := sub.GlyphAdvance(&sb, sg, ppem, 0)
				if err != nil || sa != fa {
					t.Errorf("advance of %q = %v (%v), want %v", c, sa, err, fa)
				}
				fs, _ := full.LoadGlyph(&fb, fg, ppem, nil)
				fs = slices.Clone(fs)
				ss, err := sub.LoadGlyph(&sb, sg, ppem, nil)
				if err != nil {
					t.Fatalf("LoadGlyph(%q): %v", c, err)
				}
				if diff := cmp.Diff(fs, ss); diff != "" {
					t.Errorf("outline of %q differs (-full +subset):\n%s", c, diff)
				}
			}
			if g, err := sub.GlyphIndex(&sb, '猫'); err != nil || g != 0 {
				t.Errorf("a character not asked for maps to glyph %d (%v)", g, err)
			}

			// gopdf parses it and measures as the full font does.
			var s gopdf.SubsetFontObj
			if err := s.SetTTFData(data); err != nil {
				t.Fatalf("gopdf cannot parse the subset: %v", err)
			}
			for _, c := range runes {
				g, err := s.CharCodeToGlyphIndex(c)
				if err != nil {
					t.Fatalf("gopdf: glyph of %q: %v", c, err)
				}
				if got, want := s.GlyphIndexToPdfWidth(g), r.metrics.width(c); int(got) != want {
					t.Errorf("gopdf: width of %q = %d, want %d", c, got, want)
				}
			}
		})
	}
}

var fontLength = regexp.MustCompile(`/Length1 (\d+)`)

// TestEmbeddedFontSize guards the reason for subset.go: the font program in the PDF must hold
// the glyphs drawn, not tables sized by the full font's 12,000 glyphs (about 150 KB before).
func TestEmbeddedFontSize(t *testing.T) {
	r := mustRenderer(t)
	pdf, res := mustRender(t, r, mustDoc(t, document.Invoice, 20), Assets{})
	m := fontLength.FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no /Length1: no embedded TrueType font")
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n > 70_000 {
		t.Errorf("embedded font program is %d bytes, want ≤ 70,000", n)
	}
	if got := bytes.Count(pdf, []byte("/FontFile2")); got != 1 {
		t.Errorf("%d embedded fonts, want 1", got)
	}
	text := mustText(t, pdf, res.Pages)
	if !bytes.Contains([]byte(text[0]), []byte("お弁当（幕の内）2 ※")) {
		t.Errorf("page 1 text lacks an item:\n%s", text[0])
	}
}

// TestRenderAllocs holds the allocation budget of docs/performance.md: at most 5,000 for a
// 20-line invoice.
func TestRenderAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 20)
	var buf bytes.Buffer
	allocs := testing.AllocsPerRun(5, func() {
		buf.Reset()
		if _, err := r.Render(t.Context(), &buf, d, Assets{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 5000 {
		t.Errorf("a 20-line invoice takes %.0f allocations, want ≤ 5,000", allocs)
	}
}

// TestRenderAboveBMP draws a character above the BMP that the font has: it is drawn, not
// substituted. (It does not extract as itself: gopdf writes its ToUnicode entry as "<2000B>"
// rather than in UTF-16, with the full font as with a subset; TestSubsetFont checks the glyph.)
func TestRenderAboveBMP(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	d.Items[0].Name = "\U0002000B野商店 御中" // 𠀋
	pdf, res := mustRender(t, r, d, Assets{})
	if len(res.Missing) != 0 {
		t.Errorf("Missing = %q, want none", res.Missing)
	}
	if text := mustText(t, pdf, res.Pages)[0]; !bytes.Contains([]byte(text), []byte("野商店 御中")) {
		t.Errorf("text lacks 野商店 御中:\n%s", text)
	}
	if !bytes.Contains(pdf, []byte("<2000B>")) {
		t.Error("no ToUnicode entry for U+2000B")
	}
}
