package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const renderInput = `{
  "kind": "invoice", "status": "issued", "number": "INV-0042",
  "issuer": {"name": "株式会社アクメ", "registration_number": "T7123456789012", "address": "東京都千代田区1-1", "bank_account": "みずほ銀行 本店 普通 1234567"},
  "customer": {"name": "株式会社サンプル", "honorific": "御中"},
  "issue_date": "2026-11-30", "transaction_date": "2026-11-20", "due_date": "2026-12-31",
  "items": [
    {"name": "コンサルティング", "quantity": "1.5", "unit": "時間", "unit_price": 20000, "tax_rate": 10},
    {"name": "お弁当", "quantity": "3", "unit": "個", "unit_price": 105, "tax_rate": 8}
  ]
}`

// TestRenderCommand renders the API's document JSON offline and checks the PDF's text; the
// totals are computed by the command (the input has none).
func TestRenderCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.json")
	out := filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, []byte(renderInput), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"reportapp", "render", in, "-o", out}, testEnv(t, nil), nil, io.Discard, &stderr); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("no PDF written: %v", err)
	}
	// The same input from stdin gives the same bytes.
	out2 := filepath.Join(dir, "out2.pdf")
	if err := run(context.Background(), []string{"reportapp", "render", "-", "-o", out2}, testEnv(t, nil), strings.NewReader(renderInput), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if data2, _ := os.ReadFile(out2); !bytes.Equal(data, data2) {
		t.Errorf("rendering the same document twice gave different bytes")
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("REPORTAPP_TEST_STRICT") == "1" {
			t.Fatal("pdftotext (poppler-utils) is required in strict mode")
		}
		t.Skip("pdftotext (poppler-utils) not installed: the PDF's text is not checked")
	}
	text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	squash := strings.Join(strings.Fields(string(text)), "")
	for _, want := range []string{"請求書", "INV-0042", "株式会社アクメ", "T7123456789012", "株式会社サンプル御中", "お弁当※", "※は軽減税率対象", "10%対象", "8%対象", "¥30,000", "¥3,000", "¥315", "¥25", "¥33,340"} {
		if !strings.Contains(squash, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}

	if err := run(context.Background(), []string{"reportapp", "render", filepath.Join(dir, "missing.json")}, testEnv(t, nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("render of a missing file succeeded")
	}
	if err := os.WriteFile(in, []byte(`{"kind":"invoice","items":[{"name":"x","quantity":"abc"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"reportapp", "render", in, "-o", out}, testEnv(t, nil), nil, io.Discard, io.Discard); err == nil {
		t.Error("render of a bad document succeeded")
	}
}
