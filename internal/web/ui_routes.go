package web

// uiRoutes are the browser pages' routes (the web UI). Each page's errors render as HTML pages
// (ui.page); the roles are the same as the API's: viewers read and download, members edit
// customers and documents, admins change the organisation's settings and members.
func (a *app) uiRoutes() []route {
	u := newUI(a)
	pg := u.page
	return []route{
		{"GET /static/{name}", public, pg(u.static)},
		{"GET /favicon.ico", public, pg(u.favicon)},
		{"POST /lang", public, pg(u.setLang)},

		{"GET /{$}", viewer, pg(u.dashboard)},

		{"GET /customers", viewer, pg(u.customerList)},
		{"GET /customers/new", member, pg(u.customerNew)},
		{"POST /customers", member, pg(u.customerSave)},
		{"GET /customers/{id}", viewer, pg(u.customerEdit)},
		{"POST /customers/{id}", member, pg(u.customerSave)},
		{"POST /customers/{id}/delete", member, pg(u.customerDelete)},

		{"GET /documents", viewer, pg(u.documentList)},
		{"GET /documents.csv", viewer, pg(a.documentCSV)},
		{"GET /documents/new", member, pg(u.documentNew)},
		{"POST /documents", member, pg(u.documentSave)},
		{"POST /documents/editor/lines", member, pg(u.documentLines)},
		{"POST /documents/editor/totals", member, pg(u.documentTotals)},
		{"GET /documents/editor/invoices", member, pg(u.documentInvoices)},
		{"GET /documents/{id}", viewer, pg(u.documentView)},
		{"GET /documents/{id}/edit", member, pg(u.documentEdit)},
		{"POST /documents/{id}", member, pg(u.documentSave)},
		{"POST /documents/{id}/delete", member, pg(u.documentDelete)},
		{"GET /documents/{id}/issue", member, pg(u.documentConfirm)},
		{"POST /documents/{id}/issue", member, pg(u.documentIssue)},
		{"GET /documents/{id}/cancel", member, pg(u.documentConfirm)},
		{"POST /documents/{id}/cancel", member, pg(u.documentCancel)},
		{"GET /documents/{id}/history", viewer, pg(u.documentHistory)},
		{"GET /documents/{id}/pdf", viewer, pg(u.documentPDF)},
		{"GET /documents/{id}/pint.xml", viewer, pg(a.documentPINT)},

		{"GET /schedules", viewer, pg(u.scheduleList)},
		{"GET /schedules/new", member, pg(u.scheduleNew)},
		{"POST /schedules", member, pg(u.scheduleSave)},
		{"GET /schedules/{id}", viewer, pg(u.scheduleEdit)},
		{"POST /schedules/{id}", member, pg(u.scheduleSave)},
		{"POST /schedules/{id}/pause", member, pg(u.schedulePause)},
		{"POST /schedules/{id}/resume", member, pg(u.scheduleResume)},
		{"POST /schedules/{id}/delete", member, pg(u.scheduleDelete)},
		{"GET /closing", member, pg(u.closingPage)},
		{"POST /closing", member, pg(u.closingCreate)},
		{"POST /closing/issue", member, pg(u.closingIssue)},
		{"POST /documents/{id}/payments", member, pg(u.documentPayment)},
		{"POST /payments/{id}/void", member, pg(u.paymentVoidPage)},

		{"GET /reconcile", member, pg(u.reconcileNew)},
		{"POST /reconcile", member, pg(u.reconcileUpload)},
		{"GET /reconcile/{id}", viewer, pg(u.reconcileView)},
		{"POST /reconcile/{id}/apply", member, pg(u.reconcileApply)},

		{"POST /exports", member, pg(u.exportCreate)},
		{"GET /exports/{id}", viewer, pg(u.exportView)},
		{"GET /exports/{id}/download", viewer, pg(a.exportDownload)},

		{"GET /settings", admin, pg(u.settingsEdit)},
		{"POST /settings", admin, pg(u.settingsSave)},
		{"POST /settings/images", admin, pg(u.settingsImagesSave)},
		{"GET /settings/images/{which}", admin, pg(u.settingsImage)},
		{"GET /settings/members", admin, pg(u.memberList)},
		{"POST /settings/members", admin, pg(u.memberInvite)},
		{"POST /settings/members/{id}/role", admin, pg(u.memberRole)},
		{"POST /settings/members/{id}/remove", admin, pg(u.memberRemove)},
		{"POST /settings/members/{id}/reset", admin, pg(u.memberReset)},
		{"POST /settings/domains", admin, pg(u.memberDomainAllow)},
		{"POST /settings/domains/{domain}/remove", admin, pg(u.memberDomainRemove)},
		{"GET /tokens", viewer, pg(u.tokenList)},
		{"POST /tokens", viewer, pg(u.tokenCreate)},
		{"POST /tokens/{id}/revoke", viewer, pg(u.tokenRevoke)},
	}
}
