package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

// Payments are rows of their own, never updated except to void them and never deleted; an
// invoice's paid and credited amounts are their sums (payments not voided, credit notes issued
// against it), kept on the invoice's row (documents.paid, credited; migration 00240) by
// refreshInvoiceSums in the transaction of every payment, void and credit note issued or
// cancelled. Its balance is balanceSQL over them, and the payment status is read from it as
// of today.

// History actions of payments.
const (
	ActionPayment     = "payment"
	ActionPaymentVoid = "payment_void"
)

// balanceSQL is the balance of the invoice d from the sums kept on its row: the expression the
// partial indexes documents_open and documents_settled (00240) are defined by.
const balanceSQL = `COALESCE(d.amount_due, d.gross) - d.paid - d.credited`

// paidSQL is the paid sum of the invoice d, computed from its payments.
const paidSQL = `(SELECT COALESCE(SUM(p.amount + p.fee), 0) FROM payments p
		WHERE p.org_id = d.org_id AND p.document_id = d.id AND p.voided_at IS NULL)`

// creditedSQL is the sum of the credit notes issued against the invoice d up to asOf (a
// placeholder for a date, or "" for all), computed from them. SQLite, without statistics, would
// read every issued credit note of the organisation by kind and status for each invoice rather
// than the invoice's own by documents_related.
func (d dialect) creditedSQL(asOf string) string {
	q := `(SELECT COALESCE(SUM(c.gross), 0) FROM documents c WHERE c.org_id = d.org_id
		AND c.related_document_id = d.id AND ` + d.unindexed("c.kind") + ` = 'credit_note' AND c.status = 'issued'`
	if asOf != "" {
		q += " AND c.issue_date <= " + asOf
	}
	return q + ")"
}

// refreshInvoiceSums sets the paid and credited sums kept on the row of the
// organisation's invoice id from its payments and credit notes, in the write transaction q
// that changed them. The row is locked first: on PostgreSQL the sums are then read after any
// other transaction that changed them has committed.
func (db *DB) refreshInvoiceSums(ctx context.Context, q querier, orgID, id string) error {
	var kind string
	if err := q.queryRow(ctx, `SELECT d.kind FROM documents d WHERE d.org_id = ? AND d.id = ?`+db.dialect.forUpdate(""),
		orgID, id).Scan(&kind); err != nil {
		return fmt.Errorf("invoice sums of %s: %w", id, err)
	}
	if kind != string(document.Invoice) {
		return nil
	}
	credited := db.dialect.creditedSQL("")
	if _, err := q.exec(ctx, `UPDATE documents AS d SET paid = `+paidSQL+`, credited = `+credited+`
		WHERE d.org_id = ? AND d.id = ?`, orgID, id); err != nil {
		return fmt.Errorf("invoice sums of %s: %w", id, err)
	}
	return nil
}

// refreshSumsOf refreshes the sums that issuing or cancelling d changes: its own as an invoice
// (its balance starts at the amount due), its invoice's as a credit note.
func (db *DB) refreshSumsOf(ctx context.Context, q querier, orgID string, d document.Document) error {
	switch {
	case d.Kind == document.Invoice:
		return db.refreshInvoiceSums(ctx, q, orgID, d.ID)
	case d.Kind == document.CreditNote && d.RelatedDocumentID != nil && *d.RelatedDocumentID != "":
		return db.refreshInvoiceSums(ctx, q, orgID, *d.RelatedDocumentID)
	}
	return nil
}

// paymentStatusCondition is the SQL condition on d of a payment status as of today. Its terms
// include those of the partial indexes documents_open and documents_settled (00240), so that
// the search can walk the open or the settled invoices in date order (paymentStatusIndex).
func paymentStatusCondition(status string, today document.Date) (string, []any) {
	issued := "d.kind = 'invoice' AND d.status = 'issued' AND "
	open := issued + balanceSQL + " > 0"
	notDue := "(d.due_date IS NULL OR d.due_date >= ?)"
	switch status {
	case receivables.StatusPaid:
		return "(" + issued + balanceSQL + " <= 0)", nil
	case receivables.StatusOverdue:
		return "(" + open + " AND d.due_date < ?)", []any{today.String()}
	case receivables.StatusPartiallyPaid:
		return "(" + open + " AND " + notDue + " AND d.paid > 0)", []any{today.String()}
	case receivables.StatusUnpaid:
		return "(" + open + " AND " + notDue + " AND d.paid = 0)", []any{today.String()}
	}
	return "1 = 0", nil
}

// openInvoicesTable is the documents table aliased d for a query of open invoices only (its
// conditions include paymentStatusCondition's terms of documents_open): on SQLite, which plans
// without statistics, read from that partial index, since (org_id, kind, status, due_date)
// looks better to it and reads every issued invoice, paid or not.
func (d dialect) openInvoicesTable() string {
	if d.postgres() {
		return "documents d"
	}
	return "documents d INDEXED BY documents_open"
}

// paymentStatusIndex is the partial index that holds the invoices of a payment status: the
// settled ones (balance ≤ 0) or the open ones; "" for none.
func paymentStatusIndex(status string) string {
	switch status {
	case receivables.StatusPaid:
		return "documents_settled"
	case receivables.StatusOverdue, receivables.StatusPartiallyPaid, receivables.StatusUnpaid:
		return "documents_open"
	}
	return ""
}

// Today is today's date in the store's time zone (Options.Location).
func (db *DB) Today() document.Date { return document.Today(db.now(), db.loc) }

// withToday fills f.Today when it is not set.
func (db *DB) withToday(f document.Filter) document.Filter {
	if f.Today.IsZero() {
		f.Today = db.Today()
	}
	return f
}

// docDate scans a date column into a document.Date (through scanDate).
type docDate struct{ dst *document.Date }

func (s docDate) Scan(src any) error {
	var text string
	if err := scanDate(&text).Scan(src); err != nil {
		return err
	}
	d, err := document.ParseDate(text)
	*s.dst = d
	return err
}

// sums are the paid and credited totals kept on an invoice's row (refreshInvoiceSums).
type sums struct{ paid, credited int64 }

// completeReceivables fills the payment fields of the issued invoices among docs from the sums
// read with their rows (docs[i] decoded from rows[i]).
func (db *DB) completeReceivables(docs []document.Document, rows []documentRow) {
	today := db.Today()
	for i := range docs {
		d := &docs[i]
		if !receivables.Applies(d.Kind, d.Status) {
			continue
		}
		sum := receivables.Summarize(d.Totals.AmountDue, rows[i].sums.paid, rows[i].sums.credited, d.DueDate, today)
		d.PaymentStatus, d.PaidAmount, d.CreditedAmount, d.Balance = &sum.Status, &sum.Paid, &sum.Credited, &sum.Balance
	}
}

// documentExists is nil when the organisation has the document, else ENotFound.
func (db *DB) documentExists(ctx context.Context, orgID, id string) error {
	if !validID(orgID) || !validID(id) {
		return errDocumentNotFound()
	}
	var one int
	err := db.q().queryRow(ctx, `SELECT 1 FROM documents WHERE org_id = ? AND id = ?`, orgID, id).Scan(&one)
	if notFound(err) {
		return errDocumentNotFound()
	}
	return err
}

func errPaymentNotFound() error {
	return domain.Errorf(domain.ENotFound, "入金が見つかりません (payment not found)")
}

const paymentColumns = `id, document_id, date, amount, fee, method, note, created_at, created_by, voided_at,
	voided_by, void_reason, statement_line_id`

func scanPayment(row interface{ Scan(...any) error }) (receivables.Payment, error) {
	var (
		p        receivables.Payment
		voidedBy sql.NullString
		reason   sql.NullString
		line     sql.NullString
	)
	if err := row.Scan(&p.ID, &p.DocumentID, docDate{&p.Date}, &p.Amount, &p.Fee, &p.Method, &p.Note,
		scanTime(&p.CreatedAt), &p.CreatedBy, scanNullTime(&p.VoidedAt), &voidedBy, &reason, &line); err != nil {
		return receivables.Payment{}, err
	}
	if voidedBy.Valid {
		p.VoidedBy = &voidedBy.String
	}
	if reason.Valid {
		p.VoidReason = &reason.String
	}
	if line.Valid {
		p.StatementLineID = &line.String
	}
	return p, nil
}

// lockedInvoice reads a document for a payment in a write transaction, locking it, and checks
// that it is an issued invoice (EConflict otherwise). It returns the document with its sums.
func (db *DB) lockedInvoice(ctx context.Context, q querier, orgID, id string) (document.Document, error) {
	d, err := db.getDocument(ctx, q, orgID, id, true)
	if err != nil {
		return document.Document{}, err
	}
	if !receivables.Applies(d.Kind, d.Status) {
		return document.Document{}, domain.Errorf(domain.EConflict,
			"入金は発行済みの請求書にだけ記録できます (payments belong to issued invoices; this is a %s %s)", d.Status, d.Kind)
	}
	return d, nil
}

// insertPayment records p for the locked invoice d (whose Balance is current), refusing an
// amount that would make the balance negative; it appends a "payment" event by actor.
func (db *DB) insertPayment(ctx context.Context, q querier, orgID, actor string, d document.Document, p receivables.Payment) (receivables.Payment, error) {
	if d.Balance == nil || p.Amount+p.Fee > *d.Balance {
		left := int64(0)
		if d.Balance != nil {
			left = *d.Balance
		}
		return receivables.Payment{}, &domain.Error{Code: domain.EInvalid,
			Message: fmt.Sprintf("入金額と手数料の合計 %d 円が残高 %d 円を超えます (amount plus fee exceeds the balance of %d yen)", p.Amount+p.Fee, left, left),
			Fields:  map[string]string{"amount": fmt.Sprintf("残高 %d 円を超えています (more than the balance of %d yen)", left, left)}}
	}
	id, err := newID()
	if err != nil {
		return receivables.Payment{}, err
	}
	p.ID, p.DocumentID, p.CreatedAt, p.CreatedBy = id, d.ID, db.nowUTC(), actor
	p.VoidedAt, p.VoidedBy, p.VoidReason = nil, nil, nil
	if _, err := q.exec(ctx, `INSERT INTO payments (id, org_id, document_id, date, amount, fee, method, note,
		created_at, created_by, statement_line_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, orgID, d.ID, p.Date.String(), p.Amount, p.Fee, p.Method, p.Note, timeArg(p.CreatedAt), actor,
		nullString(p.StatementLineID)); err != nil {
		return receivables.Payment{}, fmt.Errorf("insert payment: %w", err)
	}
	if err := db.refreshInvoiceSums(ctx, q, orgID, d.ID); err != nil {
		return receivables.Payment{}, err
	}
	if err := db.addEvent(ctx, q, orgID, d.ID, d.Version, ActionPayment, actor, &d); err != nil {
		return receivables.Payment{}, err
	}
	return p, nil
}

// RecordPayment records a payment of an issued invoice of the organisation (EConflict for any
// other document; EInvalid on amount when amount + fee is more than the balance) and appends a
// "payment" event by actor to the invoice's history. The caller validates p first.
func (db *DB) RecordPayment(ctx context.Context, orgID, actor, documentID string, p receivables.Payment) (receivables.Payment, error) {
	if err := p.Validate(); err != nil {
		return receivables.Payment{}, err
	}
	var out receivables.Payment
	err := db.inTx(ctx, func(q querier) error {
		d, err := db.lockedInvoice(ctx, q, orgID, documentID)
		if err != nil {
			return err
		}
		out, err = db.insertPayment(ctx, q, orgID, actor, d, p)
		return err
	})
	if err != nil {
		return receivables.Payment{}, fmt.Errorf("store: record payment of %s: %w", documentID, err)
	}
	return out, nil
}

// ListPayments returns the payments of a document of the organisation, voided ones included,
// oldest first; ENotFound when there is no such document.
func (db *DB) ListPayments(ctx context.Context, orgID, documentID string) ([]receivables.Payment, error) {
	if err := db.documentExists(ctx, orgID, documentID); err != nil {
		return nil, fmt.Errorf("store: payments of %s: %w", documentID, err)
	}
	return db.listPayments(ctx, orgID, documentID)
}

// listPayments is ListPayments without looking the document up: a document it does not know has
// no payments.
func (db *DB) listPayments(ctx context.Context, orgID, documentID string) ([]receivables.Payment, error) {
	rows, err := db.q().query(ctx, `SELECT `+paymentColumns+` FROM payments WHERE org_id = ? AND document_id = ?
		ORDER BY date, created_at, id`, orgID, documentID)
	if err != nil {
		return nil, fmt.Errorf("store: payments of %s: %w", documentID, err)
	}
	defer rows.Close()
	out := []receivables.Payment{}
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: payments of %s: %w", documentID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: payments of %s: %w", documentID, err)
	}
	return out, nil
}

// VoidPayment voids a payment of the organisation with a reason (EInvalid without one; EConflict
// when it is voided already) and appends a "payment_void" event by actor to its invoice.
func (db *DB) VoidPayment(ctx context.Context, orgID, actor, paymentID, reason string) (receivables.Payment, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return receivables.Payment{}, &domain.Error{Code: domain.EInvalid, Message: "取消の理由を入力してください (reason is required)",
			Fields: map[string]string{"reason": "必須です (required)"}}
	case len([]rune(reason)) > receivables.MaxReasonLen:
		return receivables.Payment{}, &domain.Error{Code: domain.EInvalid, Message: "理由が長すぎます (reason is too long)",
			Fields: map[string]string{"reason": "長すぎます (too long)"}}
	}
	if !validID(orgID) || !validID(paymentID) {
		return receivables.Payment{}, errPaymentNotFound()
	}
	var out receivables.Payment
	err := db.inTx(ctx, func(q querier) error {
		var docID string
		err := q.queryRow(ctx, `SELECT document_id FROM payments WHERE org_id = ? AND id = ?`, orgID, paymentID).Scan(&docID)
		if notFound(err) {
			return errPaymentNotFound()
		}
		if err != nil {
			return err
		}
		d, err := db.getDocument(ctx, q, orgID, docID, true) // serialises with payments of the invoice
		if err != nil {
			return err
		}
		now := db.nowUTC()
		res, err := q.exec(ctx, `UPDATE payments SET voided_at = ?, voided_by = ?, void_reason = ?
			WHERE org_id = ? AND id = ? AND voided_at IS NULL`, timeArg(now), actor, reason, orgID, paymentID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return domain.Errorf(domain.EConflict, "この入金は既に取消されています (payment is already voided)")
		}
		if err := db.refreshInvoiceSums(ctx, q, orgID, docID); err != nil {
			return err
		}
		if err := db.addEvent(ctx, q, orgID, docID, d.Version, ActionPaymentVoid, actor, &d); err != nil {
			return err
		}
		out, err = scanPayment(q.queryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE org_id = ? AND id = ?`, orgID, paymentID))
		return err
	})
	if err != nil {
		return receivables.Payment{}, fmt.Errorf("store: void payment %s: %w", paymentID, err)
	}
	return out, nil
}
