package document

import (
	"encoding/json"
	"testing"
)

func mustDate(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func mustTerms(t *testing.T, js string) PaymentTerms {
	t.Helper()
	var p PaymentTerms
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	if p.HolidayRule == "" {
		p.HolidayRule = HolidayNone
	}
	if fe := p.Validate(""); len(fe) > 0 {
		t.Fatalf("Validate(%s) = %v", js, fe)
	}
	return p
}

func TestDueDate(t *testing.T) {
	cal := NewBusinessCalendar()
	const (
		endEnd    = `{"closing_day":"end","pay_month_offset":1,"pay_day":"end"}` // 月末締め翌月末払い
		endEnd2   = `{"closing_day":"end","pay_month_offset":2,"pay_day":"end"}` // 月末締め翌々月末払い
		c20p10    = `{"closing_day":20,"pay_month_offset":1,"pay_day":10}`       // 20日締め翌月10日払い
		c20end0   = `{"closing_day":20,"pay_month_offset":0,"pay_day":"end"}`    // 20日締め当月末払い
		c25p25    = `{"closing_day":25,"pay_month_offset":1,"pay_day":25}`
		endEndPrv = `{"closing_day":"end","pay_month_offset":1,"pay_day":"end","holiday_rule":"previous_business_day"}`
		endEndNxt = `{"closing_day":"end","pay_month_offset":1,"pay_day":"end","holiday_rule":"next_business_day"}`
		c20p10Nxt = `{"closing_day":20,"pay_month_offset":1,"pay_day":10,"holiday_rule":"next_business_day"}`
		c15p28    = `{"closing_day":15,"pay_month_offset":2,"pay_day":28}`
	)
	for _, tc := range []struct {
		terms, tx, want string
	}{
		{endEnd, "2026-11-05", "2026-12-31"},
		{endEnd, "2026-11-30", "2026-12-31"},
		{endEnd, "2026-12-01", "2027-01-31"},
		{endEnd, "2027-01-15", "2027-02-28"}, // February of a common year
		{endEnd, "2028-01-31", "2028-02-29"}, // leap year
		{endEnd, "2026-12-31", "2027-01-31"}, // across the year end
		{endEnd2, "2026-12-10", "2027-02-28"},
		{endEnd2, "2027-12-10", "2028-02-29"},
		{c20p10, "2026-11-20", "2026-12-10"}, // on the closing day: this period
		{c20p10, "2026-11-21", "2027-01-10"}, // the day after: the next period
		{c20p10, "2026-12-25", "2027-02-10"},
		{c20end0, "2026-02-03", "2026-02-28"},
		{c20end0, "2026-02-21", "2026-03-31"},
		{c25p25, "2026-01-26", "2026-03-25"},
		{c15p28, "2026-12-16", "2027-03-28"},
		// Holiday rules. 2027-01-31 is a Sunday; 2026-05-31 a Sunday; 2027-10-31 a Sunday.
		{endEnd, "2026-12-15", "2027-01-31"},
		{endEndPrv, "2026-12-15", "2027-01-29"},
		{endEndNxt, "2026-12-15", "2027-02-01"},
		{endEndPrv, "2026-04-15", "2026-05-29"},
		{endEndNxt, "2026-04-15", "2026-06-01"},
		// 2026-05-03..06 are holidays and 2026-05-02 a Saturday: 2026-05-... pay day 10 is a Sunday.
		{c20p10Nxt, "2026-04-10", "2026-05-11"},
		// 2026-08-10 is a Monday and 2026-08-11 山の日; 2027-01-10 a Sunday, 2027-01-11 成人の日.
		{c20p10Nxt, "2026-12-01", "2027-01-12"},
		// Previous business day across a holiday run: 2027-05-05 is こどもの日 (Wednesday); pay
		// day "end" of April 2027 is Friday 30th, no move.
		{endEndPrv, "2027-03-31", "2027-04-30"},
	} {
		p := mustTerms(t, tc.terms)
		if got := p.DueDate(mustDate(t, tc.tx), cal); got.String() != tc.want {
			t.Errorf("%s: DueDate(%s) = %s, want %s", tc.terms, tc.tx, got, tc.want)
		}
	}
}

func TestPaymentTermsJSON(t *testing.T) {
	p := mustTerms(t, `{"closing_day":"end","pay_month_offset":1,"pay_day":10,"holiday_rule":"next_business_day"}`)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"closing_day":"end","pay_month_offset":1,"pay_day":10,"holiday_rule":"next_business_day"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	for _, bad := range []string{`{"closing_day":0}`, `{"closing_day":29}`, `{"closing_day":"月末"}`, `{"pay_day":-1}`, `{"pay_day":1.5}`} {
		var q PaymentTerms
		if err := json.Unmarshal([]byte(bad), &q); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}

func TestPaymentTermsValidate(t *testing.T) {
	for _, tc := range []struct {
		js    string
		field string
	}{
		{`{"closing_day":20,"pay_month_offset":3,"pay_day":10,"holiday_rule":"none"}`, "pay_month_offset"},
		{`{"closing_day":20,"pay_month_offset":1,"pay_day":10,"holiday_rule":"later"}`, "holiday_rule"},
		{`{"closing_day":20,"pay_month_offset":0,"pay_day":10,"holiday_rule":"none"}`, "pay_day"},
		{`{"closing_day":"end","pay_month_offset":0,"pay_day":"end","holiday_rule":"none"}`, "pay_day"},
	} {
		var p PaymentTerms
		if err := json.Unmarshal([]byte(tc.js), &p); err != nil {
			t.Fatal(err)
		}
		fe := p.Validate("payment_terms.")
		if _, ok := fe["payment_terms."+tc.field]; !ok || len(fe) != 1 {
			t.Errorf("Validate(%s) = %v, want one problem on %s", tc.js, fe, tc.field)
		}
	}
}

func TestPeriodEnding(t *testing.T) {
	for _, tc := range []struct {
		terms, closing, from string
		ok                   bool
	}{
		{`{"closing_day":"end","pay_month_offset":1,"pay_day":"end"}`, "2026-11-30", "2026-11-01", true},
		{`{"closing_day":"end","pay_month_offset":1,"pay_day":"end"}`, "2026-11-29", "", false},
		{`{"closing_day":"end","pay_month_offset":1,"pay_day":"end"}`, "2028-02-29", "2028-02-01", true},
		{`{"closing_day":20,"pay_month_offset":1,"pay_day":10}`, "2026-11-20", "2026-10-21", true},
		{`{"closing_day":20,"pay_month_offset":1,"pay_day":10}`, "2026-01-20", "2025-12-21", true},
		{`{"closing_day":20,"pay_month_offset":1,"pay_day":10}`, "2026-11-30", "", false},
		{`{"closing_day":28,"pay_month_offset":1,"pay_day":10}`, "2026-03-28", "2026-03-01", true},
	} {
		p := mustTerms(t, tc.terms)
		got, ok := p.PeriodEnding(mustDate(t, tc.closing))
		if ok != tc.ok || (ok && (got.From.String() != tc.from || got.To.String() != tc.closing)) {
			t.Errorf("%s: PeriodEnding(%s) = %v %v, want from %s (%v)", tc.terms, tc.closing, got, ok, tc.from, tc.ok)
		}
	}
}
