// Command seed fills an organisation with realistic documents for benchmarks: thousands of
// customers, ten years of dates, every kind, 5–30 lines each, most issued and some drafts, through
// the store's own write path (store.ImportDocuments: the same rows CreateDocument and
// IssueDocument write, many to a transaction). Issued documents get no stored PDF, as documents
// issued before stored PDFs (the background backfill stores them later).
//
//	go run ./bench/seed -db data/reportapp.db -docs 100000
//	go run ./bench/seed -db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable' -docs 1000000
//	go run ./bench/seed -db data/reportapp.db -docs 100000 -copies 10   # 1,000,000, 900,000 of them copies
//
// The database is migrated first. The organisation (-org, created when missing) may already
// have documents: seeding adds to them. The same -seed gives the same documents.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dsn := fs.String("db", "", "PostgreSQL URL (postgres://…) or SQLite file path")
	docs := fs.Int("docs", 10000, "documents to add")
	customers := fs.Int("customers", 0, "customers to create (default: docs/40, between 200 and 5000)")
	slug := fs.String("org", "bench", "organisation slug (created when missing)")
	batch := fs.Int("batch", 500, "documents per transaction")
	seed := fs.Uint64("seed", 1, "random seed")
	years := fs.Int("years", 10, "years of dates, ending today")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the seeding to this file")
	copies := fs.Int("copies", 1, "after seeding, copy the organisation's documents until there are this many times as many (in SQL: see copyDocuments)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *dsn == "" {
		return fmt.Errorf("-db is required")
	}
	driver := "sqlite"
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		driver = "pgx"
	}
	db, err := store.Open(ctx, driver, *dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	org, err := db.GetOrganizationBySlug(ctx, *slug)
	if err != nil {
		if org, err = db.CreateOrganization(ctx, *slug, "株式会社ベンチマーク"); err != nil {
			return err
		}
	}
	org.RegistrationNumber, org.PostalCode, org.Address = "T1234567890123", "100-0001", "東京都千代田区千代田1-1"
	org.Phone, org.BankAccount = "03-1234-5678", "みずほ銀行 本店 普通 1234567"
	if org, err = db.UpdateOrganization(ctx, org); err != nil {
		return err
	}
	nc := *customers
	if nc <= 0 && *docs > 0 {
		nc = min(max(*docs/40, 200), 5000)
	}
	rng := rand.New(rand.NewPCG(*seed, 17))
	start := time.Now()
	custIDs := make([]string, nc)
	for i := range custIDs {
		c, err := db.CreateCustomer(ctx, org.ID, customerAt(i))
		if err != nil {
			return err
		}
		custIDs[i] = c.ID
	}
	fmt.Fprintf(os.Stderr, "%d customers in %s\n", nc, time.Since(start).Round(time.Millisecond))

	// Documents in date order, so that numbers rise with the dates as they would have.
	today := time.Now()
	first := today.AddDate(-*years, 0, 0)
	span := today.Sub(first)
	dates := make([]time.Time, *docs)
	for i := range dates {
		dates[i] = first.Add(time.Duration(rng.Int64N(int64(span))))
	}
	slices.SortFunc(dates, time.Time.Compare)
	start = time.Now()
	buf := make([]document.Document, 0, *batch)
	done := 0
	for i, t := range dates {
		d, err := newDocument(rng, custIDs, t, i)
		if err != nil {
			return err
		}
		buf = append(buf, d)
		if len(buf) == *batch || i == len(dates)-1 {
			if _, err := db.ImportDocuments(ctx, org.ID, "seed", buf); err != nil {
				return err
			}
			done += len(buf)
			buf = buf[:0]
			if done%(50*(*batch)) == 0 || done == len(dates) {
				el := time.Since(start)
				fmt.Fprintf(os.Stderr, "%d documents in %s (%.0f/s)\n", done, el.Round(time.Second), float64(done)/el.Seconds())
			}
		}
	}
	if *copies > 1 {
		t := time.Now()
		n, err := copyDocuments(ctx, db.SQL(), driver, org.ID, *copies-1)
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		done += n
		fmt.Fprintf(os.Stderr, "%d copies: %d documents in %s\n", *copies-1, n, time.Since(t).Round(time.Second))
	}
	if driver == "pgx" {
		// Every table: without statistics on customers the planner took it for two rows and
		// joined the search to it in a loop (a customer-name search went from 85 ms to 1.6 s).
		if _, err := db.SQL().ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
	}
	fmt.Printf("org=%s id=%s customers=%d documents=%d seconds=%.1f\n", *slug, org.ID, nc, done, time.Since(start).Seconds())
	return nil
}

// copyDocuments adds n copies of each of the organisation's documents in one INSERT … SELECT
// (which reads the rows as they were before it): a new id, the number with "-c<k>" appended
// (in the search text too), everything else as it was, so the copies follow the distribution of
// dates, kinds, customers and amounts the seed drew. It is how the 1,000,000-document figures
// are reached in minutes instead of hours; the rows the store derives (the FTS index on
// SQLite, PostgreSQL's indexes) follow by triggers and indexes, history events are not copied.
// The SQL is the benchmark's own: the application never copies documents.
func copyDocuments(ctx context.Context, sqldb *sql.DB, driver, orgID string, n int) (int, error) {
	colsQuery := `SELECT name FROM pragma_table_xinfo('documents') WHERE hidden = 0 ORDER BY cid`
	newID := `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))`
	if driver == "pgx" {
		colsQuery = `SELECT column_name FROM information_schema.columns WHERE table_name = 'documents'
			AND table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY ordinal_position`
		newID = `gen_random_uuid()::text`
	}
	rows, err := sqldb.QueryContext(ctx, colsQuery)
	if err != nil {
		return 0, err
	}
	var cols, exprs []string
	suffix := "('-c' || c.k)"
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return 0, err
		}
		cols = append(cols, c)
		switch c {
		case "id":
			exprs = append(exprs, newID)
		case "number":
			exprs = append(exprs, "d.number || "+suffix)
		case "search_text":
			exprs = append(exprs, "CASE WHEN d.number IS NULL THEN d.search_text ELSE replace(d.search_text, lower(d.number), lower(d.number || "+suffix+")) END")
		default:
			exprs = append(exprs, "d."+c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	ph, ks := "?", make([]string, n)
	if driver == "pgx" {
		ph = "$1"
	}
	for i := range ks {
		ks[i] = fmt.Sprintf("SELECT %d AS k", i+1)
	}
	res, err := sqldb.ExecContext(ctx, `INSERT INTO documents (`+strings.Join(cols, ", ")+`) SELECT `+strings.Join(exprs, ", ")+
		` FROM documents d CROSS JOIN (`+strings.Join(ks, " UNION ALL ")+`) c WHERE d.org_id = `+ph, orgID)
	if err != nil {
		return 0, err
	}
	added, err := res.RowsAffected()
	return int(added), err
}

var (
	companyStems = []string{"山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤",
		"吉田", "山本", "松本", "井上", "木村", "林", "清水", "山口", "森", "池田", "橋本", "阿部", "石川", "前田"}
	companyKana = []string{"ヤマダ", "サトウ", "スズキ", "タカハシ", "タナカ", "イトウ", "ワタナベ", "ナカムラ", "コバヤシ", "カトウ",
		"ヨシダ", "ヤマモト", "マツモト", "イノウエ", "キムラ", "ハヤシ", "シミズ", "ヤマグチ", "モリ", "イケダ", "ハシモト", "アベ", "イシカワ", "マエダ"}
	companyTrades = []string{"商事", "工業", "建設", "製作所", "電機", "物産", "運輸", "食品", "設計", "システム", "印刷", "不動産"}
	tradeKana     = []string{"ショウジ", "コウギョウ", "ケンセツ", "セイサクショ", "デンキ", "ブッサン", "ウンユ", "ショクヒン", "セッケイ", "システム", "インサツ", "フドウサン"}
	subjects      = []string{"保守サービス", "システム開発", "部品納入", "月額利用料", "コンサルティング", "機器リース",
		"設置工事", "定期点検", "ソフトウェアライセンス", "運用支援", "デザイン制作", "配送業務"}
	items = []struct {
		name  string
		unit  string
		price int64
		rate  document.TaxRate
	}{
		{"保守作業", "時間", 8000, 10}, {"技術支援", "時間", 12000, 10}, {"交通費", "式", 1500, 10},
		{"ボルト M8", "個", 45, 10}, {"ナット M8", "個", 20, 10}, {"制御基板", "枚", 38000, 10},
		{"ケーブル 5m", "本", 1200, 10}, {"ライセンス (年額)", "本", 60000, 10}, {"クラウド利用料", "月", 25000, 10},
		{"お弁当", "個", 650, 8}, {"ミネラルウォーター", "ケース", 1800, 8}, {"コーヒー豆", "kg", 3200, 8},
		{"印紙代", "式", 200, 0}, {"設計作業", "人日", 50000, 10}, {"現地調査", "回", 30000, 10},
		{"トナー", "本", 9800, 10}, {"用紙 A4", "箱", 2800, 10}, {"梱包材", "式", 3000, 10},
	}
)

// customerAt is the i-th customer: a company name from a family name, a trade and a branch
// number, with its reading.
func customerAt(i int) document.Customer {
	s, t := i%len(companyStems), (i/len(companyStems))%len(companyTrades)
	branch := i / (len(companyStems) * len(companyTrades))
	name := "株式会社" + companyStems[s] + companyTrades[t]
	kana := "カブシキガイシャ" + companyKana[s] + tradeKana[t]
	if branch > 0 {
		name += fmt.Sprintf(" 第%d営業所", branch)
		kana += fmt.Sprintf(" ダイ%dエイギョウショ", branch)
	}
	return document.Customer{Counterparty: document.Counterparty{Name: name, Honorific: document.HonorificOnchu,
		PostalCode: "150-0001", Address: "東京都渋谷区神宮前1-2-3", Email: fmt.Sprintf("keiri%d@example.co.jp", i)},
		NameKana: kana}
}

// newDocument is a document dated t: 70% invoices, then quotes, delivery notes, receipts and a few
// credit notes (without a related invoice); 90% issued, the rest drafts; 5–30 lines.
func newDocument(rng *rand.Rand, custIDs []string, t time.Time, i int) (document.Document, error) {
	kind := document.Invoice
	switch r := rng.IntN(100); {
	case r >= 95:
		kind = document.Receipt
	case r >= 85:
		kind = document.DeliveryNote
	case r >= 70:
		kind = document.Quote
	}
	// A customer's share follows a long tail: a few customers get many documents.
	c := custIDs[int(float64(len(custIDs))*rng.Float64()*rng.Float64())]
	date := document.DateOf(t)
	d := document.Document{Kind: kind, CustomerID: c, IssueDate: date, TaxRounding: document.Floor,
		Subject: fmt.Sprintf("%s %d年%d月分", subjects[rng.IntN(len(subjects))], t.Year(), t.Month())}
	if kind == document.Invoice || kind == document.DeliveryNote {
		d.TransactionDate = &date
	}
	if kind == document.Invoice {
		due := document.DateOf(t.AddDate(0, 1, 0))
		d.DueDate = &due
	}
	n := 5 + rng.IntN(26)
	for range n {
		it := items[rng.IntN(len(items))]
		d.Items = append(d.Items, document.Item{Name: it.name, Unit: it.unit, UnitPrice: it.price, TaxRate: it.rate,
			Quantity: document.Quantity((1 + rng.IntN(20)) * document.QuantityScale)})
	}
	if err := document.ComputeTotals(&d); err != nil {
		return document.Document{}, fmt.Errorf("document %d: %w", i, err)
	}
	if rng.IntN(10) > 0 {
		d.Status = document.Issued
	}
	return d, nil
}
