package pdf

import (
	"context"
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"reportapp/internal/document"
)

// word is one word of pdftotext -bbox: its text and box in points from the page's top left.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

func (w word) height() float64 { return w.yMax - w.yMin }

var bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// mustWords returns the words of page (1-based) with their boxes.
func mustWords(t testing.TB, pdf []byte, page int) []word {
	t.Helper()
	n := strconv.Itoa(page)
	var out []word
	for _, m := range bboxWord.FindAllStringSubmatch(mustRun(t, pdf, "pdftotext", "-bbox", "-f", n, "-l", n), -1) {
		f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		out = append(out, word{text: html.UnescapeString(m[5]), xMin: f(m[1]), yMin: f(m[2]), xMax: f(m[3]), yMax: f(m[4])})
	}
	if len(out) == 0 {
		t.Fatalf("no words on page %d", page)
	}
	return out
}

// findWord returns the first word containing s.
func findWord(t testing.TB, words []word, s string) word {
	t.Helper()
	for _, w := range words {
		if strings.Contains(w.text, s) {
			return w
		}
	}
	t.Fatalf("no word contains %q", s)
	return word{}
}

func TestTwentyLinesOnOnePage(t *testing.T) {
	r := mustRenderer(t)
	for _, k := range document.Kinds() {
		d := mustDoc(t, k, 20)
		d.Issuer.Address = "大阪府大阪市北区梅田1-2-3\n梅田ビル5階"
		d.Issuer.Fax, d.Issuer.ContactPerson = "06-1234-5679", "鈴木 花子"
		_, res := mustRender(t, r, d, Assets{Logo: mustPNG(t, 120, 40), Seal: mustPNG(t, 60, 60)})
		if res.Pages != 1 {
			t.Errorf("%s: 20 lines on %d pages, want 1", k, res.Pages)
		}
	}
}

func TestNegativeAmounts(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 3)
	d.Items = append(d.Items, document.Item{Name: "お値引き", Quantity: document.QuantityScale, UnitPrice: -1000, TaxRate: document.RateStandard})
	if err := document.ComputeTotals(&d); err != nil {
		t.Fatal(err)
	}
	pdf, res := mustRender(t, r, d, Assets{})
	text := strings.Join(mustText(t, pdf, res.Pages), "")
	if !strings.Contains(text, "お値引き 1 ▲1,000 ▲1,000") {
		t.Errorf("the discount line does not print ▲1,000:\n%s", text)
	}
	if regexp.MustCompile(`(^|\s)-[¥\d]`).MatchString(text) {
		t.Errorf("a minus sign is printed:\n%s", text)
	}
	if yen(-1234567) != "▲¥1,234,567" || number(-5) != "▲5" || number(0) != "0" {
		t.Errorf("yen(-1234567) = %q, number(-5) = %q", yen(-1234567), number(-5))
	}
}

func TestItemDescription(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 3)
	d.Items[0].Description = "対象期間 3月1日〜31日\n夜間対応を含む"
	pdf, _ := mustRender(t, r, d, Assets{})
	text := mustText(t, pdf, 1)[0]
	if !regexp.MustCompile(`(?m)^保守作業 1 .*\n対象期間 3月1日〜31日\n夜間対応を含む\n`).MatchString(text) {
		t.Errorf("the description is not under the item's name, line by line:\n%s", text)
	}
	words := mustWords(t, pdf, 1)
	name, desc := findWord(t, words, "保守作業"), findWord(t, words, "夜間対応を含む")
	for _, w := range words {
		if w.text == "保守作業" && w.yMin < name.yMin {
			name = w // item 0's, the top one
		}
	}
	if desc.height() >= name.height() || desc.xMin < name.xMin-0.5 || desc.yMin < name.yMax {
		t.Errorf("description %+v is not below the name %+v in smaller type", desc, name)
	}
}

func TestAddressLineBreaks(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	d.Issuer.Address = "大阪府大阪市北区梅田1-2-3\n梅田ビル5階"
	d.Customer.Address = "東京都千代田区千代田1-1\n千代田ビル3階 経理部"
	pdf, _ := mustRender(t, r, d, Assets{})
	words := mustWords(t, pdf, 1)
	for _, pair := range [][2]string{{"梅田1-2-3", "梅田ビル5階"}, {"千代田1-1", "千代田ビル3階"}} {
		first, second := findWord(t, words, pair[0]), findWord(t, words, pair[1])
		if second.yMin < first.yMax-0.5 {
			t.Errorf("%q is not on the line after %q: %+v, %+v", pair[1], pair[0], second, first)
		}
	}
}

// TestSealPosition rasterises a page with a red 角印 and checks, with the words' boxes from
// pdftotext -bbox, that the seal covers the end of the issuer's name and none of the address.
func TestSealPosition(t *testing.T) {
	r := mustRenderer(t)
	for _, name := range []string{"テスト商事株式会社", "株式会社テスト", "とても長い名前のテスト商事株式会社 大阪本店営業部"} {
		t.Run(name, func(t *testing.T) {
			d := mustDoc(t, document.Invoice, 2)
			d.Issuer.Name = name
			d.Issuer.Address = "大阪府大阪市北区梅田1-2-3\n梅田ビル5階"
			red := pngSpec{w: 60, h: 60, depth: 8, ct: 2, sample: func(x, y int) []uint16 { return []uint16{220, 20, 20} }}
			pdf, _ := mustRender(t, r, d, Assets{Seal: red.bytes(t)})
			words := mustWords(t, pdf, 1)
			ppm, err := decodePPM(mustRun(t, pdf, "pdftoppm", "-r", "72", "-f", "1", "-l", "1"))
			if err != nil {
				t.Fatal(err)
			}
			width := int(math.Round(pageW))
			isRed := func(x, y int) bool {
				i := (y*width + x) * 3
				return i+2 < len(ppm) && ppm[i] > 180 && ppm[i+1] < 80 && ppm[i+2] < 80
			}
			redIn := func(w word) int {
				n := 0
				for y := int(w.yMin) + 1; y < int(w.yMax); y++ {
					for x := int(w.xMin) + 1; x < int(w.xMax); x++ {
						if isRed(x, y) {
							n++
						}
					}
				}
				return n
			}
			tokens := strings.Fields(name)
			var nameEnd word // the issuer's name is in the right column
			for _, w := range words {
				if w.text == tokens[len(tokens)-1] && w.xMin > 360 {
					nameEnd = w
				}
			}
			if n := redIn(nameEnd); n == 0 {
				t.Errorf("the seal does not overlap the end of the name")
			}
			for _, a := range []string{"大阪府大阪市北区梅田1-2-3", "梅田ビル5階", "〒530-0001", "TEL", "登録番号"} {
				if n := redIn(findWord(t, words, a)); n > 0 {
					t.Errorf("the seal covers %d pixels of %q", n, a)
				}
			}
		})
	}
}

func TestNoSealOnCancelled(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	a := Assets{Logo: mustPNG(t, 120, 40), Seal: mustPNG(t, 60, 60)}
	for status, want := range map[document.Status]int{document.Issued: 2, document.Cancelled: 1} {
		d.Status = status
		pdf, _ := mustRender(t, r, d, a)
		list := mustRun(t, pdf, "pdfimages", "-list")
		if n := len(regexp.MustCompile(`(?m)^\s*\d+\s+\d+\s+image\s`).FindAllString(list, -1)); n != want {
			t.Errorf("%s: %d images, want %d (logo%s)", status, n, want, map[bool]string{true: " and seal"}[want == 2])
		}
	}
}

func TestAmountDueIsMostProminent(t *testing.T) {
	r := mustRenderer(t)
	for _, k := range document.Kinds() {
		d := mustDoc(t, k, 8)
		pdf, _ := mustRender(t, r, d, Assets{})
		words := mustWords(t, pdf, 1)
		_, amount := amountBox(&d)
		due := findWord(t, words, yen(amount)+"-")
		for _, w := range words {
			if strings.ContainsAny(w.text, "0123456789") && w != due && w.height() >= due.height() {
				t.Errorf("%s: %q (%.1f pt) is as tall as the amount due %q (%.1f pt)", k, w.text, w.height(), due.text, due.height())
			}
		}
	}
}

func TestColumnHeadingsAlign(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 3)
	pdf, _ := mustRender(t, r, d, Assets{})
	words := mustWords(t, pdf, 1)
	it := d.Items[2]
	row := findWord(t, words, "保守作業 3"[:len("保守作業")]) // the name of item 2 is "保守作業 3"
	for _, w := range words {
		if w.text == number(it.Amount) {
			row = w
		}
	}
	for heading, value := range map[string]string{"数量": it.Quantity.String(), "単価": number(it.UnitPrice), "金額": number(it.Amount)} {
		var h, v word
		for _, w := range words {
			switch {
			case w.text == heading && w.yMax < row.yMin && w.yMin > max(h.yMin, row.yMin-120):
				h = w // the nearest above the row: the table's heading
			case w.text == value && math.Abs(w.yMin-row.yMin) < 1 && w.xMin > colQty.x-1:
				v = w
			}
		}
		if h.text == "" || v.text == "" {
			t.Fatalf("heading %q (%+v) or value %q (%+v) not found", heading, h, value, v)
		}
		if math.Abs(h.xMax-v.xMax) > 1 {
			t.Errorf("%q ends at %.1f, its numbers at %.1f", heading, h.xMax, v.xMax)
		}
	}
}

func TestContinuationPagesRepeatRecipient(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 90)
	pdf, res := mustRender(t, r, d, Assets{})
	if res.Pages < 2 {
		t.Fatalf("%d pages", res.Pages)
	}
	for i, p := range mustText(t, pdf, res.Pages)[1:] {
		if !strings.Contains(p, "株式会社サンプル 御中") || !strings.Contains(p, "請求書 INV-0001 (続き)") {
			t.Errorf("page %d does not repeat the recipient and number:\n%.300s", i+2, p)
		}
	}
}

// TestRenderWithDescriptionsFits: descriptions count in the row's height, so a page of
// descriptions still ends above the page number.
func TestDescriptionsPaginate(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 40)
	for i := range d.Items {
		d.Items[i].Description = strings.Repeat("説明文の行です。", 8) + "\n二行目\n三行目"
	}
	pdf, res := mustRender(t, r, d, Assets{})
	for p := 1; p <= res.Pages; p++ {
		for _, w := range mustWords(t, pdf, p) {
			if w.yMax > bottom+1 && !pageNumber.MatchString(w.text) && w.text != "/" && !regexp.MustCompile(`^\d+$`).MatchString(w.text) {
				t.Errorf("page %d: %q ends at %.1f, below the content area (%.1f)", p, w.text, w.yMax, bottom)
			}
		}
	}
	if _, err := r.Render(context.Background(), discard{}, d, Assets{}); err != nil {
		t.Fatal(err)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestIssuerFaxAndContactPerson(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	d.Issuer.Fax, d.Issuer.ContactPerson = "06-1234-5679", "鈴木 花子"
	pdf, _ := mustRender(t, r, d, Assets{})
	text := mustText(t, pdf, 1)[0]
	for _, s := range []string{"TEL 06-1234-5678 FAX 06-1234-5679", "担当 鈴木 花子"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
	d.Issuer.Fax, d.Issuer.ContactPerson = "", ""
	pdf, _ = mustRender(t, r, d, Assets{})
	if text := mustText(t, pdf, 1)[0]; strings.Contains(text, "FAX") || strings.Contains(text, "担当 鈴木") {
		t.Errorf("empty FAX or 担当者 printed:\n%s", text)
	}
}
