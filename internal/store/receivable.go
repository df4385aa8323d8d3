package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/receivables"
)

// Receivables ages the open balances of the organisation's issued invoices as of asOf: invoices
// issued on or before it, less payments (not voided) dated on or before it and credit notes
// issued on or before it. Cancelled invoices owe nothing.
//
// The balances come from the sums kept on the invoices (refreshInvoiceSums), which count every
// payment and credit note, summed per customer and due date in documents_aging (00280): its
// cost is that of the open invoices, not of every invoice with its payments. The invoices that
// have a payment dated, or a credit note issued, after asOf are summed from the records instead;
// when there are more than maxAsOfCorrections of them (asOf long past), every invoice is.
func (db *DB) Receivables(ctx context.Context, orgID string, asOf document.Date) (receivables.Aging, error) {
	if !validID(orgID) {
		return receivables.AgeItems(asOf, nil), nil
	}
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	items, err := db.keptReceivables(ctx, orgID, asOf)
	if err != nil {
		return receivables.Aging{}, fmt.Errorf("store: receivables of %s: %w", orgID, err)
	}
	return receivables.AgeItems(asOf, items), nil
}

// maxAsOfCorrections bounds the invoices Receivables sums from their records beside the kept
// sums (each in a list of parameters).
const maxAsOfCorrections = 500

// keptReceivables is the open items of Receivables: per customer and due date from the kept sums,
// and per invoice from the records for those changed after asOf.
func (db *DB) keptReceivables(ctx context.Context, orgID string, asOf document.Date) ([]receivables.OpenItem, error) {
	at := asOf.String()
	later, err := db.changedAfter(ctx, orgID, at)
	if err != nil {
		return nil, err
	}
	if len(later) > maxAsOfCorrections {
		return db.recordedReceivables(ctx, orgID, at, nil)
	}
	query, args := db.dialect.keptAgingQuery(orgID, asOf, later)
	items, err := db.scanOpenItems(ctx, query, args...)
	if err != nil || len(later) == 0 {
		return items, err
	}
	recorded, err := db.recordedReceivables(ctx, orgID, at, later)
	return append(items, recorded...), err
}

// keptAgingQuery is the SQL of the open balances of the organisation's issued invoices as of asOf
// from the kept sums, per customer and due date, of the invoices other than except. Everything it
// reads is in documents_aging: SQLite, without statistics, is told to use it; PostgreSQL sums the
// groups in a hash table, knowing their number from the statistics documents_customer_due (00280).
func (d dialect) keptAgingQuery(orgID string, asOf document.Date, except []string) (string, []any) {
	args, not := []any{orgID, asOf.String()}, ""
	if len(except) > 0 {
		not = " AND d.id NOT IN (?" + strings.Repeat(", ?", len(except)-1) + ")"
		for _, id := range except {
			args = append(args, id)
		}
	}
	return `SELECT g.customer_id, cu.name, g.due_date, g.balance
		FROM (SELECT d.org_id, d.customer_id, d.due_date, SUM(` + balanceSQL + `) AS balance
			FROM documents d` + d.indexedBy("documents_aging") + `
			WHERE d.org_id = ? AND d.kind = 'invoice' AND d.status = 'issued' AND ` + balanceSQL + ` > 0
				AND d.issue_date <= ?` + not + `
			GROUP BY d.org_id, d.customer_id, d.due_date) g
		JOIN customers cu ON cu.org_id = g.org_id AND cu.id = g.customer_id`, args
}

// changedAfter is the invoices with a payment (not voided) dated after at or a credit note issued
// after it, at most maxAsOfCorrections + 1 of them: those whose kept sums are not their sums as of
// at.
func (db *DB) changedAfter(ctx context.Context, orgID, at string) ([]string, error) {
	rows, err := db.q().query(ctx, changedAfterQuery, orgID, at, orgID, at, maxAsOfCorrections+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// changedAfterQuery finds changedAfter's invoices by payments_date and documents_credit_notes
// (00280); arguments: org id, day, org id, day, limit.
const changedAfterQuery = `SELECT p.document_id FROM payments p
		WHERE p.org_id = ? AND p.date > ? AND p.voided_at IS NULL
	UNION SELECT c.related_document_id FROM documents c
		WHERE c.org_id = ? AND c.kind = 'credit_note' AND c.status = 'issued' AND c.issue_date > ?
			AND c.related_document_id IS NOT NULL
	LIMIT ?`

// recordedReceivables is the open items of the organisation's issued invoices as of at (of ids
// only, unless nil), each summed from its payments and credit notes.
func (db *DB) recordedReceivables(ctx context.Context, orgID, at string, ids []string) ([]receivables.OpenItem, error) {
	only, args := "", []any{at, at, orgID, at}
	if ids != nil {
		only = " AND d.id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	return db.scanOpenItems(ctx, `SELECT d.customer_id, cu.name, d.due_date, COALESCE(d.amount_due, d.gross)
		- (SELECT COALESCE(SUM(p.amount + p.fee), 0) FROM payments p WHERE p.org_id = d.org_id AND p.document_id = d.id
			AND p.voided_at IS NULL AND p.date <= ?)
		- `+db.dialect.creditedSQL("?")+`
		FROM documents d JOIN customers cu ON cu.org_id = d.org_id AND cu.id = d.customer_id
		WHERE d.org_id = ? AND d.kind = 'invoice' AND d.status = 'issued' AND d.issue_date <= ?`+only, args...)
}

// scanOpenItems reads rows of customer id, name, due date and balance.
func (db *DB) scanOpenItems(ctx context.Context, query string, args ...any) ([]receivables.OpenItem, error) {
	rows, err := db.q().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []receivables.OpenItem
	for rows.Next() {
		var (
			it  receivables.OpenItem
			due sql.NullString
		)
		if err := rows.Scan(&it.CustomerID, &it.Name, &due, &it.Balance); err != nil {
			return nil, err
		}
		if due.Valid {
			if d, err := document.ParseDate(due.String); err == nil {
				it.DueDate = &d
			}
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// openInvoices returns the organisation's issued invoices with a balance left, as of now.
func openInvoices(ctx context.Context, q querier, orgID string) ([]receivables.OpenInvoice, error) {
	rows, err := q.query(ctx, `SELECT d.id, d.customer_id, COALESCE(d.number, ''), d.issue_date, d.due_date, `+balanceSQL+`
		FROM `+q.d.openInvoicesTable()+` WHERE d.org_id = ? AND d.kind = 'invoice' AND d.status = 'issued' AND `+balanceSQL+` > 0`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []receivables.OpenInvoice
	for rows.Next() {
		var (
			inv   receivables.OpenInvoice
			issue string
			due   sql.NullString
		)
		if err := rows.Scan(&inv.ID, &inv.CustomerID, &inv.Number, scanDate(&issue), &due, &inv.Balance); err != nil {
			return nil, err
		}
		if inv.Balance <= 0 {
			continue
		}
		inv.IssueDate, _ = document.ParseDate(issue)
		if due.Valid {
			if d, err := document.ParseDate(due.String); err == nil {
				inv.DueDate = &d
			}
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// MaxOpenInvoicesListed bounds OpenInvoices (a choice list, not a report).
const MaxOpenInvoicesListed = 1000

// OpenInvoices returns the organisation's issued invoices with a balance left, oldest due first,
// at most MaxOpenInvoicesListed (for choosing the invoice a deposit pays).
func (db *DB) OpenInvoices(ctx context.Context, orgID string) ([]receivables.OpenInvoice, error) {
	if !validID(orgID) {
		return []receivables.OpenInvoice{}, nil
	}
	invs, err := openInvoices(ctx, db.q(), orgID)
	if err != nil {
		return nil, fmt.Errorf("store: open invoices of %s: %w", orgID, err)
	}
	receivables.SortOldestDue(invs)
	if len(invs) > MaxOpenInvoicesListed {
		invs = invs[:MaxOpenInvoicesListed]
	}
	return invs, nil
}

// payers returns the names a bank may write for each customer of the organisation: the kana
// name, the name, and the spellings learned from confirmed matches.
func payers(ctx context.Context, q querier, orgID string) ([]receivables.Payer, error) {
	rows, err := q.query(ctx, `SELECT id, name, name_kana FROM customers WHERE org_id = ? ORDER BY id`, orgID)
	if err != nil {
		return nil, err
	}
	byID := map[string]int{}
	var out []receivables.Payer
	for rows.Next() {
		var id, name, kana string
		if err := rows.Scan(&id, &name, &kana); err != nil {
			rows.Close()
			return nil, err
		}
		byID[id] = len(out)
		out = append(out, receivables.Payer{CustomerID: id, Names: []string{kana, name}})
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = q.query(ctx, `SELECT customer_id, spelling FROM customer_payer_names WHERE org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, spelling string
		if err := rows.Scan(&id, &spelling); err != nil {
			return nil, err
		}
		if i, ok := byID[id]; ok {
			out[i].Names = append(out[i].Names, spelling)
		}
	}
	return out, rows.Err()
}

// PayerNames returns the bank spellings learned for a customer of the organisation, oldest
// first.
func (db *DB) PayerNames(ctx context.Context, orgID, customerID string) ([]string, error) {
	out := []string{}
	if !validID(orgID) || !validID(customerID) {
		return out, nil
	}
	rows, err := db.q().query(ctx, `SELECT spelling FROM customer_payer_names WHERE org_id = ? AND customer_id = ?
		ORDER BY created_at, name_key`, orgID, customerID)
	if err != nil {
		return nil, fmt.Errorf("store: payer names of %s: %w", customerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: payer names of %s: %w", customerID, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// TransferFees returns the organisation's list of transfer fees tried when matching deposits.
func (db *DB) TransferFees(ctx context.Context, orgID string) ([]int64, error) {
	return transferFees(ctx, db.q(), orgID)
}

func transferFees(ctx context.Context, q querier, orgID string) ([]int64, error) {
	if !validID(orgID) {
		return nil, errOrgNotFound()
	}
	var s string
	if err := q.queryRow(ctx, `SELECT transfer_fees FROM organizations WHERE id = ?`, orgID).Scan(&s); err != nil {
		if notFound(err) {
			return nil, errOrgNotFound()
		}
		return nil, fmt.Errorf("store: transfer fees of %s: %w", orgID, err)
	}
	fees := []int64{}
	if err := json.Unmarshal([]byte(s), &fees); err != nil {
		return nil, fmt.Errorf("store: transfer fees of %s: %w", orgID, err)
	}
	return fees, nil
}

// SetTransferFees replaces the organisation's list of transfer fees (validated first).
func (db *DB) SetTransferFees(ctx context.Context, orgID string, fees []int64) error {
	if err := receivables.ValidateTransferFees(fees); err != nil {
		return err
	}
	if fees == nil {
		fees = []int64{}
	}
	b, err := json.Marshal(fees)
	if err != nil {
		return fmt.Errorf("store: transfer fees: %w", err)
	}
	if !validID(orgID) {
		return errOrgNotFound()
	}
	if err := db.q().execOne(ctx, "組織が見つかりません (organization not found)",
		`UPDATE organizations SET transfer_fees = ? WHERE id = ?`, string(b), orgID); err != nil {
		return fmt.Errorf("store: set transfer fees of %s: %w", orgID, err)
	}
	return nil
}
