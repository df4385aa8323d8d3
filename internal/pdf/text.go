package pdf

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleaner makes user text safe to draw and remembers which characters the font lacks.
type cleaner struct {
	m       *metrics
	missing []rune
	b       strings.Builder
}

// clean returns s with control characters, bidirectional overrides and other invisible format
// characters removed (tabs become spaces; newlines are kept only when multiline), and every
// character the font lacks replaced by the substitute mark and recorded as missing. Text is
// drawn as glyphs, never interpreted: "<script>" is just eight characters.
func (c *cleaner) clean(s string, multiline bool) string {
	c.b.Reset()
	c.b.Grow(len(s))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if multiline {
				c.b.WriteByte('\n')
			} else {
				c.b.WriteByte(' ')
			}
		case r == '\t':
			c.b.WriteByte(' ')
		case r == utf8.RuneError:
			c.addMissing(r)
			c.b.WriteRune(substitute)
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r),
			unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
			// NUL, ESC, RTL/LTR overrides (U+202E…), zero-width joiners, variation selectors,
			// private use: dropped, so no reader is tricked into reordering or hiding text.
		case unicode.IsSpace(r):
			c.b.WriteByte(' ')
		case c.m.has(r):
			c.b.WriteRune(r)
		default:
			c.addMissing(r)
			c.b.WriteRune(substitute)
		}
	}
	return c.b.String()
}

func (c *cleaner) addMissing(r rune) {
	if !slices.Contains(c.missing, r) {
		c.missing = append(c.missing, r)
	}
}

// noLineStart are characters a line must not start with (行頭禁則).
const noLineStart = "、。，．,.）)」』】〕〉》］]｝}’”ー－ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻ゝゞヽヾ・：；:;！？!?%％‐゠–〜～"

// noLineEnd are characters a line must not end with (行末禁則).
const noLineEnd = "（(「『【〔〈《［[｛{‘“￥¥＄$"

func isNoLineStart(r rune) bool { return strings.ContainsRune(noLineStart, r) }
func isNoLineEnd(r rune) bool   { return strings.ContainsRune(noLineEnd, r) }

// isWordRune reports whether r belongs to a Latin word or number, inside which a line is broken
// only when the word alone is wider than the line.
func isWordRune(r rune) bool {
	return r < 0x2E80 && r != ' ' && !isNoLineEnd(r) && r != '-' && r != '/'
}

// canBreakBefore reports whether a line may end between prev and next.
func canBreakBefore(prev, next rune) bool {
	switch {
	case next == ' ' || prev == ' ':
		return true
	case isNoLineStart(next) || isNoLineEnd(prev):
		return false
	case isWordRune(prev) && isWordRune(next):
		return false
	}
	return true
}

// wrap breaks s into lines no wider than width points at size points, with basic Japanese line
// breaking (no line starts with 。、）」 etc., none ends with （「), Latin words kept whole when they
// fit, and anything that does not fit broken by characters: text is never clipped.
func wrap(m *metrics, s string, size, width float64) []string {
	limit := int(width * 1000 / size) // in 1/1000 em
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		rs := []rune(para)
		for len(rs) > 0 {
			n := fit(m, rs, limit)
			if n < len(rs) {
				n = breakPoint(rs, n)
			}
			lines = append(lines, strings.TrimRight(string(rs[:n]), " "))
			rs = rs[n:]
			for len(rs) > 0 && rs[0] == ' ' {
				rs = rs[1:]
			}
		}
		if para == "" {
			lines = append(lines, "")
		}
	}
	return lines
}

// fit returns how many leading runes of rs fit in limit (at least one, so wrapping progresses).
func fit(m *metrics, rs []rune, limit int) int {
	w := 0
	for i, r := range rs {
		w += m.width(r)
		if w > limit {
			return max(i, 1)
		}
	}
	return len(rs)
}

// breakPoint chooses where to end a line when only the first n runes of rs fit: the last allowed
// break at or before n, else (one unbreakable run) n itself, moved back by up to two characters
// to keep a closing mark off the next line's start.
func breakPoint(rs []rune, n int) int {
	for i := n; i > 0; i-- {
		if canBreakBefore(rs[i-1], rs[i]) {
			return i
		}
	}
	for i := n; i > max(n-2, 0); i-- {
		if !isNoLineStart(rs[i]) {
			return i
		}
	}
	return n
}

// textWidth is the width of s in points at size.
func textWidth(m *metrics, s string, size float64) float64 {
	w := 0
	for _, r := range s {
		w += m.width(r)
	}
	return float64(w) * size / 1000
}

// minus is how a negative amount starts, as Japanese business documents print it (▲1,000).
const minus = "▲"

// yen formats an amount as "¥1,234" (negative: "▲¥1,234").
func yen(v int64) string {
	var b []byte
	u := uint64(v)
	if v < 0 {
		b = append(b, minus...)
		u = -u
	}
	b = append(b, "¥"...)
	return string(appendThousands(b, u))
}

// appendThousands appends u with a comma every three digits.
func appendThousands(b []byte, u uint64) []byte {
	d := strconv.FormatUint(u, 10)
	for i, c := range []byte(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}

// number formats v with thousands separators and no currency sign (negative: "▲1,234").
func number(v int64) string {
	if v < 0 {
		return minus + string(appendThousands(nil, -uint64(v)))
	}
	return string(appendThousands(nil, uint64(v)))
}
