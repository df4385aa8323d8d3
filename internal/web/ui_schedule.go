package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/recurring"
)

// scheduleLines is how many line rows the schedule form offers; blank rows are ignored.
const scheduleLines = 5

// scheduleLine is one line row of the schedule form, as typed.
type scheduleLine struct{ Name, Quantity, Unit, UnitPrice, TaxRate string }

// scheduleForm is the schedule form: what was typed, kept for a re-render.
type scheduleForm struct {
	ID, Name, CustomerID, Interval, Day, Start, End, Count, Period, Action string
	Subject, Notes                                                         string
	Lines                                                                  []scheduleLine
	Active                                                                 bool
	NextRun, LastRun                                                       string
}

// scheduleFormData is what the schedule page shows.
type scheduleFormData struct {
	Form      scheduleForm
	Customers []document.Customer
	Documents []document.Document
	Notes     map[string]string // document id → the note of the run that made it
}

// scheduleListData is the list of schedules with their customers' names.
type scheduleListData struct {
	Schedules []recurring.Schedule
	Customers map[string]string
}

func (u *ui) scheduleList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	ss, err := u.Store.ListSchedules(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.CustomerID
	}
	names, err := u.Store.CustomerNames(r.Context(), p.OrgID, ids)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "schedules.html", view{Title: "schedules.title", Nav: "schedules",
		Data: scheduleListData{Schedules: ss, Customers: names}})
}

func (u *ui) scheduleFormData(r *http.Request, p domain.Principal, f scheduleForm) (scheduleFormData, error) {
	cs, err := u.Store.ListCustomers(r.Context(), p.OrgID, "", 500, 0)
	if err != nil {
		return scheduleFormData{}, err
	}
	for len(f.Lines) < scheduleLines {
		f.Lines = append(f.Lines, scheduleLine{Quantity: "1", TaxRate: "10"})
	}
	return scheduleFormData{Form: f, Customers: cs}, nil
}

func (u *ui) scheduleNew(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	today := u.today()
	d, err := u.scheduleFormData(r, p, scheduleForm{Interval: "monthly", Day: "end", Start: today.String(), Period: "current", Action: "draft",
		Subject: "{{year}}年{{month}}月分"})
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "schedule_form.html", view{Title: "schedule.new", Nav: "schedules", Data: d})
}

func (u *ui) scheduleEdit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	s, err := u.Store.GetSchedule(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := u.scheduleFormData(r, p, formOfSchedule(s))
	if err != nil {
		return err
	}
	if d.Documents, err = u.Store.ScheduleDocuments(r.Context(), p.OrgID, s.ID); err != nil {
		return err
	}
	runs, err := u.Store.ScheduleRuns(r.Context(), p.OrgID, s.ID)
	if err != nil {
		return err
	}
	d.Notes = make(map[string]string, len(runs))
	for _, run := range runs {
		d.Notes[run.DocumentID] = run.Note
	}
	return u.render(w, r, http.StatusOK, "schedule_form.html", view{Title: "schedule.edit", Nav: "schedules", Data: d})
}

// formOfSchedule fills the form from a stored schedule.
func formOfSchedule(s recurring.Schedule) scheduleForm {
	f := scheduleForm{ID: s.ID, Name: s.Name, CustomerID: s.CustomerID, Interval: string(s.Interval), Start: s.Start.String(),
		Period: string(s.Period), Action: string(s.Action), Active: s.Active, Day: "end"}
	if !s.Day.IsEnd() {
		f.Day = strconv.Itoa(int(s.Day))
	}
	if s.End != nil {
		f.End = s.End.String()
	}
	if s.Count != nil {
		f.Count = strconv.Itoa(*s.Count)
	}
	if s.NextRun != nil {
		f.NextRun = s.NextRun.String()
	}
	if s.LastRun != nil {
		f.LastRun = s.LastRun.String()
	}
	var t struct {
		Subject string `json:"subject"`
		Notes   string `json:"notes"`
		Items   []struct {
			Name      string          `json:"name"`
			Quantity  json.RawMessage `json:"quantity"`
			Unit      string          `json:"unit"`
			UnitPrice json.RawMessage `json:"unit_price"`
			TaxRate   json.RawMessage `json:"tax_rate"`
		} `json:"items"`
	}
	_ = json.Unmarshal(s.Template, &t) // validated when saved
	f.Subject, f.Notes = t.Subject, t.Notes
	for _, it := range t.Items {
		f.Lines = append(f.Lines, scheduleLine{Name: it.Name, Quantity: strings.Trim(string(it.Quantity), `"`), Unit: it.Unit,
			UnitPrice: string(it.UnitPrice), TaxRate: string(it.TaxRate)})
	}
	return f
}

// scheduleFromForm reads the form into the API's JSON shape, so the form and the API share one
// decoder and one set of field names ("template.items[0].name" is also the input's name).
func scheduleFromForm(r *http.Request) (scheduleForm, []byte) {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := scheduleForm{ID: r.PathValue("id"), Name: v("name"), CustomerID: v("customer_id"), Interval: v("interval"), Day: v("day"),
		Start: v("start"), End: v("end"), Count: v("count"), Period: v("period"), Action: v("action"),
		Subject: v("template.subject"), Notes: r.PostFormValue("template.notes")}
	body := map[string]any{"name": f.Name, "customer_id": f.CustomerID, "interval": f.Interval, "start": nullable(f.Start),
		"end": nullable(f.End), "period": f.Period, "action": f.Action}
	if n, err := strconv.Atoi(document.NormalizeNumber(f.Day)); err == nil {
		body["day"] = n
	} else {
		body["day"] = nullable(f.Day)
	}
	if f.Count != "" {
		if n, err := strconv.Atoi(document.NormalizeNumber(f.Count)); err == nil {
			body["count"] = n
		} else {
			body["count"] = f.Count // reported as a field error
		}
	}
	items := []map[string]any{}
	for i := range scheduleLines {
		key := func(k string) string { return "template.items[" + strconv.Itoa(i) + "]." + k }
		l := scheduleLine{Name: v(key("name")), Quantity: v(key("quantity")), Unit: v(key("unit")), UnitPrice: v(key("unit_price")), TaxRate: v(key("tax_rate"))}
		f.Lines = append(f.Lines, l)
		if l.Name == "" && l.UnitPrice == "" {
			continue // a blank row
		}
		it := map[string]any{"name": l.Name, "quantity": l.Quantity, "unit": l.Unit}
		if n, err := document.ParseYen(l.UnitPrice); err == nil {
			it["unit_price"] = n
		} else {
			it["unit_price"] = l.UnitPrice
		}
		if n, err := strconv.Atoi(l.TaxRate); err == nil {
			it["tax_rate"] = n
		}
		items = append(items, it)
	}
	body["template"] = map[string]any{"subject": f.Subject, "notes": f.Notes, "items": items}
	data, _ := json.Marshal(body) // maps of strings and numbers always encode
	return f, data
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// scheduleSave creates (POST /schedules) or updates (POST /schedules/{id}) a schedule; problems
// re-render the form with the messages beside the fields.
func (u *ui) scheduleSave(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	f, data := scheduleFromForm(r)
	s, err := recurring.Decode(data)
	if err == nil {
		err = u.checkSchedule(r, p, s)
	}
	if err == nil {
		if f.ID == "" {
			s, err = u.Store.CreateSchedule(r.Context(), p.OrgID, p.Actor(), s)
		} else {
			s.ID = f.ID
			s, err = u.Store.UpdateSchedule(r.Context(), p.OrgID, s)
		}
	}
	if fe, ok := fieldErrors(err); ok {
		d, derr := u.scheduleFormData(r, p, f)
		if derr != nil {
			return derr
		}
		title := "schedule.new"
		if f.ID != "" {
			title = "schedule.edit"
		}
		return u.render(w, r, http.StatusUnprocessableEntity, "schedule_form.html", view{Title: title, Nav: "schedules",
			Error: "form.invalid", Errors: fe, Data: d})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/schedules/"+s.ID+"?notice=saved")
}

func (u *ui) schedulePause(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return u.scheduleSetActive(w, r, p, false)
}

func (u *ui) scheduleResume(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return u.scheduleSetActive(w, r, p, true)
}

func (u *ui) scheduleSetActive(w http.ResponseWriter, r *http.Request, p domain.Principal, active bool) error {
	s, err := u.Store.SetScheduleActive(r.Context(), p.OrgID, r.PathValue("id"), active, u.today())
	if err != nil {
		return err
	}
	return seeOther(w, r, "/schedules/"+s.ID+"?notice=saved")
}

// scheduleDelete deletes a schedule once the confirmation box is ticked (no script needed).
func (u *ui) scheduleDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if r.PostFormValue("confirm") != "yes" {
		return &domain.Error{Code: domain.EInvalid, Message: "削除するには確認欄にチェックを入れてください (tick the confirmation to delete)",
			Fields: map[string]string{"confirm": "確認欄にチェックを入れてください (tick to confirm)"}}
	}
	if err := u.Store.DeleteSchedule(r.Context(), p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	return seeOther(w, r, "/schedules?notice=deleted")
}
