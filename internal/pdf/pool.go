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
