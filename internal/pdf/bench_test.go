package pdf

import (
	"bytes"
	"context"
	"testing"

	"reportapp/internal/document"
)

func benchmarkRender(b *testing.B, lines int) {
	r := mustRenderer(b)
	d := mustDoc(b, document.Invoice, lines)
	var buf bytes.Buffer
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if _, err := r.Render(ctx, &buf, d, Assets{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf-bytes")
}

func BenchmarkRender20(b *testing.B)  { benchmarkRender(b, 20) }
func BenchmarkRender200(b *testing.B) { benchmarkRender(b, 200) }

// BenchmarkRenderParallel renders 20-line invoices on every core through one shared Renderer.
func BenchmarkRenderParallel(b *testing.B) {
	r := mustRenderer(b)
	d := mustDoc(b, document.Invoice, 20)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			buf.Reset()
			if _, err := r.Render(context.Background(), &buf, d, Assets{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
