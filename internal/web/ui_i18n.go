package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
	"reportapp/internal/server"
)

// catalogue returns the messages of l.
func catalogue(l lang) map[string]string {
	if l == langEN {
		return messagesEN()
	}
	return messagesJA()
}

// setLang stores the user's language choice in a cookie and returns to where they were.
func (u *ui) setLang(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
	l := lang(r.PostFormValue("lang"))
	if l != langEN {
		l = langJA
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.Config.Production()})
	return seeOther(w, r, server.LocalRedirect(r.PostFormValue("next")))
}

// funcs are the template functions of language l.
func (u *ui) funcs(l lang, cat map[string]string) template.FuncMap {
	t := func(key string) string {
		if s, ok := cat[key]; ok {
			return s
		}
		return key
	}
	fm := template.FuncMap{
		"t":  t,
		"tf": func(key string, args ...any) string { return fmt.Sprintf(t(key), args...) },
		"asset": func(name string) string {
			if p, ok := u.assets[name]; ok {
				return p
			}
			return "/static/missing/" + name
		},
		"yen":    document.FormatYen,
		"kind":   func(k document.Kind) string { return t("kind." + string(k)) },
		"status": func(s document.Status) string { return t("status." + string(s)) },
		"role":   func(r domain.Role) string { return t("role." + string(r)) },
		"date": func(d document.Date) string {
			if l == langJA {
				return d.Japanese()
			}
			return d.String()
		},
		"dateptr": func(d *document.Date) string {
			if d == nil {
				return ""
			}
			return d.String()
		},
		"time": func(tm time.Time) string {
			if tm.IsZero() {
				return ""
			}
			return tm.In(u.loc).Format("2006-01-02 15:04")
		},
		"timeptr": func(tm *time.Time) string {
			if tm == nil {
				return ""
			}
			return tm.In(u.loc).Format("2006-01-02 15:04")
		},
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
		"add": func(a, b int) int { return a + b },
		"yenptr": func(n *int64) int64 {
			if n == nil {
				return 0
			}
			return *n
		},
		"paymentStatuses": receivables.Statuses,
		"itemf":           func(i int, field string) string { return fmt.Sprintf("items[%d].%s", i, field) },
		"kinds":           document.Kinds,
		"kindsOf":         kindsOf,
		"totalsOf": func(d document.Document) totalsData {
			return totalsData{Kind: d.Kind, Totals: d.Totals, Computed: true}
		},
		"roles": func() []domain.Role { return []domain.Role{viewer, member, admin} },
		"days": func() []int {
			d := make([]int, 28)
			for i := range d {
				d[i] = i + 1
			}
			return d
		},
		"holidayRules": func() []string { return []string{"none", "previous_business_day", "next_business_day"} },
		"change":       func(c document.Change) changeRow { return historyChange(cat, c) },
		"lineRows":     func(items []document.Item) template.HTML { return lineRows(items, t) },
	}
	maps.Copy(fm, authFuncs(t))
	return fm
}
