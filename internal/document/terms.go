package document

// Payment terms (支払条件): the closing day (締め日), the month the payment falls in (当月・翌月・
// 翌々月), the pay day, and what to do when that day is a weekend or a national holiday.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"reportapp/internal/domain"
)

// EndOfMonth is the JSON spelling of "the last day of the month" for closing_day and pay_day.
const EndOfMonth = "end"

// HolidayRule says where a due date that falls on a weekend or a national holiday moves.
type HolidayRule string

// The holiday rules.
const (
	HolidayNone        HolidayRule = "none"                  // keep the date
	HolidayPrevious    HolidayRule = "previous_business_day" // 前営業日
	HolidayNext        HolidayRule = "next_business_day"     // 翌営業日
	maxMonthOffset                 = 2
	lastSettableDay                = 28
	dayEndOfMonthValue             = 0
)

// EndOfMonthDay is the MonthDay meaning the month's last day.
const EndOfMonthDay MonthDay = dayEndOfMonthValue

// MonthDay is a day of the month from 1 to 28, or the month's last day (the zero MonthDay, spelled "end").
type MonthDay int

// IsEnd reports whether d means the last day of the month.
func (d MonthDay) IsEnd() bool { return d == dayEndOfMonthValue }

// In returns day d of the given month: the month's last day for EndOfMonth.
func (d MonthDay) In(year int, month time.Month) Date {
	last := daysIn(year, month)
	if d.IsEnd() || int(d) > last {
		return Date{Year: year, Month: month, Day: last}
	}
	return Date{Year: year, Month: month, Day: int(d)}
}

// MarshalJSON writes "end" or the number.
func (d MonthDay) MarshalJSON() ([]byte, error) {
	if d.IsEnd() {
		return json.Marshal(EndOfMonth)
	}
	return []byte(strconv.Itoa(int(d))), nil
}

// UnmarshalJSON reads "end" or a number from 1 to 28.
func (d *MonthDay) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil || s != EndOfMonth {
			return fmt.Errorf(`1〜28 の数か "end" で指定してください (a day from 1 to 28, or "end")`)
		}
		*d = dayEndOfMonthValue
		return nil
	}
	n, err := strconv.Atoi(string(b))
	if err != nil || n < 1 || n > lastSettableDay {
		return fmt.Errorf(`1〜28 の数か "end" で指定してください (a day from 1 to 28, or "end")`)
	}
	*d = MonthDay(n)
	return nil
}

// PaymentTerms are a customer's 支払条件, e.g. 月末締め翌月末払い is
// {"closing_day":"end","pay_month_offset":1,"pay_day":"end"}.
type PaymentTerms struct {
	ClosingDay     MonthDay    `json:"closing_day"`
	PayMonthOffset int         `json:"pay_month_offset"` // 0 当月, 1 翌月, 2 翌々月
	PayDay         MonthDay    `json:"pay_day"`
	HolidayRule    HolidayRule `json:"holiday_rule"`
}

// Validate returns field problems keyed by the JSON field names under prefix (e.g.
// "payment_terms."). A pay day in the closing month must come after the closing day.
func (p PaymentTerms) Validate(prefix string) domain.FieldErrors {
	fe := domain.FieldErrors{}
	if p.PayMonthOffset < 0 || p.PayMonthOffset > maxMonthOffset {
		fe.Add(prefix+"pay_month_offset", "0 (当月)・1 (翌月)・2 (翌々月) のいずれかです (must be 0, 1 or 2)")
	}
	switch p.HolidayRule {
	case HolidayNone, HolidayPrevious, HolidayNext:
	default:
		fe.Add(prefix+"holiday_rule", "none・previous_business_day・next_business_day のいずれかです (unknown holiday rule)")
	}
	if p.PayMonthOffset == 0 && (p.ClosingDay.IsEnd() || (!p.PayDay.IsEnd() && p.PayDay <= p.ClosingDay)) {
		fe.Add(prefix+"pay_day", "当月払いの支払日は締め日より後にしてください (in the closing month the pay day must come after the closing day)")
	}
	return fe
}

// ClosingDate is the first closing date on or after the transaction date t.
func (p PaymentTerms) ClosingDate(t Date) Date {
	c := p.ClosingDay.In(t.Year, t.Month)
	if t.Day <= c.Day {
		return c
	}
	y, m := addMonths(t.Year, t.Month, 1)
	return p.ClosingDay.In(y, m)
}

// DueDate is when an invoice for a transaction on t is due: the pay day of the month
// PayMonthOffset after the closing date, moved off weekends and holidays per HolidayRule.
func (p PaymentTerms) DueDate(t Date, cal *BusinessCalendar) Date {
	c := p.ClosingDate(t)
	y, m := addMonths(c.Year, c.Month, p.PayMonthOffset)
	due := p.PayDay.In(y, m)
	switch p.HolidayRule {
	case HolidayPrevious:
		for !cal.IsBusinessDay(due) {
			due = addDays(due, -1)
		}
	case HolidayNext:
		for !cal.IsBusinessDay(due) {
			due = addDays(due, 1)
		}
	}
	return due
}

func addMonths(y int, m time.Month, n int) (int, time.Month) {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	return t.Year(), t.Month()
}

func addDays(d Date, n int) Date {
	return DateOf(d.Time(time.UTC).AddDate(0, 0, n))
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FillDueDate sets an invoice's due date from the customer's payment terms when the invoice has
// none: from the transaction date, else the end of the transaction period, else the issue date.
// A due date that would fall before the issue date is the issue date.
func (d *Document) FillDueDate(terms *PaymentTerms, cal *BusinessCalendar) {
	if d.Kind != Invoice || d.DueDate != nil || terms == nil {
		return
	}
	base := d.IssueDate
	switch {
	case d.TransactionDate != nil && !d.TransactionDate.IsZero():
		base = *d.TransactionDate
	case d.TransactionPeriod != nil && !d.TransactionPeriod.To.IsZero():
		base = d.TransactionPeriod.To
	}
	if base.IsZero() || !base.Valid() {
		return
	}
	due := terms.DueDate(base, cal)
	if due.Before(d.IssueDate) {
		due = d.IssueDate
	}
	d.DueDate = &due
}

// PeriodEnding reports whether closing is one of the terms' closing dates and, if so, the
// closing period it ends: from the day after the previous closing date to closing.
func (p PaymentTerms) PeriodEnding(closing Date) (Period, bool) {
	if p.ClosingDay.In(closing.Year, closing.Month) != closing {
		return Period{}, false
	}
	y, m := addMonths(closing.Year, closing.Month, -1)
	return Period{From: addDays(p.ClosingDay.In(y, m), 1), To: closing}, true
}
