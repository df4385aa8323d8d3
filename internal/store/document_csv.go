package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

// The CSV of the document list shows a few fields of each document, and a year of documents is
// tens of thousands of rows: decoding each whole body (mostly its lines) was most of the time of
// the CSV. The database keeps those fields in columns of their own (body_*, migration 00210):
// stored on PostgreSQL, where reading them out of the body would decompress every body;
// virtual on SQLite, which parses a row's body once for all of them.

// csvSelect is the documentSelect of the CSV, for scanCSVRow: the columns it shows, a draft's
// customer's current name (a draft has no snapshot), the body's fields and the paid and
// credited sums kept on an invoice (as completeReceivables reads them), so that a page is one
// query.
const csvSelect = `SELECT d.id, d.kind, d.status, d.number, d.search_date, d.due_date, d.issue_date,
	CASE WHEN d.status = 'draft' THEN (SELECT c.name FROM customers c WHERE c.org_id = d.org_id AND c.id = d.customer_id) END,
	d.body_transaction_date, d.body_transaction_period, d.body_subject, d.body_customer_name,
	d.body_issuer_unqualified, d.body_totals, d.paid, d.credited
	FROM documents d WHERE d.org_id = ?`

// MaxCSVPageLimit is the largest page of SearchDocumentCSV: a page is one query, and its
// documents are a few hundred bytes each.
const MaxCSVPageLimit = 2000

// SearchDocumentCSV is SearchDocumentSummaries for the CSV of the document list: the same
// documents in the same order and with the same cursors, in pages of up to MaxCSVPageLimit, with
// only what document.DocumentCSVRow shows (number, kind, status, dates, customer name, subject,
// totals, payment fields, id, and the issuer only as far as it makes a credit note's title),
// read without decoding the documents' bodies.
func (db *DB) SearchDocumentCSV(ctx context.Context, orgID string, f document.Filter, page domain.Page) ([]document.Document, string, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	limit := min(max(page.Limit, 1), MaxCSVPageLimit)
	query, args, err := db.pageQuery(ctx, csvSelect, orgID, f, page, limit)
	if err != nil {
		return nil, "", err
	}
	if query == "" {
		return []document.Document{}, "", nil
	}
	docs, next, err := db.queryCSVRows(ctx, orgID, limit, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: csv of documents of %s: %w", orgID, err)
	}
	return docs, next, nil
}

// queryCSVRows runs a csvSelect query of a page of limit documents and one more, and gives the
// drafts of credit notes their issuer.
func (db *DB) queryCSVRows(ctx context.Context, orgID string, limit int, query string, args ...any) ([]document.Document, string, error) {
	q := db.q()
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	docs := make([]document.Document, 0, limit+1)
	var date string
	next, today, draftCredit := "", db.Today(), false
	for rows.Next() {
		if len(docs) == limit { // the row after the page: there is a next page
			next = encodeCursor(date, docs[limit-1].ID)
			break
		}
		d, err := scanCSVRow(rows, &date, today)
		if err != nil {
			return nil, "", err
		}
		docs = append(docs, d)
		draftCredit = draftCredit || d.Status == document.Draft && d.Kind == document.CreditNote
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rows.Close()     // give the read connection back before the next query
	if draftCredit { // only a credit note's title depends on its issuer
		if err := db.completeDraftIssuers(ctx, q, orgID, docs); err != nil {
			return nil, "", err
		}
	}
	return docs, next, nil
}

// scanCSVRow reads a csvSelect row into a document, with its payment fields as of today, and
// its search date into date.
func scanCSVRow(rows *sql.Rows, date *string, today document.Date) (document.Document, error) {
	var (
		d                                                                     document.Document
		kind, status, issueDate                                               string
		number, due, draftCustomer, txDate, period, subject, customer, totals sql.NullString
		notQualified                                                          bool
		paid, credited                                                        int64
	)
	if err := rows.Scan(&d.ID, &kind, &status, &number, scanDate(date), &due, scanDate(&issueDate), &draftCustomer,
		&txDate, &period, &subject, &customer, &notQualified, &totals, &paid, &credited); err != nil {
		return d, err
	}
	d.Kind, d.Status, d.Subject = document.Kind(kind), document.Status(status), subject.String
	fail := func(err error) (document.Document, error) {
		return document.Document{}, fmt.Errorf("decode document %s: %w", d.ID, err)
	}
	var err error
	if number.Valid {
		d.Number = &number.String
	}
	if d.IssueDate, err = document.ParseDate(issueDate); err != nil {
		return fail(err)
	}
	if d.TransactionDate, err = nullDate(txDate); err != nil {
		return fail(err)
	}
	if d.DueDate, err = nullDate(due); err != nil {
		return fail(err)
	}
	if period.Valid {
		if err := json.Unmarshal([]byte(period.String), &d.TransactionPeriod); err != nil {
			return fail(err)
		}
	}
	if err := decodeTotals(totals.String, &d.Totals); err != nil {
		return fail(err)
	}
	switch {
	case d.Status == document.Draft:
		d.Customer = &document.Counterparty{Name: draftCustomer.String}
	case customer.Valid:
		d.Customer = &document.Counterparty{Name: customer.String}
	}
	if d.Status != document.Draft && notQualified {
		d.Issuer = &document.Issuer{}
	}
	if receivables.Applies(d.Kind, d.Status) { // as completeReceivables
		sum := receivables.Summarize(d.Totals.AmountDue, paid, credited, d.DueDate, today)
		d.PaymentStatus, d.PaidAmount, d.CreditedAmount, d.Balance = &sum.Status, &sum.Paid, &sum.Credited, &sum.Balance
	}
	return d, nil
}

// nullDate is a nullable date as stored in a body: nil for NULL or "".
func nullDate(s sql.NullString) (*document.Date, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	d, err := document.ParseDate(s.String)
	if err != nil {
		return nil, err
	}
	return &d, nil
}
