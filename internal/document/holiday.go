package document

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/jp"
)

// BusinessCalendar knows Japan's business days: Monday to Friday except national holidays (国民の祝日,
// 振替休日 and 国民の休日 under the 祝日法), as computed by github.com/rickar/cal's jp rules.
type BusinessCalendar struct {
	bc *cal.BusinessCalendar
}

// NewBusinessCalendar returns the Japanese business calendar. It is safe for concurrent use.
func NewBusinessCalendar() *BusinessCalendar {
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(jp.Holidays...)
	return &BusinessCalendar{bc: bc}
}

// IsHoliday reports whether d is a national holiday, a substitute holiday or a citizens' holiday.
func (c *BusinessCalendar) IsHoliday(d Date) bool {
	actual, observed, _ := c.bc.IsHoliday(d.Time(time.UTC))
	return actual || observed
}

// IsBusinessDay reports whether d is neither a weekend nor a holiday.
func (c *BusinessCalendar) IsBusinessDay(d Date) bool {
	switch d.Time(time.UTC).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.IsHoliday(d)
}
