package pdf

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"reportapp/internal/document"
)

// Pool bounds concurrent renders so that a burst of PDF requests keeps memory flat: at most
// workers renders run at once and at most queue callers wait for one; the rest are turned away
// with ErrBusy at once.
type Pool struct {
	r       *Renderer
	running chan struct{} // a token per running render
	waiting chan struct{} // a token per caller waiting to run
}

// NewPool returns a Pool over r running at most workers renders at once (runtime.NumCPU() when
// workers ≤ 0) with at most queue callers waiting (none when queue ≤ 0).
func NewPool(r *Renderer, workers, queue int) *Pool {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	return &Pool{r: r, running: make(chan struct{}, workers), waiting: make(chan struct{}, max(queue, 0))}
}

// Render renders like Renderer.Render once a worker is free. It returns an error wrapping
// ErrBusy when the queue is full, or when ctx ends while waiting (then wrapping ctx.Err() too).
func (p *Pool) Render(ctx context.Context, w io.Writer, doc document.Document, a Assets) (Result, error) {
	select {
	case p.running <- struct{}{}:
	default:
		select {
		case p.waiting <- struct{}{}:
		default:
			return Result{}, ErrBusy
		}
		select {
		case p.running <- struct{}{}:
			<-p.waiting
		case <-ctx.Done():
			<-p.waiting
			return Result{}, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
		}
	}
	defer func() { <-p.running }()
	return p.r.Render(ctx, w, doc, a)
}

// NormalizeImage is Renderer.NormalizeImage.
func (p *Pool) NormalizeImage(ctx context.Context, data []byte) ([]byte, error) {
	return p.r.NormalizeImage(ctx, data)
}

// CheckAssets renders a sample invoice with a, through the pool, so that an image the PDF writer
// cannot draw is refused when it is uploaded instead of failing every PDF of the organisation
// later. It returns the render's error (ErrBusy when the pool is full).
func (p *Pool) CheckAssets(ctx context.Context, a Assets) error {
	_, err := p.Render(ctx, io.Discard, sampleDocument(), a)
	return err
}

// sampleDocument is a small issued invoice with every block that carries an image.
func sampleDocument() document.Document {
	number := "INV-0001"
	d := document.Document{
		Kind:            document.Invoice,
		Status:          document.Issued,
		Number:          &number,
		Customer:        &document.Counterparty{Name: "株式会社サンプル", Honorific: document.HonorificOnchu},
		Issuer:          &document.Issuer{Name: "サンプル商事株式会社", Address: "東京都千代田区千代田1-1"},
		IssueDate:       document.Date{Year: 2025, Month: 4, Day: 1},
		TransactionDate: &document.Date{Year: 2025, Month: 4, Day: 1},
		Items:           []document.Item{{Name: "サンプル", Quantity: document.QuantityScale, UnitPrice: 1000, TaxRate: document.RateStandard}},
	}
	_ = document.ComputeTotals(&d)
	return d
}
