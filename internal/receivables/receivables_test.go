package receivables

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"reportapp/internal/bank"
	"reportapp/internal/document"
	"reportapp/internal/domain"
)

func day(y int, m time.Month, d int) *document.Date { return &document.Date{Year: y, Month: m, Day: d} }

func TestSummarize(t *testing.T) {
	due := day(2026, 12, 31)
	tests := []struct {
		name           string
		amountDue      int64
		paid, credited int64
		due            *document.Date
		today          document.Date
		balance        int64
		status         string
	}{
		{"nothing paid", 100000, 0, 0, due, *day(2026, 12, 15), 100000, StatusUnpaid},
		{"partial", 100000, 40000, 0, due, *day(2026, 12, 15), 60000, StatusPartiallyPaid},
		{"full", 100000, 100000, 0, due, *day(2026, 12, 15), 0, StatusPaid},
		{"full with fee (99,890 + 110)", 100000, 99890 + 110, 0, due, *day(2026, 12, 15), 0, StatusPaid},
		{"credit note closes it", 100000, 60000, 40000, due, *day(2027, 1, 15), 0, StatusPaid},
		{"credit note alone is not a payment", 100000, 0, 40000, due, *day(2026, 12, 15), 60000, StatusUnpaid},
		{"voided payment counts no more", 100000, 0, 0, due, *day(2026, 12, 15), 100000, StatusUnpaid},
		{"due today is not overdue", 100000, 0, 0, due, *day(2026, 12, 31), 100000, StatusUnpaid},
		{"a day after due", 100000, 0, 0, due, *day(2027, 1, 1), 100000, StatusOverdue},
		{"partial and overdue", 100000, 1, 0, due, *day(2027, 1, 1), 99999, StatusOverdue},
		{"paid beats overdue", 100000, 100000, 0, due, *day(2027, 3, 1), 0, StatusPaid},
		{"no due date never overdue", 100000, 0, 0, nil, *day(2030, 1, 1), 100000, StatusUnpaid},
	}
	for _, tt := range tests {
		s := Summarize(tt.amountDue, tt.paid, tt.credited, tt.due, tt.today)
		if s.Balance != tt.balance || s.Status != tt.status || s.Paid != tt.paid || s.Credited != tt.credited {
			t.Errorf("%s: got %+v, want balance %d status %s", tt.name, s, tt.balance, tt.status)
		}
	}
}

// TestOverdueAcrossMidnight: the due date is a date in the organisation's zone, so an invoice due
// 2026-12-31 turns overdue at midnight in Tokyo, 15:00 UTC.
func TestOverdueAcrossMidnight(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	due := day(2026, 12, 31)
	for _, tt := range []struct {
		utc  time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 14, 59, 59, 0, time.UTC), StatusUnpaid},
		{time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC), StatusOverdue},
	} {
		today := document.Today(tt.utc, tokyo)
		if got := Summarize(1000, 0, 0, due, today).Status; got != tt.want {
			t.Errorf("at %s (Tokyo %s): %s, want %s", tt.utc, today, got, tt.want)
		}
	}
}

func TestBucket(t *testing.T) {
	due := day(2026, 10, 31)
	for _, tt := range []struct {
		asOf *document.Date
		want string
	}{
		{day(2026, 10, 1), BucketCurrent},
		{day(2026, 10, 31), BucketCurrent},
		{day(2026, 11, 1), Bucket1To30},
		{day(2026, 11, 30), Bucket1To30},
		{day(2026, 12, 1), Bucket31To60},
		{day(2026, 12, 30), Bucket31To60},
		{day(2026, 12, 31), Bucket61To90},
		{day(2027, 1, 29), Bucket61To90},
		{day(2027, 1, 30), BucketOver90},
	} {
		if got := Bucket(due, *tt.asOf); got != tt.want {
			t.Errorf("Bucket(due %s, as of %s) = %s, want %s", due, tt.asOf, got, tt.want)
		}
	}
	if got := Bucket(nil, *day(2030, 1, 1)); got != BucketCurrent {
		t.Errorf("no due date: %s", got)
	}
}

func TestValidatePayment(t *testing.T) {
	ok := Payment{Date: *day(2026, 12, 10), Amount: 1, Method: MethodCash}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, p := range map[string]Payment{
		"date":   {Amount: 1, Method: MethodCash},
		"amount": {Date: ok.Date, Amount: 0, Method: MethodCash},
		"fee":    {Date: ok.Date, Amount: 1, Fee: -1, Method: MethodCash},
		"method": {Date: ok.Date, Amount: 1, Method: "cheque"},
	} {
		fe, _ := p.Validate().(*domain.Error)
		if fe == nil || fe.Fields[field] == "" {
			t.Errorf("%s: %v", field, p.Validate())
		}
	}
}

func TestMatch(t *testing.T) {
	inv := func(id, cust string, due int, bal int64) OpenInvoice {
		return OpenInvoice{ID: id, CustomerID: cust, Number: id, IssueDate: *day(2026, 11, 1), DueDate: day(2026, 12, due), Balance: bal}
	}
	invoices := []OpenInvoice{
		inv("A1", "yamada", 31, 100000),
		inv("B1", "sato", 31, 55000),
		inv("B2", "sato", 15, 22000),
		inv("C1", "suzuki", 31, 33000),
		inv("C2", "suzuki", 20, 33000),
		inv("D1", "tanaka", 31, 77777),
		inv("E0", "other", 31, 0), // paid: never proposed
	}
	payers := []Payer{
		{CustomerID: "yamada", Names: []string{"山田商事株式会社", "ヤマダショウジ"}},
		{CustomerID: "sato", Names: []string{"佐藤工業有限会社", "サトウコウギョウ"}},
		{CustomerID: "suzuki", Names: []string{"スズキ", "ｽｽﾞｷｼﾖｳﾃﾝ"}},
		{CustomerID: "tanaka", Names: []string{"タナカ"}},
	}
	tests := []struct {
		name string
		dep  bank.Deposit
		want Match
	}{
		{"exact, payer recognised", bank.Deposit{Amount: 100000, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ(ｶ"}, Match{LineMatched, []string{"A1"}, 0}},
		{"fee deducted", bank.Deposit{Amount: 54780, PayerName: "ﾕ)ｻﾄｳｺｳｷﾞﾖｳ"}, Match{LineSuggested, []string{"B1"}, 220}},
		{"two invoices, oldest due first", bank.Deposit{Amount: 77000, PayerName: "ｻﾄｳｺｳｷﾞﾖｳ(ﾕ"}, Match{LineSuggested, []string{"B2", "B1"}, 0}},
		{"two invoices less a fee", bank.Deposit{Amount: 76890, PayerName: "ｻﾄｳｺｳｷﾞﾖｳ"}, Match{LineSuggested, []string{"B2", "B1"}, 110}},
		{"same amount twice: oldest suggested", bank.Deposit{Amount: 33000, PayerName: "ｽｽﾞｷ"}, Match{LineSuggested, []string{"C2"}, 0}},
		{"payer unknown, one invoice of the amount", bank.Deposit{Amount: 77777, PayerName: "ﾌﾒｲ"}, Match{LineSuggested, []string{"D1"}, 0}},
		{"exact amount of someone else's invoice, payer known", bank.Deposit{Amount: 77777, PayerName: "ﾔﾏﾀﾞｼﾖｳｼﾞ"}, Match{LineUnmatched, []string{}, 0}},
		{"nothing", bank.Deposit{Amount: 12345, PayerName: "ﾀﾅｶ"}, Match{LineUnmatched, []string{}, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMatcher(invoices, payers, DefaultTransferFees())
			if diff := cmp.Diff(tt.want, m.Match(tt.dep)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// One statement: an invoice proposed for a deposit is not proposed again.
	m := NewMatcher(invoices, payers, DefaultTransferFees())
	first, second := m.Match(bank.Deposit{Amount: 33000, PayerName: "ｽｽﾞｷ"}), m.Match(bank.Deposit{Amount: 33000, PayerName: "ｽｽﾞｷ"})
	third := m.Match(bank.Deposit{Amount: 33000, PayerName: "ｽｽﾞｷ"})
	if first.DocumentIDs[0] != "C2" || len(second.DocumentIDs) != 1 || second.DocumentIDs[0] != "C1" || second.Status != LineMatched || third.Status != LineUnmatched {
		t.Errorf("first %+v second %+v third %+v", first, second, third)
	}
}

func TestSplit(t *testing.T) {
	invs := []OpenInvoice{{ID: "old", Balance: 50000}, {ID: "new", Balance: 30000}}
	tests := []struct {
		name        string
		amount, fee int64
		want        []Allocation
		ok          bool
	}{
		{"covers both", 80000, 0, []Allocation{{"old", 50000, 0}, {"new", 30000, 0}}, true},
		{"covers both less a fee", 79890, 110, []Allocation{{"old", 50000, 0}, {"new", 29890, 110}}, true},
		{"oldest first, partly", 60000, 0, []Allocation{{"old", 50000, 0}, {"new", 10000, 0}}, true},
		{"only the oldest", 20000, 0, []Allocation{{"old", 20000, 0}}, true},
		{"too much", 80001, 0, nil, false},
		{"too much with the fee", 79900, 110, nil, false},
	}
	for _, tt := range tests {
		got, ok := Split(tt.amount, tt.fee, invs)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("%s: got %+v %v, want %+v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAgeItems(t *testing.T) {
	asOf := *day(2026, 12, 31)
	items := []OpenItem{
		{CustomerID: "a", Name: "A", DueDate: day(2027, 1, 31), Balance: 100},
		{CustomerID: "a", Name: "A", DueDate: day(2026, 11, 30), Balance: 200},
		{CustomerID: "b", Name: "B", DueDate: day(2026, 8, 31), Balance: 1000},
		{CustomerID: "c", Name: "C", DueDate: nil, Balance: 50},
		{CustomerID: "d", Name: "D", DueDate: day(2026, 1, 1), Balance: 0}, // paid
	}
	got := AgeItems(asOf, items)
	want := Aging{AsOf: asOf, Total: 1350,
		Buckets: BucketTotals{"current": 150, "1_30": 0, "31_60": 200, "61_90": 0, "over_90": 1000},
		Customers: []CustomerAging{
			{"b", "B", 1000, BucketTotals{"current": 0, "1_30": 0, "31_60": 0, "61_90": 0, "over_90": 1000}, day(2026, 8, 31)},
			{"a", "A", 300, BucketTotals{"current": 100, "1_30": 0, "31_60": 200, "61_90": 0, "over_90": 0}, day(2026, 11, 30)},
			{"c", "C", 50, BucketTotals{"current": 50, "1_30": 0, "31_60": 0, "61_90": 0, "over_90": 0}, nil},
		}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
