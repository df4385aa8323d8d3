// Package recurring is the domain of recurring invoices: a schedule says when an invoice is made
// (monthly, quarterly or yearly on a day of the month), for which period, and what to do with it
// (keep a draft, issue, issue and send). Which periods are due is computed here; that each
// (schedule, period) makes at most one document is the store's unique key.
package recurring

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Interval is how often a schedule runs.
type Interval string

// The intervals.
const (
	Monthly   Interval = "monthly"
	Quarterly Interval = "quarterly"
	Yearly    Interval = "yearly"
)

// months is the number of months between two runs.
func (i Interval) months() int {
	switch i {
	case Quarterly:
		return 3
	case Yearly:
		return 12
	}
	return 1
}

// PeriodChoice says which period a run bills: the one containing the run date or the one before.
type PeriodChoice string

// The period choices.
const (
	CurrentPeriod  PeriodChoice = "current"
	PreviousPeriod PeriodChoice = "previous"
)

// Action is what a run does with the invoice it makes.
type Action string

// The actions.
const (
	ActionDraft        Action = "draft"
	ActionIssue        Action = "issue"
	ActionIssueAndSend Action = "issue_and_send"
)

// MaxCount bounds Count, and MaxCatchUp how many missed runs one pass creates per schedule.
const (
	MaxCount   = 1200
	MaxCatchUp = 120
	maxName    = 100
)

// Schedule is a recurring invoice of an organisation.
type Schedule struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	CustomerID string             `json:"customer_id"`
	Interval   Interval           `json:"interval"`
	Day        document.MonthDay  `json:"day"`
	Start      document.Date      `json:"start"`
	End        *document.Date     `json:"end"`
	Count      *int               `json:"count"`
	Period     PeriodChoice       `json:"period"`
	Action     Action             `json:"action"`
	Template   json.RawMessage    `json:"template"`
	Active     bool               `json:"active"`
	NextRun    *document.Date     `json:"next_run"`
	LastRun    *document.Date     `json:"last_run"`
	RunCount   int                `json:"run_count"`
	NotBefore  document.Date      `json:"-"` // runs before this date were skipped by a pause
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
	Customer   *document.Customer `json:"-"`
}

// Run is one run of a schedule: its sequence number (0 for the first), date and billed period.
type Run struct {
	Seq    int             `json:"seq"`
	Date   document.Date   `json:"date"`
	Period document.Period `json:"period"`
}

// RunRecord is a run that was made: the document it made and what happened after, in Note
// (e.g. why an issue_and_send invoice was issued but not e-mailed; empty when nothing to say).
type RunRecord struct {
	Run
	DocumentID string    `json:"document_id"`
	Note       string    `json:"note"`
	CreatedAt  time.Time `json:"created_at"`
}

// input is the JSON body of POST and PUT /api/v1/schedules.
type input struct {
	Name       json.RawMessage `json:"name"`
	CustomerID json.RawMessage `json:"customer_id"`
	Interval   json.RawMessage `json:"interval"`
	Day        json.RawMessage `json:"day"`
	Start      json.RawMessage `json:"start"`
	End        json.RawMessage `json:"end"`
	Count      json.RawMessage `json:"count"`
	Period     json.RawMessage `json:"period"`
	Action     json.RawMessage `json:"action"`
	Template   json.RawMessage `json:"template"`
	// Read-only, ignored, so a client may PUT back what it got.
	ID        json.RawMessage `json:"id"`
	Active    json.RawMessage `json:"active"`
	NextRun   json.RawMessage `json:"next_run"`
	LastRun   json.RawMessage `json:"last_run"`
	RunCount  json.RawMessage `json:"run_count"`
	CreatedAt json.RawMessage `json:"created_at"`
	UpdatedAt json.RawMessage `json:"updated_at"`
}

// templateForbidden are document fields a template may not set: the run decides them.
var templateForbidden = []string{"kind", "customer_id", "issue_date", "transaction_date", "transaction_period",
	"due_date", "valid_until", "related_document_id", "purpose"}

// Decode reads and validates a schedule from its JSON. Problems are one EInvalid error with
// field paths (template problems under "template."); malformed JSON is EBadRequest.
func Decode(data []byte) (Schedule, error) {
	var in input
	if err := document.DecodeObject(data, &in); err != nil {
		return Schedule{}, err
	}
	f := document.NewFields()
	fe := f.Problems()
	s := Schedule{Action: ActionDraft, Period: CurrentPeriod}
	s.Name = strings.TrimSpace(f.Required("name", in.Name))
	if n := len([]rune(s.Name)); n > maxName {
		fe.Add("name", fmt.Sprintf("%d 文字までです (at most %d characters)", maxName, maxName))
	}
	s.CustomerID = f.Required("customer_id", in.CustomerID)
	s.Interval = Interval(f.Required("interval", in.Interval))
	switch s.Interval {
	case Monthly, Quarterly, Yearly, "":
	default:
		fe.Add("interval", "monthly・quarterly・yearly のいずれかです (must be monthly, quarterly or yearly)")
	}
	if f.Absent(in.Day) {
		fe.Add("day", `必須です: 1〜28 または "end" (required: 1 to 28, or "end")`)
	} else if err := s.Day.UnmarshalJSON(in.Day); err != nil {
		fe.Add("day", err.Error())
	}
	if s.Start = f.Date("start", in.Start); s.Start.IsZero() && fe["start"] == "" {
		fe.Add("start", "必須です (required)")
	}
	if end := f.Date("end", in.End); !end.IsZero() {
		s.End = &end
	}
	if s.End != nil && !s.Start.IsZero() && s.End.Before(s.Start) {
		fe.Add("end", "開始日より前です (end is before start)")
	}
	if n, ok := f.Integer("count", in.Count); ok {
		if n < 1 || n > MaxCount {
			fe.Add("count", fmt.Sprintf("1〜%d の整数です (an integer from 1 to %d)", MaxCount, MaxCount))
		} else {
			c := int(n)
			s.Count = &c
		}
	}
	if p := f.String("period", in.Period); p != "" {
		s.Period = PeriodChoice(p)
	}
	if s.Period != CurrentPeriod && s.Period != PreviousPeriod {
		fe.Add("period", "current・previous のいずれかです (must be current or previous)")
	}
	if a := f.String("action", in.Action); a != "" {
		s.Action = Action(a)
	}
	switch s.Action {
	case ActionDraft, ActionIssue, ActionIssueAndSend:
	default:
		fe.Add("action", "draft・issue・issue_and_send のいずれかです (must be draft, issue or issue_and_send)")
	}
	if f.Absent(in.Template) {
		fe.Add("template", "必須です (required)")
	} else {
		s.Template = append(json.RawMessage(nil), in.Template...)
		if _, err := s.templateDocument(); err != nil {
			addTemplateProblems(fe, err)
		}
	}
	if err := fe.Err(); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// addTemplateProblems copies the field problems of a template's error under "template.".
func addTemplateProblems(fe domain.FieldErrors, err error) {
	if e, ok := err.(*domain.Error); ok && len(e.Fields) > 0 {
		for k, v := range e.Fields {
			fe.Add("template."+k, v)
		}
		return
	}
	fe.Add("template", err.Error())
}

// placeholder matches {{name}} with optional spaces.
var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Placeholders are the names a template's texts may use.
var Placeholders = []string{"year", "month", "period_from", "period_to"}

// checkPlaceholders records each unknown placeholder of s under field.
func checkPlaceholders(fe domain.FieldErrors, field, s string) {
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		known := false
		for _, p := range Placeholders {
			known = known || m[1] == p
		}
		if !known {
			fe.Add(field, fmt.Sprintf("不明な差し込み項目です: {{%s}} (unknown placeholder {{%s}}; use {{year}}, {{month}}, {{period_from}}, {{period_to}})", m[1], m[1]))
		}
	}
}

// expand replaces the placeholders of s with the run's values.
func expand(s string, r Run) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		switch placeholder.FindStringSubmatch(m)[1] {
		case "year":
			return fmt.Sprint(r.Period.From.Year)
		case "month":
			return fmt.Sprint(int(r.Period.From.Month))
		case "period_from":
			return r.Period.From.Japanese()
		case "period_to":
			return r.Period.To.Japanese()
		}
		return m
	})
}

// templateDocument decodes the template as the content of an invoice, rejecting the fields a
// run sets and unknown placeholders.
func (s Schedule) templateDocument() (document.Document, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(s.Template, &keys); err != nil {
		return document.Document{}, &domain.Error{Code: domain.EInvalid, Message: "テンプレートはオブジェクトです (template must be an object)",
			Fields: map[string]string{"": "オブジェクトで指定してください (must be an object)"}}
	}
	fe := domain.FieldErrors{}
	for _, k := range templateForbidden {
		if _, ok := keys[k]; ok {
			fe.Add(k, "テンプレートでは指定できません。実行時に決まります (set by each run, not by the template)")
		}
	}
	if err := fe.Err(); err != nil {
		return document.Document{}, err
	}
	d, _, err := document.DecodeDocument(s.Template)
	if err != nil {
		return document.Document{}, err
	}
	checkPlaceholders(fe, "subject", d.Subject)
	checkPlaceholders(fe, "notes", d.Notes)
	for i, it := range d.Items {
		checkPlaceholders(fe, fmt.Sprintf("items[%d].name", i), it.Name)
	}
	if len(d.Items) == 0 {
		fe.Add("items", "明細を 1 行以上入力してください (at least one line item)")
	}
	if err := fe.Err(); err != nil {
		return document.Document{}, err
	}
	return d, nil
}

// Document builds the invoice of run r: the template's content with its placeholders filled, the
// run date as issue date, the run's period as transaction period and the due date from the
// customer's payment terms (none without terms). The caller fills defaults and validates.
func (s Schedule) Document(r Run, customer document.Customer, cal *document.BusinessCalendar) (document.Document, error) {
	d, err := s.templateDocument()
	if err != nil {
		return document.Document{}, err
	}
	d.Kind = document.Invoice
	d.CustomerID = s.CustomerID
	d.IssueDate = r.Date
	period := r.Period
	d.TransactionPeriod = &period
	d.Subject = expand(d.Subject, r)
	d.Notes = expand(d.Notes, r)
	for i := range d.Items {
		d.Items[i].Name = expand(d.Items[i].Name, r)
	}
	if customer.PaymentTerms != nil {
		due := customer.PaymentTerms.DueDate(period.To, cal)
		if due.Before(r.Date) {
			due = r.Date
		}
		d.DueDate = &due
	}
	return d, nil
}

// RunAt returns the schedule's run number seq (0 for the first): Day of the month seq intervals
// after the first run, where the first run is the first such day on or after Start.
func (s Schedule) RunAt(seq int) Run {
	step := s.Interval.months()
	first := s.Day.In(s.Start.Year, s.Start.Month)
	offset := 0
	if first.Before(s.Start) {
		offset = step
	}
	y, m := addMonths(s.Start.Year, s.Start.Month, offset+seq*step)
	date := s.Day.In(y, m)
	return Run{Seq: seq, Date: date, Period: s.period(date)}
}

// period is the period billed by a run on date.
func (s Schedule) period(date document.Date) document.Period {
	step := s.Interval.months()
	startMonth := time.January
	switch s.Interval {
	case Monthly:
		startMonth = date.Month
	case Quarterly:
		startMonth = time.Month((int(date.Month)-1)/3*3 + 1)
	}
	y, m := date.Year, startMonth
	if s.Period == PreviousPeriod {
		y, m = addMonths(y, m, -step)
	}
	from := document.Date{Year: y, Month: m, Day: 1}
	ty, tm := addMonths(y, m, step-1)
	to := document.EndOfMonthDay.In(ty, tm)
	return document.Period{From: from, To: to}
}

// Finished reports whether run seq lies beyond the schedule's end or count.
func (s Schedule) Finished(seq int) bool {
	if s.Count != nil && seq >= *s.Count {
		return true
	}
	return s.End != nil && s.End.Before(s.RunAt(seq).Date)
}

// DueRuns returns the runs from seq `from` on whose date is on or before asOf, skipping those
// before NotBefore (paused), oldest first, at most MaxCatchUp.
func (s Schedule) DueRuns(from int, asOf document.Date) []Run {
	var out []Run
	for seq := from; len(out) < MaxCatchUp && !s.Finished(seq); seq++ {
		r := s.RunAt(seq)
		if asOf.Before(r.Date) {
			break
		}
		if !s.NotBefore.IsZero() && r.Date.Before(s.NotBefore) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Next returns the first run from seq `from` on that is not before NotBefore, or nil when the
// schedule has finished.
func (s Schedule) Next(from int) *Run {
	for seq := from; seq < from+MaxCount && !s.Finished(seq); seq++ {
		r := s.RunAt(seq)
		if s.NotBefore.IsZero() || !r.Date.Before(s.NotBefore) {
			return &r
		}
	}
	return nil
}

func addMonths(y int, m time.Month, n int) (int, time.Month) {
	t := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	return t.Year(), t.Month()
}
