package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	netmail "net/mail"
	"strings"
	"unicode/utf8"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/jobs"
	"reportapp/internal/mail"
	"reportapp/internal/receivables"
	"reportapp/internal/store"
)

// sendInput is the JSON body of POST /api/v1/documents/{id}/send. Omitted subject and message
// come from the organisation's templates, omitted to from the customer's e-mail address.
type sendInput struct {
	To             *[]string `json:"to"`
	Cc             []string  `json:"cc"`
	Subject        *string   `json:"subject"`
	Message        *string   `json:"message"`
	AttachPDF      *bool     `json:"attach_pdf"`
	Link           *bool     `json:"link"`
	AccessCode     string    `json:"access_code"`
	IdempotencyKey string    `json:"idempotency_key"`
}

// maxIdempotencyKey bounds an idempotency key.
const maxIdempotencyKey = 200

func decodeSend(data []byte) (sendInput, error) {
	var in sendInput
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, domain.Errorf(domain.EBadRequest, "JSON を読めません (invalid JSON): %v", err)
	}
	if dec.More() {
		return in, domain.Errorf(domain.EBadRequest, "JSON の後に余分なデータがあります (trailing data)")
	}
	return in, nil
}

// sendRequest is a checked send: the delivery to record.
type sendRequest struct {
	doc      document.Document
	delivery store.NewDelivery
	message  *mail.Message // as it will be sent, with a stand-in link
}

// prepareSend validates a send of the organisation's document and fills its defaults; purpose
// is store.PurposeDocument or store.PurposeReminder (whose templates and amount differ).
func (a *app) prepareSend(ctx context.Context, p domain.Principal, doc document.Document, purpose string, in sendInput) (sendRequest, error) {
	orgID := p.OrgID
	if a.Jobs == nil || !a.Jobs.MailEnabled() {
		return sendRequest{}, errMailNotConfigured()
	}
	if doc.Status != document.Issued {
		return sendRequest{}, domain.Errorf(domain.EConflict, "発行済みの書類だけを送信できます (only issued documents can be sent; this one is %s)", doc.Status)
	}
	settings, err := a.Store.GetMailSettings(ctx, orgID)
	if err != nil {
		return sendRequest{}, err
	}
	amount := doc.Totals.AmountDue
	subjectTmpl, messageTmpl := settings.Subject, settings.Message
	if purpose == store.PurposeReminder {
		subjectTmpl, messageTmpl = settings.ReminderSubject, settings.ReminderMessage
		if doc.PaymentStatus == nil || *doc.PaymentStatus != receivables.StatusOverdue {
			return sendRequest{}, domain.Errorf(domain.EConflict, "お支払いのお願いは期限を過ぎた未入金の請求書にだけ送れます (reminders are for overdue invoices)")
		}
		if doc.Balance != nil {
			amount = *doc.Balance
		}
	}
	fe := domain.FieldErrors{}
	var to []string
	switch {
	case in.To != nil:
		to = *in.To
	case doc.Customer != nil && doc.Customer.Email != "":
		to = []string{doc.Customer.Email}
	}
	if len(to) == 0 {
		fe.Add("to", "宛先を入力してください (enter at least one recipient)")
	}
	if len(to)+len(in.Cc) > mail.MaxRecipients {
		fe.Add("to", "宛先は合わせて20件までです (at most 20 recipients in to and cc)")
	}
	toAddrs, err := mail.ParseAddresses("to", to)
	fe.Merge(err)
	ccAddrs, err := mail.ParseAddresses("cc", in.Cc)
	fe.Merge(err)
	link, attach := true, true
	if in.Link != nil {
		link = *in.Link
	}
	if in.AttachPDF != nil {
		attach = *in.AttachPDF
	}
	if !link && !attach {
		fe.Add("link", "リンクか PDF 添付の少なくとも一方を選んでください (choose the link, the PDF or both)")
	}
	subject, message := subjectTmpl, messageTmpl
	if in.Subject != nil {
		subject = *in.Subject
	}
	if in.Message != nil {
		message = *in.Message
	}
	mail.CheckTemplate(fe, "subject", subject)
	mail.CheckTemplate(fe, "message", message)
	if mail.HasPlaceholder(subject, "link") {
		fe.Add("subject", "{{link}} は本文に入れてください (put {{link}} in the message)")
	}
	if strings.ContainsAny(subject, "\r\n") {
		fe.Add("subject", "件名に改行は使えません (line breaks are not allowed in the subject)")
	}
	code := strings.TrimSpace(in.AccessCode)
	switch {
	case code == "":
	case !link:
		fe.Add("access_code", "アクセスコードはリンクを送るときに使えます (an access code protects the link; turn the link on)")
	case len(code) < 6 || len(code) > 12 || strings.Trim(code, "0123456789") != "":
		fe.Add("access_code", "アクセスコードは6〜12桁の数字です (6 to 12 digits)")
	}
	key := strings.TrimSpace(in.IdempotencyKey)
	if utf8.RuneCountInString(key) > maxIdempotencyKey || strings.ContainsAny(key, "\r\n") {
		fe.Add("idempotency_key", "200文字以内の1行です (one line of at most 200 characters)")
	}
	if err := fe.Err(); err != nil {
		return sendRequest{}, err
	}
	subject, message = mail.Compose(subject, message, mail.Values(doc, amount), link)
	check := &mail.Message{From: a.mailFrom(), To: toAddrs, Cc: ccAddrs, Subject: subject,
		Text: mail.Expand(message, map[string]string{"link": a.Jobs.LinkURL(strings.Repeat("x", 43))})}
	if attach {
		data, err := jobs.DeliveryPDF(ctx, a.Store, orgID, p.Actor(), doc)
		if err != nil {
			return sendRequest{}, err
		}
		check.Attachments = []mail.Attachment{{Name: "document.pdf", ContentType: "application/pdf", Data: data}}
	}
	if err := check.Check(); err != nil {
		return sendRequest{}, err
	}
	nd := store.NewDelivery{DocumentID: doc.ID, Purpose: purpose, To: to, Cc: nonNilStrings(in.Cc), Subject: subject,
		Message: message, AttachPDF: attach, Link: link, IdempotencyKey: key}
	for i := range nd.To {
		nd.To[i] = strings.TrimSpace(nd.To[i])
	}
	for i := range nd.Cc {
		nd.Cc[i] = strings.TrimSpace(nd.Cc[i])
	}
	if code != "" {
		nd.AccessCodeHash = a.accessCodeHash(code)
	}
	return sendRequest{doc: doc, delivery: nd, message: check}, nil
}

// accessCodeHash is how an access code is kept: an HMAC under SECRET_KEY, prefixed "hmac:". An
// access code has only 6–12 digits, so a plain hash (what links made before kept, see
// accessCodeMatches) is reversed from a copy of the database in a moment by trying every code;
// without the key, a copy of the database does not tell the codes.
func (a *app) accessCodeHash(code string) string {
	m := hmac.New(sha256.New, []byte(a.Config.SecretKey))
	m.Write([]byte("access-code:" + code))
	return accessCodeHMAC + hex.EncodeToString(m.Sum(nil))
}

// accessCodeHMAC prefixes the access-code hashes keyed by SECRET_KEY.
const accessCodeHMAC = "hmac:"

// accessCodeMatches reports whether code is the one whose hash is kept, in either form.
func (a *app) accessCodeMatches(code, kept string) bool {
	if !strings.HasPrefix(kept, accessCodeHMAC) { // a link made before the HMAC
		return hmac.Equal([]byte(store.HashSecret("access-code:"+code)), []byte(kept))
	}
	return hmac.Equal([]byte(a.accessCodeHash(code)), []byte(kept))
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}

// mailFrom is MAIL_FROM as an address (a stand-in when sending is off).
func (a *app) mailFrom() netmail.Address {
	if a.Config.Mail.From != "" {
		if addr, err := mail.ParseAddress("from", a.Config.Mail.From); err == nil {
			return addr
		}
	}
	return netmail.Address{Address: "noreply@reportapp.invalid"}
}

// sendDocument queues a delivery: POST /api/v1/documents/{id}/send.
func (a *app) sendDocument(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return a.queueSend(w, r, p, store.PurposeDocument)
}

// remindDocument queues a reminder of an overdue invoice: POST /api/v1/documents/{id}/remind.
func (a *app) remindDocument(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return a.queueSend(w, r, p, store.PurposeReminder)
}

func (a *app) queueSend(w http.ResponseWriter, r *http.Request, p domain.Principal, purpose string) error {
	doc, err := a.Store.GetDocument(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	in, err := decodeSend(data)
	if err != nil {
		return err
	}
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	}
	req, err := a.prepareSend(r.Context(), p, doc, purpose, in)
	if err != nil {
		return err
	}
	d, _, err := a.Jobs.CreateDelivery(r.Context(), p.OrgID, p.Actor(), req.delivery)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/deliveries/"+d.ID)
	writeJSON(w, http.StatusAccepted, d)
	return nil
}

func errMailNotConfigured() error {
	return domain.Errorf(domain.EConflict, "メール送信が設定されていません。サーバーに SMTP_URL と MAIL_FROM を設定すると送信できます (sending mail is not configured: set SMTP_URL and MAIL_FROM)")
}

func (a *app) deliveryList(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	ds, err := a.Store.ListDeliveries(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listResponse[store.Delivery]{Items: ds})
	return nil
}

// deliveryDetail is a delivery with its link's access log.
type deliveryDetail struct {
	store.Delivery
	Accesses []store.LinkAccess `json:"accesses"`
}

func (a *app) deliveryGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.GetDelivery(r.Context(), p.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	acc, err := a.Store.LinkAccesses(r.Context(), p.OrgID, d.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deliveryDetail{Delivery: d, Accesses: acc})
	return nil
}

func (a *app) deliveryRecent(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	failed := false
	switch s := r.URL.Query().Get("status"); s {
	case "":
	case store.DeliveryFailed:
		failed = true
	default:
		return invalid("status", "failed か空です (failed or nothing)")
	}
	ds, err := a.Store.RecentDeliveries(r.Context(), p.OrgID, failed, 200)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listResponse[store.Delivery]{Items: ds})
	return nil
}

func (a *app) deliveryRevokeLink(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	d, err := a.Store.RevokeDeliveryLink(r.Context(), p.OrgID, p.Actor(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func (a *app) mailSettingsGet(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	s, err := a.Store.GetMailSettings(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *app) mailSettingsPut(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	data, err := readJSON(r)
	if err != nil {
		return err
	}
	s, err := a.Store.GetMailSettings(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return domain.Errorf(domain.EBadRequest, "JSON を読めません (invalid JSON): %v", err)
	}
	s, err = a.Store.PutMailSettings(r.Context(), p.OrgID, s)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}
