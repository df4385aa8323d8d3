package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"reportapp/internal/domain"
	"reportapp/internal/pdf"
	"reportapp/internal/server"
)

// Limits of an uploaded logo or seal.
const (
	maxImageBytes = 1_000_000 // 1 MB per image, as the form says
	// maxImagesFormBytes is the body limit of the images form (BodyLimit): both images at their
	// limit fit with room to spare, and a larger image is still read to its end, so the form is
	// shown again with a message beside it instead of the connection being cut.
	maxImagesFormBytes = 8 << 20
)

// bodyLimits are the routes whose request bodies may be larger than MAX_BODY_BYTES.
var bodyLimits = map[string]int64{"POST /settings/images": maxImagesFormBytes}

// BodyLimit is server.Options.BodyLimit for this application's routes: the images form takes
// two images of 1 MB, more than the default MAX_BODY_BYTES (1 MiB). A larger MAX_BODY_BYTES
// wins.
func BodyLimit(r *http.Request) int64 {
	return bodyLimits[r.Method+" "+r.URL.Path]
}

// settingsImagesSave stores the uploaded logo and/or seal. Each must be a PNG, JPEG, GIF or WebP
// of at most 1 MB and pdf.MaxImagePixels; it is normalised (pdf.NormalizeImage: an 8-bit PNG
// the PDF writer draws, without metadata such as EXIF or GPS) and a sample PDF is rendered with
// it before it is stored, so an image can never break the organisation's PDFs. The form is read
// part by part: at most one image (1 MB) is held at a time besides those already read.
func (u *ui) settingsImagesSave(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	uploads, remove, fe, err := readImagesForm(r)
	if err != nil {
		return err
	}
	logo, seal := remove["logo"], remove["seal"]
	for _, f := range []struct {
		name string
		dst  *[]byte
		as   func([]byte) pdf.Assets
	}{
		{"logo", &logo, func(b []byte) pdf.Assets { return pdf.Assets{Logo: b} }},
		{"seal", &seal, func(b []byte) pdf.Assets { return pdf.Assets{Seal: b} }},
	} {
		data, ok := uploads[f.name]
		if !ok || fe[f.name] != "" || *f.dst != nil {
			continue
		}
		img, key, err := normalizeUpload(r.Context(), u.PDF, data)
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

// readImagesForm reads the multipart images form: the files chosen for "logo" and "seal" (at
// most maxImageBytes each; a larger one is read to its end and reported), and which images are
// to be removed (an empty, non-nil slice each). Problems of the files are message keys by field;
// the error is for a body that is not a multipart form at all.
func readImagesForm(r *http.Request) (uploads map[string][]byte, remove map[string][]byte, fe map[string]string, err error) {
	uploads, remove, fe = map[string][]byte{}, map[string][]byte{}, map[string]string{}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, nil, domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	field := "logo" // where a body cut off by the server's limit is reported
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return uploads, remove, fe, nil
		}
		if err != nil {
			if server.IsBodyTooLarge(err) {
				fe[field] = "image.too_large"
				return uploads, remove, fe, nil
			}
			return nil, nil, nil, domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
		}
		if err := checkPart(part, nil); err != nil {
			return nil, nil, nil, err
		}
		switch name := part.FormName(); name {
		case "logo", "seal":
			field = name
			data, err := io.ReadAll(io.LimitReader(part, maxImageBytes+1))
			if err == nil && len(data) > maxImageBytes {
				_, err = io.Copy(io.Discard, part) // read on, so the browser gets the answer
				data, fe[name] = nil, "image.too_large"
			}
			switch {
			case server.IsBodyTooLarge(err):
				fe[name] = "image.too_large"
				return uploads, remove, fe, nil
			case err != nil:
				fe[name] = "image.unreadable"
			case len(data) > 0: // an empty part is a file input left empty
				uploads[name] = data
			}
		case "remove_logo", "remove_seal":
			v, _ := io.ReadAll(io.LimitReader(part, 16))
			if err := checkPart(part, v); err != nil {
				return nil, nil, nil, err
			}
			if len(v) > 0 {
				remove[strings.TrimPrefix(name, "remove_")] = []byte{}
			}
		default:
			_, _ = io.Copy(io.Discard, part)
		}
		_ = part.Close()
	}
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

func (u *ui) imagesProblem(w http.ResponseWriter, r *http.Request, p domain.Principal, fe map[string]string) error {
	org, err := u.Store.GetOrganization(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	_ = org.Validate()
	return u.renderSettings(w, r, http.StatusUnprocessableEntity, org, view{Error: "form.invalid", Errors: fe})
}

// settingsImage serves the stored logo or seal for the preview on the settings page.
func (u *ui) settingsImage(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
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
		return domain.Errorf(domain.ENotFound, "画像がありません (no such image)")
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(img)
	return nil
}
