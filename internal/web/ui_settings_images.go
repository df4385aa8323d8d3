package web

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg" // decodes uploaded JPEG logos and seals
	"image/png"
	"io"
	"mime/multipart"
	"net/http"

	"reportapp/internal/document"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// Limits of an uploaded logo or seal.
const (
	maxImageBytes  = 1_000_000 // 1 MB per image, as uploaded: one fits the default MAX_BODY_BYTES (1 MiB)
	maxImagePixels = 4096      // per side: a small file cannot expand into a huge bitmap
	maxUploadBytes = 2 << 20   // the whole form; the server's MAX_BODY_BYTES applies first
)

// settingsImagesSave stores the uploaded logo and/or seal. Each must be a PNG or JPEG of at most
// 1 MiB; it is decoded and re-encoded as PNG, which drops every metadata chunk (EXIF, GPS,
// comments) and anything that is not the picture.
func (u *ui) settingsImagesSave(w http.ResponseWriter, r *http.Request, p store.Principal) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil {
		if server.IsBodyTooLarge(err) {
			return u.imagesProblem(w, r, p, map[string]string{"logo": "image.too_large"})
		}
		return document.Errorf(document.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	fe := map[string]string{}
	var logo, seal []byte
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"logo", &logo}, {"seal", &seal}} {
		if r.PostFormValue("remove_"+f.name) != "" {
			*f.dst = []byte{}
			continue
		}
		file, hdr, err := r.FormFile(f.name)
		if errors.Is(err, http.ErrMissingFile) {
			continue
		}
		if err != nil {
			fe[f.name] = "image.unreadable"
			continue
		}
		img, key := readImage(file, hdr)
		_ = file.Close()
		if key != "" {
			fe[f.name] = key
			continue
		}
		*f.dst = img
	}
	if len(fe) > 0 {
		return u.imagesProblem(w, r, p, fe)
	}
	if logo == nil && seal == nil {
		return u.imagesProblem(w, r, p, map[string]string{"logo": "image.none"})
	}
	if err := u.Store.SetOrganizationImages(r.Context(), p.OrgID, logo, seal); err != nil {
		return err
	}
	return seeOther(w, r, "/settings?notice=images_saved#images")
}

// readImage checks and re-encodes one uploaded image; the key names the problem, if any.
func readImage(file multipart.File, hdr *multipart.FileHeader) ([]byte, string) {
	if hdr.Size > maxImageBytes {
		return nil, "image.too_large"
	}
	data, err := io.ReadAll(io.LimitReader(file, maxImageBytes+1))
	if err != nil {
		return nil, "image.unreadable"
	}
	if len(data) > maxImageBytes {
		return nil, "image.too_large"
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || (format != "png" && format != "jpeg") {
		return nil, "image.format"
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImagePixels || cfg.Height > maxImagePixels {
		return nil, "image.dimensions"
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "image.format"
	}
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, "image.unreadable"
	}
	return out.Bytes(), ""
}

func (u *ui) imagesProblem(w http.ResponseWriter, r *http.Request, p store.Principal, fe map[string]string) error {
	org, err := u.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	_ = org.Validate()
	return u.renderSettings(w, r, http.StatusUnprocessableEntity, org, view{Error: "form.invalid", Errors: fe})
}

// settingsImage serves the stored logo or seal for the preview on the settings page.
func (u *ui) settingsImage(w http.ResponseWriter, r *http.Request, p store.Principal) error {
	org, err := u.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	var img []byte
	switch r.PathValue("which") {
	case "logo":
		img = org.Logo
	case "seal":
		img = org.Seal
	}
	if len(img) == 0 {
		return document.Errorf(document.ENotFound, "画像がありません (no such image)")
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(img)
	return nil
}
