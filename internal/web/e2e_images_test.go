package web

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// noisePNG writes a w×h PNG of random pixels (incompressible, so its size is about 3·w·h bytes)
// into dir and returns its path and size.
func noisePNG(t *testing.T, dir, name string, w, h int) (string, int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.Uint32())
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b.Len()
}

// TestBrowserImageUpload: with the default MAX_BODY_BYTES (1 MiB), a logo and a seal of about
// 0.7 MB each are saved in one submit (the form says 1 MB each; this was refused), and a 3 MB
// logo shows the settings form again with a Japanese message beside the logo (this was a bare
// English page).
func TestBrowserImageUpload(t *testing.T) {
	f, _, _ := mustSignedIn(t, mustBrowser(t))
	base := f.base
	f.do("dashboard", chromedp.WaitVisible(chromedp.CSS("svg[role=img]")))

	dir := t.TempDir()
	logo, logoSize := noisePNG(t, dir, "logo.png", 480, 480)
	seal, sealSize := noisePNG(t, dir, "seal.png", 450, 450)
	if logoSize > maxImageBytes || sealSize > maxImageBytes || logoSize+sealSize <= 1<<20 {
		t.Fatalf("fixtures of %d and %d bytes: want each under 1 MB and together over 1 MiB", logoSize, sealSize)
	}
	f.do("upload a logo and a seal at once", chromedp.Navigate(base+"/settings"),
		chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logo}),
		chromedp.SetUploadFiles(chromedp.CSS("#seal"), []string{seal}),
		chromedp.Submit(chromedp.CSS("#logo")))
	f.waitLocation("notice=images_saved")
	f.do("both previews", chromedp.WaitVisible(chromedp.CSS("img#logo-preview")), chromedp.WaitVisible(chromedp.CSS("img#seal-preview")))

	big, bigSize := noisePNG(t, dir, "big.png", 1000, 1000)
	if bigSize < 2_900_000 {
		t.Fatalf("the big logo is %d bytes, want about 3 MB", bigSize)
	}
	f.do("upload a 3 MB logo", chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{big}),
		chromedp.Submit(chromedp.CSS("#logo")))
	f.do("the form again", chromedp.WaitVisible(chromedp.CSS("#logo ~ .field-error, #logo + .field-error")))
	if msg := f.text("#logo ~ .field-error, #logo + .field-error"); !strings.Contains(msg, "1MB まで") {
		t.Errorf("message beside the logo = %q, want the Japanese size limit", msg)
	}
	if f.text("legend") == "" {
		t.Error("not the settings form")
	}
}
