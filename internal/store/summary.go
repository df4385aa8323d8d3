package store

import (
	"context"
	"fmt"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// SummaryRequest asks for the summary invoice (合計請求書) of a customer's closing period.
type SummaryRequest struct {
	CustomerID string
	Period     document.Period
	IssueDate  document.Date
}

// SummaryBuilder turns the gathered delivery notes and the carry-over into the draft invoice
// (validated, totals computed). The store calls it inside its transaction.
type SummaryBuilder func(notes []document.Document, carry document.CarryOver) (document.Document, error)

// CreateSummaryInvoice gathers the customer's issued delivery notes with transaction dates in
// the period that no other summary invoice holds, and stores the draft build makes of them, in
// one transaction. The notes are held by the draft from now on: another request gathering them
// at the same time fails with EConflict, and deleting the draft or cancelling the invoice
// releases them. No note to gather is EInvalid (build reports it).
//
// The carry-over is taken from the customer's previous issued summary invoice: its total billed
// (前回御請求額) minus the payments recorded against it (御入金額).
func (db *DB) CreateSummaryInvoice(ctx context.Context, orgID, actor string, req SummaryRequest, build SummaryBuilder) (document.Document, error) {
	if _, err := db.GetCustomer(ctx, orgID, req.CustomerID); err != nil {
		if domain.ErrorCode(err) == domain.ENotFound {
			return document.Document{}, &domain.Error{Code: domain.EInvalid, Message: "取引先が見つかりません (customer not found)",
				Fields: map[string]string{"customer_id": "取引先が見つかりません (no such customer)"}}
		}
		return document.Document{}, err
	}
	var out document.Document
	err := db.inTx(ctx, func(q querier) error {
		notes, _, err := db.queryDocuments(ctx, q, orgID, documentSelect+` AND d.customer_id = ? AND d.kind = ?
			AND d.status = ? AND d.search_date >= ? AND d.search_date <= ?
			AND NOT EXISTS (SELECT 1 FROM summary_sources s WHERE s.delivery_note_id = d.id)
			ORDER BY d.search_date, d.seq LIMIT 1001`,
			orgID, req.CustomerID, string(document.DeliveryNote), string(document.Issued),
			req.Period.From.String(), req.Period.To.String())
		if err != nil {
			return err
		}
		carry, err := db.carryOver(ctx, q, orgID, req.CustomerID, req.Period.From)
		if err != nil {
			return err
		}
		d, err := build(notes, carry)
		if err != nil {
			return err
		}
		if d.ID, err = newID(); err != nil {
			return err
		}
		if out, err = db.createDocument(ctx, q, orgID, actor, d); err != nil {
			return err
		}
		if _, err := q.exec(ctx, `INSERT INTO summary_invoices (invoice_id, org_id, customer_id, period_from, period_to, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, out.ID, orgID, req.CustomerID, req.Period.From.String(), req.Period.To.String(),
			timeArg(db.nowUTC())); err != nil {
			return err
		}
		for _, n := range notes {
			_, err := q.exec(ctx, `INSERT INTO summary_sources (delivery_note_id, invoice_id, org_id) VALUES (?, ?, ?)`, n.ID, out.ID, orgID)
			if isUniqueViolation(err) {
				return domain.Errorf(domain.EConflict, "納品書 %s は他の合計請求書に含まれています (delivery note %s is being billed by another summary invoice)", numberOf(n), numberOf(n))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("store: create summary invoice: %w", err)
	}
	return out, nil
}

func numberOf(d document.Document) string {
	if d.Number == nil {
		return d.ID
	}
	return *d.Number
}

// carryOver is the header of the customer's next summary invoice after from: the previous
// issued summary invoice's total billed and the payments recorded against it since.
func (db *DB) carryOver(ctx context.Context, q querier, orgID, customerID string, from document.Date) (document.CarryOver, error) {
	var prevID string
	err := q.queryRow(ctx, `SELECT s.invoice_id FROM summary_invoices s JOIN documents d ON d.id = s.invoice_id
		WHERE s.org_id = ? AND s.customer_id = ? AND d.status = ? AND s.period_to < ?
		ORDER BY s.period_to DESC, d.seq DESC LIMIT 1`,
		orgID, customerID, string(document.Issued), from.String()).Scan(&prevID)
	if notFound(err) {
		return document.CarryOver{}, nil
	}
	if err != nil {
		return document.CarryOver{}, err
	}
	prev, err := db.getDocument(ctx, q, orgID, prevID, false)
	if err != nil {
		return document.CarryOver{}, err
	}
	c := document.CarryOver{PreviousBilled: prev.Totals.AmountDue}
	if prev.CarryOver != nil {
		c.PreviousBilled = prev.CarryOver.TotalBilled
	}
	paid, err := db.paidAgainst(ctx, q, orgID, prevID)
	if err != nil {
		return document.CarryOver{}, err
	}
	c.PaymentsReceived = paid
	c.CarriedOver = c.PreviousBilled - c.PaymentsReceived
	return c, nil
}

// BilledBy returns the summary invoice that holds a delivery note, or nil.
func (db *DB) billedBy(ctx context.Context, q querier, orgID, noteID string) (*string, error) {
	var id string
	err := q.queryRow(ctx, `SELECT invoice_id FROM summary_sources WHERE org_id = ? AND delivery_note_id = ?`, orgID, noteID).Scan(&id)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// releaseSummarySources frees the delivery notes of a summary invoice that is being cancelled.
func releaseSummarySources(ctx context.Context, q querier, orgID, invoiceID string) error {
	_, err := q.exec(ctx, `DELETE FROM summary_sources WHERE org_id = ? AND invoice_id = ?`, orgID, invoiceID)
	return err
}

// paidAgainst is the sum the payments recorded against an invoice settle (amount plus the
// transfer fee the payer deducted), voided ones excluded.
func (db *DB) paidAgainst(ctx context.Context, q querier, orgID, invoiceID string) (int64, error) {
	var paid int64
	err := q.queryRow(ctx, `SELECT COALESCE(SUM(amount + fee), 0) FROM payments
		WHERE org_id = ? AND document_id = ? AND voided_at IS NULL`, orgID, invoiceID).Scan(&paid)
	return paid, err
}

// Unbilled is how many of a customer's issued delivery notes no summary invoice holds yet.
type Unbilled struct {
	Count int
	Gross int64
}

// UnbilledDeliveryNotes counts, per customer of the organisation, the issued delivery notes
// with transaction dates in the period that no summary invoice holds.
func (db *DB) UnbilledDeliveryNotes(ctx context.Context, orgID string, period document.Period) (map[string]Unbilled, error) {
	rows, err := db.q().query(ctx, `SELECT customer_id, COUNT(*), COALESCE(SUM(gross), 0) FROM documents
		WHERE org_id = ? AND kind = ? AND status = ? AND search_date >= ? AND search_date <= ?
		AND NOT EXISTS (SELECT 1 FROM summary_sources s WHERE s.delivery_note_id = documents.id)
		GROUP BY customer_id`,
		orgID, string(document.DeliveryNote), string(document.Issued), period.From.String(), period.To.String())
	if err != nil {
		return nil, fmt.Errorf("store: unbilled delivery notes: %w", err)
	}
	defer rows.Close()
	out := map[string]Unbilled{}
	for rows.Next() {
		var id string
		var u Unbilled
		if err := rows.Scan(&id, &u.Count, &u.Gross); err != nil {
			return nil, fmt.Errorf("store: unbilled delivery notes: %w", err)
		}
		out[id] = u
	}
	return out, rows.Err()
}

// CustomersWithTerms returns the organisation's customers that have payment terms (at most
// 5,000), in the customer list's order.
func (db *DB) CustomersWithTerms(ctx context.Context, orgID string) ([]document.Customer, error) {
	cs, err := db.listCustomers(ctx, db.q(), "SELECT "+customerColumns+` FROM customers
		WHERE org_id = ? AND payment_terms IS NOT NULL ORDER BY sort_key`+db.dialect.byteOrder()+`, id LIMIT 5000`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: customers with terms: %w", err)
	}
	return cs, nil
}
