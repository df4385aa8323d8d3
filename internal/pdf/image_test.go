package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"reportapp/internal/document"
)

// pngSpec describes a PNG written byte by byte, so that every colour type, bit depth,
// transparency chunk and interlacing can be produced (Go's encoder writes only a few of them).
type pngSpec struct {
	w, h       int
	depth, ct  byte
	interlaced bool
	palette    []color.NRGBA // colour type 3
	trns       []byte        // tRNS chunk, as written
	// sample returns pixel (x, y)'s samples, each < 1<<depth: grey; R,G,B; index; grey,alpha;
	// R,G,B,A by colour type.
	sample func(x, y int) []uint16
}

func (s pngSpec) channels() int {
	return map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[s.ct]
}

// adam7 are the interlacing passes: x0, y0, dx, dy.
var adam7 = [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

// encode writes the PNG to w, streaming the rows through zlib (a 4096×4096 16-bit image is never
// held in memory).
func (s pngSpec) encode(t testing.TB, w io.Writer) {
	t.Helper()
	chunk := func(typ string, data []byte) {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(b, typ...)
		b = append(b, data...)
		b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = w.Write([]byte("\x89PNG\r\n\x1a\n"))
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(s.w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(s.h))
	interlace := byte(0)
	if s.interlaced {
		interlace = 1
	}
	chunk("IHDR", append(ihdr, s.depth, s.ct, 0, 0, interlace))
	if len(s.palette) > 0 {
		var p []byte
		for _, c := range s.palette {
			p = append(p, c.R, c.G, c.B)
		}
		chunk("PLTE", p)
	}
	if s.trns != nil {
		chunk("tRNS", s.trns)
	}
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed)
	flush := func() {
		if idat.Len() > 1<<16 {
			chunk("IDAT", idat.Bytes())
			idat.Reset()
		}
	}
	passes := [][4]int{{0, 0, 1, 1}}
	if s.interlaced {
		passes = adam7[:]
	}
	bitsPerPixel := int(s.depth) * s.channels()
	for _, p := range passes {
		for y := p[1]; y < s.h; y += p[3] {
			var row []byte
			var acc uint64
			nbits := 0
			n := 0
			for x := p[0]; x < s.w; x += p[2] {
				n++
				for _, v := range s.sample(x, y) {
					acc = acc<<s.depth | uint64(v)
					nbits += int(s.depth)
					for nbits >= 8 {
						row = append(row, byte(acc>>(nbits-8)))
						nbits -= 8
					}
				}
			}
			if n == 0 {
				continue // an empty pass row has no filter byte
			}
			if nbits > 0 {
				row = append(row, byte(acc<<(8-nbits)))
			}
			if want := (n*bitsPerPixel + 7) / 8; len(row) != want {
				t.Fatalf("row of %d bytes, want %d", len(row), want)
			}
			_, _ = zw.Write([]byte{0}) // filter: none
			_, _ = zw.Write(row)
			flush()
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
}

func (s pngSpec) bytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	s.encode(t, &b)
	return b.Bytes()
}

// gradient is a pattern over every sample value range: red grows to the right, green downwards,
// alpha downwards (transparent at the top row).
func gradient(w, h int, depth, ct byte) func(x, y int) []uint16 {
	top := uint16(1)<<depth - 1
	scale := func(i, n int) uint16 { return uint16(int(top) * i / max(n-1, 1)) }
	return func(x, y int) []uint16 {
		switch ct {
		case 0:
			return []uint16{scale(x, w)}
		case 2:
			return []uint16{scale(x, w), scale(y, h), top / 2}
		case 3:
			return []uint16{uint16((x + y) % min(1<<depth, 4))}
		case 4:
			return []uint16{scale(x, w), scale(y, h)}
		}
		return []uint16{scale(x, w), scale(y, h), top / 2, scale(y, h)}
	}
}

var testPalette = []color.NRGBA{{200, 30, 30, 255}, {30, 30, 200, 255}, {30, 200, 30, 255}, {250, 250, 250, 255}}

// imageCases are the inputs an upload may bring: every PNG colour type and bit depth with and
// without transparency and interlacing, JPEGs of every kind, GIF and WebP.
func imageCases(t testing.TB) map[string][]byte {
	t.Helper()
	const w, h = 19, 13 // odd sizes: partial bytes at the end of low-depth rows, short Adam7 passes
	cases := map[string][]byte{}
	depths := map[byte][]byte{0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
	names := map[byte]string{0: "grey", 2: "rgb", 3: "paletted", 4: "grey+alpha", 6: "rgba"}
	for ct, ds := range depths {
		for _, depth := range ds {
			for _, interlaced := range []bool{false, true} {
				for _, trns := range []string{"", "trns", "partial-trns"} {
					s := pngSpec{w: w, h: h, depth: depth, ct: ct, interlaced: interlaced, sample: gradient(w, h, depth, ct)}
					switch {
					case trns == "":
					case ct == 0: // the grey of column 0 is transparent
						s.trns = []byte{0, 0}
					case ct == 2 && trns == "trns": // the colour of pixel (0, 0)
						if depth == 16 {
							s.trns = []byte{0, 0, 0, 0, 0x7f, 0xff}
						} else {
							s.trns = []byte{0, 0, 0, 0, 0, 0x7f}
						}
					case ct == 3 && trns == "trns":
						s.trns = []byte{0}
					case ct == 3: // partial transparency: drawn correctly only as RGBA
						s.trns = []byte{255, 128}
					default:
						continue // tRNS is not allowed with an alpha channel; one tRNS case is enough
					}
					if trns == "partial-trns" && ct != 3 {
						continue
					}
					if ct == 3 {
						s.palette = testPalette[:min(1<<depth, 4)]
					}
					name := fmt.Sprintf("png %s %d-bit", names[ct], depth)
					if interlaced {
						name += " interlaced"
					}
					if trns != "" {
						name += " " + trns
					}
					cases[name] = s.bytes(t)
				}
			}
		}
	}

	rgb := image.NewRGBA(image.Rect(0, 0, 48, 32))
	grey := image.NewGray(rgb.Bounds())
	for x := range 48 {
		for y := range 32 {
			rgb.Set(x, y, color.RGBA{uint8(200 - 5*y), 30, uint8(30 + 5*y), 255})
			grey.Set(x, y, color.Gray{uint8(5 * x)})
		}
	}
	for name, img := range map[string]image.Image{"jpeg baseline rgb": rgb, "jpeg grey": grey} {
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		cases[name] = b.Bytes()
	}
	// Go writes neither progressive nor CMYK JPEGs; these were made with ImageMagick:
	//   convert -size 48x32 gradient:'rgb(200,30,30)-rgb(30,30,200)' -interlace JPEG -strip progressive_rgb.jpg
	//   (… -colorspace CMYK [-interlace JPEG] for cmyk.jpg and cmyk_progressive.jpg; .webp likewise)
	for name, file := range map[string]string{
		"jpeg progressive rgb": "progressive_rgb.jpg", "jpeg cmyk": "cmyk.jpg", "jpeg cmyk progressive": "cmyk_progressive.jpg",
		"webp lossy": "lossy.webp", "webp lossless alpha": "lossless_alpha.webp",
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "images", file))
		if err != nil {
			t.Fatal(err)
		}
		cases[name] = b
	}

	pal := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Transparent, color.RGBA{200, 30, 30, 255}, color.Black})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	var g bytes.Buffer
	if err := gif.Encode(&g, pal, nil); err != nil {
		t.Fatal(err)
	}
	cases["gif transparent"] = g.Bytes()
	return cases
}

// premultiplied is c's premultiplied 8-bit RGBA: what is seen over black, comparable however the
// image stores its colours.
func premultiplied(c color.Color) [4]int {
	r, g, b, a := c.RGBA()
	return [4]int{int(r >> 8), int(g >> 8), int(b >> 8), int(a >> 8)}
}

func TestNormalizeImage(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	ctx := context.Background()
	for name, data := range imageCases(t) {
		t.Run(name, func(t *testing.T) {
			want, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("the fixture does not decode: %v", err)
			}
			out, err := r.NormalizeImage(ctx, data)
			if err != nil {
				t.Fatalf("NormalizeImage: %v", err)
			}
			if !pngReady(out) {
				t.Fatalf("output is not an 8-bit non-interlaced PNG: % x", out[:min(len(out), 29)])
			}
			got, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds().Size() != want.Bounds().Size() {
				t.Fatalf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
			}
			// Same picture: premultiplied colours within rounding (16 → 8 bits).
			for y := range want.Bounds().Dy() {
				for x := range want.Bounds().Dx() {
					g := premultiplied(got.At(got.Bounds().Min.X+x, got.Bounds().Min.Y+y))
					w := premultiplied(want.At(want.Bounds().Min.X+x, want.Bounds().Min.Y+y))
					for i := range 4 {
						if diff := g[i] - w[i]; diff > 1 || diff < -1 {
							t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, g, w)
						}
					}
				}
			}
			// The PDF writer draws it, as logo and as seal.
			var buf bytes.Buffer
			if _, err := r.Render(ctx, &buf, d, Assets{Logo: out, Seal: out}); err != nil {
				t.Fatalf("Render: %v", err)
			}
			if again, _ := r.NormalizeImage(ctx, out); !bytes.Equal(again, out) {
				t.Errorf("normalising twice changes the image")
			}
		})
	}
}

// TestRenderRepairsStoredImages: before normalisation, uploads were decoded and re-encoded with
// Go's PNG encoder, which writes JPEGs' YCbCr pictures and 16-bit inputs as 16-bit PNGs that
// gopdf refuses ("16-bit depth not supported"), failing every PDF of the organisation.
func TestRenderRepairsStoredImages(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 2)
	for name, data := range imageCases(t) {
		t.Run(name, func(t *testing.T) {
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var stored bytes.Buffer
			if err := png.Encode(&stored, img); err != nil { // what the old upload stored
				t.Fatal(err)
			}
			for _, a := range []Assets{{Logo: stored.Bytes()}, {Seal: data}} {
				if _, err := r.Render(context.Background(), io.Discard, d, a); err != nil {
					t.Errorf("Render: %v", err)
				}
			}
		})
	}
}

func TestNormalizeImageRefuses(t *testing.T) {
	r := mustRenderer(t)
	ctx := context.Background()
	huge := pngSpec{w: 4096, h: 4096, depth: 16, ct: 6, sample: func(x, y int) []uint16 { return []uint16{0, 0, 0, 0} }}
	var hugeBytes bytes.Buffer
	huge.encode(t, &hugeBytes)
	wide := pngSpec{w: 20001, h: 200, depth: 8, ct: 0, sample: func(x, y int) []uint16 { return []uint16{0} }}
	var bmp bytes.Buffer
	bmp.WriteString("BM")
	bmp.Write(make([]byte, 60))
	pngOK := imageCases(t)["png rgb 8-bit"]
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"4096×4096 16-bit RGBA (128 MiB decoded)", hugeBytes.Bytes(), ErrImageTooLarge},
		{"20001×200", wide.bytes(t), ErrImageTooLarge},
		{"empty", nil, ErrImageFormat},
		{"text", []byte("hello"), ErrImageFormat},
		{"BMP", bmp.Bytes(), ErrImageFormat},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ErrImageFormat},
		{"truncated PNG", pngOK[:len(pngOK)/2], ErrImageFormat},
		{"PNG with a broken IDAT", append(append([]byte{}, pngOK[:60]...), bytes.Repeat([]byte{0xff}, 40)...), ErrImageFormat},
	}
	if hugeBytes.Len() > 1_000_000 {
		t.Fatalf("the 4096×4096 PNG is %d bytes: it must fit an upload to test the pixel budget", hugeBytes.Len())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.NormalizeImage(ctx, tt.data)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNormalizeImageScalesDown(t *testing.T) {
	r := mustRenderer(t)
	s := pngSpec{w: 2400, h: 600, depth: 8, ct: 6, sample: gradient(2400, 600, 8, 6)}
	out, err := r.NormalizeImage(context.Background(), s.bytes(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != MaxImageSide || cfg.Height != 300 {
		t.Errorf("scaled to %d×%d, want %d×300", cfg.Width, cfg.Height, MaxImageSide)
	}
}

func TestNormalizeImageWaitsForASlot(t *testing.T) {
	r := mustRenderer(t)
	for range imageDecoders {
		r.images.slots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.NormalizeImage(ctx, imageCases(t)["png rgb 8-bit"])
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v with every slot taken and ctx done, want context.Canceled", err)
	}
}

// TestImageColoursInPDF rasterises PDFs whose seal is a red picture from inputs whose colours are
// easy to get wrong (CMYK JPEGs are stored inverted by Adobe software; 16-bit samples), and finds
// the red on the page.
func TestImageColoursInPDF(t *testing.T) {
	r := mustRenderer(t)
	d := mustDoc(t, document.Invoice, 1)
	cases := imageCases(t)
	red16 := pngSpec{w: 40, h: 40, depth: 16, ct: 2, sample: func(x, y int) []uint16 { return []uint16{0xc800, 0x1e00, 0x1e00} }}
	for name, data := range map[string][]byte{"jpeg cmyk": cases["jpeg cmyk"], "jpeg progressive rgb": cases["jpeg progressive rgb"], "png 16-bit": red16.bytes(t)} {
		t.Run(name, func(t *testing.T) {
			out, err := r.NormalizeImage(context.Background(), data)
			if err != nil {
				t.Fatal(err)
			}
			pdf, _ := mustRender(t, r, d, Assets{Seal: out})
			ppm := mustRun(t, pdf, "pdftoppm", "-r", "36", "-f", "1", "-l", "1")
			img, err := decodePPM(ppm)
			if err != nil {
				t.Fatal(err)
			}
			reds := 0
			for i := 0; i+2 < len(img); i += 3 {
				if img[i] > 150 && img[i+1] < 90 && img[i+2] < 90 {
					reds++
				}
			}
			if reds < 20 {
				t.Errorf("%d red pixels on the page, want the seal's", reds)
			}
		})
	}
}

// decodePPM returns the RGB samples of a binary PPM (P6, maxval 255) as pdftoppm writes it.
func decodePPM(s string) ([]byte, error) {
	var w, h, maxv int
	var rest string
	var magic string
	if _, err := fmt.Sscan(s, &magic, &w, &h, &maxv); err != nil || magic != "P6" || maxv != 255 {
		return nil, fmt.Errorf("not a PPM: %v", err)
	}
	// The header is four whitespace-separated fields; the samples follow one whitespace byte.
	fields := 0
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r' {
			if i > 0 && !strings.ContainsRune(" \n\t\r", rune(s[i-1])) {
				fields++
			}
			if fields == 4 {
				rest = s[i+1:]
				break
			}
		}
	}
	if len(rest) < w*h*3 {
		return nil, fmt.Errorf("PPM of %d bytes, want %d", len(rest), w*h*3)
	}
	return []byte(rest[:w*h*3]), nil
}

func TestCheckAssets(t *testing.T) {
	p := NewPool(mustRenderer(t), 1, 5*time.Second)
	if err := p.CheckAssets(context.Background(), Assets{Seal: mustPNG(t, 60, 60)}); err != nil {
		t.Errorf("a good seal: %v", err)
	}
	if err := p.CheckAssets(context.Background(), Assets{Logo: []byte("\x89PNG\r\n\x1a\nbroken")}); err == nil {
		t.Error("a broken logo passed the check")
	}
}
