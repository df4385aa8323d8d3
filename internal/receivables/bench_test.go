//go:build unix

package receivables

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"reportapp/internal/bank"
	"reportapp/internal/bank/banktest"
	"reportapp/internal/document"
)

// BenchmarkParseAndMatch reads a 10,000-deposit 全銀協 file and matches it against 50,000 open
// invoices of 5,000 customers: what one import does besides the database.
//
//	go test ./internal/receivables -run XXX -bench ParseAndMatch -benchmem -benchtime 5x
func BenchmarkParseAndMatch(b *testing.B) {
	const nInvoices, nCustomers, nDeposits = 50_000, 5_000, 10_000
	kana := []rune("アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ")
	half := []rune("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜ")
	name := func(i int, set []rune) string {
		r := make([]rune, 0, 8)
		for range 6 {
			r = append(r, set[i%len(set)])
			i /= len(set)
			i += 7
		}
		return string(r)
	}
	payers := make([]Payer, nCustomers)
	for i := range payers {
		payers[i] = Payer{CustomerID: fmt.Sprint("c", i), Names: []string{name(i, kana) + "ショウジ", "株式会社" + fmt.Sprint(i)}}
	}
	invs := make([]OpenInvoice, nInvoices)
	for i := range invs {
		due := document.Date{Year: 2026, Month: 11 + document.Date{}.Month, Day: 1 + i%28}
		due.Month = 11
		invs[i] = OpenInvoice{ID: fmt.Sprint("i", i), CustomerID: fmt.Sprint("c", i%nCustomers), Number: fmt.Sprintf("INV-%06d", i),
			IssueDate: document.Date{Year: 2026, Month: 10, Day: 1}, DueDate: &due, Balance: int64(10_000 + i*7)}
	}
	deps := make([]banktest.Deposit, nDeposits)
	for i := range deps {
		inv := invs[i*5]
		amount := inv.Balance
		switch i % 4 {
		case 1:
			amount -= 440 // a fee deducted
		case 2:
			amount = 3 // nothing matches
		}
		deps[i] = banktest.Deposit{Ref: fmt.Sprint(i + 1), Date: "081210", Amount: amount, Payer: "ｶ)" + name(i*5%nCustomers, half) + "ｼﾖｳｼﾞ"}
	}
	file := banktest.File("03", deps, banktest.Trailer{}, "\r\n")
	today := document.Date{Year: 2026, Month: 12, Day: 15}
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		st, err := bank.Parse(file, bank.Options{Today: today})
		if err != nil {
			b.Fatal(err)
		}
		m := NewMatcher(invs, payers, DefaultTransferFees())
		matched := 0
		for _, d := range st.Deposits {
			if m.Match(d).Status == LineMatched {
				matched++
			}
		}
		if matched < nDeposits/5 {
			b.Fatalf("only %d of %d deposits matched", matched, nDeposits)
		}
	}
	// CPU time besides wall time: the benchmark machine is shared, so wall time overstates.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
