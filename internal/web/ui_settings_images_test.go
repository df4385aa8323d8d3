package web

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"reportapp/internal/pdf"
	"reportapp/internal/store/storetest"
)

// flatPNG is a w×h PNG of one colour in the given bit depth and colour type, its rows streamed
// through zlib: a 4096×4096 16-bit RGBA image (128 MiB decoded) is ~160 KB and never in memory.
func flatPNG(t testing.TB, w, h int, depth, colourType byte) []byte {
	t.Helper()
	var out bytes.Buffer
	chunk := func(typ string, data []byte) {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(append(b, typ...), data...)
		out.Write(binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:])))
	}
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	chunk("IHDR", append(ihdr, depth, colourType, 0, 0, 0))
	channels := map[byte]int{0: 1, 2: 3, 4: 2, 6: 4}[colourType]
	row := make([]byte, 1+w*channels*int(depth)/8)
	for i := 1; i < len(row); i++ {
		row[i] = 0x80 // mid grey, half transparent
	}
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	for range h {
		_, _ = zw.Write(row)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// uploadFixtures are the images people upload: a camera's colour JPEG and a designer's 16-bit
// PNG made every PDF of the organisation fail before uploads were normalised.
func uploadFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	rgb := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range rgb.Pix {
		rgb.Pix[i] = uint8(i * 7)
	}
	enc := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	return map[string][]byte{
		"colour jpeg": enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, rgb, nil) }),
		"grey jpeg":   enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, image.NewGray(rgb.Bounds()), nil) }),
		"16-bit png":  flatPNG(t, 300, 300, 16, 6),
		"grey 16-bit": flatPNG(t, 300, 100, 16, 0),
		"gif": enc(func(b *bytes.Buffer) error {
			return gif.Encode(b, image.NewPaletted(rgb.Bounds(), color.Palette{color.Transparent, color.Black}), nil)
		}),
	}
}

func TestUIImageUploadFormats(t *testing.T) {
	u := mustUI(t, storetest.Open(t))
	id := u.mustDraft()
	for name, data := range uploadFixtures(t) {
		t.Run(name, func(t *testing.T) {
			if p := u.upload("A-admin", map[string][]byte{"logo": data, "seal": data}); p.status != http.StatusSeeOther {
				t.Fatalf("upload = %d, want 303:\n%s", p.status, p.body)
			}
			// The organisation's PDFs still render (this answered 500 "16-bit depth not supported").
			if p := u.get("A-viewer", "/documents/"+id+"/pdf"); p.status != http.StatusOK || !bytes.HasPrefix(p.body, []byte("%PDF-")) {
				t.Fatalf("PDF after the upload = %d:\n%.300s", p.status, p.body)
			}
			for _, which := range []string{"logo", "seal"} {
				p := u.get("A-admin", "/settings/images/"+which)
				cfg, err := png.DecodeConfig(bytes.NewReader(p.body))
				if err != nil || cfg.ColorModel == color.RGBA64Model || cfg.ColorModel == color.NRGBA64Model || cfg.ColorModel == color.Gray16Model {
					t.Errorf("stored %s: %v, colour model %T, want an 8-bit PNG", which, err, cfg.ColorModel)
				}
			}
		})
	}

	tests := []struct {
		name  string
		data  []byte
		field string
		msg   string
	}{
		{"over the pixel budget", flatPNG(t, 4096, 4096, 16, 6), "#logo", "400 万画素"},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>`), "#logo", "PNG・JPEG・GIF・WebP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := u.upload("A-admin", map[string][]byte{"logo": tt.data})
			if p.status != http.StatusUnprocessableEntity {
				t.Fatalf("status = %d, want 422:\n%s", p.status, p.body)
			}
			if got := p.doc.Find(tt.field).Parent().Find(".field-error").Text(); !bytes.Contains([]byte(got), []byte(tt.msg)) {
				t.Errorf("message beside %s = %q, want it to mention %q", tt.field, got, tt.msg)
			}
		})
	}
}

// TestUIImageUploadMemory: eight concurrent uploads of a 4096×4096 16-bit PNG (~160 KB, 128 MiB
// decoded; before the pixel budget they took the process from 315 MB to 2.7 GB) are refused
// from the header, and eight concurrent uploads at the budget (2000×2000 16-bit RGBA, 32 MB
// decoded each) are decoded two at a time.
//
// The requests may wait as long as the decoding takes: four rounds of two decodes took over the
// default 30 s request deadline under -race on a loaded machine (two answered 503).
func TestUIImageUploadMemory(t *testing.T) {
	u := mustUIWith(t, storetest.Open(t), testLimits{maxInflight: 64, pdfWorkers: 2, maxBody: 4 << 20, noMail: true, requestTimeout: 3 * time.Minute})
	huge := flatPNG(t, 4096, 4096, 16, 6)
	atBudget := flatPNG(t, 2000, 2000, 16, 6)
	tests := []struct {
		name   string
		data   []byte
		status int
		budget uint64 // growth of the peak heap in use over the idle heap
	}{
		// Refused before decoding: only the multipart forms (≤ 1 MB each) are in memory.
		{"4096×4096 16-bit", huge, http.StatusUnprocessableEntity, 48 << 20},
		// Two decoders × (32 MB decoded + 5.8 MB scaled + encoder), and the garbage the GC has
		// not collected yet: measured ~113 MB at GOGC=10 (~155 MB, and 205–210 MB on a loaded
		// machine, at the default GOGC); with eight decoders at once it was 434 MB.
		{"2000×2000 16-bit", atBudget, http.StatusSeeOther, 200 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reqs := make([]*http.Request, 8)
			for i := range reqs {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				fw, _ := mw.CreateFormFile("seal", "seal.png")
				_, _ = fw.Write(tt.data)
				_ = mw.Close()
				req, _ := http.NewRequest(http.MethodPost, u.URL+"/settings/images", &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("X-Test-As", "A-admin")
				reqs[i] = req
			}
			peak, statuses := measurePeakHeap(t, func() []int {
				statuses := make([]int, len(reqs))
				var wg sync.WaitGroup
				for i, req := range reqs {
					wg.Go(func() {
						resp, err := u.hc.Do(req)
						if err != nil {
							statuses[i] = -1
							return
						}
						_ = resp.Body.Close()
						statuses[i] = resp.StatusCode
					})
				}
				wg.Wait()
				return statuses
			})
			for _, s := range statuses {
				if s != tt.status {
					t.Fatalf("statuses = %v, want all %d", statuses, tt.status)
				}
			}
			t.Logf("peak heap growth %d MB (budget %d MB)", peak>>20, tt.budget>>20)
			if peak > tt.budget {
				t.Errorf("peak heap grew by %d MB, budget %d MB", peak>>20, tt.budget>>20)
			}
		})
	}
}

// measurePeakHeap runs f while sampling HeapInuse every millisecond and returns by how much the
// peak exceeded the heap in use just before (after a GC).
func measurePeakHeap(t *testing.T, f func() []int) (uint64, []int) {
	t.Helper()
	// With the default GOGC the heap in use runs up to twice the live heap before a cycle
	// starts, and on a loaded machine the collector lags further: collecting at 10% growth
	// keeps HeapInuse near what is live, which is what the decoders' bound is about.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	out := f()
	close(done)
	<-sampled
	if p := peak.Load(); p > base {
		return p - base, out
	}
	return 0, out
}

// FuzzImageUpload feeds arbitrary bytes to the upload path: it never panics, and whatever it
// accepts is an 8-bit PNG that a PDF renders with.
func FuzzImageUpload(f *testing.F) {
	for _, data := range uploadFixtures(f) {
		f.Add(data)
	}
	f.Add(flatPNG(f, 3, 2, 8, 2))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("GIF89a"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	r, err := pdf.New()
	if err != nil {
		f.Fatal(err)
	}
	p := pdf.NewPool(r, 1, 5*time.Second)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxImageBytes {
			return
		}
		img, key, err := normalizeUpload(context.Background(), p, data)
		if err != nil {
			t.Fatalf("an error that is not the image's: %v", err)
		}
		if key != "" {
			if img != nil {
				t.Fatalf("refused (%s) but returned an image", key)
			}
			return
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil || cfg.Width > pdf.MaxImageSide || cfg.Height > pdf.MaxImageSide {
			t.Fatalf("accepted image: %v, %d×%d", err, cfg.Width, cfg.Height)
		}
		if err := p.CheckAssets(context.Background(), pdf.Assets{Logo: img, Seal: img}); err != nil {
			t.Fatalf("an accepted image does not render: %v", err)
		}
	})
}
