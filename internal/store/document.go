package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Documents are stored as one row each: the columns the store searches, orders and locks on,
// plus body, the JSON of the whole document.Document. The columns win over the body for the
// fields both hold (id, kind, status, number, customer id, version, timestamps).

// History actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionIssue  = "issue"
	ActionCancel = "cancel"
	ActionDelete = "delete"
)

func errDocumentNotFound() error {
	return domain.Errorf(domain.ENotFound, "書類が見つかりません (document not found)")
}

// searchDate is the date a document is found and ordered by: the transaction date, else the
// start of the transaction period, else the issue date (電子帳簿保存法: by transaction date).
func searchDate(d document.Document) string {
	switch {
	case d.TransactionDate != nil && !d.TransactionDate.IsZero():
		return d.TransactionDate.String()
	case d.TransactionPeriod != nil && !d.TransactionPeriod.From.IsZero():
		return d.TransactionPeriod.From.String()
	}
	return d.IssueDate.String()
}

// documentSearchText is what free-text search matches besides the customer name.
func documentSearchText(d document.Document) string {
	var b strings.Builder
	if d.Number != nil {
		b.WriteString(*d.Number)
	}
	b.WriteString("\n")
	b.WriteString(d.Subject)
	for _, it := range d.Items {
		b.WriteString("\n")
		b.WriteString(it.Name)
	}
	return searchFold(b.String())
}

// documentBody is the JSON stored in documents.body: the document without what is read from
// elsewhere (the related document; the live customer and issuer while draft).
func documentBody(d document.Document) (string, error) {
	d.RelatedDocument, d.SourceDocument, d.DerivedDocuments, d.DerivedDocumentIDs, d.Ordered = nil, nil, nil, nil, false
	d.PaymentStatus, d.PaidAmount, d.CreditedAmount, d.Balance = nil, nil, nil, nil // computed when read
	if d.Status == document.Draft {
		d.Customer, d.Issuer = nil, nil
	}
	if d.Items == nil {
		d.Items = []document.Item{}
	}
	if d.Totals.ByRate == nil {
		d.Totals.ByRate = []document.RateTotal{}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode document: %w", err)
	}
	return string(b), nil
}

// customerName is the folded name free-text search matches: the snapshot once issued, the
// customer's current name while draft (UpdateCustomer keeps it current).
func customerName(d document.Document) string {
	if d.Customer == nil {
		return ""
	}
	return searchFold(d.Customer.Name)
}

// storable checks what the columns need, validated or not: a known kind and an issue date.
func storable(d document.Document) error {
	if !d.Kind.Valid() {
		return &domain.Error{Code: domain.EInvalid, Message: "書類の種類が不正です (invalid kind)",
			Fields: map[string]string{"kind": "invalid"}}
	}
	if d.IssueDate.IsZero() {
		return &domain.Error{Code: domain.EInvalid, Message: "発行日を入力してください (issue_date is required)",
			Fields: map[string]string{"issue_date": "required"}}
	}
	return nil
}

// CreateDocument stores d as a new draft of the organisation: a new id, version 1, no number,
// and a "create" event by actor. The caller has validated d and computed its totals; the store
// only checks that the customer (and the related document) belong to the organisation
// (EInvalid with field customer_id or related_document_id). It returns the document as
// GetDocument would.
func (db *DB) CreateDocument(ctx context.Context, orgID, actor string, d document.Document) (document.Document, error) {
	if !validID(orgID) {
		return document.Document{}, errOrgNotFound()
	}
	var err error
	if d.ID, err = newID(); err != nil {
		return document.Document{}, fmt.Errorf("store: create document: %w", err)
	}
	var out document.Document
	err = db.inTx(ctx, func(q querier) error {
		out, err = db.createDocument(ctx, q, orgID, actor, d)
		return err
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("store: create document: %w", err)
	}
	return out, nil
}

// createDocument inserts d (whose ID is set) as a new draft inside the transaction q.
func (db *DB) createDocument(ctx context.Context, q querier, orgID, actor string, d document.Document) (document.Document, error) {
	if err := storable(d); err != nil {
		return document.Document{}, err
	}
	now := db.nowUTC()
	d.Status, d.Number, d.Version = document.Draft, nil, 1
	d.CreatedAt, d.UpdatedAt, d.IssuedAt, d.CancelledAt = now, now, nil, nil
	c, err := db.checkReferences(ctx, q, orgID, d)
	if err != nil {
		return document.Document{}, err
	}
	body, err := documentBody(d)
	if err != nil {
		return document.Document{}, err
	}
	if _, err := q.exec(ctx, `INSERT INTO documents (id, org_id, kind, status, customer_id, customer_name,
		issue_date, search_date, gross, search_text, related_document_id, source_document_id, version, created_at,
		updated_at, body)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, orgID, string(d.Kind), string(d.Status), d.CustomerID, searchFold(c.Name),
		d.IssueDate.String(), searchDate(d), d.Totals.Gross, documentSearchText(d), nullString(d.RelatedDocumentID),
		nullString(d.SourceDocumentID), d.Version, timeArg(now), timeArg(now), body); err != nil {
		return document.Document{}, err
	}
	if err := db.addEvent(ctx, q, orgID, d.ID, 0, ActionCreate, actor, nil); err != nil {
		return document.Document{}, err
	}
	return db.getDocument(ctx, q, orgID, d.ID, false)
}

// GetDocument returns a document of the organisation. A draft shows the customer's and the
// issuer's current data; an issued or cancelled document shows the snapshots frozen when it was
// issued. RelatedDocument is filled when RelatedDocumentID is set (and that document exists).
func (db *DB) GetDocument(ctx context.Context, orgID, id string) (document.Document, error) {
	d, err := db.getDocument(ctx, db.q(), orgID, id, false)
	if err == nil && d.Status != document.Draft {
		d.PDFSHA256, err = db.pdfSHA256(ctx, db.q(), orgID, id)
	}
	if err != nil {
		return document.Document{}, fmt.Errorf("store: get document %s: %w", id, err)
	}
	if d.Kind == document.DeliveryNote {
		if d.BilledBy, err = db.billedBy(ctx, db.q(), orgID, id); err != nil {
			return document.Document{}, fmt.Errorf("store: get document %s: %w", id, err)
		}
	}
	return d, nil
}

// UpdateDocument replaces the content of a draft (found by d.ID) with d's and returns the stored
// document. Only drafts change (EConflict otherwise); d.Version must be the stored version
// (EVersion otherwise: someone else saved in between). The version goes up by one and an "update"
// event keeps the content before.
func (db *DB) UpdateDocument(ctx context.Context, orgID, actor string, d document.Document) (document.Document, error) {
	if err := storable(d); err != nil {
		return document.Document{}, err
	}
	var out document.Document
	err := db.inTx(ctx, func(q querier) error {
		before, err := db.getDocument(ctx, q, orgID, d.ID, true)
		if err != nil {
			return err
		}
		if before.Status != document.Draft {
			return domain.Errorf(domain.EConflict, "発行済みの書類は変更できません (only drafts can be changed; this one is %s)", before.Status)
		}
		if d.Version != before.Version {
			return domain.Errorf(domain.EVersion, "書類は他の人が更新しました。読み込み直してください (version %d is not the current version %d)", d.Version, before.Version)
		}
		c, err := db.checkReferences(ctx, q, orgID, d)
		if err != nil {
			return err
		}
		now := db.nowUTC()
		d.Status, d.Number, d.Version = document.Draft, nil, before.Version+1
		d.CreatedAt, d.UpdatedAt, d.IssuedAt, d.CancelledAt = before.CreatedAt, now, nil, nil
		// A summary invoice keeps what it gathered; its total billed follows the new totals.
		d.SourceDocuments, d.CarryOver, d.BilledBy = before.SourceDocuments, nil, nil
		if before.CarryOver != nil {
			carry := *before.CarryOver
			d.CarryOver = &carry
			d.SetTotalBilled()
		}
		body, err := documentBody(d)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE documents SET kind = ?, customer_id = ?, customer_name = ?, issue_date = ?,
			search_date = ?, gross = ?, search_text = ?, related_document_id = ?, source_document_id = ?, version = ?,
			updated_at = ?, body = ? WHERE org_id = ? AND id = ?`,
			string(d.Kind), d.CustomerID, searchFold(c.Name), d.IssueDate.String(), searchDate(d), d.Totals.Gross,
			documentSearchText(d), nullString(d.RelatedDocumentID), nullString(d.SourceDocumentID), d.Version, timeArg(now), body,
			orgID, d.ID); err != nil {
			return err
		}
		if err := db.addEvent(ctx, q, orgID, d.ID, before.Version, ActionUpdate, actor, &before); err != nil {
			return err
		}
		out, err = db.getDocument(ctx, q, orgID, d.ID, false)
		return err
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("store: update document %s: %w", d.ID, err)
	}
	return out, nil
}

// DeleteDocument deletes a draft (EConflict for issued and cancelled documents, which are kept
// for good). Its history, with a final "delete" event holding the content, is kept.
func (db *DB) DeleteDocument(ctx context.Context, orgID, actor, id string) error {
	err := db.inTx(ctx, func(q querier) error {
		before, err := db.getDocument(ctx, q, orgID, id, true)
		if err != nil {
			return err
		}
		if before.Status != document.Draft {
			return domain.Errorf(domain.EConflict, "発行済みの書類は削除できません。取消してください (only drafts can be deleted; cancel it instead)")
		}
		if err := db.addEvent(ctx, q, orgID, id, before.Version, ActionDelete, actor, &before); err != nil {
			return err
		}
		_, err = q.exec(ctx, `DELETE FROM documents WHERE org_id = ? AND id = ?`, orgID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete document %s: %w", id, err)
	}
	return nil
}

// IssueDocument issues a draft (EConflict otherwise), in one transaction: it takes the next
// number of the organisation and kind from a counter row (so numbers are gap-free and unique even
// when many documents are issued at once), freezes snapshots of the issuer and the customer, and
// records an "issue" event. It returns the issued document.
func (db *DB) IssueDocument(ctx context.Context, orgID, actor, id string) (document.Document, error) {
	var out document.Document
	err := db.inTx(ctx, func(q querier) (err error) {
		out, err = db.issueDocument(ctx, q, orgID, actor, id)
		return err
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("store: issue document %s: %w", id, err)
	}
	return out, nil
}

// issueDocument is IssueDocument inside the transaction q.
func (db *DB) issueDocument(ctx context.Context, q querier, orgID, actor, id string) (document.Document, error) {
	before, err := db.getDocument(ctx, q, orgID, id, true)
	if err != nil {
		return document.Document{}, err
	}
	if before.Status != document.Draft {
		return document.Document{}, domain.Errorf(domain.EConflict, "この書類は既に発行されています (document is %s)", before.Status)
	}
	// The invoice's remaining amounts are checked again under its lock: other credit notes
	// may have been issued against it since this one was saved.
	if before.Kind == document.CreditNote && before.RelatedDocumentID != nil && *before.RelatedDocumentID != "" {
		if err := db.checkCredit(ctx, q, orgID, before, true); err != nil {
			return document.Document{}, err
		}
	}
	org, err := db.getOrganization(ctx, q, false, "id = ?", orgID)
	if err != nil {
		return document.Document{}, err
	}
	if err := document.CheckCanIssue(org.Issuer, before.Kind); err != nil {
		return document.Document{}, err
	}
	var seq int64
	// The upsert locks the counter row until commit: concurrent issuers of the same kind
	// queue here, and a rollback gives the number back.
	if err := q.queryRow(ctx, `INSERT INTO document_counters (org_id, kind, last) VALUES (?, ?, 1)
		ON CONFLICT (org_id, kind) DO UPDATE SET last = document_counters.last + 1
		RETURNING last`, orgID, string(before.Kind)).Scan(&seq); err != nil {
		return document.Document{}, fmt.Errorf("next number: %w", err)
	}
	now := db.nowUTC()
	d := before
	number := document.FormatNumber(org.NumberPrefixes.For(d.Kind), seq)
	issuer := org.Issuer
	d.Issuer = &issuer // before.Customer is the customer's current data: freeze it
	d.Status, d.Number, d.Version = document.Issued, &number, before.Version+1
	d.UpdatedAt, d.IssuedAt = now, &now
	body, err := documentBody(d)
	if err != nil {
		return document.Document{}, err
	}
	_, err = q.exec(ctx, `UPDATE documents SET status = ?, number = ?, seq = ?, customer_name = ?, search_text = ?,
		version = ?, updated_at = ?, issued_at = ?, body = ? WHERE org_id = ? AND id = ?`,
		string(d.Status), number, seq, customerName(d), documentSearchText(d), d.Version,
		timeArg(now), timeArg(now), body, orgID, id)
	if isUniqueViolation(err) {
		return document.Document{}, domain.Errorf(domain.EConflict, "番号 %s は既に使われています。番号の接頭辞を確認してください (number %s is taken)", number, number)
	}
	if err != nil {
		return document.Document{}, err
	}
	if err := db.refreshSumsOf(ctx, q, orgID, d); err != nil {
		return document.Document{}, err
	}
	if err := db.addEvent(ctx, q, orgID, id, before.Version, ActionIssue, actor, &before); err != nil {
		return document.Document{}, err
	}
	out, err := db.getDocument(ctx, q, orgID, id, false)
	if err != nil {
		return document.Document{}, err
	}
	// The PDF as issued is stored with the document, in this transaction (SetRenderer), and
	// named in the history.
	sum, err := db.storePDF(ctx, q, orgID, out, RenditionOriginal)
	if err != nil {
		return document.Document{}, err
	}
	if err := recordPDF(ctx, q, orgID, id, ActionIssue, before.Version, sum); err != nil {
		return document.Document{}, err
	}
	out.PDFSHA256, err = db.pdfSHA256(ctx, q, orgID, id)
	return out, err
}

// ImportDocuments stores many documents of the organisation in one transaction, each exactly
// as CreateDocument followed (when its Status is Issued) by IssueDocument would, in order: so
// issued documents are numbered in the order given. It is for loading data in bulk (the
// bench/seed tool, migrations from another system); a failure stores none of them. It returns
// the new ids.
func (db *DB) ImportDocuments(ctx context.Context, orgID, actor string, docs []document.Document) ([]string, error) {
	if !validID(orgID) {
		return nil, errOrgNotFound()
	}
	ids := make([]string, len(docs))
	err := db.inTx(ctx, func(q querier) error {
		for i, d := range docs {
			var err error
			if d.ID, err = newID(); err != nil {
				return err
			}
			issue := d.Status == document.Issued
			if _, err := db.createDocument(ctx, q, orgID, actor, d); err != nil {
				return fmt.Errorf("document %d: %w", i, err)
			}
			if issue {
				if _, err := db.issueDocument(ctx, q, orgID, actor, d.ID); err != nil {
					return fmt.Errorf("document %d: %w", i, err)
				}
			}
			ids[i] = d.ID
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: import documents: %w", err)
	}
	return ids, nil
}

// CancelDocument cancels an issued document (EConflict otherwise). It keeps its number and its
// content; a "cancel" event records who and when.
func (db *DB) CancelDocument(ctx context.Context, orgID, actor, id string) (document.Document, error) {
	var out document.Document
	err := db.inTx(ctx, func(q querier) error {
		before, err := db.getDocument(ctx, q, orgID, id, true)
		if err != nil {
			return err
		}
		if before.Status != document.Issued {
			return domain.Errorf(domain.EConflict, "発行済みの書類だけ取消できます (only issued documents can be cancelled; this one is %s)", before.Status)
		}
		now := timeArg(db.nowUTC())
		if _, err := q.exec(ctx, `UPDATE documents SET status = ?, version = version + 1, updated_at = ?, cancelled_at = ?
			WHERE org_id = ? AND id = ?`, string(document.Cancelled), now, now, orgID, id); err != nil {
			return err
		}
		if err := releaseSummarySources(ctx, q, orgID, id); err != nil {
			return err
		}
		if err := db.refreshSumsOf(ctx, q, orgID, before); err != nil {
			return err
		}
		if err := db.addEvent(ctx, q, orgID, id, before.Version, ActionCancel, actor, &before); err != nil {
			return err
		}
		if out, err = db.getDocument(ctx, q, orgID, id, false); err != nil {
			return err
		}
		// The cancelled rendition (取消 mark, no seal) is stored beside the original.
		sum, err := db.storePDF(ctx, q, orgID, out, RenditionCancelled)
		if err != nil {
			return err
		}
		if err := recordPDF(ctx, q, orgID, id, ActionCancel, before.Version, sum); err != nil {
			return err
		}
		out.PDFSHA256, err = db.pdfSHA256(ctx, q, orgID, id)
		return err
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("store: cancel document %s: %w", id, err)
	}
	return out, nil
}

// History returns one page of the events of a document of the organisation, oldest first, each
// with the content before the change (nil for "create"), who made it and what it changed (from
// the content before it to the content before the next event, or the document as it is now
// after the last), and the cursor of the next page ("" on the last). The history of a deleted
// draft is still there. A document with no history in the organisation is ENotFound; a cursor
// this method did not make is EInvalid with field "cursor".
func (db *DB) History(ctx context.Context, orgID, id string, page domain.Page) ([]document.Event, string, error) {
	if !validID(orgID) || !validID(id) {
		return nil, "", errDocumentNotFound()
	}
	limit := page.Size()
	where, args := "e.org_id = ? AND e.document_id = ?", []any{orgID, id}
	if page.Cursor != "" {
		seq, evID, err := decodeHistoryCursor(page.Cursor)
		if err != nil {
			return nil, "", err
		}
		where += " AND (e.seq > ? OR (e.seq = ? AND e.id > ?))"
		args = append(args, seq, seq, evID)
	}
	// Events recorded before actors were kept with them name the user by the users row.
	rows, err := db.q().query(ctx, `SELECT e.id, e.seq, e.action, e.actor, e.at, e.before_body,
		COALESCE(e.actor_user_id, u.id, ''), COALESCE(e.actor_email, u.email, ''), COALESCE(e.actor_name, u.name, ''),
		e.actor_token_name, COALESCE(e.pdf_sha256, '')
		FROM document_events e LEFT JOIN users u ON e.actor_email IS NULL AND u.id = e.actor
		WHERE `+where+` ORDER BY e.seq, e.id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", fmt.Errorf("store: history of %s: %w", id, err)
	}
	defer rows.Close()
	events := []document.Event{}
	var seqs []int64
	for rows.Next() {
		var (
			e         document.Event
			seq       int64
			before    sql.NullString
			actor     string
			tokenName sql.NullString
		)
		if err := rows.Scan(&e.ID, &seq, &e.Action, &actor, scanTime(&e.At), &before,
			&e.Actor.ID, &e.Actor.Email, &e.Actor.Name, &tokenName, &e.PDFSHA256); err != nil {
			return nil, "", fmt.Errorf("store: history of %s: %w", id, err)
		}
		e.DocumentID = id
		e.Actor = eventActor(actor, e.Actor, tokenName)
		if before.Valid {
			e.Before = new(document.Document)
			if err := json.Unmarshal([]byte(before.String), e.Before); err != nil {
				return nil, "", fmt.Errorf("store: history of %s: decode event %s: %w", id, e.ID, err)
			}
		}
		events = append(events, e)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("store: history of %s: %w", id, err)
	}
	if len(events) == 0 && page.Cursor == "" {
		return nil, "", errDocumentNotFound()
	}
	// What each event changed: up to the next event's before-state; after the last event, up
	// to the document as it is (none after a deletion).
	var last *document.Document
	if len(events) > limit {
		last = events[limit].Before
	} else if len(events) > 0 && events[len(events)-1].Action != ActionDelete {
		d, err := db.getDocument(ctx, db.q(), orgID, id, false)
		if err != nil && domain.ErrorCode(err) != domain.ENotFound {
			return nil, "", fmt.Errorf("store: history of %s: %w", id, err)
		}
		if err == nil {
			last = &d
		}
	}
	for i := range events {
		after := last
		if i+1 < len(events) {
			after = events[i+1].Before
		}
		events[i].Changes = document.Changes(events[i].Before, after)
	}
	var next string
	if len(events) > limit {
		events = events[:limit]
		next = base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seqs[limit-1], 10) + "|" + events[limit-1].ID))
	}
	return events, next, nil
}

// Actors of history events are recorded as a user id, "token:" + an API token's id (see
// domain.Principal.Actor), or another "kind:id" of the system (a recurring invoice's
// "schedule:" + its id).
const tokenActorPrefix = "token:"

// eventActor completes the actor of an event from its recorded actor string and the user's
// details kept with it.
func eventActor(actor string, user document.Actor, tokenName sql.NullString) document.Actor {
	if tokenID, ok := strings.CutPrefix(actor, tokenActorPrefix); ok {
		user.Type, user.Token = "token", &document.ActorToken{ID: tokenID, Name: tokenName.String}
		return user
	}
	if user.ID == "" {
		if strings.Contains(actor, ":") {
			return document.Actor{ID: actor, Type: "system"}
		}
		user.ID = actor // a user no longer known
	}
	user.Type = "user"
	return user
}

func decodeHistoryCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", errInvalidCursor()
	}
	s, id, ok := strings.Cut(string(b), "|")
	seq, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || !validID(id) {
		return 0, "", errInvalidCursor()
	}
	return seq, id, nil
}

// addEvent appends an event; seq is the document's version before the change, which orders the
// history even when clocks of replicas disagree. The actor's e-mail and name (and an API
// token's name) are kept with the event as they are now.
func (db *DB) addEvent(ctx context.Context, q querier, orgID, docID string, seq int64, action, actor string, before *document.Document) error {
	id, err := newID()
	if err != nil {
		return err
	}
	var body sql.NullString
	if before != nil {
		b, err := json.Marshal(before)
		if err != nil {
			return fmt.Errorf("encode history: %w", err)
		}
		body = sql.NullString{String: string(b), Valid: true}
	}
	var userID, email, name, tokenName sql.NullString
	if tokenID, ok := strings.CutPrefix(actor, tokenActorPrefix); ok {
		err = q.queryRow(ctx, `SELECT u.id, u.email, u.name, t.name FROM api_tokens t JOIN users u ON u.id = t.user_id
			WHERE t.org_id = ? AND t.id = ?`, orgID, tokenID).Scan(&userID, &email, &name, &tokenName)
	} else if validID(actor) {
		err = q.queryRow(ctx, `SELECT id, email, name FROM users WHERE id = ?`, actor).Scan(&userID, &email, &name)
	}
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("add %s event: actor: %w", action, err)
	}
	_, err = q.exec(ctx, `INSERT INTO document_events (id, org_id, document_id, seq, action, actor, at, before_body,
		actor_user_id, actor_email, actor_name, actor_token_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, orgID, docID, seq, action, actor, timeArg(db.nowUTC()), body,
		userID, email, name, tokenName)
	if err != nil {
		return fmt.Errorf("add %s event: %w", action, err)
	}
	return nil
}

func nullString(s *string) sql.NullString {
	if s == nil || *s == "" {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// documentColumns reads documents with their customer's current data (used while draft).
const documentColumns = `SELECT d.id, d.kind, d.status, d.number, d.customer_id, d.version, d.created_at,
	d.updated_at, d.issued_at, d.cancelled_at, d.search_date, d.body, d.paid, d.credited,
	c.name, c.honorific, c.postal_code, c.address, c.contact_person, c.email, c.registration_number,
	c.peppol_id
	FROM documents d JOIN customers c ON c.org_id = d.org_id AND c.id = d.customer_id`

// documentSelect is documentColumns of one organisation; callers append conditions.
const documentSelect = documentColumns + `
	WHERE d.org_id = ?`

// summaryQuery is query, a documentSelect query ordered as a search is, for documents read without
// their lines (queryDocumentRows without items). On PostgreSQL the lines are taken out of the
// page's jsonb bodies before they are sent, rather than written as text for the decoder to skip;
// outside query, so that a plan that sorts the matches does not detoast every match's body first.
// On SQLite the body is read as stored, and the decoder skips the lines.
func (d dialect) summaryQuery(query string) string {
	if !d.postgres() {
		return query
	}
	return "SELECT " + summaryColumns + " FROM (" + query + ") s ORDER BY s.search_date DESC, s.id DESC"
}

// summaryColumns are documentColumns' names, of the subquery s of summaryQuery, the body without
// its lines.
var summaryColumns = func() string {
	list := strings.TrimPrefix(documentColumns[:strings.Index(documentColumns, "FROM ")], "SELECT ")
	var cols []string
	for _, c := range strings.Split(list, ",") {
		c = "s." + strings.TrimSpace(c)[2:] // d.x or c.x
		if c == "s.body" {
			c += " - 'items'"
		}
		cols = append(cols, c)
	}
	return strings.Join(cols, ", ")
}()

// getDocument reads one document, locking its row for the transaction when lock is set.
func (db *DB) getDocument(ctx context.Context, q querier, orgID, id string, lock bool) (document.Document, error) {
	if !validID(orgID) || !validID(id) {
		return document.Document{}, errDocumentNotFound()
	}
	query := documentSelect + " AND d.id = ?"
	if lock {
		query += db.dialect.forUpdate("d")
	}
	docs, _, err := db.queryDocuments(ctx, q, orgID, query, orgID, id)
	if err != nil {
		return document.Document{}, err
	}
	if len(docs) == 0 {
		return document.Document{}, errDocumentNotFound()
	}
	return docs[0], nil
}

// queryDocuments runs a documentSelect query and completes the documents: drafts get the
// organisation's current issuer data, and related documents are looked up. It also returns each
// document's search date (for cursors).
func (db *DB) queryDocuments(ctx context.Context, q querier, orgID, query string, args ...any) ([]document.Document, []string, error) {
	return db.queryDocumentRows(ctx, q, orgID, true, query, args...)
}

// queryDocumentRows is queryDocuments, leaving the lines out (Items nil) unless withItems.
func (db *DB) queryDocumentRows(ctx context.Context, q querier, orgID string, withItems bool, query string, args ...any) ([]document.Document, []string, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var dates []string
	var rowsOf []documentRow
	for rows.Next() {
		r, err := scanDocumentRow(rows)
		if err != nil {
			return nil, nil, err
		}
		rowsOf = append(rowsOf, r)
		dates = append(dates, r.date)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()                                       // free the connection first: in a transaction it is SQLite's one writer
	docs, err := decodeDocumentRows(rowsOf, withItems) // never nil: a list of none is []
	if err != nil {
		return nil, nil, err
	}
	if err := db.completeDocuments(ctx, q, orgID, docs); err != nil {
		return nil, nil, err
	}
	db.completeReceivables(docs, rowsOf)
	return docs, dates, nil
}

// skipJSON is a JSON value decoded into nothing.
type skipJSON struct{}

func (*skipJSON) UnmarshalJSON([]byte) error { return nil }

// documentWithoutItems decodes a document's body but its lines: the lines are most of a body,
// and a list or the CSV shows none of them.
type documentWithoutItems struct {
	*document.Document
	Items skipJSON `json:"items"`
}

// documentRow is a documentSelect row before its body is decoded.
type documentRow struct {
	d                  document.Document // the columns
	date, body, number string
	hasNumber          bool
	c                  document.Counterparty
	sums               sums // kept on the row (an invoice's payments and credit notes)
}

func scanDocumentRow(rows *sql.Rows) (documentRow, error) {
	var (
		r            documentRow
		kind, status string
		number       sql.NullString
	)
	d := &r.d
	if err := rows.Scan(&d.ID, &kind, &status, &number, &d.CustomerID, &d.Version, scanTime(&d.CreatedAt), scanTime(&d.UpdatedAt),
		scanNullTime(&d.IssuedAt), scanNullTime(&d.CancelledAt), scanDate(&r.date), &r.body, &r.sums.paid, &r.sums.credited, &r.c.Name, &r.c.Honorific, &r.c.PostalCode,
		&r.c.Address, &r.c.ContactPerson, &r.c.Email, &r.c.RegistrationNumber, &r.c.PeppolID); err != nil {
		return documentRow{}, err
	}
	d.Kind, d.Status = document.Kind(kind), document.Status(status)
	r.number, r.hasNumber = number.String, number.Valid
	return r, nil
}

// decodeRowsAtOnce is how many rows make decoding their bodies on every core worth it.
const decodeRowsAtOnce = 64

// decodeDocumentRows decodes the bodies of rows (on every core for a page of them: JSON is
// most of the time of a list or the CSV) and lays the columns over them.
func decodeDocumentRows(rows []documentRow, withItems bool) ([]document.Document, error) {
	docs := make([]document.Document, len(rows))
	workers := min(runtime.GOMAXPROCS(0), len(rows)/decodeRowsAtOnce+1)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(rows); i += workers {
				if docs[i], errs[w] = decodeDocumentRow(rows[i], withItems); errs[w] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return docs, nil
}

func decodeDocumentRow(r documentRow, withItems bool) (document.Document, error) {
	var d document.Document
	var into any = &d
	if !withItems {
		into = &documentWithoutItems{Document: &d}
	}
	if err := json.Unmarshal([]byte(r.body), into); err != nil {
		return document.Document{}, fmt.Errorf("decode document %s: %w", r.d.ID, err)
	}
	col := r.d
	d.ID, d.Kind, d.Status, d.CustomerID, d.Version = col.ID, col.Kind, col.Status, col.CustomerID, col.Version
	d.Number = nil
	if r.hasNumber {
		n := r.number
		d.Number = &n
	}
	d.CreatedAt, d.UpdatedAt, d.IssuedAt, d.CancelledAt = col.CreatedAt, col.UpdatedAt, col.IssuedAt, col.CancelledAt
	if d.Status == document.Draft {
		c := r.c
		d.Customer = &c
	}
	return d, nil
}

// completeDocuments fills what is not in the rows: the issuer of drafts and the linked
// documents (completeLinks).
func (db *DB) completeDocuments(ctx context.Context, q querier, orgID string, docs []document.Document) error {
	if err := db.completeDraftIssuers(ctx, q, orgID, docs); err != nil {
		return err
	}
	return db.completeLinks(ctx, q, orgID, docs)
}

// completeDraftIssuers gives the drafts among docs the organisation's current issuer data.
func (db *DB) completeDraftIssuers(ctx context.Context, q querier, orgID string, docs []document.Document) error {
	drafts := false
	for _, d := range docs {
		drafts = drafts || d.Status == document.Draft
	}
	if drafts {
		org, err := db.getOrganization(ctx, q, false, "id = ?", orgID)
		if err != nil {
			return err
		}
		for i := range docs {
			if docs[i].Status == document.Draft {
				issuer := org.Issuer
				docs[i].Issuer = &issuer
			}
		}
	}
	return nil
}
