package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/recurring"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

func mustDay(t *testing.T, s string) document.Date {
	t.Helper()
	d, err := document.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mustSchedule stores a schedule decoded from js (with the customer id filled in).
func mustSchedule(t *testing.T, db *store.DB, orgID, customerID, js string) recurring.Schedule {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	m["customer_id"] = customerID
	if _, ok := m["template"]; !ok {
		m["template"] = map[string]any{
			"subject": "{{year}}年{{month}}月分 保守料",
			"items":   []map[string]any{{"name": "保守料 {{period_from}}〜{{period_to}}", "quantity": "1", "unit": "式", "unit_price": 30000, "tax_rate": 10}},
		}
	}
	b, _ := json.Marshal(m)
	s, err := recurring.Decode(b)
	if err != nil {
		t.Fatalf("Decode(%s): %v", b, err)
	}
	s, err = db.CreateSchedule(context.Background(), orgID, "test", s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustRun(t *testing.T, db *store.DB, asOf string) []RunResult {
	t.Helper()
	res, err := RunSchedules(context.Background(), db, mustDay(t, asOf), nil)
	if err != nil {
		t.Fatalf("RunSchedules(%s): %v", asOf, err)
	}
	return res
}

// issueDates lists the issue dates and transaction periods of a schedule's documents.
func scheduleDocs(t *testing.T, db *store.DB, orgID, id string) []string {
	t.Helper()
	docs, err := db.ScheduleDocuments(context.Background(), orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, d := range docs {
		out = append(out, fmt.Sprintf("%s %s..%s %s %s", d.IssueDate, d.TransactionPeriod.From, d.TransactionPeriod.To, d.Status, d.Subject))
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestScheduleRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "sched", "株式会社スケジュール")
		if err != nil {
			t.Fatal(err)
		}
		org = storetest.MustRegister(t, db, org)
		terms := &document.PaymentTerms{ClosingDay: document.EndOfMonthDay, PayMonthOffset: 1, PayDay: document.EndOfMonthDay, HolidayRule: document.HolidayPrevious}
		cust, err := db.CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "株式会社顧客"}, PaymentTerms: terms})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("monthly from 31 January, month ends", func(t *testing.T) {
			s := mustSchedule(t, db, org.ID, cust.ID, `{"name":"保守料","interval":"monthly","day":"end","start":"2026-01-31"}`)
			if s.NextRun == nil || s.NextRun.String() != "2026-01-31" {
				t.Fatalf("next_run = %v, want 2026-01-31", s.NextRun)
			}
			mustRun(t, db, "2026-01-30")
			if got := scheduleDocs(t, db, org.ID, s.ID); len(got) != 0 {
				t.Fatalf("before the first run: %v", got)
			}
			mustRun(t, db, "2026-03-31")
			want := []string{
				"2026-01-31 2026-01-01..2026-01-31 draft 2026年1月分 保守料",
				"2026-02-28 2026-02-01..2026-02-28 draft 2026年2月分 保守料",
				"2026-03-31 2026-03-01..2026-03-31 draft 2026年3月分 保守料",
			}
			if got := scheduleDocs(t, db, org.ID, s.ID); !equal(got, want) {
				t.Fatalf("documents = %q, want %q", got, want)
			}
			// Run again, and with an earlier clock: nothing new.
			mustRun(t, db, "2026-03-31")
			mustRun(t, db, "2026-02-01")
			if got := scheduleDocs(t, db, org.ID, s.ID); !equal(got, want) {
				t.Fatalf("after repeated runs: %q", got)
			}
			docs, _ := db.ScheduleDocuments(ctx, org.ID, s.ID)
			// 月末締め翌月末払い, previous business day: February 2026's invoice is due
			// 2026-03-31 (Tuesday); January's on 2026-02-28, a Saturday → Friday 27th.
			if got := docs[0].DueDate.String(); got != "2026-02-27" {
				t.Errorf("January's due date = %s, want 2026-02-27", got)
			}
			if got := docs[1].DueDate.String(); got != "2026-03-31" {
				t.Errorf("February's due date = %s, want 2026-03-31", got)
			}
			if got := docs[0].Items[0].Name; got != "保守料 2026年1月1日〜2026年1月31日" {
				t.Errorf("item name = %q", got)
			}
			got, _ := db.GetSchedule(ctx, org.ID, s.ID)
			if got.LastRun == nil || got.LastRun.String() != "2026-03-31" || got.NextRun == nil || got.NextRun.String() != "2026-04-30" {
				t.Errorf("last_run %v next_run %v, want 2026-03-31 and 2026-04-30", got.LastRun, got.NextRun)
			}
		})

		t.Run("catch-up after three missed months makes three", func(t *testing.T) {
			s := mustSchedule(t, db, org.ID, cust.ID, `{"name":"顧問料","interval":"monthly","day":1,"start":"2026-05-01","period":"previous","action":"issue"}`)
			mustRun(t, db, "2026-05-01")
			res := mustRun(t, db, "2026-08-15")
			made := 0
			for _, r := range res {
				if r.ScheduleID == s.ID && r.Created {
					made++
				}
			}
			if made != 3 {
				t.Fatalf("catch-up made %d invoices, want 3: %+v", made, res)
			}
			want := []string{
				"2026-05-01 2026-04-01..2026-04-30 issued 2026年4月分 保守料",
				"2026-06-01 2026-05-01..2026-05-31 issued 2026年5月分 保守料",
				"2026-07-01 2026-06-01..2026-06-30 issued 2026年6月分 保守料",
				"2026-08-01 2026-07-01..2026-07-31 issued 2026年7月分 保守料",
			}
			if got := scheduleDocs(t, db, org.ID, s.ID); !equal(got, want) {
				t.Fatalf("documents = %q, want %q", got, want)
			}
		})

		t.Run("quarterly, yearly, count and end", func(t *testing.T) {
			q := mustSchedule(t, db, org.ID, cust.ID, `{"name":"四半期","interval":"quarterly","day":"end","start":"2026-03-01","count":2}`)
			y := mustSchedule(t, db, org.ID, cust.ID, `{"name":"年会費","interval":"yearly","day":10,"start":"2026-04-10","end":"2028-04-09"}`)
			mustRun(t, db, "2030-01-01")
			if got, want := scheduleDocs(t, db, org.ID, q.ID), []string{
				"2026-03-31 2026-01-01..2026-03-31 draft 2026年1月分 保守料",
				"2026-06-30 2026-04-01..2026-06-30 draft 2026年4月分 保守料",
			}; !equal(got, want) {
				t.Errorf("quarterly = %q, want %q", got, want)
			}
			if got, want := scheduleDocs(t, db, org.ID, y.ID), []string{
				"2026-04-10 2026-01-01..2026-12-31 draft 2026年1月分 保守料",
				"2027-04-10 2027-01-01..2027-12-31 draft 2027年1月分 保守料",
			}; !equal(got, want) {
				t.Errorf("yearly = %q, want %q", got, want)
			}
			if got, _ := db.GetSchedule(ctx, org.ID, q.ID); got.NextRun != nil {
				t.Errorf("finished schedule has next_run %v", got.NextRun)
			}
		})

		t.Run("pause and resume skip the paused periods", func(t *testing.T) {
			s := mustSchedule(t, db, org.ID, cust.ID, `{"name":"一時停止","interval":"monthly","day":15,"start":"2027-01-01"}`)
			mustRun(t, db, "2027-01-20")
			if _, err := db.SetScheduleActive(ctx, org.ID, s.ID, false, mustDay(t, "2027-01-20")); err != nil {
				t.Fatal(err)
			}
			mustRun(t, db, "2027-04-01")
			if _, err := db.SetScheduleActive(ctx, org.ID, s.ID, true, mustDay(t, "2027-04-01")); err != nil {
				t.Fatal(err)
			}
			mustRun(t, db, "2027-05-20")
			if got, want := scheduleDocs(t, db, org.ID, s.ID), []string{
				"2027-01-15 2027-01-01..2027-01-31 draft 2027年1月分 保守料",
				"2027-04-15 2027-04-01..2027-04-30 draft 2027年4月分 保守料",
				"2027-05-15 2027-05-01..2027-05-31 draft 2027年5月分 保守料",
			}; !equal(got, want) {
				t.Errorf("documents = %q, want %q", got, want)
			}
		})
	})
}

// TestScheduleRunsOnceAcrossReplicas runs the same catch-up on three store handles (three
// replicas) at once: every period is made exactly once.
func TestScheduleRunsOnceAcrossReplicas(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			var dbs []*store.DB
			open := func(d, dsn string) *store.DB {
				db, err := store.Open(ctx, d, dsn, store.Options{MaxOpenConns: 4})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				return db
			}
			if driver == "sqlite" {
				file := filepath.Join(t.TempDir(), "r.db")
				for range 3 {
					dbs = append(dbs, open(store.DriverSQLite, file))
				}
			} else {
				dsn := storetest.PostgresDSN(t)
				for range 3 {
					dbs = append(dbs, open(store.DriverPostgres, dsn))
				}
			}
			if err := dbs[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			org, err := dbs[0].CreateOrganization(ctx, "rep", "株式会社レプリカ")
			if err != nil {
				t.Fatal(err)
			}
			org = storetest.MustRegister(t, dbs[0], org)
			cust, err := dbs[0].CreateCustomer(ctx, org.ID, document.Customer{Counterparty: document.Counterparty{Name: "顧客"}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for i := range 3 {
				s := mustSchedule(t, dbs[0], org.ID, cust.ID, fmt.Sprintf(`{"name":"S%d","interval":"monthly","day":%d,"start":"2026-01-01","action":"issue"}`, i, i+1))
				ids = append(ids, s.ID)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 9)
			for round := range 3 {
				for _, db := range dbs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := RunSchedules(ctx, db, mustDay(t, fmt.Sprintf("2026-%02d-28", 10+round)), nil)
						errs <- err
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Errorf("RunSchedules: %v", err)
				}
			}
			numbers := map[string]bool{}
			for _, id := range ids {
				docs := scheduleDocs(t, dbs[0], org.ID, id)
				if len(docs) != 12 {
					t.Errorf("schedule %s made %d invoices for 12 months: %q", id, len(docs), docs)
				}
				ds, _ := dbs[0].ScheduleDocuments(ctx, org.ID, id)
				for _, d := range ds {
					if d.Number == nil || numbers[*d.Number] {
						t.Errorf("number %v missing or repeated", d.Number)
						continue
					}
					numbers[*d.Number] = true
				}
			}
			all, _, err := dbs[0].SearchDocuments(ctx, org.ID, document.Filter{}, domain.Page{Limit: domain.MaxPageLimit})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 36 {
				t.Errorf("the organisation holds %d documents, want 36", len(all))
			}
		})
	}
}
