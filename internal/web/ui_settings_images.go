package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"reportapp/internal/document"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
	"reportapp/internal/store"
)

// Limits of an uploaded logo or seal.
const (
	maxImageBytes  = 1_000_000 // 1 MB per image, as uploaded: one fits the default MAX_BODY_BYTES (1 MiB)
	maxUploadBytes = 2 << 20   // the whole form; the server's MAX_BODY_BYTES applies first
)

// settingsImagesSave stores the uploaded logo and/or seal. Each must be a PNG, JPEG, GIF or WebP
// of at most 1 MB and pdf.MaxImagePixels; it is normalised (pdf.NormalizeImage: an 8-bit PNG
// the PDF writer draws, without metadata such as EXIF or GPS) and a sample PDF is rendered with
// it before it is stored, so an image can never break the organisation's PDFs.
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
		as   func([]byte) pdf.Assets
	}{
		{"logo", &logo, func(b []byte) pdf.Assets { return pdf.Assets{Logo: b} }},
		{"seal", &seal, func(b []byte) pdf.Assets { return pdf.Assets{Seal: b} }},
	} {
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
		img, key, err := u.readImage(r.Context(), file, hdr)
		_ = file.Close()
		if err != nil {
			return err
		}
		if key == "" {
			if err := u.PDF.CheckAssets(r.Context(), f.as(img)); err != nil {
				if errors.Is(err, pdf.ErrBusy) || r.Context().Err() != nil {
					return err
				}
				u.Logger.Warn("an uploaded image does not render", "image", f.name, "err", err)
				key = "image.render"
			}
		}
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

// readImage reads and normalises one uploaded image. A problem of the image is returned as the
// key of its message; an error is the server's (every decoder busy until the request ended).
func (u *ui) readImage(ctx context.Context, file multipart.File, hdr *multipart.FileHeader) ([]byte, string, error) {
	if hdr.Size > maxImageBytes {
		return nil, "image.too_large", nil
	}
	data, err := io.ReadAll(io.LimitReader(file, maxImageBytes+1))
	if err != nil {
		return nil, "image.unreadable", nil
	}
	if len(data) > maxImageBytes {
		return nil, "image.too_large", nil
	}
	return normalizeUpload(ctx, u.PDF, data)
}

// normalizeUpload maps pdf.NormalizeImage's errors to message keys.
func normalizeUpload(ctx context.Context, p *pdf.Pool, data []byte) ([]byte, string, error) {
	img, err := p.NormalizeImage(ctx, data)
	switch {
	case err == nil:
		return img, "", nil
	case errors.Is(err, pdf.ErrImageTooLarge):
		return nil, "image.dimensions", nil
	case errors.Is(err, pdf.ErrImageFormat):
		return nil, "image.format", nil
	}
	return nil, "", fmt.Errorf("web: normalise an uploaded image: %w", err) // ctx ended waiting: 503
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
