package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

// Deliveries are documents sent by e-mail. A delivery is inserted with its send job in one
// transaction; the job claims it (queued → sending) right before handing the message to the
// SMTP server, and only a queued delivery can be claimed, so no attempt — a retry, another
// replica — sends a delivery that an earlier attempt may have sent.

// The statuses of a delivery. Sending is internal: the API shows it as queued.
const (
	DeliveryQueued  = "queued"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// The purposes of a delivery.
const (
	PurposeDocument = "document"
	PurposeReminder = "reminder"
)

// History actions of deliveries.
const (
	ActionSend     = "send"
	ActionReminder = "reminder"
)

// Delivery is one sending of a document by e-mail, as the API shows it.
type Delivery struct {
	ID         string     `json:"id"`
	DocumentID string     `json:"document_id"`
	Purpose    string     `json:"purpose"` // document | reminder
	Status     string     `json:"status"`  // queued | sent | failed
	To         []string   `json:"to"`
	Cc         []string   `json:"cc"`
	Subject    string     `json:"subject"`
	Message    string     `json:"message"`
	AttachPDF  bool       `json:"attach_pdf"`
	Link       bool       `json:"link"`
	AccessCode bool       `json:"access_code"` // the link asks for an access code
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"-"`
	SentAt     *time.Time `json:"sent_at"`
	Error      *string    `json:"error"` // the SMTP server's reply of a failure
	Attempts   int64      `json:"attempts"`
	// The link's state: opened is its first view or download.
	OpenedAt      *time.Time `json:"opened_at"`
	Downloads     int64      `json:"downloads"`
	LinkExpiresAt *time.Time `json:"link_expires_at"`
	LinkRevokedAt *time.Time `json:"link_revoked_at"`

	// DocumentNumber is the document's number, for lists of the organisation's deliveries.
	DocumentNumber string `json:"document_number,omitempty"`
	// Unclaimed bookkeeping for the send job.
	OrgID          string `json:"-"`
	MessageID      string `json:"-"`
	AccessCodeHash string `json:"-"`
	claimed        int64
	rawStatus      string
}

// NewDelivery is what CreateDelivery records. The caller has validated and expanded it.
type NewDelivery struct {
	DocumentID     string
	Purpose        string
	To, Cc         []string
	Subject        string
	Message        string
	AttachPDF      bool
	Link           bool
	AccessCodeHash string // HashSecret of the access code, or ""
	IdempotencyKey string
	MessageDomain  string // the right side of the Message-ID
	// ReminderSeq, for an automatic reminder, is its number (1, 2, …): claimed in
	// reminder_runs, so each number is sent once whatever the replicas.
	ReminderSeq int
}

// DeliveryLimit is the per-organisation send rate limit: at most Count deliveries per Window.
type DeliveryLimit struct {
	Count  int
	Window time.Duration
}

func errDeliveryNotFound() error {
	return domain.Errorf(domain.ENotFound, "送信記録が見つかりません (delivery not found)")
}

const deliveryColumns = `e.id, e.org_id, e.document_id, e.purpose, e.status, e.to_addrs, e.cc_addrs, e.subject,
	e.message, e.attach_pdf, e.link, e.access_code_hash, e.message_id, e.created_at, e.created_by, e.claimed_attempt,
	e.attempts, e.sent_at, e.error,
	(SELECT MIN(a.at) FROM link_accesses a JOIN document_links l ON l.id = a.link_id WHERE l.delivery_id = e.id),
	(SELECT COUNT(*) FROM link_accesses a JOIN document_links l ON l.id = a.link_id WHERE l.delivery_id = e.id AND a.kind = 'download'),
	(SELECT l.expires_at FROM document_links l WHERE l.delivery_id = e.id),
	(SELECT l.revoked_at FROM document_links l WHERE l.delivery_id = e.id),
	COALESCE((SELECT d.number FROM documents d WHERE d.org_id = e.org_id AND d.id = e.document_id), '')`

func scanDelivery(row interface{ Scan(...any) error }) (Delivery, error) {
	var (
		d          Delivery
		to, cc     string
		attach     int64
		link       int64
		errText    string
		openedText *time.Time
	)
	if err := row.Scan(&d.ID, &d.OrgID, &d.DocumentID, &d.Purpose, &d.rawStatus, &to, &cc, &d.Subject, &d.Message,
		&attach, &link, &d.AccessCodeHash, &d.MessageID, scanTime(&d.CreatedAt), &d.CreatedBy, &d.claimed, &d.Attempts,
		scanNullTime(&d.SentAt), &errText, scanNullTime(&openedText), &d.Downloads, scanNullTime(&d.LinkExpiresAt),
		scanNullTime(&d.LinkRevokedAt), &d.DocumentNumber); err != nil {
		return Delivery{}, err
	}
	d.OpenedAt = openedText
	if err := json.Unmarshal([]byte(to), &d.To); err != nil {
		return Delivery{}, fmt.Errorf("delivery %s: to: %w", d.ID, err)
	}
	if err := json.Unmarshal([]byte(cc), &d.Cc); err != nil {
		return Delivery{}, fmt.Errorf("delivery %s: cc: %w", d.ID, err)
	}
	d.AttachPDF, d.Link, d.AccessCode = attach != 0, link != 0, d.AccessCodeHash != ""
	d.Status = d.rawStatus
	if d.Status == DeliverySending {
		d.Status = DeliveryQueued
	}
	if errText != "" {
		d.Error = &errText
	}
	return d, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// CreateDelivery records a delivery of an issued document of the organisation and, in the same
// transaction, its job (enqueue) and a history event by actor. A delivery with the same
// idempotency key is returned instead (created false), without a second job. EConflict unless
// the document is issued; ERateLimited past limit.
func (db *DB) CreateDelivery(ctx context.Context, orgID, actor string, in NewDelivery, limit DeliveryLimit,
	enqueue func(ctx context.Context, tx *sql.Tx, deliveryID string) error) (Delivery, bool, error) {
	var (
		out     Delivery
		created bool
	)
	err := db.inSQLTx(ctx, func(tx *sql.Tx, q querier) error {
		doc, err := db.getDocument(ctx, q, orgID, in.DocumentID, true)
		if err != nil {
			return err
		}
		if in.IdempotencyKey != "" {
			d, err := scanDelivery(q.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries e
				WHERE e.org_id = ? AND e.idempotency_key = ?`, orgID, in.IdempotencyKey))
			if err == nil {
				if d.DocumentID != in.DocumentID {
					return invalidField("idempotency_key", "別の書類の送信に使われたキーです (the key belongs to another document's delivery)")
				}
				out = d
				return nil
			}
			if !notFound(err) {
				return err
			}
		}
		if doc.Status != document.Issued {
			return domain.Errorf(domain.EConflict, "発行済みの書類だけを送信できます (only issued documents can be sent; this one is %s)", doc.Status)
		}
		now := db.nowUTC()
		if limit.Count > 0 {
			var n int
			if err := q.queryRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE org_id = ? AND created_at > ?`,
				orgID, timeArg(now.Add(-limit.Window))).Scan(&n); err != nil {
				return err
			}
			if n >= limit.Count {
				return domain.Errorf(domain.ERateLimited, "送信数の上限に達しました。しばらくしてからお試しください (at most %d mails per %s per organisation)", limit.Count, limit.Window)
			}
		}
		id, err := newID()
		if err != nil {
			return err
		}
		if in.ReminderSeq > 0 {
			res, err := q.exec(ctx, `INSERT INTO reminder_runs (org_id, document_id, seq, delivery_id, created_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id, document_id, seq) DO NOTHING`, orgID, doc.ID, in.ReminderSeq, id, timeArg(now))
			if err != nil {
				return fmt.Errorf("claim reminder: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err // made before: nothing to do
			}
		}
		to, _ := json.Marshal(nonNil(in.To))
		cc, _ := json.Marshal(nonNil(in.Cc))
		purpose := in.Purpose
		if purpose == "" {
			purpose = PurposeDocument
		}
		key := sql.NullString{String: in.IdempotencyKey, Valid: in.IdempotencyKey != ""}
		if _, err := q.exec(ctx, `INSERT INTO deliveries (id, org_id, document_id, purpose, status, to_addrs, cc_addrs,
			subject, message, attach_pdf, link, access_code_hash, idempotency_key, message_id, created_at, created_by, updated_at)
			VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, orgID, in.DocumentID, purpose, string(to), string(cc), in.Subject, in.Message, boolInt(in.AttachPDF),
			boolInt(in.Link), in.AccessCodeHash, key, id+"@"+in.MessageDomain, timeArg(now), actor, timeArg(now)); err != nil {
			return fmt.Errorf("insert delivery: %w", err)
		}
		action := ActionSend
		if purpose == PurposeReminder {
			action = ActionReminder
		}
		if err := db.addEvent(ctx, q, orgID, doc.ID, doc.Version, action, actor, &doc); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, id); err != nil {
			return err
		}
		out, err = scanDelivery(q.queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries e WHERE e.id = ?`, id))
		created = true
		return err
	})
	if err != nil {
		if in.IdempotencyKey != "" && isUniqueViolation(err) {
			// A concurrent request with the same key won: answer its delivery.
			d, gerr := db.deliveryByKey(ctx, orgID, in.IdempotencyKey)
			if gerr == nil {
				return d, false, nil
			}
		}
		return Delivery{}, false, fmt.Errorf("store: create delivery of %s: %w", in.DocumentID, err)
	}
	return out, created, nil
}

func (db *DB) deliveryByKey(ctx context.Context, orgID, key string) (Delivery, error) {
	return scanDelivery(db.q().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries e
		WHERE e.org_id = ? AND e.idempotency_key = ?`, orgID, key))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// GetDelivery returns a delivery of the organisation, or ENotFound.
func (db *DB) GetDelivery(ctx context.Context, orgID, id string) (Delivery, error) {
	if !validID(orgID) || !validID(id) {
		return Delivery{}, errDeliveryNotFound()
	}
	d, err := scanDelivery(db.q().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries e WHERE e.org_id = ? AND e.id = ?`, orgID, id))
	if notFound(err) {
		return Delivery{}, errDeliveryNotFound()
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("store: get delivery %s: %w", id, err)
	}
	return d, nil
}

// ListDeliveries returns the deliveries of a document of the organisation, newest first;
// ENotFound when there is no such document.
func (db *DB) ListDeliveries(ctx context.Context, orgID, documentID string) ([]Delivery, error) {
	if err := db.documentExists(ctx, orgID, documentID); err != nil {
		return nil, fmt.Errorf("store: deliveries of %s: %w", documentID, err)
	}
	return db.documentDeliveries(ctx, orgID, documentID)
}

// documentDeliveries is ListDeliveries without looking the document up.
func (db *DB) documentDeliveries(ctx context.Context, orgID, documentID string) ([]Delivery, error) {
	return db.listDeliveries(ctx, `e.org_id = ? AND e.document_id = ?`, []any{orgID, documentID}, 500)
}

// RecentDeliveries returns the organisation's latest deliveries, newest first; failedOnly keeps
// the failed ones.
func (db *DB) RecentDeliveries(ctx context.Context, orgID string, failedOnly bool, limit int) ([]Delivery, error) {
	where := `e.org_id = ?`
	if failedOnly {
		where += ` AND e.status = 'failed'`
	}
	return db.listDeliveries(ctx, where, []any{orgID}, limit)
}

func (db *DB) listDeliveries(ctx context.Context, where string, args []any, limit int) ([]Delivery, error) {
	rows, err := db.q().query(ctx, `SELECT `+deliveryColumns+` FROM deliveries e WHERE `+where+`
		ORDER BY e.created_at DESC, e.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list deliveries: %w", err)
	}
	return out, nil
}

// DeliveryForJob returns a delivery by id alone, for its send job (which knows no
// organisation), with the job-side state: Pending reports whether it is still queued.
func (db *DB) DeliveryForJob(ctx context.Context, id string) (Delivery, error) {
	if !validID(id) {
		return Delivery{}, errDeliveryNotFound()
	}
	d, err := scanDelivery(db.q().queryRow(ctx, `SELECT `+deliveryColumns+` FROM deliveries e WHERE e.id = ?`, id))
	if notFound(err) {
		return Delivery{}, errDeliveryNotFound()
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("store: delivery %s: %w", id, err)
	}
	return d, nil
}

// Pending reports whether no attempt has claimed the delivery yet (or one gave it back).
func (d Delivery) Pending() bool { return d.rawStatus == DeliveryQueued }

// Interrupted reports whether an attempt claimed the delivery and never said how it ended: the
// message may have been sent.
func (d Delivery) Interrupted() bool { return d.rawStatus == DeliverySending }

// NewLink is the link a delivery's mail carries, created when the delivery is claimed.
type NewLink struct {
	TokenHash string
	ExpiresAt time.Time
}

// ClaimDelivery marks a queued delivery as being sent by attempt and, when link is not nil,
// creates its link (replacing one an earlier attempt made, whose mail the server refused). It
// reports false when the delivery is not queued: another attempt has it or it is finished.
func (db *DB) ClaimDelivery(ctx context.Context, id string, attempt int, link *NewLink) (bool, error) {
	claimed := false
	err := db.inTx(ctx, func(q querier) error {
		now := db.nowUTC()
		res, err := q.exec(ctx, `UPDATE deliveries SET status = 'sending', claimed_attempt = ?, attempts = attempts + 1,
			updated_at = ? WHERE id = ? AND status = 'queued'`, attempt, timeArg(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		claimed = true
		if link == nil {
			return nil
		}
		if _, err := q.exec(ctx, `DELETE FROM document_links WHERE delivery_id = ?`, id); err != nil {
			return err
		}
		linkID, err := newID()
		if err != nil {
			return err
		}
		_, err = q.exec(ctx, `INSERT INTO document_links (id, org_id, document_id, delivery_id, token_hash, access_code_hash,
			created_at, expires_at) SELECT ?, org_id, document_id, id, ?, access_code_hash, ?, ? FROM deliveries WHERE id = ?`,
			linkID, link.TokenHash, timeArg(now), timeArg(link.ExpiresAt.UTC()), id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: claim delivery %s: %w", id, err)
	}
	return claimed, nil
}

// FinishDelivery records the end of a claimed (or queued) delivery: sent, or failed with the
// server's reply.
func (db *DB) FinishDelivery(ctx context.Context, id string, sent bool, reply string) error {
	now := db.nowUTC()
	status := DeliveryFailed
	var sentArg any
	if sent {
		status, reply, sentArg = DeliverySent, "", timeArg(now)
	}
	if _, err := db.q().exec(ctx, `UPDATE deliveries SET status = ?, sent_at = ?, error = ?, updated_at = ?
		WHERE id = ? AND status IN ('queued', 'sending')`, status, sentArg, truncate(reply, 2000), timeArg(now), id); err != nil {
		return fmt.Errorf("store: finish delivery %s: %w", id, err)
	}
	return nil
}

// RequeueDelivery gives a claimed delivery back for a later attempt, keeping the reply: the
// server refused it for now (4xx), so nothing was sent.
func (db *DB) RequeueDelivery(ctx context.Context, id, reply string) error {
	if _, err := db.q().exec(ctx, `UPDATE deliveries SET status = 'queued', error = ?, updated_at = ?
		WHERE id = ? AND status = 'sending'`, truncate(reply, 2000), timeArg(db.nowUTC()), id); err != nil {
		return fmt.Errorf("store: requeue delivery %s: %w", id, err)
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// ReminderDue is an overdue invoice of an organisation with automatic reminders, and how many
// automatic reminders it has had.
type ReminderDue struct {
	OrgID      string
	DocumentID string
	DueDate    document.Date
	Sent       int // automatic reminders claimed so far
	Settings   MailSettings
}

// dueRemindersQuery is the SQL of DueReminders: the organisations that send reminders first,
// then each one's open invoices (CROSS JOIN keeps that order on SQLite).
func (d dialect) dueRemindersQuery(today document.Date) (string, []any) {
	cond, args := paymentStatusCondition(receivables.StatusOverdue, today)
	return `SELECT d.org_id, d.id, d.due_date,
		(SELECT COUNT(*) FROM reminder_runs r WHERE r.org_id = d.org_id AND r.document_id = d.id)
		FROM mail_settings s CROSS JOIN ` + d.openInvoicesTable() + `
		WHERE d.org_id = s.org_id AND s.reminders_enabled = 1 AND ` + cond + ` ORDER BY d.org_id, d.due_date, d.id`, args
}

// DueReminders lists the overdue invoices (as of today) of every organisation that sends
// automatic reminders, with their reminder counts; which reminder is due is the caller's rule.
func (db *DB) DueReminders(ctx context.Context, today document.Date) ([]ReminderDue, error) {
	query, args := db.dialect.dueRemindersQuery(today)
	rows, err := db.q().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	var out []ReminderDue
	for rows.Next() {
		var r ReminderDue
		if err := rows.Scan(&r.OrgID, &r.DocumentID, docDate{&r.DueDate}, &r.Sent); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: due reminders: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	settings := map[string]MailSettings{}
	for i := range out {
		s, ok := settings[out[i].OrgID]
		if !ok {
			if s, err = db.GetMailSettings(ctx, out[i].OrgID); err != nil {
				return nil, err
			}
			settings[out[i].OrgID] = s
		}
		out[i].Settings = s
	}
	return out, nil
}
