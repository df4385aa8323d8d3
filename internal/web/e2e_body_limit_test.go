package web

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFormOverItsLimit: Chromium posting the images form with a 9 MB file (the form takes
// 8 MB) reads the server's 413 rather than a reset connection, and shows the styled page that
// says the form's limit in Japanese.
func TestBrowserFormOverItsLimit(t *testing.T) {
	f, _, _ := mustSignedIn(t, mustBrowser(t))
	huge := filepath.Join(t.TempDir(), "huge.png")
	if err := os.WriteFile(huge, []byte(rand.Text()+strings.Repeat("x", 9<<20)), 0o600); err != nil {
		t.Fatal(err)
	}
	f.do("upload 9 MB", chromedp.Navigate(f.base+"/settings"),
		chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{huge}),
		chromedp.Submit(chromedp.CSS("#logo")),
		chromedp.WaitVisible(chromedp.CSS("main p.error")))
	if msg := f.text("main p.error"); !strings.Contains(msg, "このフォームで送れるのは 8 MB までです") {
		t.Errorf("413 page says %q, want the form's limit in Japanese", msg)
	}
	if f.text("header.top") == "" {
		t.Error("not the styled page")
	}
}
