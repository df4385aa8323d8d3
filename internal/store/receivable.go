package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"reportapp/internal/document"
	"reportapp/internal/receivables"
)

// Receivables ages the open balances of the organisation's issued invoices as of asOf: invoices
// issued on or before it, less payments (not voided) dated on or before it and credit notes
// issued on or before it. Cancelled invoices owe nothing.
func (db *DB) Receivables(ctx context.Context, orgID string, asOf document.Date) (receivables.Aging, error) {
	if !validID(orgID) {
		return receivables.AgeItems(asOf, nil), nil
	}
	at := asOf.String()
	// As of a past date the sums kept on the invoices (refreshInvoiceSums) do not apply: the
	// payments and credit notes up to it are summed.
	rows, err := db.q().query(ctx, `SELECT d.customer_id, cu.name, d.due_date, COALESCE(d.amount_due, d.gross)
		- (SELECT COALESCE(SUM(p.amount + p.fee), 0) FROM payments p WHERE p.org_id = d.org_id AND p.document_id = d.id
			AND p.voided_at IS NULL AND p.date <= ?)
		- `+db.dialect.creditedSQL("?")+`
		FROM documents d JOIN customers cu ON cu.org_id = d.org_id AND cu.id = d.customer_id
		WHERE d.org_id = ? AND d.kind = 'invoice' AND d.status = 'issued' AND d.issue_date <= ?`, at, at, orgID, at)
	if err != nil {
		return receivables.Aging{}, fmt.Errorf("store: receivables of %s: %w", orgID, err)
	}
	defer rows.Close()
	var items []receivables.OpenItem
	for rows.Next() {
		var (
			it  receivables.OpenItem
			due sql.NullString
		)
		if err := rows.Scan(&it.CustomerID, &it.Name, &due, &it.Balance); err != nil {
			return receivables.Aging{}, fmt.Errorf("store: receivables of %s: %w", orgID, err)
		}
		if due.Valid {
			if d, err := document.ParseDate(due.String); err == nil {
				it.DueDate = &d
			}
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return receivables.Aging{}, fmt.Errorf("store: receivables of %s: %w", orgID, err)
	}
	return receivables.AgeItems(asOf, items), nil
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
