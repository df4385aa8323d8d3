package pdf

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif"  // logos and seals may be uploaded as GIF (first frame)
	_ "image/jpeg" // baseline and progressive; RGB, grey and CMYK
	"image/png"
	"sync"

	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // logos and seals may be uploaded as WebP (lossy or lossless)
)

// Limits of a logo or seal. The pixel budget is checked from the image's header before anything
// is decoded: a 130 KB PNG can declare 4096×4096 16-bit pixels, which decode to 128 MiB.
const (
	// MaxImagePixels is the largest width × height accepted at upload (2000×2000; a logo printed
	// 36 pt high needs a few hundred pixels).
	MaxImagePixels = 4_000_000
	// MaxImageSide is the longest side of a normalised image: larger images are scaled down to
	// fit, which is still above 500 dpi for the largest box an image is drawn in.
	MaxImageSide = 1200
	// imageDecoders is how many images are decoded at once, process-wide: decoding an image at
	// the budget takes up to ~70 MB (16-bit RGBA: 8 bytes a pixel, plus the 8-bit copy).
	imageDecoders = 2
	// legacyImagePixels bounds the images repaired on read: uploads before normalisation were
	// limited to 4096 pixels a side.
	legacyImagePixels = 4096 * 4096
	// repairCacheSize bounds the cache of repaired stored images (a few organisations' logos).
	repairCacheSize = 32
)

// Errors of NormalizeImage; the web layer turns each into a field message.
var (
	// ErrImageFormat: the data is not a PNG, JPEG, GIF or WebP image, or it is damaged.
	ErrImageFormat = errors.New("pdf: not a readable PNG, JPEG, GIF or WebP image")
	// ErrImageTooLarge: the image has more pixels than MaxImagePixels.
	ErrImageTooLarge = errors.New("pdf: image has too many pixels")
)

// imageFormats are the formats NormalizeImage accepts, by image.DecodeConfig's name.
var imageFormats = map[string]bool{"png": true, "jpeg": true, "gif": true, "webp": true}

// imageDecoding bounds concurrent image decoding and remembers repaired stored images.
type imageDecoding struct {
	slots chan struct{}

	mu       sync.Mutex
	repaired map[[sha256.Size]byte][]byte
}

func newImageDecoding() *imageDecoding {
	return &imageDecoding{slots: make(chan struct{}, imageDecoders), repaired: map[[sha256.Size]byte][]byte{}}
}

// NormalizeImage turns an uploaded logo or seal into what the PDF writer draws correctly: an
// 8-bit, non-interlaced PNG, grey, RGB(A) or paletted (kept only when its transparency is a
// single fully transparent colour), at most MaxImageSide pixels a side. Every metadata chunk
// (EXIF, GPS, comments) is dropped. It refuses images over MaxImagePixels before decoding them,
// and decodes at most imageDecoders images at once, waiting for a slot until ctx ends.
//
// Errors wrap ErrImageFormat, ErrImageTooLarge or ctx's error.
func (r *Renderer) NormalizeImage(ctx context.Context, data []byte) ([]byte, error) {
	return r.images.normalize(ctx, data, MaxImagePixels)
}

func (d *imageDecoding) normalize(ctx context.Context, data []byte, maxPixels int) ([]byte, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || !imageFormats[format] {
		return nil, ErrImageFormat
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, ErrImageFormat
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, fmt.Errorf("%w: %d×%d, at most %d", ErrImageTooLarge, cfg.Width, cfg.Height, maxPixels)
	}
	select {
	case d.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("pdf: wait to decode an image: %w", ctx.Err())
	}
	defer func() { <-d.slots }()
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrImageFormat, err)
	}
	if b := src.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return nil, ErrImageFormat // the header lied about the size
	}
	var out bytes.Buffer
	if err := png.Encode(&out, flatten(src)); err != nil {
		return nil, fmt.Errorf("pdf: encode image: %w", err)
	}
	return out.Bytes(), nil
}

// repair returns img, or its normalised form when the PDF writer cannot draw it as it is
// (a 16-bit or interlaced PNG stored before uploads were normalised, or a JPEG). Repairs are
// cached by the image's hash, so a stored image is decoded once per process, not per render.
func (d *imageDecoding) repair(ctx context.Context, img []byte) ([]byte, error) {
	if pngReady(img) {
		return img, nil
	}
	key := sha256.Sum256(img)
	d.mu.Lock()
	fixed, ok := d.repaired[key]
	d.mu.Unlock()
	if ok {
		return fixed, nil
	}
	fixed, err := d.normalize(ctx, img, legacyImagePixels)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if len(d.repaired) >= repairCacheSize {
		clear(d.repaired)
	}
	d.repaired[key] = fixed
	d.mu.Unlock()
	return fixed, nil
}

// pngReady reports whether img is a PNG the PDF writer (gopdf) embeds correctly: bit depth 8
// (1–8 when paletted), colour type grey, RGB, paletted, grey+alpha or RGBA, not interlaced.
// gopdf refuses 16-bit and interlaced PNGs, and Go's PNG encoder writes 16-bit RGB for the
// YCbCr images that JPEGs decode to.
func pngReady(img []byte) bool {
	// Signature (8), IHDR length (4) and type (4), width (4), height (4), depth, colour type,
	// compression, filter, interlace.
	if len(img) < 29 || !bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")) || string(img[12:16]) != "IHDR" {
		return false
	}
	depth, ct, interlace := img[24], img[25], img[28]
	if interlace != 0 {
		return false
	}
	switch ct {
	case 3:
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case 0, 2, 4, 6:
		return depth == 8
	}
	return false
}

// flatten returns src as an 8-bit image the PNG encoder writes in a form gopdf reads: *image.Gray
// for grey pictures, *image.Paletted when src is paletted with at most one transparent colour,
// else *image.RGBA or *image.NRGBA (written as RGB when opaque, else as 8-bit RGBA), scaled down
// to MaxImageSide.
func flatten(src image.Image) image.Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	longest := max(w, h)
	if longest > MaxImageSide {
		w, h = max(1, w*MaxImageSide/longest), max(1, h*MaxImageSide/longest)
	}
	scaled := w != b.Dx() || h != b.Dy()
	var dst draw.Image
	switch s := src.(type) {
	case *image.Paletted:
		if !scaled && simpleTransparency(s.Palette) {
			return s
		}
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	case *image.Gray, *image.NRGBA, *image.RGBA: // 8-bit already
		if !scaled {
			return s
		}
		if _, grey := s.(*image.Gray); grey {
			dst = image.NewGray(image.Rect(0, 0, w, h))
		} else {
			dst = image.NewRGBA(image.Rect(0, 0, w, h))
		}
	case *image.Gray16:
		dst = image.NewGray(image.Rect(0, 0, w, h))
	default:
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	switch {
	case !scaled:
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	case longest > 2*MaxImageSide:
		// A kernel whose support grows with the reduction: no aliasing of thin lines.
		xdraw.BiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	default:
		// Up to 2:1 sampling four pixels is enough, and ten times faster.
		xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
	}
	return dst
}

// simpleTransparency reports whether every colour of p is opaque except at most one fully
// transparent one: gopdf masks one palette index and ignores partial transparency.
func simpleTransparency(p color.Palette) bool {
	transparent := 0
	for _, c := range p {
		switch _, _, _, a := c.RGBA(); a {
		case 0xffff:
		case 0:
			transparent++
		default:
			return false
		}
	}
	return transparent <= 1
}
