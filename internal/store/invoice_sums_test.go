package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustSumsKept fails unless the paid and credited sums and the balance kept on every issued or
// cancelled invoice of the organisation equal those computed from its payments and credit
// notes, and returns how many invoices it compared.
func mustSumsKept(t testing.TB, db *store.DB, orgID string) int {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT d.id, d.paid, d.credited, COALESCE(d.amount_due, d.gross) - d.paid - d.credited,
		(SELECT COALESCE(SUM(p.amount + p.fee), 0) FROM payments p WHERE p.document_id = d.id AND p.voided_at IS NULL),
		(SELECT COALESCE(SUM(c.gross), 0) FROM documents c WHERE c.related_document_id = d.id
			AND c.kind = 'credit_note' AND c.status = 'issued'),
		COALESCE(d.amount_due, d.gross)
		FROM documents d WHERE d.org_id = '`+orgID+`' AND d.kind = 'invoice' AND d.status <> 'draft'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id                                    string
			paid, credited, balance, p, c, amount int64
		)
		if err := rows.Scan(&id, &paid, &credited, &balance, &p, &c, &amount); err != nil {
			t.Fatal(err)
		}
		if paid != p || credited != c || balance != amount-p-c {
			t.Errorf("invoice %s keeps paid %d, credited %d, balance %d; its records say %d, %d, %d",
				id, paid, credited, balance, p, c, amount-p-c)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// creditOf is a draft credit note of 1,100 yen against the customer's invoice.
func creditOf(t testing.TB, customerID, invoiceID string) document.Document {
	t.Helper()
	cn := newDraft(t, customerID, document.CreditNote, "2026-10-11", "返品", 1)
	cn.RelatedDocumentID = &invoiceID
	cn.Totals = document.Totals{Net: 1000, Tax: 100, Gross: 1100, AmountDue: 1100, ByRate: []document.RateTotal{{Rate: 10, Net: 1000, Tax: 100, Gross: 1100}}}
	return cn
}

// mustOrgAndCustomer is an organisation with one customer.
func mustOrgAndCustomer(t testing.TB, db *store.DB) (document.Organization, document.Customer) {
	t.Helper()
	org := mustOrg(t, db, "a")
	return org, mustCustomer(t, db, org.ID, "山田商事")
}

// TestInvoiceSumsFollowEveryWrite: the sums kept on an invoice's row follow each write that
// changes them — issuing it, a payment, a payment with a fee, a void, a credit note issued and
// cancelled, cancelling the invoice — and the payment-status search reads them.
func TestInvoiceSumsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org, c := mustOrgAndCustomer(t, db)
		past := document.Today(time.Now().AddDate(0, 0, -10), time.UTC).String()
		inv := mustInvoice(t, db, org.ID, c.ID, "2026-10-01", past, 100000) // 110,000 due
		other := mustInvoice(t, db, org.ID, c.ID, "2026-10-01", past, 1000)
		overdue := func() []string {
			t.Helper()
			docs, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{PaymentStatus: "overdue"}, domain.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range docs {
				ids = append(ids, d.ID)
			}
			return ids
		}
		var creditNote string
		steps := []struct {
			name  string
			write func()
			open  int // overdue invoices after it
		}{
			{"issued", func() {}, 2},
			{"paid in part", func() { mustPay(t, db, org.ID, inv.ID, "2026-10-10", 50000, 0) }, 2},
			{"paid in full with a fee", func() { mustPay(t, db, org.ID, other.ID, "2026-10-10", 990, 110) }, 1},
			{"a payment voided", func() {
				ps, err := db.ListPayments(ctx, org.ID, other.ID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.VoidPayment(ctx, org.ID, "tester", ps[0].ID, "誤登録"); err != nil {
					t.Fatal(err)
				}
			}, 2},
			{"a credit note issued", func() {
				cnDoc := mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, creditOf(t, c.ID, other.ID)).ID)
				creditNote = cnDoc.ID
			}, 1},
			{"the credit note cancelled", func() {
				if _, err := db.CancelDocument(ctx, org.ID, "tester", creditNote); err != nil {
					t.Fatal(err)
				}
			}, 2},
			{"the invoice cancelled", func() {
				if _, err := db.CancelDocument(ctx, org.ID, "tester", other.ID); err != nil {
					t.Fatal(err)
				}
			}, 1},
		}
		for _, s := range steps {
			s.write()
			if n := mustSumsKept(t, db, org.ID); n != 2 {
				t.Fatalf("%s: %d invoices compared, want 2", s.name, n)
			}
			if got := overdue(); len(got) != s.open {
				t.Errorf("%s: overdue %s, want %d invoices", s.name, strings.Join(got, ", "), s.open)
			}
		}
	})
}

// TestInvoiceSumsMigration: migration 00240 fills the sums of the invoices written before it
// from their payments (voided ones left out) and credit notes (cancelled ones left out).
func TestInvoiceSumsMigration(t *testing.T) {
	storetest.EachUnmigrated(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustMigrateTo(t, db, 239)
		org, c := "0190a0a0-0000-7000-8000-000000000001", "0190a0a0-0000-7000-8000-000000000002"
		inv, paidUp, draft := "0190a0a0-0000-7000-8000-000000000003", "0190a0a0-0000-7000-8000-000000000004", "0190a0a0-0000-7000-8000-000000000005"
		doc := func(id, kind, status, related string, gross int64) string {
			rel := "NULL"
			if related != "" {
				rel = "'" + related + "'"
			}
			return fmt.Sprintf(`INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name, issue_date, search_date,
				gross, search_text, related_document_id, version, created_at, updated_at, body) VALUES ('%s', '%s', '%s', '%s', '%s', 'c',
				'2026-03-01', '2026-03-01', %d, '', %s, 1, '2026-03-01T00:00:00.000000Z', '2026-03-01T00:00:00.000000Z',
				'{"due_date":"2026-03-31","totals":{"gross":%d,"amount_due":%d}}')`, id, org, kind, status, c, gross, rel, gross, gross)
		}
		pay := func(n int, docID string, amount, fee int64, voided bool) string {
			v := "NULL"
			if voided {
				v = "'2026-03-20T00:00:00.000000Z'"
			}
			return fmt.Sprintf(`INSERT INTO payments (id, org_id, document_id, date, amount, fee, method, created_at, created_by, voided_at)
				VALUES ('0190a0a0-0000-7000-8000-00000000010%d', '%s', '%s', '2026-03-10', %d, %d, 'cash', '2026-03-10T00:00:00.000000Z', 'u', %s)`,
				n, org, docID, amount, fee, v)
		}
		for _, stmt := range []string{
			`INSERT INTO organizations (id, slug, name, number_prefixes, created_at, updated_at) VALUES ('` + org + `', 'acme', 'acme', '{}',
				'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
			`INSERT INTO customers (id, org_id, name, created_at, updated_at) VALUES ('` + c + `', '` + org + `', 'c',
				'2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`,
			doc(inv, "invoice", "issued", "", 110000),
			doc(paidUp, "invoice", "issued", "", 1100),
			doc(draft, "invoice", "draft", "", 500),
			doc("0190a0a0-0000-7000-8000-000000000006", "credit_note", "issued", inv, 11000),
			doc("0190a0a0-0000-7000-8000-000000000007", "credit_note", "cancelled", inv, 5000),
			pay(1, inv, 30000, 0, false),
			pay(2, inv, 20000, 440, false),
			pay(3, inv, 7000, 0, true),
			pay(4, paidUp, 990, 110, false),
		} {
			if _, err := db.SQL().ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt[:40], err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := mustSumsKept(t, db, org); n != 2 {
			t.Fatalf("%d invoices compared, want 2", n)
		}
		var balance int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(amount_due, gross) - paid - credited FROM documents WHERE id = '`+inv+`'`).Scan(&balance); err != nil || balance != 110000-50440-11000 {
			t.Errorf("balance = %d, %v; want %d", balance, err, 110000-50440-11000)
		}
		for status, want := range map[string]string{"overdue": inv, "paid": paidUp} {
			docs, _, err := db.SearchDocuments(ctx, org, document.Filter{PaymentStatus: status, Today: mustDate(t, "2026-04-01")}, domain.Page{})
			if err != nil || len(docs) != 1 || docs[0].ID != want {
				t.Errorf("%s after the migration: %d documents, %v", status, len(docs), err)
			}
		}
	})
}

func mustMigrateTo(t testing.TB, db *store.DB, version int64) {
	t.Helper()
	if err := db.MigrateTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
}

// TestInvoiceSumsUnderConcurrentWrites: payments, voids, and credit notes issued and cancelled,
// of one invoice, written at once, leave its kept sums equal to its records: each write
// recomputes them under the invoice's row lock, after the writes before it have committed
// (without the lock, PostgreSQL kept half the payments and credit notes).
func TestInvoiceSumsUnderConcurrentWrites(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org, c := mustOrgAndCustomer(t, db)
		inv := mustInvoice(t, db, org.ID, c.ID, "2026-10-01", "2026-10-31", 100000) // 110,000 due
		cn := creditOf(t, c.ID, inv.ID)
		// Two credit notes to issue and two issued ones to cancel, at once.
		var credits []string
		for i := range 4 {
			id := mustCreateDoc(t, db, org.ID, cn).ID
			if i%2 == 1 {
				id = mustIssue(t, db, org.ID, id).ID
			}
			credits = append(credits, id)
		}
		voids := make([]string, 4)
		for i := range voids {
			voids[i] = mustPay(t, db, org.ID, inv.ID, "2026-10-05", 1000, 0).ID
		}
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 4 {
			wg.Go(func() {
				_, err := db.RecordPayment(ctx, org.ID, "tester", inv.ID, receivables.Payment{Date: mustDate(t, "2026-10-10"),
					Amount: 2000, Method: receivables.MethodBankTransfer})
				errs <- err
			})
			wg.Go(func() { _, err := db.VoidPayment(ctx, org.ID, "tester", voids[i], "重複"); errs <- err })
			wg.Go(func() {
				var err error
				if i%2 == 0 {
					_, err = db.IssueDocument(ctx, org.ID, "tester", credits[i])
				} else {
					_, err = db.CancelDocument(ctx, org.ID, "tester", credits[i])
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		mustSumsKept(t, db, org.ID)
		if _, paid, credited, balance := summary(t, db, org.ID, inv.ID); paid != 8000 || credited != 2200 || balance != 110000-8000-2200 {
			t.Errorf("paid %d, credited %d, balance %d; want 8000, 2200, %d", paid, credited, balance, 110000-8000-2200)
		}
	})
}
