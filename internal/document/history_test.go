package document

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChangesOfLines(t *testing.T) {
	line := func(name string, price int64) Item {
		return Item{Name: name, Quantity: 1000, UnitPrice: price, TaxRate: 10, TaxCategory: CategoryStandard, Amount: price}
	}
	a, b, c, x := line("A", 100), line("B", 200), line("C", 300), line("X", 900)
	many := make([]Item, maxLineChanges+1)
	for i := range many {
		many[i] = line(fmt.Sprint("品目", i), int64(i))
	}
	tests := []struct {
		name          string
		before, after []Item
		want          []string
	}{
		{"same", []Item{a, b}, []Item{a, b}, nil},
		{"inserted in the middle", []Item{a, c}, []Item{a, b, c}, []string{"lines[+]: ∅ → B 1 × 200 (10%)"}},
		{"removed from the middle", []Item{a, b, c}, []Item{a, c}, []string{"lines[2]: B 1 × 200 (10%) → ∅"}},
		{"changed in place", []Item{a, b, c}, []Item{a, x, c}, []string{
			"lines[2].name: B → X", "lines[2].unit_price: 200 → 900", "lines[2].amount: 200 → 900"}},
		{"moved to the end", []Item{a, b, c}, []Item{b, c, a}, []string{"lines[1]: A 1 × 100 (10%) → ∅", "lines[+]: ∅ → A 1 × 100 (10%)"}},
		{"too many to list", nil, many, []string{"lines: 0 → 51"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, ch := range lineChangesCapped(tt.before, tt.after) {
				got = append(got, changeText(ch))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChangesOfHeaderAndStatus(t *testing.T) {
	num := "INV-0001"
	draft := Document{Kind: Invoice, Status: Draft, Subject: "11月分", TaxRounding: Floor, IssueDate: mustDate(t, "2026-11-27")}
	issued := draft
	issued.Status, issued.Number = Issued, &num
	issued.DueDate = new(Date)
	*issued.DueDate = mustDate(t, "2026-12-31")
	var got []string
	for _, ch := range Changes(&draft, &issued) {
		got = append(got, changeText(ch))
	}
	want := []string{"status: draft → issued", "number: ∅ → INV-0001", "due_date: ∅ → 2026-12-31"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := Changes(&draft, nil); got == nil || len(got) != 0 {
		t.Errorf("Changes to nothing = %#v, want an empty list", got)
	}
}

func lineChangesCapped(b, a []Item) []Change {
	return Changes(&Document{Items: b}, &Document{Items: a})
}

func changeText(c Change) string {
	v := func(s *string) string {
		if s == nil {
			return "∅"
		}
		return *s
	}
	return c.Field + ": " + v(c.Before) + " → " + v(c.After)
}
