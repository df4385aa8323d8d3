package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"

	"reportapp/internal/document"
	"reportapp/internal/pdf"
	"reportapp/internal/pint"
)

func cmdRender(ctx context.Context, e env, args []string) error {
	fs, _ := newFlags(e, "render", "render doc.json [-o out.pdf] [--format pdf|pint]  (the API's document JSON; '-' reads stdin)")
	out := fs.String("o", "", "output file (default: the document's file name, e.g. 請求書_INV-0001.pdf or INV-0001.xml)")
	format := fs.String("format", "pdf", "pdf, or pint for the JP PINT (Peppol UBL) XML of an issued invoice or credit note")
	logo := fs.String("logo", "", "PNG or JPEG logo to print")
	seal := fs.String("seal", "", "PNG or JPEG seal (角印) to print")
	// Flags may follow the input file name.
	var input string
	rest := args
	for len(rest) > 0 {
		if err := parse(fs, rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			if input != "" {
				return usageError{"render: one input file only"}
			}
			input, rest = rest[0], rest[1:]
		}
	}
	if input == "" {
		return usageError{"usage: reportapp render doc.json [-o out.pdf]"}
	}
	var data []byte
	var err error
	if input == "-" {
		var b bytes.Buffer
		_, err = b.ReadFrom(e.stdin)
		data = b.Bytes()
	} else {
		data, err = os.ReadFile(input)
	}
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	var doc document.Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("render: %s is not a document in the API's JSON shape: %w", input, err)
	}
	if err := document.ComputeTotals(&doc); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	switch *format {
	case "pdf":
	case "pint":
		return renderPINT(e, doc, *out)
	default:
		return usageError{"render: --format is pdf or pint"}
	}
	var assets pdf.Assets
	for _, f := range []struct {
		path string
		dst  *[]byte
	}{{*logo, &assets.Logo}, {*seal, &assets.Seal}} {
		if f.path != "" {
			if *f.dst, err = os.ReadFile(f.path); err != nil {
				return fmt.Errorf("render: %w", err)
			}
		}
	}
	r, err := pdf.New()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	res, err := r.Render(ctx, &buf, doc, assets)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if *out == "" {
		*out = pdf.Filename(doc)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	fmt.Fprintf(e.stderr, "%s: %d page(s), %d bytes\n", *out, res.Pages, buf.Len())
	if len(res.Missing) > 0 {
		fmt.Fprintf(e.stderr, "characters missing from the font (drawn as substitutes): %q\n", string(res.Missing))
	}
	return nil
}

// renderPINT writes the JP PINT XML of doc; what JP PINT cannot express is an error naming why.
func renderPINT(e env, doc document.Document, out string) error {
	data, err := pint.Build(doc)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if out == "" {
		out = pint.FileName(doc)
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	fmt.Fprintf(e.stderr, "%s: JP PINT, %d bytes\n", out, len(data))
	return nil
}
