package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/riverqueue/river"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/mail"
	"reportapp/internal/pdf"
	"reportapp/internal/store"
)

// DefaultSendAttempts is how often a delivery is tried before it fails for good: with River's
// backoff (attempt⁴ seconds) the last of 8 is about an hour and a half after the first.
const DefaultSendAttempts = 8

// DeliveryArgs are the arguments of the send job: the delivery row holds the rest.
type DeliveryArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind is River's name of the job.
func (DeliveryArgs) Kind() string { return "deliver" }

// ErrMailDisabled is why sending is refused when no SMTP server is configured.
func errMailDisabled() error {
	return domain.Errorf(domain.EConflict, "メール送信が設定されていません。SMTP_URL と MAIL_FROM を設定すると送信できます (sending mail is not configured: set SMTP_URL and MAIL_FROM)")
}

// MailEnabled reports whether this replica can send mail.
func (q *Queue) MailEnabled() bool { return q.opts.Mail != nil }

// CreateDelivery records a delivery and inserts its send job in the same transaction (see
// store.CreateDelivery). Without a mail server it is EConflict saying how to configure one.
func (q *Queue) CreateDelivery(ctx context.Context, orgID, actor string, in store.NewDelivery) (store.Delivery, bool, error) {
	if q.opts.Mail == nil {
		return store.Delivery{}, false, errMailDisabled()
	}
	in.MessageDomain = q.messageDomain()
	d, created, err := q.db.CreateDelivery(ctx, orgID, actor, in, q.opts.SendLimit,
		func(ctx context.Context, tx *sql.Tx, id string) error {
			_, err := q.client.InsertTx(ctx, tx, DeliveryArgs{DeliveryID: id}, &river.InsertOpts{MaxAttempts: q.opts.SendAttempts})
			return err
		})
	if err != nil {
		return store.Delivery{}, false, fmt.Errorf("jobs: %w", err)
	}
	return d, created, nil
}

// toCustomer is the delivery of doc to its customer's address with a link and the PDF, its
// subject and message made from the templates with amount as {{amount_due}}: what the background
// jobs (reminders, recurring invoices) send without a person choosing the texts.
func toCustomer(doc document.Document, subjectTemplate, messageTemplate string, amount int64) store.NewDelivery {
	subject, message := mail.Compose(subjectTemplate, messageTemplate, mail.Values(doc, amount), true)
	return store.NewDelivery{DocumentID: doc.ID, To: []string{doc.Customer.Email}, Subject: subject, Message: message,
		AttachPDF: true, Link: true}
}

// messageDomain is the right side of Message-IDs: MAIL_FROM's domain.
func (q *Queue) messageDomain() string {
	if i := strings.LastIndexByte(q.from.Address, '@'); i >= 0 {
		return q.from.Address[i+1:]
	}
	return "reportapp.invalid"
}

type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	q *Queue
}

// Work sends a delivery at most once. The delivery is claimed (queued → sending) only once the
// SMTP connection is up and the message is built, in the transaction that creates its link; an
// attempt that finds it claimed by an earlier one that never finished (its replica died while
// sending) does not send again, since the mail may have arrived, and says so in the log.
// 4xx replies and unreachable servers are retried with River's backoff; 5xx replies are final.
func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	q := w.q
	bg := context.WithoutCancel(ctx) // outcomes are recorded even when the replica is stopping
	d, err := q.db.DeliveryForJob(ctx, job.Args.DeliveryID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case d.Interrupted():
		q.logger.Warn("delivery interrupted while sending: not sent again", "delivery", d.ID)
		return q.db.FinishDelivery(bg, d.ID, false, interruptedReply)
	case !d.Pending():
		return nil
	}
	if q.opts.Mail == nil {
		return q.db.FinishDelivery(bg, d.ID, false, "sending mail is not configured on this server (SMTP_URL)")
	}
	base, err := q.deliveryMessage(ctx, d)
	if err != nil {
		if domain.ErrorCode(err) == domain.EInvalid || domain.ErrorCode(err) == domain.ENotFound {
			return q.db.FinishDelivery(bg, d.ID, false, err.Error())
		}
		return err
	}
	claimed := false
	err = q.opts.Mail.Send(ctx, func(ctx context.Context) (*mail.Message, error) {
		m := *base
		var link *store.NewLink
		if d.Link {
			token, err := newLinkToken()
			if err != nil {
				return nil, err
			}
			settings, err := q.db.GetMailSettings(ctx, d.OrgID)
			if err != nil {
				return nil, err
			}
			link = &store.NewLink{TokenHash: store.HashSecret(token), ExpiresAt: q.opts.Now().Add(settings.LinkLifetime())}
			m.Text = mail.Expand(m.Text, map[string]string{"link": q.linkText(token, d.AccessCode)})
		}
		if err := m.Check(); err != nil {
			return nil, err
		}
		ok, err := q.db.ClaimDelivery(ctx, d.ID, job.Attempt, link)
		if err != nil || !ok {
			return nil, err
		}
		claimed = true
		return &m, nil
	})
	var se *mail.SendError
	switch {
	case err == nil && claimed:
		return q.db.FinishDelivery(bg, d.ID, true, "")
	case err == nil:
		return nil
	case !errors.As(err, &se):
		if domain.ErrorCode(err) == domain.EInvalid {
			return q.db.FinishDelivery(bg, d.ID, false, err.Error())
		}
		return err
	case se.Unknown:
		q.logger.Warn("delivery cut off while sending: not sent again", "delivery", d.ID, "err", se.Reply)
		return q.db.FinishDelivery(bg, d.ID, false, interruptedReply+": "+se.Reply)
	case se.Temporary && job.Attempt < job.MaxAttempts:
		if claimed {
			if err := q.db.RequeueDelivery(bg, d.ID, replyText(se)); err != nil {
				return err
			}
		}
		return err
	default:
		return q.db.FinishDelivery(bg, d.ID, false, replyText(se))
	}
}

// interruptedReply is the error of a delivery whose attempt stopped while handing the message
// over: it may have arrived, and is not sent again lest it arrive twice.
const interruptedReply = "送信中に中断されました。届いている可能性があるため、再送していません (interrupted while sending; it may have arrived, so it was not sent again)"

func replyText(se *mail.SendError) string {
	if se.Code != 0 && !strings.HasPrefix(strings.TrimSpace(se.Reply), fmt.Sprint(se.Code)) && !strings.Contains(se.Reply, fmt.Sprintf("%d ", se.Code)) {
		return fmt.Sprintf("%d %s", se.Code, se.Reply)
	}
	return se.Reply
}

// newLinkToken is 32 random bytes, URL-safe.
func newLinkToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// LinkURL is the public address of a link token.
func (q *Queue) LinkURL(token string) string {
	return strings.TrimRight(q.opts.BaseURL, "/") + "/d/" + token
}

func (q *Queue) linkText(token string, accessCode bool) string {
	s := q.LinkURL(token)
	if accessCode {
		s += "\n（閲覧にはアクセスコードが必要です。アクセスコードは別途お知らせいたします）"
	}
	return s
}

// deliveryMessage is the message of a delivery without its link: sender, recipients, subject,
// text, and the stored PDF when attached.
func (q *Queue) deliveryMessage(ctx context.Context, d store.Delivery) (*mail.Message, error) {
	doc, err := q.db.GetDocument(ctx, d.OrgID, d.DocumentID)
	if err != nil {
		return nil, err
	}
	settings, err := q.db.GetMailSettings(ctx, d.OrgID)
	if err != nil {
		return nil, err
	}
	to, err := mail.ParseAddresses("to", d.To)
	if err != nil {
		return nil, err
	}
	cc, err := mail.ParseAddresses("cc", d.Cc)
	if err != nil {
		return nil, err
	}
	m := &mail.Message{
		From: q.from, To: to, Cc: cc, Subject: d.Subject, Text: d.Message,
		MessageID: d.MessageID, Date: q.opts.Now(),
	}
	if settings.SenderName != "" {
		m.From.Name = settings.SenderName
	}
	if settings.ReplyTo != "" {
		rt, err := mail.ParseAddress("reply_to", settings.ReplyTo)
		if err != nil {
			return nil, err
		}
		m.ReplyTo = &rt
	}
	if d.AttachPDF {
		data, err := DeliveryPDF(ctx, q.db, d.OrgID, d.CreatedBy, doc)
		if err != nil {
			return nil, err
		}
		m.Attachments = []mail.Attachment{{Name: pdf.Filename(doc), ContentType: "application/pdf", Data: data}}
	}
	return m, nil
}

// DeliveryPDF is the PDF a delivery attaches and its link downloads: the one stored when the
// document was issued, the same bytes as GET …/pdf.
// actor is who is recorded should the PDF have to be stored first (documents issued before PDFs
// were stored).
func DeliveryPDF(ctx context.Context, db *store.DB, orgID, actor string, doc document.Document) ([]byte, error) {
	rendition := store.RenditionOriginal
	if doc.Status == document.Cancelled {
		rendition = store.RenditionCancelled
	}
	sp, err := db.EnsureDocumentPDF(ctx, orgID, actor, doc.ID, rendition)
	if err != nil {
		return nil, err
	}
	return sp.PDF, nil
}

// parseFrom reads MAIL_FROM.
func parseFrom(s string) (netmail.Address, error) {
	if s == "" {
		return netmail.Address{}, nil
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return netmail.Address{}, fmt.Errorf("jobs: MAIL_FROM %q: %w", s, err)
	}
	return *a, nil
}
