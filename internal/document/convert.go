package document

import "strings"

// quoteWording is how subjects of quotes say "quote": as a suffix ("ウェブ制作のお見積り") or a
// prefix ("御見積：ウェブ制作"), longest first so that "のお見積り" wins over "お見積り".
var quoteWording = []string{
	"についてのお見積もり", "についてのお見積り", "についての御見積", "のお見積もり", "のお見積り", "のお見積",
	"の御見積り", "の御見積", "のお見積書", "の御見積書", "の見積書", "の見積り", "の見積もり", "の見積",
	"お見積もり", "お見積り", "お見積書", "御見積書", "御見積り", "御見積", "お見積", "見積書", "見積もり", "見積り",
}

// SubjectWithoutQuote is the subject of a document made from a quote of subject s: s without
// its wording of "quote" ("ウェブ制作のお見積り" → "ウェブ制作", "【御見積】保守" → "保守"). A
// subject that is nothing but that wording becomes "".
func SubjectWithoutQuote(s string) string {
	t := strings.TrimSpace(s)
	for _, w := range quoteWording {
		if rest, ok := strings.CutSuffix(t, w); ok {
			t = strings.TrimSpace(rest)
			break
		}
	}
	for _, w := range quoteWording {
		for _, wrapped := range []string{"【" + w + "】", "[" + w + "]", "（" + w + "）", "(" + w + ")", w + "：", w + ":", w + " ", w + "　"} {
			if rest, ok := strings.CutPrefix(t, wrapped); ok {
				return strings.TrimSpace(rest)
			}
		}
	}
	return strings.TrimRight(t, " 　:：-－")
}

// PurposeLine is the 但し書き of a receipt as printed: "但し お品代 として", whether the user
// wrote "お品代" or already "お品代として" (or "但し お品代として").
func PurposeLine(purpose string) string {
	p := strings.TrimSpace(purpose)
	p = strings.TrimSpace(strings.TrimPrefix(p, "但し"))
	p = strings.TrimSpace(strings.TrimSuffix(p, "として"))
	return "但し " + p + " として"
}
