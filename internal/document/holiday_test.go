package document

import (
	"strings"
	"testing"
	"time"
)

// cabinetOffice2020to2027 is the Cabinet Office's published list of national holidays
// (内閣府「国民の祝日について」, syukujitsu.csv) for 2020–2027, including the Olympic moves of
// 2020 and 2021, 振替休日 and the 国民の休日 of 2026-09-22.
const cabinetOffice2020to2027 = `
2020-01-01 2020-01-13 2020-02-11 2020-02-23 2020-02-24 2020-03-20 2020-04-29 2020-05-03 2020-05-04
2020-05-05 2020-05-06 2020-07-23 2020-07-24 2020-08-10 2020-09-21 2020-09-22 2020-11-03 2020-11-23
2021-01-01 2021-01-11 2021-02-11 2021-02-23 2021-03-20 2021-04-29 2021-05-03 2021-05-04 2021-05-05
2021-07-22 2021-07-23 2021-08-08 2021-08-09 2021-09-20 2021-09-23 2021-11-03 2021-11-23
2022-01-01 2022-01-10 2022-02-11 2022-02-23 2022-03-21 2022-04-29 2022-05-03 2022-05-04 2022-05-05
2022-07-18 2022-08-11 2022-09-19 2022-09-23 2022-10-10 2022-11-03 2022-11-23
2023-01-01 2023-01-02 2023-01-09 2023-02-11 2023-02-23 2023-03-21 2023-04-29 2023-05-03 2023-05-04
2023-05-05 2023-07-17 2023-08-11 2023-09-18 2023-09-23 2023-10-09 2023-11-03 2023-11-23
2024-01-01 2024-01-08 2024-02-11 2024-02-12 2024-02-23 2024-03-20 2024-04-29 2024-05-03 2024-05-04
2024-05-05 2024-05-06 2024-07-15 2024-08-11 2024-08-12 2024-09-16 2024-09-22 2024-09-23 2024-10-14
2024-11-03 2024-11-04 2024-11-23
2025-01-01 2025-01-13 2025-02-11 2025-02-23 2025-02-24 2025-03-20 2025-04-29 2025-05-03 2025-05-04
2025-05-05 2025-05-06 2025-07-21 2025-08-11 2025-09-15 2025-09-23 2025-10-13 2025-11-03 2025-11-23
2025-11-24
2026-01-01 2026-01-12 2026-02-11 2026-02-23 2026-03-20 2026-04-29 2026-05-03 2026-05-04 2026-05-05
2026-05-06 2026-07-20 2026-08-11 2026-09-21 2026-09-22 2026-09-23 2026-10-12 2026-11-03 2026-11-23
2027-01-01 2027-01-11 2027-02-11 2027-02-23 2027-03-21 2027-03-22 2027-04-29 2027-05-03 2027-05-04
2027-05-05 2027-07-19 2027-08-11 2027-09-20 2027-09-23 2027-10-11 2027-11-03 2027-11-23
`

// TestHolidaysMatchCabinetOffice checks every day of 2020–2027: a day is a holiday exactly when
// the published list names it.
func TestHolidaysMatchCabinetOffice(t *testing.T) {
	want := map[string]bool{}
	for _, s := range strings.Fields(cabinetOffice2020to2027) {
		want[s] = true
	}
	c := NewBusinessCalendar()
	for day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() <= 2027; day = day.AddDate(0, 0, 1) {
		d := DateOf(day)
		if got := c.IsHoliday(d); got != want[d.String()] {
			t.Errorf("IsHoliday(%s) = %v, the Cabinet Office list says %v", d, got, want[d.String()])
		}
	}
	if len(want) != 143 {
		t.Fatalf("the list holds %d dates, want 143", len(want))
	}
}

func TestIsBusinessDay(t *testing.T) {
	c := NewBusinessCalendar()
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2026-12-01", true},  // Tuesday
		{"2026-12-05", false}, // Saturday
		{"2026-12-06", false}, // Sunday
		{"2026-11-23", false}, // 勤労感謝の日, Monday
		{"2026-09-22", false}, // 国民の休日
		{"2027-03-22", false}, // 振替休日
	} {
		d, _ := ParseDate(tc.day)
		if got := c.IsBusinessDay(d); got != tc.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", tc.day, got, tc.want)
		}
	}
}
