package web

// uiRoutes are the browser pages' routes (the web UI), mounted under / behind the session; their
// errors render as the UI's error page (writeError). The roles are the same as the API's: viewers
// read and download, members edit customers and documents, admins change the organisation's
// settings and members. Building the table has no effect: the templates were parsed by newUI.
func (a *app) uiRoutes() []route {
	u := a.ui
	return []route{
		{"GET /static/{name}", public, u.static},
		{"GET /favicon.ico", public, u.favicon},
		{"POST /lang", public, u.setLang},

		{"GET /d/{token}", public, u.publicDocument},
		{"POST /d/{token}", public, u.publicCode},
		{"GET /d/{token}/pdf", public, u.publicPDF},

		{"GET /{$}", viewer, u.dashboard},

		{"GET /customers", viewer, u.customerList},
		{"GET /customers/new", member, u.customerNew},
		{"POST /customers", member, u.customerSave},
		{"GET /customers/{id}", viewer, u.customerEdit},
		{"POST /customers/{id}", member, u.customerSave},
		{"POST /customers/{id}/delete", member, u.customerDelete},

		{"GET /documents", viewer, u.documentList},
		{"GET /documents.csv", viewer, a.documentCSV},
		{"GET /documents/customers", viewer, u.documentCustomers},
		{"GET /documents/new", member, u.documentNew},
		{"POST /documents", member, u.documentSave},
		{"POST /documents/editor/lines", member, u.documentLines},
		{"POST /documents/editor/totals", member, u.documentTotals},
		{"GET /documents/editor/invoices", member, u.documentInvoices},
		{"POST /documents/editor/customer", member, u.documentCustomer},
		{"GET /documents/{id}", viewer, u.documentView},
		{"GET /documents/{id}/edit", member, u.documentEdit},
		{"POST /documents/{id}", member, u.documentSave},
		{"POST /documents/{id}/delete", member, u.documentDelete},
		{"GET /documents/{id}/issue", member, u.documentConfirm},
		{"POST /documents/{id}/issue", member, u.documentIssue},
		{"GET /documents/{id}/cancel", member, u.documentConfirm},
		{"POST /documents/{id}/cancel", member, u.documentCancel},
		{"GET /documents/{id}/history", viewer, u.documentHistory},
		{"GET /documents/{id}/pdf", viewer, u.documentPDF},
		{"GET /documents/{id}/pint.xml", viewer, a.documentPINT},
		{"GET /documents/{id}/send", member, u.sendForm},
		{"POST /documents/{id}/send", member, u.sendSubmit},
		{"GET /documents/{id}/remind", member, u.sendForm},
		{"POST /documents/{id}/remind", member, u.sendSubmit},
		{"GET /deliveries", viewer, u.deliveryList},
		{"POST /deliveries/{id}/revoke", member, u.deliveryRevoke},

		{"GET /schedules", viewer, u.scheduleList},
		{"GET /schedules/new", member, u.scheduleNew},
		{"POST /schedules", member, u.scheduleSave},
		{"GET /schedules/{id}", viewer, u.scheduleEdit},
		{"POST /schedules/{id}", member, u.scheduleSave},
		{"POST /schedules/{id}/pause", member, u.schedulePause},
		{"POST /schedules/{id}/resume", member, u.scheduleResume},
		{"POST /schedules/{id}/delete", member, u.scheduleDelete},
		{"GET /closing", member, u.closingPage},
		{"POST /closing", member, u.closingCreate},
		{"POST /closing/issue", member, u.closingIssue},
		{"POST /documents/{id}/payments", member, u.documentPayment},
		{"POST /payments/{id}/void", member, u.paymentVoidPage},

		{"GET /reconcile", member, u.reconcileNew},
		{"POST /reconcile", member, u.reconcileUpload},
		{"GET /reconcile/{id}", viewer, u.reconcileView},
		{"POST /reconcile/{id}/apply", member, u.reconcileApply},

		{"POST /exports", member, u.exportCreate},
		{"GET /exports/{id}", viewer, u.exportView},
		{"GET /exports/{id}/download", viewer, a.exportDownload},

		{"POST /notices/dismiss", viewer, u.noticesDismiss},

		{"GET /settings", admin, u.settingsEdit},
		{"POST /settings", admin, u.settingsSave},
		{"POST /settings/images", admin, u.settingsImagesSave},
		{"GET /settings/images/{which}", admin, u.settingsImage},
		{"GET /settings/mail", admin, u.mailSettingsEdit},
		{"POST /settings/mail", admin, u.mailSettingsSave},
		{"GET /settings/members", admin, u.memberList},
		{"POST /settings/members", admin, u.memberInvite},
		{"POST /settings/members/{id}/role", admin, u.memberRole},
		{"POST /settings/members/{id}/remove", admin, u.memberRemove},
		{"POST /settings/members/{id}/reset", admin, u.memberReset},
		{"POST /settings/domains", admin, u.memberDomainAllow},
		{"POST /settings/domains/{domain}/remove", admin, u.memberDomainRemove},
		{"GET /tokens", viewer, u.tokenList},
		{"POST /tokens", viewer, u.tokenCreate},
		{"POST /tokens/{id}/revoke", viewer, u.tokenRevoke},
	}
}
