package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"reportapp/internal/bank"
	"reportapp/internal/bank/banktest"
	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// mustInvoice issues an invoice of amount due gross (1 line: net + 10%), due on due ("" none).
func mustInvoice(t testing.TB, db *store.DB, orgID, customerID, issue, due string, net int64) document.Document {
	t.Helper()
	d := document.Document{Kind: document.Invoice, CustomerID: customerID, IssueDate: mustDate(t, issue), TaxRounding: document.Floor,
		Items:  []document.Item{{Name: "作業", Quantity: 1000, UnitPrice: net, TaxRate: 10, Amount: net}},
		Totals: document.Totals{ByRate: []document.RateTotal{{Rate: 10, Net: net, Tax: net / 10, Gross: net + net/10}}, Net: net, Tax: net / 10, Gross: net + net/10, AmountDue: net + net/10}}
	if due != "" {
		dd := mustDate(t, due)
		d.DueDate = &dd
	}
	return mustIssue(t, db, orgID, mustCreateDoc(t, db, orgID, d).ID)
}

func mustPay(t testing.TB, db *store.DB, orgID, docID, date string, amount, fee int64) receivables.Payment {
	t.Helper()
	p, err := db.RecordPayment(context.Background(), orgID, "tester", docID, receivables.Payment{Date: mustDate(t, date), Amount: amount, Fee: fee, Method: receivables.MethodBankTransfer})
	if err != nil {
		t.Fatalf("RecordPayment: %v", err)
	}
	return p
}

func summary(t testing.TB, db *store.DB, orgID, id string) (string, int64, int64, int64) {
	t.Helper()
	d, err := db.GetDocument(context.Background(), orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.PaymentStatus == nil {
		return "", 0, 0, 0
	}
	return *d.PaymentStatus, *d.PaidAmount, *d.CreditedAmount, *d.Balance
}

func TestPayments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org, other := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		c := mustCustomer(t, db, org.ID, "山田商事")
		future := document.Today(time.Now().AddDate(0, 1, 0), time.UTC).String()
		inv := mustInvoice(t, db, org.ID, c.ID, "2026-11-30", future, 100000) // 110,000 due

		if st, paid, cr, bal := summary(t, db, org.ID, inv.ID); st != "unpaid" || paid != 0 || cr != 0 || bal != 110000 {
			t.Fatalf("new invoice: %s %d %d %d", st, paid, cr, bal)
		}
		p1 := mustPay(t, db, org.ID, inv.ID, "2026-12-10", 50000, 0)
		if st, paid, _, bal := summary(t, db, org.ID, inv.ID); st != "partially_paid" || paid != 50000 || bal != 60000 {
			t.Errorf("partial: %s %d %d", st, paid, bal)
		}
		// Too much: refused on amount, nothing recorded.
		_, err := db.RecordPayment(ctx, org.ID, "tester", inv.ID, receivables.Payment{Date: mustDate(t, "2026-12-11"), Amount: 59900, Fee: 110, Method: "bank_transfer"})
		wantField(t, "overpayment", err, "amount")
		// Another organisation cannot see or pay it.
		_, err = db.RecordPayment(ctx, other.ID, "tester", inv.ID, receivables.Payment{Date: mustDate(t, "2026-12-11"), Amount: 1, Method: "cash"})
		wantCode(t, "other org", err, domain.ENotFound)
		if _, err := db.ListPayments(ctx, other.ID, inv.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org lists payments: %v", err)
		}
		if _, err := db.VoidPayment(ctx, other.ID, "x", p1.ID, "r"); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org voids: %v", err)
		}
		// Paid with a fee.
		mustPay(t, db, org.ID, inv.ID, "2026-12-12", 59890, 110)
		if st, paid, _, bal := summary(t, db, org.ID, inv.ID); st != "paid" || paid != 110000 || bal != 0 {
			t.Errorf("paid: %s %d %d", st, paid, bal)
		}
		// Void: counts no more, with a reason, once.
		_, err = db.VoidPayment(ctx, org.ID, "tester", p1.ID, " ")
		wantField(t, "void without reason", err, "reason")
		v, err := db.VoidPayment(ctx, org.ID, "voider", p1.ID, "二重登録")
		if err != nil || v.VoidedAt == nil || *v.VoidReason != "二重登録" || *v.VoidedBy != "voider" {
			t.Fatalf("void: %+v %v", v, err)
		}
		_, err = db.VoidPayment(ctx, org.ID, "tester", p1.ID, "again")
		wantCode(t, "void twice", err, domain.EConflict)
		if st, paid, _, bal := summary(t, db, org.ID, inv.ID); st != "partially_paid" || paid != 60000 || bal != 50000 {
			t.Errorf("after void: %s %d %d", st, paid, bal)
		}
		ps, err := db.ListPayments(ctx, org.ID, inv.ID)
		if err != nil || len(ps) != 2 || ps[0].VoidedAt == nil || ps[1].VoidedAt != nil {
			t.Errorf("list: %+v %v", ps, err)
		}
		// A credit note related to it reduces the balance.
		cn := newDraft(t, c.ID, document.CreditNote, "2026-12-13", "返品", 1)
		cn.RelatedDocumentID = &inv.ID
		cn.Totals = document.Totals{Net: 10000, Tax: 1000, Gross: 11000, AmountDue: 11000, ByRate: []document.RateTotal{{Rate: 10, Net: 10000, Tax: 1000, Gross: 11000}}}
		cnDoc := mustIssue(t, db, org.ID, mustCreateDoc(t, db, org.ID, cn).ID)
		if st, _, cr, bal := summary(t, db, org.ID, inv.ID); st != "partially_paid" || cr != 11000 || bal != 39000 {
			t.Errorf("after credit note: %s %d %d", st, cr, bal)
		}
		if st, _, _, _ := summary(t, db, org.ID, cnDoc.ID); st != "" {
			t.Errorf("a credit note has payment status %q", st)
		}
		// History: payment, payment, void, each by its actor.
		h, _, err := db.History(ctx, org.ID, inv.ID, domain.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range h {
			actions = append(actions, e.Action+":"+e.Actor.ID)
		}
		want := []string{"create:tester", "issue:tester", "payment:tester", "payment:tester", "payment_void:voider"}
		if len(actions) != len(want) {
			t.Fatalf("history %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Errorf("history %v, want %v", actions, want)
			}
		}
		// Not an issued invoice: conflict.
		draft := mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Invoice, "2026-12-01", "d", 1))
		_, err = db.RecordPayment(ctx, org.ID, "tester", draft.ID, receivables.Payment{Date: mustDate(t, "2026-12-11"), Amount: 1, Method: "cash"})
		wantCode(t, "draft", err, domain.EConflict)
		if _, err := db.CancelDocument(ctx, org.ID, "tester", cnDoc.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.RecordPayment(ctx, org.ID, "tester", cnDoc.ID, receivables.Payment{Date: mustDate(t, "2026-12-11"), Amount: 1, Method: "cash"})
		wantCode(t, "credit note", err, domain.EConflict)
		if _, _, cr, bal := summary(t, db, org.ID, inv.ID); cr != 0 || bal != 50000 {
			t.Errorf("after cancelling the credit note: credited %d balance %d", cr, bal)
		}
	})
}

func TestPaymentStatusSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "a")
		c := mustCustomer(t, db, org.ID, "c")
		paid := mustInvoice(t, db, org.ID, c.ID, "2026-11-01", "2026-11-30", 1000)
		mustPay(t, db, org.ID, paid.ID, "2026-11-20", 1100, 0)
		overdue := mustInvoice(t, db, org.ID, c.ID, "2026-11-01", "2026-12-15", 1000)
		partial := mustInvoice(t, db, org.ID, c.ID, "2026-11-01", "2026-12-31", 1000)
		mustPay(t, db, org.ID, partial.ID, "2026-12-01", 100, 0)
		unpaid := mustInvoice(t, db, org.ID, c.ID, "2026-11-01", "", 1000)
		mustCreateDoc(t, db, org.ID, newDraft(t, c.ID, document.Invoice, "2026-11-01", "draft", 1))
		today := mustDate(t, "2026-12-16")
		for status, want := range map[string]string{"paid": paid.ID, "overdue": overdue.ID, "partially_paid": partial.ID, "unpaid": unpaid.ID} {
			docs, _, err := db.SearchDocuments(ctx, org.ID, document.Filter{PaymentStatus: status, Today: today}, domain.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != 1 || docs[0].ID != want {
				t.Errorf("%s: %d documents", status, len(docs))
			}
		}
		// The due date is inclusive, compared in the calendar: on 12-15 it is not yet overdue.
		docs, _, _ := db.SearchDocuments(ctx, org.ID, document.Filter{PaymentStatus: "overdue", Today: mustDate(t, "2026-12-15")}, domain.Page{})
		if len(docs) != 0 {
			t.Errorf("overdue on the due date: %d", len(docs))
		}
		from, to := mustDate(t, "2026-12-01"), mustDate(t, "2026-12-31")
		docs, _, _ = db.SearchDocuments(ctx, org.ID, document.Filter{DueFrom: &from, DueTo: &to}, domain.Page{})
		if len(docs) != 2 {
			t.Errorf("due in December: %d, want 2", len(docs))
		}
	})
}

func TestReceivablesAging(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org, other := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		a, b := mustCustomer(t, db, org.ID, "A社"), mustCustomer(t, db, org.ID, "B社")
		mustInvoice(t, db, org.ID, a.ID, "2026-09-01", "2026-09-30", 10000)       // 11,000, over 90 on 12-31
		i2 := mustInvoice(t, db, org.ID, a.ID, "2026-12-01", "2027-01-31", 10000) // current
		mustPay(t, db, org.ID, i2.ID, "2026-12-20", 1000, 0)
		mustPay(t, db, org.ID, i2.ID, "2027-01-05", 5000, 0)                 // after as_of: not counted
		mustInvoice(t, db, org.ID, b.ID, "2026-11-01", "2026-11-30", 100000) // 110,000, 31_60
		mustInvoice(t, db, org.ID, b.ID, "2027-01-02", "2027-01-31", 100000) // issued after as_of
		oc := mustCustomer(t, db, other.ID, "X")
		mustInvoice(t, db, other.ID, oc.ID, "2026-11-01", "2026-11-30", 5)
		got, err := db.Receivables(ctx, org.ID, mustDate(t, "2026-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != 11000+10000+110000 || got.Buckets["over_90"] != 11000 || got.Buckets["current"] != 10000 || got.Buckets["31_60"] != 110000 {
			t.Errorf("aging %+v", got)
		}
		if len(got.Customers) != 2 || got.Customers[0].CustomerID != b.ID || got.Customers[1].Total != 21000 ||
			got.Customers[1].OldestDueDate.String() != "2026-09-30" {
			t.Errorf("customers %+v", got.Customers)
		}
	})
}

func TestBankStatementImportAndApply(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org, other := mustOrg(t, db, "a"), mustOrg(t, db, "b")
		yamada, err := db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "山田商事株式会社"}, NameKana: "ヤマダショウジ"})
		if err != nil {
			t.Fatal(err)
		}
		sato := mustCustomer(t, db, org.ID, "佐藤工業")
		i1 := mustInvoice(t, db, org.ID, yamada.ID, "2026-11-01", "2026-11-30", 100000) // 110,000
		i2 := mustInvoice(t, db, org.ID, sato.ID, "2026-11-01", "2026-11-30", 50000)    // 55,000
		i3 := mustInvoice(t, db, org.ID, sato.ID, "2026-11-05", "2026-12-31", 20000)    // 22,000
		oc := mustCustomer(t, db, other.ID, "Y")
		mustInvoice(t, db, other.ID, oc.ID, "2026-11-01", "2026-11-30", 12345) // 13,579 of another org

		file := banktest.File("01", []banktest.Deposit{
			{Ref: "1", Date: "081210", Amount: 110000, Payer: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"},
			{Ref: "2", Date: "081210", Amount: 54890, Payer: "ｻﾄｳｺｳｷﾞﾖｳ"},
			{Ref: "3", Date: "081211", Amount: 13579, Payer: "Y"},
		}, banktest.Trailer{}, "\r\n")
		parsed, err := bank.Parse(file, bank.Options{Today: mustDate(t, "2026-12-15")})
		if err != nil {
			t.Fatal(err)
		}
		st, err := db.ImportStatement(ctx, org.ID, "tester", "a.txt", parsed)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Lines) != 3 {
			t.Fatalf("lines %+v", st.Lines)
		}
		l := st.Lines
		if l[0].Status != "matched" || l[0].Match.DocumentIDs[0] != i1.ID ||
			l[1].Status != "suggested" || l[1].Match.DocumentIDs[0] != i2.ID || l[1].Match.Fee != 110 ||
			l[2].Status != "unmatched" {
			t.Errorf("proposals %+v", l)
		}
		if _, err := db.GetStatement(ctx, other.ID, st.ID); domain.ErrorCode(err) != domain.ENotFound {
			t.Errorf("other org reads the statement: %v", err)
		}
		// Apply the first as proposed, the second to both of 佐藤's invoices with no fee (a
		// different choice): 54,890 pays i2 in part, oldest due first.
		_, res, err := db.ApplyStatement(ctx, org.ID, "tester", st.ID, []store.ApplyMatch{
			{LineID: l[0].ID, DocumentIDs: []string{i1.ID}},
			{LineID: l[1].ID, DocumentIDs: []string{i3.ID, i2.ID}, Fee: 0},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Result != "recorded" || len(res[0].PaymentIDs) != 1 || res[1].Result != "recorded" || len(res[1].PaymentIDs) != 1 {
			t.Errorf("results %+v", res)
		}
		if s, _, _, bal := summary(t, db, org.ID, i1.ID); s != "paid" || bal != 0 {
			t.Errorf("i1 %s %d", s, bal)
		}
		if _, _, _, bal := summary(t, db, org.ID, i2.ID); bal != 110 {
			t.Errorf("i2 balance %d, want 110", bal)
		}
		// Twice: nothing more.
		st2, res, err := db.ApplyStatement(ctx, org.ID, "tester", st.ID, []store.ApplyMatch{{LineID: l[0].ID, DocumentIDs: []string{i1.ID}}})
		if err != nil || res[0].Result != "already_applied" || len(res[0].PaymentIDs) != 0 {
			t.Errorf("twice: %+v %v", res, err)
		}
		if len(st2.Lines[0].PaymentIDs) != 1 || st2.Lines[0].AppliedAt == nil {
			t.Errorf("line after apply: %+v", st2.Lines[0])
		}
		// An invoice of another organisation is not open here: rejected, nothing recorded.
		_, res, err = db.ApplyStatement(ctx, org.ID, "tester", st.ID, []store.ApplyMatch{{LineID: l[2].ID, DocumentIDs: []string{unknownID}}})
		if err != nil || res[0].Result != "rejected" {
			t.Errorf("unknown invoice: %+v %v", res, err)
		}
		_, _, err = db.ApplyStatement(ctx, org.ID, "tester", st.ID, []store.ApplyMatch{{LineID: unknownID, DocumentIDs: []string{i1.ID}}})
		wantField(t, "unknown line", err, "matches[0].line_id")
		// The bank's spelling was learned.
		names, err := db.PayerNames(ctx, org.ID, sato.ID)
		if err != nil || len(names) != 1 || names[0] != "ｻﾄｳｺｳｷﾞﾖｳ" {
			t.Errorf("payer names %v %v", names, err)
		}
		// Imported again: every line a duplicate; applying one records nothing.
		again, err := db.ImportStatement(ctx, org.ID, "tester", "a.txt", parsed)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range again.Lines {
			if l.Status != "duplicate" {
				t.Errorf("re-import line %d: %s", l.LineNo, l.Status)
			}
		}
		_, res, err = db.ApplyStatement(ctx, org.ID, "tester", again.ID, []store.ApplyMatch{{LineID: again.Lines[2].ID, DocumentIDs: []string{i3.ID}}})
		if err != nil || res[0].Result != "duplicate" {
			t.Errorf("apply duplicate: %+v %v", res, err)
		}
		// Another organisation importing the same file is not a duplicate of ours.
		theirs, err := db.ImportStatement(ctx, other.ID, "tester", "a.txt", parsed)
		if err != nil || theirs.Lines[0].Status == "duplicate" || theirs.Lines[2].Status != "matched" {
			t.Errorf("other org import: %+v %v", theirs.Lines, err)
		}
		// The payments applied from the statement are in the sums kept on the invoices.
		mustSumsKept(t, db, org.ID)
	})
}

// TestBankStatementConcurrentImports: the same file imported and applied twice at once records
// each payment once.
func TestBankStatementConcurrentImports(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := t.Context()
		org := mustOrg(t, db, "a")
		c, err := db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "田中"}, NameKana: "タナカ"})
		if err != nil {
			t.Fatal(err)
		}
		var deps []banktest.Deposit
		var invs []document.Document
		for i := range 5 {
			inv := mustInvoice(t, db, org.ID, c.ID, "2026-11-01", "2026-11-30", int64(1000*(i+1)))
			invs = append(invs, inv)
			deps = append(deps, banktest.Deposit{Ref: string(rune('1' + i)), Date: "081210", Amount: inv.Totals.AmountDue, Payer: "ﾀﾅｶ"})
		}
		parsed, err := bank.Parse(banktest.File("03", deps, banktest.Trailer{}, ""), bank.Options{Today: mustDate(t, "2026-12-15")})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				st, err := db.ImportStatement(ctx, org.ID, "tester", "f", parsed)
				if err != nil {
					t.Error(err)
					return
				}
				var ms []store.ApplyMatch
				for _, l := range st.Lines {
					ms = append(ms, store.ApplyMatch{LineID: l.ID, DocumentIDs: l.Match.DocumentIDs, Fee: l.Match.Fee})
				}
				// Apply each statement twice at once as well.
				var inner sync.WaitGroup
				for range 2 {
					inner.Go(func() {
						var valid []store.ApplyMatch
						for _, m := range ms {
							if len(m.DocumentIDs) > 0 {
								valid = append(valid, m)
							}
						}
						if _, _, err := db.ApplyStatement(ctx, org.ID, "tester", st.ID, valid); err != nil {
							t.Error(err)
						}
					})
				}
				inner.Wait()
			})
		}
		wg.Wait()
		for _, inv := range invs {
			ps, err := db.ListPayments(ctx, org.ID, inv.ID)
			if err != nil || len(ps) != 1 {
				t.Errorf("invoice %s: %d payments, want 1 (%v)", *inv.Number, len(ps), err)
			}
		}
	})
}
