package store_test

import (
	"reflect"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// TestReceivablesKeptAsRecorded: the aging read from the sums kept on the open invoices
// (documents_aging, 00280) is the aging summed from the payments and credit notes, as of days
// before, on and after each payment, credit note, issue and due date (the buckets' edges
// included): partial, full and later payments, an invoice credited after it was paid, a voided one, credit notes before
// and after the day, a cancelled invoice, one without a due date, one issued after the day, and
// invoices of one customer sharing a due date.
func TestReceivablesKeptAsRecorded(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org, other := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		a, b, c := mustCustomer(t, db, org.ID, "A社"), mustCustomer(t, db, org.ID, "B社"), mustCustomer(t, db, org.ID, "C社")
		i1 := mustInvoice(t, db, org.ID, a.ID, "2026-09-01", "2026-09-30", 10000)
		mustInvoice(t, db, org.ID, a.ID, "2026-09-10", "2026-09-30", 20000) // the same due date as i1
		i2 := mustInvoice(t, db, org.ID, a.ID, "2026-10-01", "2026-10-31", 30000)
		mustPay(t, db, org.ID, i2.ID, "2026-11-05", 10000, 0)
		mustPay(t, db, org.ID, i2.ID, "2026-12-20", 23000, 0)     // paid in full, later
		mustInvoice(t, db, org.ID, b.ID, "2026-11-01", "", 40000) // no due date
		i5 := mustInvoice(t, db, org.ID, b.ID, "2026-11-01", "2026-11-30", 5000)
		mustPay(t, db, org.ID, i5.ID, "2026-11-20", 5500, 0) // paid in full, then credited below: overpaid
		i6 := mustInvoice(t, db, org.ID, b.ID, "2026-08-01", "2026-08-31", 7000)
		if _, err := db.CancelDocument(ctx, org.ID, "tester", i6.ID); err != nil {
			t.Fatal(err)
		}
		mustInvoice(t, db, org.ID, c.ID, "2027-01-10", "2027-02-28", 50000) // issued later
		i8 := mustInvoice(t, db, org.ID, c.ID, "2026-06-01", "2026-06-30", 60000)
		p := mustPay(t, db, org.ID, i8.ID, "2026-07-01", 66000, 0)
		if _, err := db.VoidPayment(ctx, org.ID, "tester", p.ID, "誤登録"); err != nil {
			t.Fatal(err)
		}
		mustPay(t, db, org.ID, i8.ID, "2026-12-31", 1000, 110)
		for _, cn := range []struct {
			of   document.Document
			date string
		}{{i1, "2026-10-15"}, {i1, "2027-01-05"}, {i8, "2026-09-01"}, {i5, "2026-12-01"}} {
			credit := creditOf(t, a.ID, cn.of.ID)
			credit.CustomerID = cn.of.CustomerID
			credit.IssueDate = mustDate(t, cn.date)
			mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, credit).ID)
		}
		oc := mustCustomer(t, db, other.ID, "X")
		mustInvoice(t, db, other.ID, oc.ID, "2026-09-01", "2026-09-30", 99999)

		for _, day := range []string{"2026-05-31", "2026-06-30", "2026-07-01", "2026-08-31", "2026-09-01", "2026-09-30",
			"2026-10-01", "2026-10-15", "2026-10-30", "2026-10-31", "2026-11-01", "2026-11-05", "2026-11-20", "2026-11-30",
			"2026-12-01", "2026-12-19", "2026-12-20", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04", "2027-01-05",
			"2027-01-09", "2027-01-10", "2027-03-31", "2030-01-01"} {
			asOf := mustDate(t, day)
			got, err := db.Receivables(ctx, org.ID, asOf)
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.ReceivablesFromRecords(ctx, org.ID, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("as of %s: from the kept sums\n%+v\nfrom the records\n%+v", day, got, want)
			}
		}
		// A day on which something is still owed, to show the comparison compares something.
		got, err := db.Receivables(ctx, org.ID, mustDate(t, "2026-12-01"))
		if err != nil || got.Total == 0 || len(got.Customers) != 3 {
			t.Errorf("aging on 2026-12-01: %+v, %v", got, err)
		}
	})
}
