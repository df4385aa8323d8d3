package terms

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/jp"

	"reportapp/internal/document"
)

// Calendar knows Japan's business days: Monday to Friday except national holidays (国民の祝日,
// 振替休日 and 国民の休日 under the 祝日法), as computed by github.com/rickar/cal's jp rules.
type Calendar struct {
	bc *cal.BusinessCalendar
}

// NewCalendar returns the Japanese business calendar. It is safe for concurrent use.
func NewCalendar() *Calendar {
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(jp.Holidays...)
	return &Calendar{bc: bc}
}

// IsHoliday reports whether d is a national holiday, a substitute holiday or a citizens' holiday.
func (c *Calendar) IsHoliday(d document.Date) bool {
	actual, observed, _ := c.bc.IsHoliday(d.Time(time.UTC))
	return actual || observed
}

// IsBusinessDay reports whether d is neither a weekend nor a holiday.
func (c *Calendar) IsBusinessDay(d document.Date) bool {
	switch d.Time(time.UTC).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.IsHoliday(d)
}
