package web

import (
	"net/http"

	"reportapp/internal/domain"
	"reportapp/internal/recurring"
)

// decodeSchedule reads a schedule body and checks that its template makes a valid invoice for
// the first run, so a schedule that could never run is refused when saved, not at night.
func (a *app) decodeSchedule(r *http.Request, p domain.Principal) (recurring.Schedule, error) {
	data, err := readJSON(r)
	if err != nil {
		return recurring.Schedule{}, err
	}
	s, err := recurring.Decode(data)
	if err != nil {
		return recurring.Schedule{}, err
	}
	return s, a.checkSchedule(r, p, s)
}

// checkSchedule makes the first run's invoice from a decoded schedule and validates it.
func (a *app) checkSchedule(r *http.Request, p domain.Principal, s recurring.Schedule) error {
	c, err := a.Store.GetCustomer(r.Context(), p.OrgID, s.CustomerID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return &domain.Error{Code: domain.EInvalid, Message: "取引先が見つかりません (customer not found)",
			Fields: map[string]string{"customer_id": "取引先が見つかりません (no such customer)"}}
	}
	if err != nil {
		return err
	}
	d, err := s.Document(s.RunAt(0), c, a.calendar)
	if err == nil {
		if d.TaxRounding == "" {
			org, err := a.Store.GetOrganization(r.Context(), p.OrgID)
			if err != nil {
				return err
			}
			d.TaxRounding = org.DefaultTaxRounding
		}
		err = d.Validate()
	}
	if fields, ok := fieldErrors(err); ok {
		e := &domain.Error{Code: domain.EInvalid, Message: "テンプレートに誤りがあります (the template does not make a valid invoice)",
			Fields: map[string]string{}}
		for k, v := range fields {
			e.Fields["template."+k] = v
		}
		return e
	} else if err != nil {
		return err
	}
	return nil
}

func (a *app) scheduleCreate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	s, err := a.decodeSchedule(r, p)
	if err != nil {
		return err
	}
	s, err = a.Store.CreateSchedule(r.Context(), p.OrgID, p.Actor(), s)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/schedules/"+s.ID)
	writeJSON(w, http.StatusCreated, s)
	return nil
}

func (a *app) scheduleList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	items, err := a.Store.ListSchedules(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (a *app) scheduleGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	s, err := a.Store.GetSchedule(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *app) scheduleUpdate(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if _, err := a.Store.GetSchedule(r.Context(), p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	s, err := a.decodeSchedule(r, p)
	if err != nil {
		return err
	}
	s.ID = r.PathValue("id")
	s, err = a.Store.UpdateSchedule(r.Context(), p.OrgID, s)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *app) scheduleDelete(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := a.Store.DeleteSchedule(r.Context(), p.OrgID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *app) schedulePause(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return a.setScheduleActive(w, r, p, false)
}

func (a *app) scheduleResume(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return a.setScheduleActive(w, r, p, true)
}

func (a *app) setScheduleActive(w http.ResponseWriter, r *http.Request, p domain.Principal, active bool) error {
	s, err := a.Store.SetScheduleActive(r.Context(), p.OrgID, r.PathValue("id"), active, a.today())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *app) scheduleDocuments(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	docs, err := a.Store.ScheduleDocuments(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": docs})
	return nil
}

func (a *app) scheduleRuns(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	runs, err := a.Store.ScheduleRuns(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": runs})
	return nil
}
