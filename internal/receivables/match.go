package receivables

import (
	"sort"

	"reportapp/internal/bank"
	"reportapp/internal/document"
)

// Statuses of a bank statement line.
const (
	LineMatched   = "matched"   // one open invoice, exact amount, payer recognised
	LineSuggested = "suggested" // a likely match the user must confirm
	LineUnmatched = "unmatched"
	LineDuplicate = "duplicate" // this deposit was imported before
)

// OpenInvoice is an issued invoice with a balance left.
type OpenInvoice struct {
	ID         string
	CustomerID string
	Number     string
	IssueDate  document.Date
	DueDate    *document.Date
	Balance    int64
}

// dueKey orders invoices oldest due first (no due date: by issue date), then by number.
func (o OpenInvoice) dueKey() string {
	if o.DueDate != nil && !o.DueDate.IsZero() {
		return o.DueDate.String() + o.Number
	}
	return o.IssueDate.String() + o.Number
}

// SortOldestDue sorts invoices oldest due first.
func SortOldestDue(invs []OpenInvoice) {
	sort.SliceStable(invs, func(i, j int) bool { return invs[i].dueKey() < invs[j].dueKey() })
}

// Payer is a customer with the names a bank may write for it.
type Payer struct {
	CustomerID string
	Names      []string // name_kana, the name, and spellings learned from confirmed matches
}

// Match is the proposal for one deposit.
type Match struct {
	Status      string
	DocumentIDs []string // oldest due first
	Fee         int64
}

// maxSumInvoices bounds the invoices of one customer the sum rule combines.
const maxSumInvoices = 30

// Matcher matches deposits against an organisation's open invoices. Build it once per statement
// with NewMatcher; Match then proposes a match for each deposit in turn, and an invoice proposed
// for one deposit is not proposed for a later one.
type Matcher struct {
	fees       []int64
	byBalance  map[int64][]*OpenInvoice
	byCustomer map[string][]*OpenInvoice
	exact      map[string][]string // NameKey → customer ids
	prefix     map[string][]string // first 4 runes of NameKey → customer ids (keys of ≥ 4 runes)
	names      map[string][]string // customer id → names
	taken      map[string]bool
}

// NewMatcher indexes the invoices (all of one organisation) and the payers' names.
func NewMatcher(invoices []OpenInvoice, payers []Payer, fees []int64) *Matcher {
	m := &Matcher{fees: fees, byBalance: map[int64][]*OpenInvoice{}, byCustomer: map[string][]*OpenInvoice{},
		exact: map[string][]string{}, prefix: map[string][]string{}, names: map[string][]string{}, taken: map[string]bool{}}
	invs := make([]OpenInvoice, len(invoices))
	copy(invs, invoices)
	SortOldestDue(invs)
	for i := range invs {
		inv := &invs[i]
		if inv.Balance <= 0 {
			continue
		}
		m.byBalance[inv.Balance] = append(m.byBalance[inv.Balance], inv)
		m.byCustomer[inv.CustomerID] = append(m.byCustomer[inv.CustomerID], inv)
	}
	for _, p := range payers {
		for _, n := range p.Names {
			k := bank.NameKey(n)
			if k == "" {
				continue
			}
			m.names[p.CustomerID] = append(m.names[p.CustomerID], n)
			m.exact[k] = appendOnce(m.exact[k], p.CustomerID)
			if r := []rune(k); len(r) >= 4 {
				m.prefix[string(r[:4])] = appendOnce(m.prefix[string(r[:4])], p.CustomerID)
			}
		}
	}
	return m
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// recognised returns the customers whose names match the payer's, without scanning them all:
// an equal key, or a known key of four or more runes found at some position of the payer's.
func (m *Matcher) recognised(payer string) map[string]bool {
	out := map[string]bool{}
	k := bank.NameKey(payer)
	if k == "" {
		return out
	}
	for _, id := range m.exact[k] {
		out[id] = true
	}
	r := []rune(k)
	for i := 0; i+4 <= len(r); i++ {
		for _, id := range m.prefix[string(r[i:i+4])] {
			if out[id] {
				continue
			}
			for _, n := range m.names[id] {
				if bank.NamesMatch(payer, n) {
					out[id] = true
					break
				}
			}
		}
	}
	return out
}

// open returns the invoices of balance b not yet proposed, the recognised customers' first.
func (m *Matcher) open(b int64, known map[string]bool) (mine, others []*OpenInvoice) {
	for _, inv := range m.byBalance[b] {
		if m.taken[inv.ID] {
			continue
		}
		if known[inv.CustomerID] {
			mine = append(mine, inv)
		} else {
			others = append(others, inv)
		}
	}
	return mine, others
}

// Match proposes a match for a deposit, by these rules in order:
//  1. the exact balance of open invoices: one of a recognised payer's is matched; several of
//     theirs, or one of someone else's when the payer is not recognised, are suggested;
//  2. a balance less one of the transfer fees (the payer deducted it): suggested with that fee,
//     the recognised payer's invoices first;
//  3. several open invoices of one recognised customer adding up to the deposit (oldest due
//     first; with or without a fee): suggested;
//
// else unmatched. A cancelled or paid invoice is never open, so it is never proposed.
func (m *Matcher) Match(d bank.Deposit) Match {
	known := m.recognised(d.PayerName)
	mine, others := m.open(d.Amount, known)
	switch {
	case len(mine) == 1:
		return m.take(LineMatched, 0, mine[0])
	case len(mine) > 1:
		return m.take(LineSuggested, 0, mine[0])
	case len(others) == 1 && len(known) == 0:
		return m.take(LineSuggested, 0, others[0])
	}
	for _, fee := range m.fees {
		mine, others := m.open(d.Amount+fee, known)
		switch {
		case len(mine) > 0:
			return m.take(LineSuggested, fee, mine[0])
		case len(others) == 1 && len(known) == 0:
			return m.take(LineSuggested, fee, others[0])
		}
	}
	ids := make([]string, 0, len(known))
	for id := range known {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, fee := range append([]int64{0}, m.fees...) {
		for _, id := range ids {
			if invs := m.sumOf(id, d.Amount+fee); invs != nil {
				return m.take(LineSuggested, fee, invs...)
			}
		}
	}
	return Match{Status: LineUnmatched, DocumentIDs: []string{}}
}

// sumOf finds open invoices of a customer whose balances add up to total: the oldest due first
// (a payer settles the oldest first), else any pair.
func (m *Matcher) sumOf(customerID string, total int64) []*OpenInvoice {
	var invs []*OpenInvoice
	for _, inv := range m.byCustomer[customerID] {
		if !m.taken[inv.ID] {
			invs = append(invs, inv)
		}
		if len(invs) == maxSumInvoices {
			break
		}
	}
	if len(invs) < 2 {
		return nil
	}
	var sum int64
	for i, inv := range invs {
		sum += inv.Balance
		if sum == total && i >= 1 {
			return invs[:i+1]
		}
		if sum > total {
			break
		}
	}
	for i := range invs {
		for j := i + 1; j < len(invs); j++ {
			if invs[i].Balance+invs[j].Balance == total {
				return []*OpenInvoice{invs[i], invs[j]}
			}
		}
	}
	return nil
}

func (m *Matcher) take(status string, fee int64, invs ...*OpenInvoice) Match {
	ids := make([]string, len(invs))
	for i, inv := range invs {
		ids[i] = inv.ID
		m.taken[inv.ID] = true
	}
	return Match{Status: status, DocumentIDs: ids, Fee: fee}
}

// Allocation is the part of a deposit recorded as the payment of one invoice.
type Allocation struct {
	DocumentID string
	Amount     int64
	Fee        int64
}

// Split divides a deposit of amount, from which the payer deducted fee, over invoices (oldest
// due first, as given): each takes up to its balance, and the fee goes with the last one. It
// reports false when the deposit and fee are more than the balances together (the payments would
// make a balance negative), or when nothing would be left for the fee's payment to record.
func Split(amount, fee int64, invs []OpenInvoice) ([]Allocation, bool) {
	left := amount + fee
	var out []Allocation
	for _, inv := range invs {
		if left == 0 {
			break
		}
		c := min(inv.Balance, left)
		if c <= 0 {
			continue
		}
		out = append(out, Allocation{DocumentID: inv.ID, Amount: c})
		left -= c
	}
	if left > 0 || len(out) == 0 {
		return nil, false
	}
	// The fee is borne on the last payment; when that one is smaller than the fee, the earlier
	// ones carry the rest.
	rest := fee
	for i := len(out) - 1; i >= 0 && rest > 0; i-- {
		f := min(rest, out[i].Amount-1) // a payment records at least 1 yen received
		if f < 0 {
			f = 0
		}
		out[i].Amount -= f
		out[i].Fee = f
		rest -= f
	}
	if rest > 0 {
		return nil, false
	}
	return out, true
}
