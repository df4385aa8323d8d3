package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// The CSV of the document list shows a few fields of each document, and a year of documents is
// tens of thousands of rows: decoding each whole body (mostly its lines) was most of the time of
// the CSV. Its query reads those fields out of the body in the database instead.

// csvSelect is the documentSelect of the CSV: the columns it shows and, out of the body, the
// fields it shows (csvBodyFields), for scanCSVRow.
func (d dialect) csvSelect() string {
	fields, from := d.csvBodyFields()
	return `SELECT d.id, d.kind, d.status, d.number, d.search_date, d.due_date, c.name, ` + fields + `
	FROM documents d JOIN customers c ON c.org_id = d.org_id AND c.id = d.customer_id` + from + `
	WHERE d.org_id = ?`
}

// csvBodyFields is the SQL of the fields of a body the CSV shows, in this order: issue date,
// transaction date, transaction period (JSON), subject, the customer's name (the snapshot; a
// draft has none), whether the issuer is not a qualified-invoice issuer (the snapshot; a
// draft's comes from the organisation) and the totals (JSON). from joins what they read from.
// PostgreSQL takes the fields apart in one call, since every operator on a jsonb column
// detoasts the whole body again; SQLite keeps the parsed body of a row for all its calls.
func (d dialect) csvBodyFields() (fields, from string) {
	if d.postgres() {
		return `j.issue_date, j.transaction_date, j.transaction_period::text, j.subject, j.customer ->> 'name',
		COALESCE(j.issuer -> 'qualified_invoice_issuer' = 'false'::jsonb, false), j.totals::text`,
			` CROSS JOIN LATERAL jsonb_to_record(d.body) AS j(issue_date text, transaction_date text,
		transaction_period jsonb, subject text, customer jsonb, issuer jsonb, totals jsonb)`
	}
	return `json_extract(d.body, '$.issue_date'), json_extract(d.body, '$.transaction_date'),
		json_extract(d.body, '$.transaction_period'), json_extract(d.body, '$.subject'),
		json_extract(d.body, '$.customer.name'),
		COALESCE(json_extract(d.body, '$.issuer.qualified_invoice_issuer') = 0, 0), json_extract(d.body, '$.totals')`, ""
}

// SearchDocumentCSV is SearchDocumentSummaries for the CSV of the document list: the same
// documents in the same pages and order, with only what document.DocumentCSVRow shows (number,
// kind, status, dates, customer name, subject, totals, payment fields, id, and the issuer only
// as far as it makes a credit note's title), read without decoding the documents' bodies.
func (db *DB) SearchDocumentCSV(ctx context.Context, orgID string, f document.Filter, page domain.Page) ([]document.Document, string, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	query, args, err := db.pageQuery(ctx, db.dialect.csvSelect(), orgID, f, page)
	if err != nil {
		return nil, "", err
	}
	if query == "" {
		return []document.Document{}, "", nil
	}
	docs, next, err := db.queryCSVRows(ctx, orgID, page.Size(), query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: csv of documents of %s: %w", orgID, err)
	}
	return docs, next, nil
}

// queryCSVRows runs a csvSelect query of a page of limit documents and one more, and completes
// the documents' issuers and payment fields.
func (db *DB) queryCSVRows(ctx context.Context, orgID string, limit int, query string, args ...any) ([]document.Document, string, error) {
	q := db.q()
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	docs := make([]document.Document, 0, limit+1)
	var dates []string
	draftCredit := false
	for rows.Next() {
		var date string
		d, err := scanCSVRow(rows, &date)
		if err != nil {
			return nil, "", err
		}
		docs, dates = append(docs, d), append(dates, date)
		draftCredit = draftCredit || d.Status == document.Draft && d.Kind == document.CreditNote
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	rows.Close() // SQLite has one connection: free it before the next query
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		next = encodeCursor(dates[limit-1], docs[limit-1].ID)
	}
	if draftCredit { // only a credit note's title depends on its issuer
		if err := db.completeDraftIssuers(ctx, q, orgID, docs); err != nil {
			return nil, "", err
		}
	}
	if err := db.completeReceivables(ctx, q, orgID, docs); err != nil {
		return nil, "", err
	}
	return docs, next, nil
}

// scanCSVRow reads a csvSelect row into a document, and its search date into date.
func scanCSVRow(rows *sql.Rows, date *string) (document.Document, error) {
	var (
		d                                                      document.Document
		kind, status, draftCustomer, issueDate                 string
		number, due, txDate, period, subject, customer, totals sql.NullString
		notQualified                                           bool
	)
	if err := rows.Scan(&d.ID, &kind, &status, &number, scanDate(date), &due, &draftCustomer,
		&issueDate, &txDate, &period, &subject, &customer, &notQualified, &totals); err != nil {
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
	if err := json.Unmarshal([]byte(totals.String), &d.Totals); err != nil {
		return fail(err)
	}
	switch {
	case d.Status == document.Draft:
		d.Customer = &document.Counterparty{Name: draftCustomer}
	case customer.Valid:
		d.Customer = &document.Counterparty{Name: customer.String}
	}
	if d.Status != document.Draft && notQualified {
		d.Issuer = &document.Issuer{}
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
