package receivables

import (
	"sort"

	"reportapp/internal/document"
)

// OpenItem is an invoice's open balance as of a date, for aging.
type OpenItem struct {
	CustomerID string
	Name       string
	DueDate    *document.Date
	Balance    int64
}

// BucketTotals are sums per aging bucket; every bucket is present.
type BucketTotals map[string]int64

func newBucketTotals() BucketTotals {
	b := BucketTotals{}
	for _, k := range Buckets() {
		b[k] = 0
	}
	return b
}

// CustomerAging is one customer's open balances.
type CustomerAging struct {
	CustomerID    string         `json:"customer_id"`
	Name          string         `json:"name"`
	Total         int64          `json:"total"`
	Buckets       BucketTotals   `json:"buckets"`
	OldestDueDate *document.Date `json:"oldest_due_date"`
}

// Aging is the 売掛金 of an organisation as of a date.
type Aging struct {
	AsOf      document.Date   `json:"as_of"`
	Total     int64           `json:"total"`
	Buckets   BucketTotals    `json:"buckets"`
	Customers []CustomerAging `json:"customers"` // by total, largest first
}

// AgeItems sums open balances (items with a balance ≤ 0 are left out) by bucket as of asOf,
// overall and per customer; customers are sorted by total descending, then by name.
func AgeItems(asOf document.Date, items []OpenItem) Aging {
	out := Aging{AsOf: asOf, Buckets: newBucketTotals(), Customers: []CustomerAging{}}
	byID := map[string]int{}
	for _, it := range items {
		if it.Balance <= 0 {
			continue
		}
		b := Bucket(it.DueDate, asOf)
		out.Total += it.Balance
		out.Buckets[b] += it.Balance
		i, ok := byID[it.CustomerID]
		if !ok {
			i = len(out.Customers)
			byID[it.CustomerID] = i
			out.Customers = append(out.Customers, CustomerAging{CustomerID: it.CustomerID, Name: it.Name, Buckets: newBucketTotals()})
		}
		c := &out.Customers[i]
		c.Total += it.Balance
		c.Buckets[b] += it.Balance
		if it.DueDate != nil && !it.DueDate.IsZero() && (c.OldestDueDate == nil || it.DueDate.Before(*c.OldestDueDate)) {
			d := *it.DueDate
			c.OldestDueDate = &d
		}
	}
	sort.SliceStable(out.Customers, func(i, j int) bool {
		a, b := out.Customers[i], out.Customers[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Name < b.Name
	})
	return out
}
