package web

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/mail"
	"reportapp/internal/pdf"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
)

// sendFormData is the send form's data: the document, the fields as typed (or pre-filled), and
// the preview of the mail.
type sendFormData struct {
	Doc         document.Document
	Purpose     string // document | reminder
	To, Cc      string // one address a line
	Subject     string
	Message     string
	AttachPDF   bool
	Link        bool
	AccessCode  string
	Key         string // the form's idempotency key: a double submit is one delivery
	Enabled     bool   // sending is configured
	Preview     *sendPreview
	Attachment  string // the attached file's name
	LinkDays    int
	Placeholder []string
}

// sendPreview is the mail as it will be sent, the link shown as a stand-in.
type sendPreview struct {
	From, To, Cc, Subject, Text string
}

// Overdue reports whether a reminder applies to the document.
func (d sendFormData) Overdue() bool {
	return d.Doc.PaymentStatus != nil && *d.Doc.PaymentStatus == receivables.StatusOverdue
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sendForm shows the send (or reminder) form pre-filled from the customer and the templates:
// GET /documents/{id}/send and /documents/{id}/remind.
func (u *ui) sendForm(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	purpose := store.PurposeDocument
	if strings.HasSuffix(r.URL.Path, "/remind") {
		purpose = store.PurposeReminder
	}
	settings, err := u.Store.GetMailSettings(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	data := sendFormData{Doc: d, Purpose: purpose, AttachPDF: true, Link: true, Key: newFormKey()}
	if d.Customer != nil {
		data.To = d.Customer.Email
	}
	amount := d.Totals.AmountDue
	data.Subject, data.Message = settings.Subject, settings.Message
	if purpose == store.PurposeReminder {
		data.Subject, data.Message = settings.ReminderSubject, settings.ReminderMessage
		if d.Balance != nil {
			amount = *d.Balance
		}
	}
	values := mail.Values(d, amount)
	data.Subject, data.Message = mail.Expand(data.Subject, values), mail.Expand(data.Message, values)
	return u.renderSend(w, r, p, http.StatusOK, data, view{})
}

func (u *ui) renderSend(w http.ResponseWriter, r *http.Request, p domain.Principal, st int, data sendFormData, v view) error {
	data.Enabled = u.Jobs != nil && u.Jobs.MailEnabled()
	data.Attachment = pdf.Filename(data.Doc)
	settings, err := u.Store.GetMailSettings(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	data.LinkDays = settings.LinkDays
	data.Placeholder = mail.Placeholders
	if data.Preview == nil && data.Enabled && data.Doc.Status == document.Issued {
		if req, err := u.prepareSend(r.Context(), p, data.Doc, data.Purpose, data.input()); err == nil {
			data.Preview = previewOf(req)
		}
	}
	v.Title, v.Nav, v.Data = "send.title", "documents", data
	if data.Purpose == store.PurposeReminder {
		v.Title = "remind.title"
	}
	return u.render(w, r, st, "document_send.html", v)
}

// input is the form as the API's body.
func (d sendFormData) input() sendInput {
	to := lines(d.To)
	subject, message := d.Subject, d.Message
	attach, link := d.AttachPDF, d.Link
	return sendInput{To: &to, Cc: lines(d.Cc), Subject: &subject, Message: &message, AttachPDF: &attach, Link: &link,
		AccessCode: d.AccessCode, IdempotencyKey: d.Key}
}

func previewOf(req sendRequest) *sendPreview {
	m := req.message
	join := func(list []string) string { return strings.Join(list, ", ") }
	text := mail.Expand(req.delivery.Message, map[string]string{"link": "https://…/d/（送信時に作成されるリンク）"})
	return &sendPreview{From: m.From.String(), To: join(req.delivery.To), Cc: join(req.delivery.Cc), Subject: req.delivery.Subject, Text: text}
}

// sendSubmit previews or queues the mail: POST /documents/{id}/send (and /remind).
func (u *ui) sendSubmit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := u.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	purpose := store.PurposeDocument
	if strings.HasSuffix(r.URL.Path, "/remind") {
		purpose = store.PurposeReminder
	}
	f := r.PostFormValue
	data := sendFormData{Doc: d, Purpose: purpose, To: f("to"), Cc: f("cc"), Subject: f("subject"), Message: f("message"),
		AttachPDF: f("attach_pdf") != "", Link: f("link") != "", AccessCode: f("access_code"), Key: f("key")}
	if data.Key == "" {
		data.Key = newFormKey()
	}
	if f("preview") != "" {
		return u.renderSend(w, r, p, http.StatusOK, data, view{})
	}
	if u.Jobs == nil || !u.Jobs.MailEnabled() {
		return u.renderSend(w, r, p, http.StatusConflict, data, view{Error: "send.disabled"})
	}
	req, err := u.prepareSend(r.Context(), p, d, purpose, data.input())
	if err == nil {
		_, _, err = u.Jobs.CreateDelivery(r.Context(), p.OrgID, p.Actor(), req.delivery)
	}
	if fe, ok := fieldErrors(err); ok {
		return u.renderSend(w, r, p, http.StatusUnprocessableEntity, data, view{Error: "form.invalid", Errors: fe})
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/documents/"+url.PathEscape(d.ID)+"?notice=sent#deliveries")
}

// newFormKey is a random idempotency key for one rendering of the form.
func newFormKey() string {
	return "form:" + rand.Text()
}

// deliveryRevoke revokes a delivery's link: POST /deliveries/{id}/revoke.
func (u *ui) deliveryRevoke(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := u.Store.RevokeDeliveryLink(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return seeOther(w, r, "/documents/"+url.PathEscape(d.DocumentID)+"?notice=link_revoked#deliveries")
}

// deliveriesData is the deliveries page's data.
type deliveriesData struct {
	Items   []store.Delivery
	Failed  bool
	Enabled bool
}

// deliveryList lists the organisation's recent deliveries, or the failed ones: GET /deliveries.
func (u *ui) deliveryList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	failed := r.URL.Query().Get("status") == store.DeliveryFailed
	items, err := u.Store.RecentDeliveries(r.Context(), p.OrgID, failed, 200)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "deliveries.html", view{Title: "deliveries.title", Nav: "deliveries",
		Data: deliveriesData{Items: items, Failed: failed, Enabled: u.Jobs != nil && u.Jobs.MailEnabled()}})
}

// mailSettingsData is the mail settings page's data.
type mailSettingsData struct {
	S           store.MailSettings
	Enabled     bool
	Placeholder []string
}

// mailSettingsEdit shows the mail settings: GET /settings/mail.
func (u *ui) mailSettingsEdit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	s, err := u.Store.GetMailSettings(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	return u.renderMailSettings(w, r, http.StatusOK, s, view{})
}

func (u *ui) renderMailSettings(w http.ResponseWriter, r *http.Request, st int, s store.MailSettings, v view) error {
	v.Title, v.Nav = "mailsettings.title", "settings"
	v.Data = mailSettingsData{S: s, Enabled: u.Jobs != nil && u.Jobs.MailEnabled(), Placeholder: mail.Placeholders}
	return u.render(w, r, st, "mail_settings.html", v)
}

// mailSettingsSave saves the mail settings: POST /settings/mail.
func (u *ui) mailSettingsSave(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := r.ParseForm(); err != nil {
		return domain.Errorf(domain.EBadRequest, "フォームを読めません (cannot read form): %v", err)
	}
	f := r.PostFormValue
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f(name)))
		if err != nil {
			return -1
		}
		return n
	}
	s := store.MailSettings{Subject: strings.TrimSpace(f("subject_template")), Message: f("message_template"),
		ReminderSubject: strings.TrimSpace(f("reminder_subject_template")), ReminderMessage: f("reminder_message_template"),
		SenderName: strings.TrimSpace(f("sender_name")), ReplyTo: strings.TrimSpace(f("reply_to")), LinkDays: num("link_days"),
		RemindersEnabled: f("reminders_enabled") != "", ReminderAfterDays: num("reminder_after_days"),
		ReminderEveryDays: num("reminder_every_days"), ReminderMax: num("reminder_max")}
	saved, err := u.Store.PutMailSettings(r.Context(), p.OrgID, s)
	if fe, ok := fieldErrors(err); ok {
		return u.renderMailSettings(w, r, http.StatusUnprocessableEntity, s, view{Error: "form.invalid", Errors: fe})
	}
	if err != nil {
		return err
	}
	return u.renderMailSettings(w, r, http.StatusOK, saved, view{Notice: "notice.saved"})
}
