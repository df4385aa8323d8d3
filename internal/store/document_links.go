package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// Documents link to each other in two ways: a credit note names the invoice it corrects
// (related_document_id), and an invoice, delivery note or receipt names the quote it was made
// from (source_document_id). Both must be documents of the same organisation and customer, in
// the state that makes the link meaningful, and the credit notes of an invoice may not return
// more than it charged at any tax rate.

func invalidField(field, msg string) error {
	return &domain.Error{Code: domain.EInvalid, Message: "入力内容に誤りがあります (validation failed)",
		Fields: map[string]string{field: msg}}
}

// checkReferences makes sure d's customer belongs to the organisation and that its links are
// right: the related document is an issued invoice of the same customer whose remaining
// amounts per rate cover d (checkCredit), and the source document is an issued quote of the
// same customer. It returns the customer.
func (db *DB) checkReferences(ctx context.Context, q querier, orgID string, d document.Document) (document.Customer, error) {
	c, err := db.getCustomer(ctx, q, orgID, d.CustomerID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return document.Customer{}, &domain.Error{Code: domain.EInvalid, Message: "取引先が見つかりません (customer not found)",
			Fields: map[string]string{"customer_id": "取引先が見つかりません (no such customer)"}}
	}
	if err != nil {
		return document.Customer{}, err
	}
	if d.RelatedDocumentID != nil && *d.RelatedDocumentID != "" {
		if err := db.checkCredit(ctx, q, orgID, d, false); err != nil {
			return document.Customer{}, err
		}
	}
	if d.SourceDocumentID != nil && *d.SourceDocumentID != "" {
		src, err := db.linkedDocument(ctx, q, orgID, d, *d.SourceDocumentID, "source_document_id", false)
		if err != nil {
			return document.Customer{}, err
		}
		if src.Kind != document.Quote || src.Status != document.Issued {
			return document.Customer{}, invalidField("source_document_id",
				"元の書類は発行済みの見積書です (the source document must be an issued quote)")
		}
	}
	return c, nil
}

// linkedDocument reads the document id that d names in field, which must exist in the
// organisation, not be d itself and have d's customer.
func (db *DB) linkedDocument(ctx context.Context, q querier, orgID string, d document.Document, id, field string, lock bool) (document.Document, error) {
	if id == d.ID {
		return document.Document{}, invalidField(field, "書類自身は指定できません (a document cannot refer to itself)")
	}
	other, err := db.getDocument(ctx, q, orgID, id, lock)
	if domain.ErrorCode(err) == domain.ENotFound {
		return document.Document{}, invalidField(field, "書類が見つかりません (no such document)")
	}
	if err != nil {
		return document.Document{}, err
	}
	if other.CustomerID != d.CustomerID {
		return document.Document{}, invalidField(field, "取引先が異なる書類は指定できません (the document is addressed to another customer)")
	}
	return other, nil
}

// checkCredit checks the credit note d against the invoice it names: an issued invoice of the
// same customer, whose gross amount at each tax rate covers d's plus that of the credit notes
// already issued against it (d itself excluded). Each rate that would be exceeded is a field
// problem "totals.by_rate.<rate>" naming the rate and the amounts. lock locks the invoice row
// for the transaction, so that two credit notes issued at once are checked one after the
// other.
func (db *DB) checkCredit(ctx context.Context, q querier, orgID string, d document.Document, lock bool) error {
	inv, err := db.linkedDocument(ctx, q, orgID, d, *d.RelatedDocumentID, "related_document_id", lock)
	if err != nil {
		return err
	}
	if inv.Kind != document.Invoice || inv.Status != document.Issued {
		return invalidField("related_document_id",
			"対象の書類は発行済みの請求書です (the related document must be an issued invoice)")
	}
	credited, err := db.creditedByRate(ctx, q, orgID, inv.ID, d.ID)
	if err != nil {
		return err
	}
	available := map[document.TaxRate]int64{}
	for _, rt := range inv.Totals.ByRate {
		available[rt.Rate] = rt.Gross
	}
	fe := domain.FieldErrors{}
	for _, rt := range d.Totals.ByRate {
		left := available[rt.Rate] - credited[rt.Rate]
		if rt.Gross > left {
			number := ""
			if inv.Number != nil {
				number = *inv.Number
			}
			fe.Add(fmt.Sprintf("totals.by_rate.%d", rt.Rate), fmt.Sprintf(
				"%d%%対象の返還額 %d 円が請求書 %s の残り %d 円を超えています (credits at %d%% would exceed what invoice %s charged at that rate: %d > %d remaining)",
				rt.Rate, rt.Gross, number, left, rt.Rate, number, rt.Gross, left))
		}
	}
	return fe.Err()
}

// creditedByRate sums, per tax rate, the gross amounts of the issued credit notes against the
// invoice, except the document except.
func (db *DB) creditedByRate(ctx context.Context, q querier, orgID, invoiceID, except string) (map[document.TaxRate]int64, error) {
	rows, err := q.query(ctx, `SELECT body FROM documents WHERE org_id = ? AND kind = ? AND status = ?
		AND related_document_id = ? AND id <> ?`,
		orgID, string(document.CreditNote), string(document.Issued), invoiceID, except)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sum := map[document.TaxRate]int64{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var cn struct {
			Totals document.Totals `json:"totals"`
		}
		if err := json.Unmarshal([]byte(body), &cn); err != nil {
			return nil, fmt.Errorf("decode credit note of %s: %w", invoiceID, err)
		}
		for _, rt := range cn.Totals.ByRate {
			sum[rt.Rate] += rt.Gross
		}
	}
	return sum, rows.Err()
}

// DocumentIDByNumber returns the id of the organisation's document of kind k numbered number
// (ENotFound when there is none).
func (db *DB) DocumentIDByNumber(ctx context.Context, orgID string, k document.Kind, number string) (string, error) {
	var id string
	err := db.q().queryRow(ctx, `SELECT id FROM documents WHERE org_id = ? AND kind = ? AND number = ?`,
		orgID, string(k), strings.TrimSpace(number)).Scan(&id)
	if notFound(err) {
		return "", domain.Errorf(domain.ENotFound, "番号 %s の書類が見つかりません (no document numbered %s)", number, number)
	}
	if err != nil {
		return "", fmt.Errorf("store: find document %s: %w", number, err)
	}
	return id, nil
}

// completeLinks fills the read-only links of docs: the related and source documents they name,
// and for quotes the documents made from them and whether they were ordered.
func (db *DB) completeLinks(ctx context.Context, q querier, orgID string, docs []document.Document) error {
	var named, quotes []any
	for _, d := range docs {
		for _, id := range []*string{d.RelatedDocumentID, d.SourceDocumentID} {
			if id != nil && validID(*id) {
				named = append(named, *id)
			}
		}
		if d.Kind == document.Quote {
			quotes = append(quotes, d.ID)
		}
	}
	found := map[string]document.RelatedDocument{}
	derived := map[string][]document.RelatedDocument{}
	if len(named) > 0 {
		if err := db.linkRows(ctx, q, db.dialect.namedDocumentsQuery(len(named)),
			append([]any{orgID}, named...), func(r document.RelatedDocument, _ string) { found[r.ID] = r }); err != nil {
			return err
		}
	}
	if len(quotes) > 0 {
		if err := db.linkRows(ctx, q, `SELECT id, kind, status, number, issue_date, source_document_id FROM documents
			WHERE org_id = ? AND source_document_id IN (?`+strings.Repeat(", ?", len(quotes)-1)+`)
			ORDER BY created_at, id`,
			append([]any{orgID}, quotes...), func(r document.RelatedDocument, source string) {
				derived[source] = append(derived[source], r)
			}); err != nil {
			return err
		}
	}
	for i, d := range docs {
		if d.RelatedDocumentID != nil {
			if r, ok := found[*d.RelatedDocumentID]; ok {
				docs[i].RelatedDocument = &r
			}
		}
		if d.SourceDocumentID != nil {
			if r, ok := found[*d.SourceDocumentID]; ok {
				docs[i].SourceDocument = &r
			}
		}
		docs[i].DerivedDocumentIDs = []string{}
		for _, r := range derived[d.ID] {
			docs[i].DerivedDocuments = append(docs[i].DerivedDocuments, r)
			docs[i].DerivedDocumentIDs = append(docs[i].DerivedDocumentIDs, r.ID)
			docs[i].Ordered = docs[i].Ordered || r.Status != document.Cancelled
		}
	}
	return nil
}

// namedDocumentsQuery selects the link rows of n documents by id (arguments: org id, then the
// ids). By primary key: on SQLite without statistics "org_id = ?" would pick the organisation's
// index and walk all its rows (8.8 s at 1M documents instead of ~1 ms).
func (d dialect) namedDocumentsQuery(n int) string {
	return `SELECT id, kind, status, number, issue_date, '' FROM documents
		WHERE ` + d.unindexed("org_id") + ` = ? AND id IN (?` + strings.Repeat(", ?", n-1) + `)`
}

// linkRows runs a query of (id, kind, status, number, issue_date, source id) rows and hands
// each to fn.
func (db *DB) linkRows(ctx context.Context, q querier, query string, args []any, fn func(document.RelatedDocument, string)) error {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r                       document.RelatedDocument
			kind, status, issueDate string
			number, source          sql.NullString
		)
		if err := rows.Scan(&r.ID, &kind, &status, &number, scanDate(&issueDate), &source); err != nil {
			return err
		}
		r.Kind, r.Status, r.Number = document.Kind(kind), document.Status(status), number.String
		r.IssueDate, _ = document.ParseDate(issueDate) // a draft may have no date yet
		fn(r, source.String)
	}
	return rows.Err()
}
