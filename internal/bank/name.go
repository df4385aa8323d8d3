package bank

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// legalFormSpec is a kind of company (株式会社…) with the ways banks and people write it.
type legalFormSpec struct {
	kanji string   // 株式会社
	abbr  []string // the bank abbreviations inside parentheses after normalisation: カ, (株)
	words []string // spelled out, after normalisation: カブシキガイシヤ
}

// legalForm is a legalFormSpec ready for matching.
type legalForm struct {
	kanji    string
	patterns []abbrPatterns // of abbr
	spelled  []string       // kanji and words
}

// abbrPatterns are an abbreviation as it stands in a name: "(ｶ)" anywhere, "ｶ)" before the
// name, "(ｶ" after it (built once, since every name is checked against all of them).
type abbrPatterns struct{ abbr, inside, before, after string }

// legalForms are the forms of the 全銀協 abbreviation table that payers actually carry. Longer
// abbreviations come first so that "シヤ" is tried before "シ".
var legalForms = withPatterns([]legalFormSpec{
	{"特定非営利活動法人", []string{"トクヒ", "特非"}, []string{"トクテイヒエイリカツドウホウジン"}},
	{"一般社団法人", []string{"一社"}, []string{"イツパンシヤダンホウジン"}},
	{"一般財団法人", []string{"一財"}, []string{"イツパンザイダンホウジン"}},
	{"社会福祉法人", []string{"フク", "福"}, []string{"シヤカイフクシホウジン"}},
	{"医療法人", []string{"イ", "医"}, []string{"イリヨウホウジン"}},
	{"学校法人", []string{"ガク", "学"}, []string{"ガツコウホウジン"}},
	{"宗教法人", []string{"シユウ", "宗"}, []string{"シユウキヨウホウジン"}},
	{"社団法人", []string{"シヤ", "社"}, []string{"シヤダンホウジン"}},
	{"財団法人", []string{"ザイ", "財"}, []string{"ザイダンホウジン"}},
	{"税理士法人", []string{"ゼイ", "税"}, []string{"ゼイリシホウジン"}},
	{"弁護士法人", []string{"ベン", "弁"}, []string{"ベンゴシホウジン"}},
	{"独立行政法人", []string{"ドク", "独"}, []string{"ドクリツギヨウセイホウジン"}},
	{"有限責任事業組合", []string{"ユウクミ"}, []string{"ユウゲンセキニンジギヨウクミアイ"}},
	{"株式会社", []string{"カ", "株"}, []string{"カブシキガイシヤ", "カブシキカイシヤ"}},
	{"有限会社", []string{"ユ", "有"}, []string{"ユウゲンガイシヤ", "ユウゲンカイシヤ"}},
	{"合同会社", []string{"ド", "同"}, []string{"ゴウドウガイシヤ", "ゴウドウカイシヤ"}},
	{"合資会社", []string{"シ", "資"}, []string{"ゴウシガイシヤ", "ゴウシカイシヤ"}},
	{"合名会社", []string{"メ", "名"}, []string{"ゴウメイガイシヤ", "ゴウメイカイシヤ"}},
})

func withPatterns(specs []legalFormSpec) []legalForm {
	forms := make([]legalForm, len(specs))
	for i, sp := range specs {
		forms[i] = legalForm{kanji: sp.kanji, spelled: append([]string{sp.kanji}, sp.words...)}
		for _, a := range sp.abbr {
			forms[i].patterns = append(forms[i].patterns, abbrPatterns{a, "(" + a + ")", a + ")", "(" + a})
		}
	}
	return forms
}

// NormalizeName is the canonical spelling of a payer's or customer's name: half-width katakana
// become full-width, hiragana katakana, small kana large (banks cannot write ャ, so "ｼﾔ" and
// "シャ" meet as シヤ), Latin letters upper case, spaces and punctuation (including the long
// vowel mark, which banks write as "-") go, and a legal-form abbreviation — "ｶ)" before the name,
// "(ｶ" after it, "(ｶ)" in it, (株), ㈱, or the form spelled out in kana — becomes the form in
// kanji at the same place: "ｶ)ﾔﾏﾀﾞ ｼﾖｳｼﾞ" and "(株)ヤマダ・ショウジ" are both
// "株式会社ヤマダシヨウジ".
func NormalizeName(s string) string {
	before, form, after := splitLegalForm(fold(s))
	if form == nil {
		return stripPunct(before)
	}
	return stripPunct(before) + form.kanji + stripPunct(after)
}

// NameKey is what names are compared by: NormalizeName without the legal form, because a bank
// writes it and an office's records often do not ("ヤマダシヨウジ" matches "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ").
func NameKey(s string) string {
	before, _, after := splitLegalForm(fold(s))
	return stripPunct(before) + stripPunct(after)
}

// NamesMatch reports whether a payer's name as a bank wrote it names the same party as a known
// name (a customer's kana name or a spelling learned before). Equal keys match; so does a known
// name of at least four characters inside the payer's (banks put a reference number or a
// department before or after the name), and a payer's name of at least six characters that
// begins the known name (banks cut names at their field's width).
func NamesMatch(payer, known string) bool {
	p, k := NameKey(payer), NameKey(known)
	if p == "" || k == "" {
		return false
	}
	if p == k {
		return true
	}
	if runeCount(k) >= 4 && strings.Contains(p, k) {
		return true
	}
	return runeCount(p) >= 6 && strings.HasPrefix(k, p)
}

func runeCount(s string) int { return len([]rune(s)) }

// smallKana maps small katakana to the large ones banks write.
var smallKana = map[rune]rune{
	'ァ': 'ア', 'ィ': 'イ', 'ゥ': 'ウ', 'ェ': 'エ', 'ォ': 'オ', 'ッ': 'ツ', 'ャ': 'ヤ', 'ュ': 'ユ',
	'ョ': 'ヨ', 'ヮ': 'ワ', 'ヵ': 'カ', 'ヶ': 'ケ', 'ㇰ': 'ク', 'ㇱ': 'シ', 'ㇲ': 'ス', 'ㇳ': 'ト',
	'ㇵ': 'ハ', 'ㇶ': 'ヒ', 'ㇷ': 'フ', 'ㇸ': 'ヘ', 'ㇹ': 'ホ', 'ㇺ': 'ム', 'ㇻ': 'ラ', 'ㇼ': 'リ',
	'ㇽ': 'ル', 'ㇾ': 'レ', 'ㇿ': 'ロ',
}

// fold applies NFKC (half-width ｶﾞ → ガ, full-width Ａ１（ → A1(, ㈱ → (株)), turns hiragana into
// katakana and small kana into large, upper-cases Latin letters and turns every kind of bracket
// into ( and ).
func fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 'ぁ' && r <= 'ゖ':
			r += 'ァ' - 'ぁ'
		case r == '「' || r == '[' || r == '{' || r == '【' || r == '〔' || r == '<' || r == '〈' || r == '《':
			r = '('
		case r == '」' || r == ']' || r == '}' || r == '】' || r == '〕' || r == '>' || r == '〉' || r == '》':
			r = ')'
		}
		if l, ok := smallKana[r]; ok {
			r = l
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// stripPunct keeps letters and digits only. The long vowel mark ー is a letter to Unicode (Lm)
// but banks drop it or write "-", so it goes too.
func stripPunct(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == 'ー' || r == '゛' || r == '゜' {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// splitLegalForm finds the first legal form in a folded name and returns the text before it,
// the form, and the text after it; form is nil when there is none.
func splitLegalForm(s string) (before string, form *legalForm, after string) {
	// Spaces are irrelevant to the abbreviations ("ｶ) ﾔﾏﾀﾞ", "ﾔﾏﾀﾞ (ｶ"): take them out first.
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	for i := range legalForms {
		f := &legalForms[i]
		for _, p := range f.patterns {
			switch {
			case strings.HasPrefix(s, p.inside):
				return "", f, s[len(p.inside):]
			case strings.HasPrefix(s, p.before):
				return "", f, s[len(p.before):]
			case strings.HasSuffix(s, p.inside):
				return s[:len(s)-len(p.inside)], f, ""
			case strings.HasSuffix(s, p.after):
				return s[:len(s)-len(p.after)], f, ""
			}
			if i := strings.Index(s, p.inside); i >= 0 {
				return s[:i], f, s[i+len(p.inside):]
			}
		}
	}
	// Spelled out: only at the start or the end, where a legal form stands; compared without
	// punctuation so that "カブシキガイシャ・ヤマダ" is found.
	bare := stripPunct(s)
	for i := range legalForms {
		f := &legalForms[i]
		for _, w := range f.spelled {
			if strings.HasPrefix(bare, w) {
				return "", f, bare[len(w):]
			}
			if strings.HasSuffix(bare, w) {
				return bare[:len(bare)-len(w)], f, ""
			}
		}
	}
	return s, nil, ""
}
