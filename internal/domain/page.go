package domain

// Page sizes of lists.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// Page selects one page of a list: at most Limit items after the position Cursor names. It is
// separate from what the list selects (a search's criteria), so the same criteria can be paged,
// counted or exported.
type Page struct {
	Limit  int    // DefaultPageLimit when ≤ 0, at most MaxPageLimit
	Cursor string // opaque, from a previous page; "" is the first page
}

// Size returns the number of items the page holds: Limit clamped to 1..MaxPageLimit, with
// DefaultPageLimit for none.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageLimit
	case p.Limit > MaxPageLimit:
		return MaxPageLimit
	}
	return p.Limit
}
