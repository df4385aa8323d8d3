package pdf

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/document"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// mustTool returns the path of a poppler tool, skipping the test when it is missing unless
// REPORTAPP_TEST_STRICT=1.
func mustTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		msg := fmt.Sprintf("%s not found (install poppler-utils): %v", name, err)
		if os.Getenv("REPORTAPP_TEST_STRICT") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

func mustRenderer(t testing.TB) *Renderer {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// mustRender renders d and returns the PDF bytes and the result.
func mustRender(t testing.TB, r *Renderer, d document.Document, a Assets) ([]byte, Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := r.Render(context.Background(), &buf, d, a)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", buf.Bytes()[:min(buf.Len(), 20)])
	}
	return buf.Bytes(), res
}

// mustRun runs a poppler tool over the PDF bytes (written to a file first) and returns stdout.
func mustRun(t testing.TB, pdf []byte, tool string, args ...string) string {
	t.Helper()
	bin := mustTool(t, tool)
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, f)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`[ \t\x{3000}]+`)

// normalize trims every line, collapses runs of spaces and drops empty lines, so that tests do
// not depend on how pdftotext pads columns.
func normalize(s string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(spaces.ReplaceAllString(strings.ReplaceAll(line, "\f", ""), " "))
		if line != "" {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// mustText is the normalized text of the PDF (pdftotext -layout), page by page.
func mustText(t testing.TB, pdf []byte, pages int) []string {
	t.Helper()
	out := make([]string, pages)
	for p := 1; p <= pages; p++ {
		n := strconv.Itoa(p)
		out[p-1] = normalize(mustRun(t, pdf, "pdftotext", "-layout", "-f", n, "-l", n))
	}
	return out
}

func TestRenderKinds(t *testing.T) {
	r := mustRenderer(t)
	for _, k := range document.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			d := mustDoc(t, k, 8)
			pdf, res := mustRender(t, r, d, Assets{})
			if res.Pages != 1 || len(res.Missing) != 0 {
				t.Errorf("Result = %+v, want 1 page and nothing missing", res)
			}
			text := strings.Join(mustText(t, pdf, res.Pages), "")

			golden := filepath.Join("testdata", string(k)+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/pdf -update)", err)
			}
			if diff := cmp.Diff(string(want), text); diff != "" {
				t.Errorf("text differs from %s (-want +got):\n%s", golden, diff)
			}

			// The mandatory items of a qualified invoice (shared/JP-INVOICE.md), asserted on
			// their own so that a wrong golden file cannot hide them.
			mustContain := []string{
				k.Title(),
				"株式会社サンプル 御中",
				"テスト商事株式会社",
				"登録番号 T7123456789012",
				"発行日 2025年4月1日",
				"保守作業 1 ",
				"お弁当（幕の内）2 ※",
				"印紙代 7 (非課税)",
				"※は軽減税率対象",
				"合計 " + yen(d.Totals.Gross),
				*d.Number,
			}
			for _, rt := range d.Totals.ByRate {
				switch rt.Rate {
				case document.RateNonTaxable:
					mustContain = append(mustContain, "非課税 "+yen(rt.Gross))
				default:
					mustContain = append(mustContain, fmt.Sprintf("%d%%対象 %s 消費税 %s", rt.Rate, yen(rt.Net), yen(rt.Tax)))
				}
			}
			if len(d.Totals.ByRate) != 3 {
				t.Fatalf("fixture has rates %+v, want 10, 8 and 0", d.Totals.ByRate)
			}
			switch k {
			case document.Invoice:
				mustContain = append(mustContain, "取引日 2025年3月31日", "ご請求金額 "+yen(d.Totals.AmountDue)+"- (税込)",
					"下記の通りご請求申し上げます。", "お支払期限 2025年4月30日", "お振込先", "みずほ銀行 梅田支店", "備考")
			case document.Quote:
				mustContain = append(mustContain, "御見積金額 "+yen(d.Totals.Gross)+"-", "有効期限 2025年5月1日")
			case document.DeliveryNote:
				mustContain = append(mustContain, "取引日 2025年3月31日", "下記の通り納品いたしました。")
			case document.Receipt:
				mustContain = append(mustContain, "金額 "+yen(d.Totals.AmountDue)+"-", "但し システム保守代 として", "上記正に領収いたしました。")
			case document.CreditNote:
				mustContain = append(mustContain, "返還金額 "+yen(d.Totals.Gross)+"-", "返還日 2025年3月31日",
					"対象請求書 INV-0042 (2025年3月1日 発行)", "返還額 税率別内訳")
			}
			for _, s := range mustContain {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			if k != document.Invoice && strings.Contains(text, "お振込先") {
				t.Errorf("お振込先 printed on a %s", k)
			}
			if strings.Contains(text, "下書き") || strings.Contains(text, "取消") {
				t.Errorf("issued document carries a watermark")
			}
		})
	}
}

func TestMetadata(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 3)
	pdf, _ := mustRender(t, r, d, Assets{})
	info := mustRun(t, pdf, "pdfinfo", "-isodates")
	for _, want := range []string{
		"Title:           請求書 INV-0001",
		"Author:          テスト商事株式会社",
		"Producer:        reportapp",
		"CreationDate:    2025-04-01T19:30:00+09",
		"ModDate:         2025-04-01T19:30:00+09",
		"Page size:       595 x 842 pts (A4)",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}

	// Without IssuedAt, the issue date at midnight JST.
	d.IssuedAt = nil
	pdf, _ = mustRender(t, r, d, Assets{})
	if info := mustRun(t, pdf, "pdfinfo", "-isodates"); !strings.Contains(info, "CreationDate:    2025-04-01T00:00:00+09") {
		t.Errorf("creation date is not the issue date:\n%s", info)
	}

	fonts := mustRun(t, pdf, "pdffonts")
	if !regexp.MustCompile(`(?m)^IPAexGothic\s+CID TrueType\s+Identity-H\s+yes\s`).MatchString(fonts) {
		t.Errorf("font not embedded:\n%s", fonts)
	}
	if !bytes.Contains(pdf, []byte("/FlateDecode")) {
		t.Error("content is not compressed")
	}
}

var pageNumber = regexp.MustCompile(`(?m)^(\d+) ?/ ?(\d+)$`)

func TestMultiPage(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 200)
	d.Items[57].Name = strings.Repeat("長い品目名が折り返されます。", 12)
	pdf, res := mustRender(t, r, d, Assets{})
	if res.Pages < 4 {
		t.Fatalf("200 lines on %d pages, want at least 4", res.Pages)
	}
	pages := mustText(t, pdf, res.Pages)
	all := strings.Join(pages, "")
	for i, p := range pages {
		m := pageNumber.FindAllStringSubmatch(p, -1)
		if want := []string{strconv.Itoa(i + 1), strconv.Itoa(res.Pages)}; len(m) != 1 || !cmp.Equal(m[0][1:], want) {
			t.Errorf("page %d: page numbers %q, want one %v", i+1, m, want)
		}
		if strings.Contains(p, "保守作業") && !strings.Contains(p, "品目 数量 単位 単価 金額") {
			t.Errorf("page %d has items but no table header:\n%s", i+1, p)
		}
		if i > 0 && !strings.Contains(p, "請求書 INV-0001 (続き)") {
			t.Errorf("page %d lacks the running head", i+1)
		}
		if strings.Contains(p, "税率別内訳") && !strings.Contains(p, "ご請求金額 "+yen(d.Totals.AmountDue)) {
			t.Errorf("page %d: the totals block is split from its heading:\n%s", i+1, p)
		}
	}
	// Every row is printed exactly once.
	for i, it := range d.Items {
		if i == 57 {
			continue
		}
		re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(it.Name) + ` `)
		if n := len(re.FindAllString(all, -1)); n != 1 {
			t.Errorf("item %d %q printed %d times", i, it.Name, n)
		}
	}
	if n := strings.Count(all, "長"); n != 12 {
		t.Errorf("wrapped name: %d of 12 長 drawn", n)
	}
	// 禁則: no line starts with a closing mark.
	for _, line := range strings.Split(all, "\n") {
		if line != "" && strings.ContainsRune("。、）」", []rune(line)[0]) {
			t.Errorf("line starts with a closing mark: %q", line)
		}
	}
}

func TestDeterministic(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 20)
	first, _ := mustRender(t, r, d, Assets{})
	second, _ := mustRender(t, r, d, Assets{})
	if !bytes.Equal(first, second) {
		t.Fatal("two renders of the same document differ")
	}

	d2 := mustDoc(t, document.Invoice, 20)
	d2.Items[4].UnitPrice++
	if err := document.ComputeTotals(&d2); err != nil {
		t.Fatal(err)
	}
	if d2.Totals.Net != d.Totals.Net+int64(d2.Items[4].Quantity)/document.QuantityScale {
		t.Fatalf("fixture: net %d → %d", d.Totals.Net, d2.Totals.Net)
	}
	changed, _ := mustRender(t, r, d2, Assets{})
	if bytes.Equal(first, changed) {
		t.Error("a one-yen change did not change the PDF")
	}
}

func TestMissingGlyphs(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 3)
	d.Items[0].Name = "特上🍣盛り合わせ"
	d.Items[1].Name = "𠮷野家の牛丼"
	pdf, res := mustRender(t, r, d, Assets{})
	if diff := cmp.Diff([]rune{'🍣', '𠮷'}, res.Missing); diff != "" {
		t.Errorf("Missing (-want +got):\n%s", diff)
	}
	text := strings.Join(mustText(t, pdf, res.Pages), "")
	for _, want := range []string{"特上〓盛り合わせ", "〓野家の牛丼"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// bbox matches one word of pdftotext -bbox output.
var bbox = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

func TestHostileText(t *testing.T) {
	r := mustRenderer(t)
	longASCII := strings.Repeat("W", 3000)
	notes := strings.Repeat("あいうえおかきくけこ", 500) // 5,000 characters
	d := mustDoc(t, document.Invoice, 5)
	d.Items[0].Name = longASCII
	d.Items[1].Name = "\u202Eevil\u202C <script>alert(1)</script>\x00\x1b[31m\x07"
	d.Items[2].Unit = strings.Repeat("箱", 200)
	d.Items[3].Name = strings.Repeat("https://example.com/a/very/long/path?", 40)
	d.Customer.Name = strings.Repeat("株式会社ながいなまえ", 80)
	d.Issuer.Address = strings.Repeat("X", 2000)
	d.Subject = "\u200F\u202B右から左\u202C"
	d.Purpose = strings.Repeat("Y", 500)
	d.Notes = notes
	pdf, res := mustRender(t, r, d, Assets{})
	if res.Pages < 3 {
		t.Errorf("5,000-character notes on %d pages", res.Pages)
	}
	if len(res.Missing) != 0 {
		t.Errorf("Missing = %q, want none (control characters are removed, not substituted)", res.Missing)
	}
	pages := mustText(t, pdf, res.Pages)
	all := strings.Join(pages, "")
	if n := strings.Count(all, "W"); n != len(longASCII) {
		t.Errorf("the long name: %d of %d characters drawn", n, len(longASCII))
	}
	if n := strings.Count(all, "あ"); n != 500 {
		t.Errorf("notes: %d of 500 あ drawn", n)
	}
	if !strings.Contains(all, "evil <script>alert(1)</script>[31m") {
		t.Error("<script> is not printed as text")
	}
	for _, bad := range []string{"\u202E", "\u202B", "\u200F", "\x00", "\x1b", "\x07"} {
		if strings.Contains(all, bad) {
			t.Errorf("text contains %q", bad)
		}
	}

	// Every word lies within the page margins.
	words := bbox.FindAllStringSubmatch(mustRun(t, pdf, "pdftotext", "-bbox"), -1)
	if len(words) < 100 {
		t.Fatalf("only %d words in the bbox output", len(words))
	}
	for _, w := range words {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(w[i+1], 64)
		}
		if v[0] < marginX-1 || v[2] > right+1 || v[1] < top-10 || v[3] > pageH-20 {
			t.Errorf("word %.30q at x %.1f–%.1f y %.1f–%.1f is outside the margins", w[5], v[0], v[2], v[1], v[3])
		}
	}
}

func TestWatermarks(t *testing.T) {
	r := mustRenderer(t)
	for _, tc := range []struct {
		status document.Status
		want   string
	}{{document.Draft, "下書き"}, {document.Cancelled, "取消"}} {
		d := mustDoc(t, document.Quote, 40)
		d.Status = tc.status
		pdf, res := mustRender(t, r, d, Assets{})
		// pdftotext splits rotated text into single characters: look for each character of
		// the mark drawn large (a glyph box over 50 points high).
		pages := strings.Split(mustRun(t, pdf, "pdftotext", "-bbox"), "<page ")[1:]
		if len(pages) != res.Pages || res.Pages < 2 {
			t.Fatalf("%d pages in the bbox output, Result.Pages = %d", len(pages), res.Pages)
		}
		for i, p := range pages {
			large := map[string]bool{}
			for _, w := range bbox.FindAllStringSubmatch(p, -1) {
				y0, _ := strconv.ParseFloat(w[2], 64)
				y1, _ := strconv.ParseFloat(w[4], 64)
				if y1-y0 > 50 {
					large[w[5]] = true
				}
			}
			for _, c := range strings.Split(tc.want, "") {
				if !large[c] {
					t.Errorf("%s: page %d lacks %q of the %s watermark (large glyphs: %v)", tc.status, i+1, c, tc.want, large)
				}
			}
		}
	}
}

func mustPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.NRGBA{R: 200, A: 128})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAssets(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	a := Assets{Logo: mustPNG(t, 120, 40), Seal: mustPNG(t, 60, 60)}
	pdf, _ := mustRender(t, r, d, a)
	if n := len(regexp.MustCompile(`(?m)^\s*\d+\s+\d+\s+image\s+(120\s+40|60\s+60)\s`).FindAllString(mustRun(t, pdf, "pdfimages", "-list"), -1)); n != 2 {
		t.Errorf("%d of the 2 images found", n)
	}
	again, _ := mustRender(t, r, d, a)
	if !bytes.Equal(pdf, again) {
		t.Error("renders with images differ")
	}

	var buf bytes.Buffer
	_, err := r.Render(context.Background(), &buf, d, Assets{Seal: []byte("not an image")})
	if err == nil || !strings.Contains(err.Error(), "seal image") {
		t.Errorf("a broken seal: err = %v, want a seal image error", err)
	}
}

func TestRenderContextAndWriter(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Render(ctx, io.Discard, d, Assets{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
	boom := errors.New("disk full")
	if _, err := r.Render(context.Background(), failWriter{boom}, d, Assets{}); !errors.Is(err, boom) {
		t.Errorf("failing writer: err = %v", err)
	}
	// A document with nothing but a kind renders.
	if _, err := r.Render(context.Background(), io.Discard, document.Document{Kind: document.Invoice, Status: document.Draft}, Assets{}); err != nil {
		t.Errorf("empty document: %v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestFilename(t *testing.T) {
	num := func(s string) *string { return &s }
	for _, tc := range []struct {
		doc  document.Document
		want string
	}{
		{document.Document{Kind: document.Invoice, Number: num("INV-0001")}, "請求書_INV-0001.pdf"},
		{document.Document{Kind: document.Quote, Status: document.Draft}, "見積書_下書き.pdf"},
		{document.Document{Kind: document.CreditNote, Number: num("")}, "適格返還請求書_下書き.pdf"},
		{document.Document{Kind: document.Receipt, Number: num(`A/B\C:"x"` + "\u202E\n")}, "領収書_A_B_C__x___.pdf"},
	} {
		if got := Filename(tc.doc); got != tc.want {
			t.Errorf("Filename(%v) = %q, want %q", tc.doc.Number, got, tc.want)
		}
	}
}

// blockingWriter holds a render inside Write until release is closed.
type blockingWriter struct {
	entered chan struct{}
	release chan struct{}
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	close(b.entered)
	<-b.release
	return len(p), nil
}

func TestPool(t *testing.T) {
	r := mustRenderer(t)
	p := NewPool(r, 1, time.Minute)
	d := mustDoc(t, document.Invoice, 3)
	ctx := context.Background()

	// A occupies the only worker.
	bw := &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	errA := make(chan error, 1)
	go func() { _, err := p.Render(ctx, bw, d, Assets{}); errA <- err }()
	<-bw.entered

	// B waits; when its context ends it gives up with ErrBusy.
	ctxB, cancelB := context.WithCancel(ctx)
	errB := make(chan error, 1)
	go func() { _, err := p.Render(ctxB, io.Discard, d, Assets{}); errB <- err }()
	waitFor(t, func() bool { return p.waiting.Load() == 1 })
	cancelB()
	if err := <-errB; !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("B: err = %v, want ErrBusy and context.Canceled", err)
	}

	// Twenty more wait — no count turns them away — and each is served once A is done.
	const n = 20
	errs := make(chan error, n)
	for range n {
		go func() { _, err := p.Render(ctx, io.Discard, d, Assets{}); errs <- err }()
	}
	waitFor(t, func() bool { return p.waiting.Load() == n })
	close(bw.release)
	if err := <-errA; err != nil {
		t.Errorf("A: %v", err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a waiting render: %v", err)
		}
	}
	if len(p.running) != 0 || p.waiting.Load() != 0 {
		t.Errorf("pool not drained: %d running, %d waiting", len(p.running), p.waiting.Load())
	}

	// With the worker held past the pool's wait, a caller times out with ErrBusy.
	short := NewPool(r, 1, 20*time.Millisecond)
	bw = &blockingWriter{entered: make(chan struct{}), release: make(chan struct{})}
	go func() { _, err := short.Render(ctx, bw, d, Assets{}); errA <- err }()
	<-bw.entered
	if _, err := short.Render(ctx, io.Discard, d, Assets{}); !errors.Is(err, ErrBusy) || errors.Is(err, context.Canceled) {
		t.Errorf("after the pool's wait: err = %v, want ErrBusy", err)
	}
	close(bw.release)
	<-errA
	if got := cap(NewPool(r, 0, 0).running); got < 1 {
		t.Errorf("default workers = %d", got)
	}
}

// TestPoolBurst: 64 concurrent renders on two workers under a generous deadline are all served,
// none refused, and the heap stays flat because a waiting caller holds no render.
func TestPoolBurst(t *testing.T) {
	r := mustRenderer(t)
	p := NewPool(r, 2, time.Minute)
	d := mustDoc(t, document.Invoice, 20)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mustRender(t, r, d, Assets{}) // warm the pools
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	var refused atomic.Int32
	for range 64 {
		wg.Go(func() {
			if _, err := p.Render(ctx, io.Discard, d, Assets{}); err != nil {
				refused.Add(1)
				t.Errorf("render: %v", err)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	// Measured: 9 MB with two workers; 42 MB when all 64 render at once.
	const budget = 24 << 20
	growth := peak.Load() - min(base, peak.Load())
	t.Logf("64 renders: %d refused, peak heap growth %d MB (budget %d MB)", refused.Load(), growth>>20, budget>>20)
	if growth > budget {
		t.Errorf("peak heap grew by %d MB, budget %d MB", growth>>20, budget>>20)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestConcurrentRenders shares one Renderer between goroutines (run with -race).
func TestConcurrentRenders(t *testing.T) {
	r := mustRenderer(t)
	p := NewPool(r, 4, time.Minute)
	docs := []document.Document{mustDoc(t, document.Invoice, 20), mustDoc(t, document.Receipt, 5), mustDoc(t, document.Quote, 60)}
	docs[1].Items[0].Name = "🍣"
	want := make([][]byte, len(docs))
	for i, d := range docs {
		want[i], _ = mustRender(t, r, d, Assets{})
	}
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Go(func() {
			var buf bytes.Buffer
			i := g % len(docs)
			if _, err := p.Render(context.Background(), &buf, docs[i], Assets{}); err != nil {
				t.Errorf("goroutine %d: %v", g, err)
				return
			}
			if !bytes.Equal(buf.Bytes(), want[i]) {
				t.Errorf("goroutine %d: bytes differ from a sequential render", g)
			}
		})
	}
	wg.Wait()
}

func FuzzRender(f *testing.F) {
	f.Add("保守作業", "備考です。", int64(1500), int64(1000), "時間")
	f.Add(strings.Repeat("W", 500), "\u202E\x00<script>", int64(-1), int64(-5), "")
	f.Add("🍣𠮷\xff\xfe", strings.Repeat("。", 300), int64(1<<62), int64(1<<62), "\n\n")
	r := mustRenderer(f)
	f.Fuzz(func(t *testing.T, name, notes string, qty, price int64, unit string) {
		d := mustDoc(t, document.Invoice, 2)
		d.Items = append(d.Items, document.Item{Name: name, Quantity: document.Quantity(qty), UnitPrice: price, Unit: unit, TaxRate: document.RateReduced})
		d.Notes = notes
		d.Customer.Name = name
		_ = document.ComputeTotals(&d) // invalid amounts keep the totals as they were
		res, err := r.Render(context.Background(), io.Discard, d, Assets{})
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if res.Pages < 1 {
			t.Fatalf("Pages = %d", res.Pages)
		}
	})
}
