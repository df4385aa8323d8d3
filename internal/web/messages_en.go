package web

// messagesEN is the English catalogue, used when the browser prefers English or the user chose
// it. It has exactly the keys of messagesJA.
func messagesEN() map[string]string {
	return map[string]string{
		"nav.skip": "Skip to content", "nav.label": "Main menu", "nav.dashboard": "Home", "nav.documents": "Documents",
		"nav.customers": "Customers", "nav.tokens": "API tokens", "nav.settings": "Settings", "nav.logout": "Log out",

		"action.back": "Back", "action.save": "Save", "action.search": "Search", "action.delete": "Delete",
		"action.edit": "Edit", "action.issue": "Issue", "action.cancel_doc": "Cancel document", "action.duplicate": "Duplicate as new",
		"action.credit_note": "Create credit note", "action.to_invoice": "Convert to invoice", "action.download_pdf": "Download PDF",
		"action.delete_draft": "Delete this draft",

		"form.invalid": "Some fields need attention; see the messages beside them.", "form.required": "required",
		"notice.saved": "Saved.", "notice.created": "Created.", "notice.issued": "Issued.",
		"notice.cancelled": "Cancelled.", "notice.deleted": "Deleted.", "notice.revoked": "Token revoked.",
		"notice.invited": "Member invited.", "notice.role_changed": "Role changed.", "notice.removed": "Member removed.",
		"notice.images_saved": "Images saved.",

		"error.title": "Error", "error.home": "Back to home",
		"error.400": "The request could not be processed.", "error.401": "Please log in.",
		"error.403": "You are not allowed to do this.", "error.404": "Not found.",
		"error.409": "This cannot be done in the current state.", "error.412": "Someone else changed this first. Please reload.",
		"error.413": "The upload is too large.", "error.415": "This format is not supported.",
		"error.422": "Some input is invalid.", "error.500": "An internal error occurred. Please try again later.",
		"error.503": "The server is busy. Please try again shortly.",

		"kind.invoice": "Invoice", "kind.quote": "Quote", "kind.delivery_note": "Delivery note", "kind.receipt": "Receipt",
		"kind.credit_note": "Credit note",
		"status.draft":     "Draft", "status.issued": "Issued", "status.cancelled": "Cancelled",
		"role.admin": "Admin", "role.member": "Member", "role.viewer": "Viewer",
		"rounding.floor": "Round down", "rounding.half_up": "Round half up", "rounding.ceil": "Round up", "rate.none": "Non-taxable",

		"dashboard.title": "Home", "dashboard.this_month": "Invoiced this month (issued)", "dashboard.quick": "Create",
		"dashboard.chart": "Invoiced in the last 12 months", "dashboard.chart_caption": "Gross of issued invoices by month of transaction",
		"dashboard.recent": "Recent documents", "dashboard.drafts": "Drafts waiting",

		"list.empty": "Nothing found.", "list.pages": "Pages", "list.prev": "Previous", "list.next": "Next", "list.first": "First page",

		"customers.title": "Customers", "customers.search": "Search customers", "customer.new": "Add customer", "customer.edit": "Edit customer",
		"customer.name": "Name", "customer.honorific": "Honorific", "customer.no_honorific": "None", "customer.postal_code": "Postal code",
		"customer.address": "Address", "customer.contact_person": "Contact person", "customer.email": "E-mail",
		"customer.in_use":    "This customer is used by documents and cannot be deleted. See them under “Documents of this customer” below.",
		"customer.name_kana": "Reading (furigana)", "customer.name_kana_example": "カブシキガイシャ ベータ",
		"customer.name_kana_help":      "The list is sorted by the reading. It is also matched against payer names on bank statements.",
		"customer.registration_number": "Registration number (qualified invoice issuer)",
		"customer.delete_help":         "A customer used by an issued document cannot be deleted.", "customer.documents": "Documents of this customer",
		"registration.help":    "T followed by 13 digits. Leave empty if unknown.",
		"registration.warning": "The check digit of the registration number does not match. Please check the number (it was saved).",

		"documents.title": "Documents", "documents.new": "New document", "documents.csv": "Export the result as CSV",
		"export.title": "Bulk download", "export.create": "Download these results as a ZIP",
		"export.help":          "Every document of the search is rendered to PDF and packed into one ZIP with a CSV index. This page updates itself.",
		"export.status.queued": "Queued", "export.status.running": "Running", "export.status.done": "Done", "export.status.failed": "Failed",
		"export.count": "%d of %d", "export.failed_docs": "%d documents could not be rendered (listed in the index).",
		"export.error": "The export failed:", "export.download": "Download the ZIP",
		"export.expires": "Available until %s.", "export.back": "Back to the documents",
		"search.label": "Search documents (Electronic Books Act criteria)", "search.date_from": "Transaction date from", "search.date_to": "Transaction date to",
		"search.total_min": "Gross at least (yen)", "search.total_max": "Gross at most (yen)", "search.any": "Any",
		"search.q": "Keywords (number, subject, customer, item)", "search.clear": "Clear",

		"doc.ordered": "Ordered", "doc.source": "Made from quote", "doc.derived": "Documents made from this quote",
		"editor.related_help": "Type part of the number to pick one of the issued invoices.",
		"doc.number":          "Number", "doc.kind": "Kind", "doc.status": "Status", "doc.date": "Date", "doc.customer": "Customer",
		"doc.subject": "Subject", "doc.gross": "Gross", "doc.draft_no": "(draft)", "doc.issue_date": "Issue date",
		"doc.transaction_date": "Transaction date", "doc.period": "Transaction period", "doc.period_from": "Period from", "doc.period_to": "Period to",
		"doc.due_date": "Due date (invoice)", "doc.valid_until": "Valid until (quote)", "doc.purpose": "Purpose (receipt)",
		"doc.related": "Corrected invoice (credit note)", "doc.notes": "Notes", "doc.rounding": "Tax rounding",
		"doc.prices_include_tax": "Prices include tax", "doc.withholding": "Withhold income tax (10.21%)", "doc.issued_at": "Issued at",

		"editor.new": "New document", "editor.edit": "Edit draft", "editor.choose_customer": "Choose…",
		"editor.tx_help": "Give a transaction date or a period (not needed on a quote).", "editor.tax": "Tax",
		"editor.lines": "Lines", "editor.line_actions": "Line actions", "editor.add_line": "Add a line", "editor.save": "Save draft",
		"editor.reduced_legend": "※ reduced rate (8%)", "editor.up_n": "Move line %d up", "editor.down_n": "Move line %d down",
		"editor.remove_n": "Remove line %d",
		"editor.stale":    "This draft was changed elsewhere. Your input is kept; reopen the document before saving.",
		"item.name":       "Item", "item.quantity": "Quantity", "item.unit": "Unit", "item.unit_price": "Unit price (yen)", "item.tax_rate": "Tax rate",
		"item.amount": "Amount", "item.name_n": "Item of line %d", "item.quantity_n": "Quantity of line %d", "item.unit_n": "Unit of line %d",
		"item.unit_price_n": "Unit price of line %d", "item.tax_rate_n": "Tax rate of line %d",

		"totals.label": "Totals", "totals.standard": "10% items", "totals.reduced": "8% items ※", "totals.none": "Non-taxable",
		"totals.net": "Subtotal (net)", "totals.tax": "Consumption tax", "totals.gross": "Total (gross)", "totals.withholding": "Withholding tax",
		"totals.amount_due": "Amount due", "totals.incomplete": "Totals appear once the lines are complete.",

		"document.title": "Document", "document.actions": "Actions", "document.tabs": "Views", "document.tab_content": "Content",
		"document.tab_history": "History", "document.preview": "PDF preview",
		"history.at": "When", "history.action": "Action", "history.actor": "By", "history.before": "Before",
		"history.lines": "lines", "history.create": "Created", "history.update": "Updated", "history.issue": "Issued",
		"history.cancel": "Cancelled", "history.delete": "Deleted",

		"confirm.issue": "Issue document", "confirm.cancel": "Cancel document",
		"confirm.issue_explain":   "You are about to issue this document. Issuing:",
		"confirm.issue_number":    "assigns its number and freezes the issuer's and customer's details as they are now;",
		"confirm.issue_immutable": "makes it impossible to edit or delete afterwards (Electronic Books Act);",
		"confirm.issue_correct":   "so mistakes are corrected by cancelling it or with a credit note.",
		"confirm.issue_button":    "Issue", "confirm.cancel_button": "Cancel document",
		"confirm.cancel_explain":    "You are about to cancel this document. Its number and content stay on record; this cannot be undone.",
		"confirm.already_issued":    "This document is already issued (the repeated submission was ignored).",
		"confirm.already_cancelled": "This document is already cancelled.",

		"settings.title": "Settings", "settings.org": "Organisation", "settings.profile": "Issuer details", "settings.name": "Name",
		"settings.phone": "Phone", "settings.bank_account": "Bank account for transfers", "settings.numbering": "Document number prefixes",
		"settings.default_rounding": "Default tax rounding", "settings.images": "Logo and seal",
		"settings.images_help": "PNG, JPEG, GIF or WebP, up to 1 MB and 4 megapixels (2000×2000) each. Converted for the PDF when saved; metadata (such as location) is removed.",
		"settings.logo":        "Logo", "settings.seal": "Seal", "settings.remove": "Remove", "settings.upload": "Save images",
		"image.too_large": "Images may be at most 1 MB.", "image.format": "Choose a PNG, JPEG, GIF or WebP image (HEIC, SVG and PDF cannot be used).",
		"image.dimensions": "Images may have at most 4 megapixels (2000×2000). Scale it down first.", "image.unreadable": "The image could not be read.",
		"image.none": "Choose an image.", "image.render": "A PDF could not be made with this image. Choose another one.",

		"members.title": "Members", "members.role": "Role", "members.actions": "Actions", "members.change": "Change",
		"members.remove": "Remove", "members.role_of": "Role of %s", "members.invite": "Invite a member",
		"members.invite_button": "Invite", "members.invited": "%s was invited.",
		"members.temp_password": "Temporary password (shown only this once; hand it over safely):",
		"members.bad_email":     "Enter a valid e-mail address.", "members.bad_role": "Choose a role.",
		"members.already": "This address is already a member.",

		"tokens.title": "API tokens", "tokens.name": "Name", "tokens.created": "Created", "tokens.last_used": "Last used",
		"tokens.revoke": "Revoke", "tokens.create": "Create a token", "tokens.create_button": "Create",
		"tokens.shown_once": "This token is shown only now. Store it somewhere safe:",
		"tokens.bad_name":   "Enter a name of at most 100 characters.", "tokens.bad_role": "Choose a role no higher than your own.",
	}
}
