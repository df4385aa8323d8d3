package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"reportapp/internal/pint"
)

// TestRenderPINT writes the JP PINT XML of the API's document JSON offline, named after the
// document's number by default, and refuses a document JP PINT cannot express.
func TestRenderPINT(t *testing.T) {
	dir := t.TempDir()
	input := strings.Replace(renderInput, `"honorific": "御中"}`, `"honorific": "御中", "registration_number": "T9234567890123"}`, 1)
	in := filepath.Join(dir, "doc.json")
	if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir) // the default output file is written to the working directory
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"reportapp", "render", "--format", "pint", in}, testEnv(t, nil), nil, io.Discard, &stderr); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "INV-0042.xml"))
	if err != nil {
		t.Fatalf("no INV-0042.xml: %v (%s)", err, stderr.String())
	}
	inv, err := pint.ReadInvoice(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// 1.5 × 20,000 at 10% and 3 × 105 at 8%, tax floored once per rate: 30,315 + 3,025.
	if inv.ID != "INV-0042" || inv.LegalMonetaryTotal.PayableAmount.Value != "33340" || inv.TaxTotal[0].TaxAmount.Value != "3025" {
		t.Errorf("read back: id %s payable %s tax %s", inv.ID, inv.LegalMonetaryTotal.PayableAmount.Value, inv.TaxTotal[0].TaxAmount.Value)
	}

	withholding := strings.Replace(input, `"due_date"`, `"withholding_tax": true, "due_date"`, 1)
	err = run(context.Background(), []string{"reportapp", "render", "--format", "pint", "-", "-o", filepath.Join(dir, "w.xml")}, testEnv(t, nil), strings.NewReader(withholding), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "源泉徴収") {
		t.Errorf("withholding: %v, want an error naming 源泉徴収", err)
	}
	if err := run(context.Background(), []string{"reportapp", "render", "--format", "docx", in}, testEnv(t, nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("unknown format accepted")
	}
}
