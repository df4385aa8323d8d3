package web

import (
	"net/http"
	"net/url"

	"reportapp/internal/auth"
	"reportapp/internal/domain"
	"reportapp/internal/server"
)

// Minimum roles. A route with no role is public.
const (
	public = domain.Role("")
	viewer = domain.Role("viewer")
	member = domain.Role("member")
	admin  = domain.Role("admin")
)

// route is one line of the route table: the pattern, who may call it, and the handler.
type route struct {
	pattern string
	role    domain.Role
	h       handlerFunc
}

// routes is the whole table of the application's routes; the table shows who may do what.
// The API's routes (mounted under /api/) authenticate by bearer token, the browser's by the
// session.
func (a *app) routes() []route {
	return append(a.apiRoutes(), a.browserRoutes()...)
}

// browserRoutes are the routes of the browser mount: the UI's pages and auth's sign-in routes
// (public: those that need a user check it themselves).
func (a *app) browserRoutes() []route {
	routes := a.uiRoutes()
	for _, rt := range a.Auth.Routes() {
		h := rt.Handler
		routes = append(routes, route{rt.Pattern, public, func(w http.ResponseWriter, r *http.Request, _ domain.Principal) error {
			h.ServeHTTP(w, r)
			return nil
		}})
	}
	return routes
}

// apiRoutes are the JSON API's routes.
func (a *app) apiRoutes() []route {
	return []route{
		{"GET /api/v1/openapi.json", public, a.openAPI},

		{"GET /api/v1/organization", viewer, a.organizationGet},
		{"PUT /api/v1/organization", admin, a.organizationUpdate},
		{"GET /api/v1/organization/allowed-domains", admin, a.allowedDomainList},
		{"PUT /api/v1/organization/allowed-domains/{domain}", admin, a.allowedDomainPut},
		{"DELETE /api/v1/organization/allowed-domains/{domain}", admin, a.allowedDomainDelete},

		{"GET /api/v1/customers", viewer, a.customerList},
		{"POST /api/v1/customers", member, a.customerCreate},
		{"GET /api/v1/customers/{id}", viewer, a.customerGet},
		{"PUT /api/v1/customers/{id}", member, a.customerUpdate},
		{"DELETE /api/v1/customers/{id}", member, a.customerDelete},

		{"GET /api/v1/documents", viewer, a.documentList},
		{"GET /api/v1/documents.csv", viewer, a.documentCSV},
		{"POST /api/v1/documents", member, a.documentCreate},
		{"GET /api/v1/documents/{id}", viewer, a.documentGet},
		{"PUT /api/v1/documents/{id}", member, a.documentUpdate},
		{"DELETE /api/v1/documents/{id}", member, a.documentDelete},
		{"POST /api/v1/documents/{id}/issue", member, a.documentIssue},
		{"POST /api/v1/documents/{id}/cancel", member, a.documentCancel},
		{"GET /api/v1/documents/{id}/history", viewer, a.documentHistory},
		{"GET /api/v1/documents/{id}/pdf", viewer, a.documentPDF},
		{"GET /api/v1/documents/{id}/pint.xml", viewer, a.documentPINT},
		{"POST /api/v1/documents/{id}/send", member, a.sendDocument},
		{"POST /api/v1/documents/{id}/remind", member, a.remindDocument},
		{"GET /api/v1/documents/{id}/deliveries", viewer, a.deliveryList},
		{"GET /api/v1/deliveries", viewer, a.deliveryRecent},
		{"GET /api/v1/deliveries/{id}", viewer, a.deliveryGet},
		{"POST /api/v1/deliveries/{id}/revoke-link", member, a.deliveryRevokeLink},
		{"GET /api/v1/mail-settings", viewer, a.mailSettingsGet},
		{"PUT /api/v1/mail-settings", admin, a.mailSettingsPut},

		{"POST /api/v1/summary-invoices", member, a.summaryInvoiceCreate},

		{"GET /api/v1/schedules", viewer, a.scheduleList},
		{"POST /api/v1/schedules", member, a.scheduleCreate},
		{"GET /api/v1/schedules/{id}", viewer, a.scheduleGet},
		{"PUT /api/v1/schedules/{id}", member, a.scheduleUpdate},
		{"DELETE /api/v1/schedules/{id}", member, a.scheduleDelete},
		{"POST /api/v1/schedules/{id}/pause", member, a.schedulePause},
		{"POST /api/v1/schedules/{id}/resume", member, a.scheduleResume},
		{"GET /api/v1/schedules/{id}/documents", viewer, a.scheduleDocuments},
		{"GET /api/v1/schedules/{id}/runs", viewer, a.scheduleRuns},
		{"GET /api/v1/documents/{id}/payments", viewer, a.paymentList},
		{"POST /api/v1/documents/{id}/payments", member, a.paymentCreate},
		{"POST /api/v1/payments/{id}/void", member, a.paymentVoid},
		{"GET /api/v1/receivables", viewer, a.receivablesGet},
		{"POST /api/v1/bank-statements", member, a.statementCreate},
		{"GET /api/v1/bank-statements/{id}", viewer, a.statementGet},
		{"POST /api/v1/bank-statements/{id}/apply", member, a.statementApply},

		{"POST /api/v1/exports", member, a.exportCreate},
		{"GET /api/v1/exports/{id}", viewer, a.exportGet},
		{"GET /api/v1/exports/{id}/download", viewer, a.exportDownload},
	}
}

// wrap records the route's pattern for metrics, checks that the caller (from the bearer token
// on API routes, the session on browser routes) has the route's role, and turns the handler's
// error into a response. An anonymous GET of a browser page is sent to the login page instead.
func (a *app) wrap(rt route, browser bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		server.SetRoute(r.Context(), rt.pattern)
		p, ok := auth.PrincipalFrom(r.Context())
		if rt.role != public {
			if !ok {
				if browser && r.Method == http.MethodGet {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="reportapp"`)
				a.writeError(w, r, domain.Errorf(domain.EUnauthorized, "認証が必要です (Authorization: Bearer <token> required)"))
				return
			}
			if !p.Role.AtLeast(rt.role) {
				a.writeError(w, r, domain.Errorf(domain.EForbidden, "この操作の権限がありません (role %s may not do this; needs %s)", p.Role, rt.role))
				return
			}
		}
		if err := rt.h(w, r, p); err != nil {
			a.writeError(w, r, err)
		}
	})
}
