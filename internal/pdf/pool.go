package pdf

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"time"

	"reportapp/internal/document"
)

// Pool bounds concurrent renders so that a burst of PDF requests keeps memory flat: at most
// workers renders run at once, and the other callers wait for a worker — for as long as their
// context allows, at most wait — instead of being turned away by count. A waiting caller costs a
// goroutine, not a render's memory, so a burst is served in turn rather than refused.
type Pool struct {
	r       *Renderer
	running chan struct{} // a token per running render
	wait    time.Duration
	waiting atomic.Int64 // callers waiting for a worker (for tests and metrics)
}

// NewPool returns a Pool over r running at most workers renders at once (runtime.NumCPU() when
// workers ≤ 0), whose callers wait at most wait for a worker (only for their context when
// wait ≤ 0).
func NewPool(r *Renderer, workers int, wait time.Duration) *Pool {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	return &Pool{r: r, running: make(chan struct{}, workers), wait: wait}
}

// Render renders like Renderer.Render once a worker is free. It returns an error wrapping
// ErrBusy when no worker became free within the pool's wait, or when ctx ended first (then
// wrapping ctx.Err() too).
func (p *Pool) Render(ctx context.Context, w io.Writer, doc document.Document, a Assets) (Result, error) {
	select {
	case p.running <- struct{}{}:
	default:
		if err := p.waitForWorker(ctx); err != nil {
			return Result{}, err
		}
	}
	defer func() { <-p.running }()
	return p.r.Render(ctx, w, doc, a)
}

func (p *Pool) waitForWorker(ctx context.Context) error {
	p.waiting.Add(1)
	defer p.waiting.Add(-1)
	var timeout <-chan time.Time
	if p.wait > 0 {
		t := time.NewTimer(p.wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case p.running <- struct{}{}:
		return nil
	case <-timeout:
		return fmt.Errorf("%w: no renderer free within %v", ErrBusy, p.wait)
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
}

// NormalizeImage is Renderer.NormalizeImage.
func (p *Pool) NormalizeImage(ctx context.Context, data []byte) ([]byte, error) {
	return p.r.NormalizeImage(ctx, data)
}

// CheckAssets renders a sample invoice with a, through the pool, so that an image the PDF writer
// cannot draw is refused when it is uploaded instead of failing every PDF of the organisation
// later. It returns the render's error (ErrBusy when no renderer became free in time).
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
