package web

import (
	"context"
	"net/http"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
)

// dashboardData is the dashboard: this month's issued invoices, the last 12 months as a bar
// chart, the most recent documents and the drafts waiting to be issued.
type dashboardData struct {
	ThisMonth int64
	Months    []monthBar
	Chart     chart
	Recent    []document.Document
	Drafts    []document.Document
	// Receivables: 売掛金 today, its aging as bars, and the customers owing most.
	Aging        receivables.Aging
	AgingBars    []agingBar
	AgingChart   chart
	TopCustomers []receivables.CustomerAging
	// Todo are the first steps after setup still to do: "profile" (address and phone that the
	// documents print) and "registration" (the 登録番号 of a qualified invoice). The dashboard
	// shows them until they are done.
	Todo []string
	// Added are the signed-in user's notices of organisations that added them, until dismissed.
	Added []store.MemberNotice
}

// agingBar is one bucket of the aging chart.
type agingBar struct {
	Bucket string
	Total  int64
	X, Y   int
	Height int
}

// layoutAging places the five buckets' bars like the monthly chart's.
func layoutAging(a receivables.Aging) ([]agingBar, chart) {
	c := chart{Width: 400, Height: 220, BarWidth: 48, Base: 190}
	bars := make([]agingBar, 0, len(receivables.Buckets()))
	for _, b := range receivables.Buckets() {
		c.Max = max(c.Max, a.Buckets[b])
		bars = append(bars, agingBar{Bucket: b, Total: a.Buckets[b]})
	}
	const plot = 160
	step := c.Width / len(bars)
	for i := range bars {
		h := 0
		if c.Max > 0 && bars[i].Total > 0 {
			h = max(1, int(bars[i].Total*plot/c.Max))
		}
		bars[i].Height, bars[i].X, bars[i].Y = h, i*step+(step-c.BarWidth)/2, c.Base-h
	}
	return bars, c
}

// monthBar is one bar of the chart, laid out on the server (the chart is plain SVG: no script).
type monthBar struct {
	Label  string // "2026-11"
	Month  int
	Total  int64
	X, Y   int
	Height int
}

// chart is the SVG's geometry.
type chart struct {
	Width, Height, BarWidth, Base int
	Max                           int64
}

func (u *ui) dashboard(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	ctx := r.Context()
	today := u.today()
	months, err := u.monthlyInvoiced(ctx, p.OrgID, today)
	if err != nil {
		return err
	}
	d := dashboardData{Months: months, ThisMonth: months[len(months)-1].Total}
	d.Chart = layoutChart(d.Months)
	org, err := u.Store.GetOrganization(ctx, p.OrgID)
	if err != nil {
		return err
	}
	if org.Address == "" || org.Phone == "" && org.Email == "" {
		d.Todo = append(d.Todo, "profile")
	}
	if org.RegistrationNumber == "" {
		d.Todo = append(d.Todo, "registration")
	}
	if d.Recent, _, err = u.Store.SearchDocuments(ctx, p.OrgID, document.Filter{}, domain.Page{Limit: 8}); err != nil {
		return err
	}
	if d.Drafts, _, err = u.Store.SearchDocuments(ctx, p.OrgID, document.Filter{Status: document.Draft}, domain.Page{Limit: 8}); err != nil {
		return err
	}
	if d.Aging, err = u.Store.Receivables(ctx, p.OrgID, today); err != nil {
		return err
	}
	if d.Added, err = u.Store.MemberNotices(ctx, p.UserID); err != nil {
		return err
	}
	d.AgingBars, d.AgingChart = layoutAging(d.Aging)
	d.TopCustomers = d.Aging.Customers[:min(5, len(d.Aging.Customers))]
	return u.render(w, r, http.StatusOK, "dashboard.html", view{Title: "dashboard.title", Nav: "dashboard", Data: d})
}

// monthlyInvoiced sums the gross of issued invoices per month (by transaction date, else issue
// date: the date the search form uses) for the 12 months ending with today's.
func (u *ui) monthlyInvoiced(ctx context.Context, orgID string, today document.Date) ([]monthBar, error) {
	first := time.Date(today.Year, today.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	months := make([]monthBar, 12)
	index := map[string]int{}
	for i := range months {
		m := first.AddDate(0, i, 0)
		months[i] = monthBar{Label: m.Format("2006-01"), Month: int(m.Month())}
		index[months[i].Label] = i
	}
	from := document.DateOf(first)
	f := document.Filter{Kind: document.Invoice, Status: document.Issued, DateFrom: &from, DateTo: &today}
	totals, err := u.Store.MonthlyTotals(ctx, orgID, f)
	if err != nil {
		return nil, err
	}
	for _, t := range totals {
		if i, ok := index[t.Month]; ok {
			months[i].Total = t.Gross
		}
	}
	return months, nil
}

// layoutChart places the bars: heights proportional to the largest month, in integer pixels.
func layoutChart(months []monthBar) chart {
	c := chart{Width: 600, Height: 220, BarWidth: 36, Base: 190}
	for _, m := range months {
		c.Max = max(c.Max, m.Total)
	}
	const plot = 160 // pixels for the largest bar
	step := c.Width / len(months)
	for i := range months {
		h := 0
		if c.Max > 0 && months[i].Total > 0 {
			h = max(1, int(months[i].Total*plot/c.Max))
		}
		months[i].Height = h
		months[i].X = i*step + (step-c.BarWidth)/2
		months[i].Y = c.Base - h
	}
	return c
}

// noticesDismiss deletes the signed-in user's notices of organisations that added them.
func (u *ui) noticesDismiss(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := u.Store.DismissMemberNotices(r.Context(), p.UserID); err != nil {
		return err
	}
	return seeOther(w, r, "/")
}
