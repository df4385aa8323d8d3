package web

import (
	"sync/atomic"

	"github.com/maypok86/otter/v2"
)

// A page that revalidates (view.Revalidate) is also kept, rendered, in a cache by the hash its
// tag is made from (pageSum): the tag already promises that the same inputs give the same bytes,
// which is what lets a browser's copy be answered 304, so a view whose inputs hash alike is
// served the bytes rendered for the first without executing the template again. That is a
// browser without the page (another tab or device, a cleared cache, a reload that bypasses the
// cache) asking for a page the same viewer was shown in the same state. The store is read for
// every view as before, so a payment, a cancellation or a change of role gives another hash and
// a fresh render; the entry of the old state ages out. Each replica has its own cache; a new
// release starts empty (the executable is in the hash).

const (
	// pageCacheBytes bounds the memory of the kept pages: the sum of their lengths plus
	// pageCacheEntryCost each. The document page of a 20-line invoice is about 10 KB, so some
	// 1,500 pages fit.
	pageCacheBytes = 16 << 20
	// pageCacheMaxPage: a page longer than this (a document of hundreds of lines) is not kept.
	pageCacheMaxPage = 512 << 10
	// pageCacheEntryCost is what one entry costs besides the page: its key, the slice header
	// and the cache's node, rounded up.
	pageCacheEntryCost = 128
)

// pageCache holds rendered pages by their pageSum.
type pageCache struct {
	c *otter.Cache[[32]byte, []byte]
	// renders counts the templates executed for pages that could be kept (the misses), so that
	// a test can tell a kept page from a rendered one.
	renders atomic.Int64
}

func newPageCache() *pageCache {
	return &pageCache{c: otter.Must(&otter.Options[[32]byte, []byte]{
		MaximumWeight: pageCacheBytes,
		Weigher:       func(_ [32]byte, page []byte) uint32 { return uint32(len(page) + pageCacheEntryCost) },
	})}
}

// get returns the page kept under sum. A nil cache keeps nothing.
func (c *pageCache) get(sum [32]byte) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	return c.c.GetIfPresent(sum)
}

// put keeps a copy of page under sum, unless it is longer than pageCacheMaxPage.
func (c *pageCache) put(sum [32]byte, page []byte) {
	if c == nil {
		return
	}
	c.renders.Add(1)
	if len(page) <= pageCacheMaxPage {
		c.c.Set(sum, append([]byte(nil), page...))
	}
}
