package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

const customerColumns = `id, name, name_kana, honorific, postal_code, address, contact_person, email,
	registration_number, created_at, updated_at, payment_terms, peppol_id`

func errCustomerNotFound() error {
	return domain.Errorf(domain.ENotFound, "取引先が見つかりません (customer not found)")
}

func customerSearchText(c document.Customer) string {
	return searchFold(c.Name + "\n" + c.NameKana + "\n" + c.ContactPerson + "\n" + c.Email)
}

// customerSortKey is what customers sort by: the reading (フリガナ) folded to full-width
// katakana, so ｱｲｳ, アイウ and あいう sort together in the order of the kana table, else the
// name when there is no reading.
func customerSortKey(c document.Customer) string {
	s := c.NameKana
	if strings.TrimSpace(s) == "" {
		s = c.Name
	}
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		if r >= 'ぁ' && r <= 'ゖ' { // hiragana → katakana: the blocks are 0x60 apart
			return r + 0x60
		}
		return r
	}, strings.ToLower(s))
}

// CreateCustomer adds a customer to the organisation with a new id and returns it. c.ID and the
// timestamps are ignored.
func (db *DB) CreateCustomer(ctx context.Context, orgID string, c document.Customer) (document.Customer, error) {
	if !validID(orgID) {
		return document.Customer{}, errOrgNotFound()
	}
	var err error
	if c.ID, err = newID(); err != nil {
		return document.Customer{}, fmt.Errorf("store: create customer: %w", err)
	}
	c.CreatedAt = db.nowUTC()
	c.UpdatedAt = c.CreatedAt
	_, err = db.q().exec(ctx, `INSERT INTO customers (id, org_id, name, name_kana, sort_key, honorific,
		postal_code, address, contact_person, email, registration_number, search_text, created_at, updated_at,
		payment_terms, peppol_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, orgID, c.Name, c.NameKana, customerSortKey(c), c.Honorific, c.PostalCode, c.Address,
		c.ContactPerson, c.Email, c.RegistrationNumber, customerSearchText(c), timeArg(c.CreatedAt),
		timeArg(c.UpdatedAt), paymentTermsValue(c.PaymentTerms), c.PeppolID)
	if isForeignKeyViolation(err) {
		return document.Customer{}, errOrgNotFound()
	}
	if err != nil {
		return document.Customer{}, fmt.Errorf("store: create customer in %s: %w", orgID, err)
	}
	return c, nil
}

// GetCustomer returns a customer of the organisation.
func (db *DB) GetCustomer(ctx context.Context, orgID, id string) (document.Customer, error) {
	c, err := db.getCustomer(ctx, db.q(), orgID, id)
	if err != nil {
		return document.Customer{}, fmt.Errorf("store: get customer %s: %w", id, err)
	}
	return c, nil
}

func (db *DB) getCustomer(ctx context.Context, q querier, orgID, id string) (document.Customer, error) {
	if !validID(orgID) || !validID(id) {
		return document.Customer{}, errCustomerNotFound()
	}
	cs, err := db.listCustomers(ctx, q, "SELECT "+customerColumns+" FROM customers WHERE org_id = ? AND id = ?", orgID, id)
	if err != nil {
		return document.Customer{}, err
	}
	if len(cs) == 0 {
		return document.Customer{}, errCustomerNotFound()
	}
	return cs[0], nil
}

// CustomerNames returns the names of the organisation's customers among ids, by id, in one
// query; ids that are not the organisation's are left out.
func (db *DB) CustomerNames(ctx context.Context, orgID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	var args []any
	for _, id := range ids {
		if validID(id) {
			args = append(args, id)
		}
	}
	if !validID(orgID) || len(args) == 0 {
		return out, nil
	}
	rows, err := db.q().query(ctx, `SELECT id, name FROM customers WHERE org_id = ? AND id IN (?`+
		strings.Repeat(", ?", len(args)-1)+`)`, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: customer names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("store: customer names: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// UpdateCustomer saves c (found by c.ID in the organisation) and returns it. Drafts that refer to
// the customer show the new data; issued documents keep their snapshot.
func (db *DB) UpdateCustomer(ctx context.Context, orgID string, c document.Customer) (document.Customer, error) {
	if !validID(orgID) || !validID(c.ID) {
		return document.Customer{}, errCustomerNotFound()
	}
	var out document.Customer
	err := db.inTx(ctx, func(q querier) error {
		now := timeArg(db.nowUTC())
		if err := q.execOne(ctx, "取引先が見つかりません (customer not found)",
			`UPDATE customers SET name = ?, name_kana = ?, sort_key = ?, honorific = ?, postal_code = ?,
			address = ?, contact_person = ?, email = ?, registration_number = ?, search_text = ?, updated_at = ?,
			payment_terms = ?, peppol_id = ? WHERE org_id = ? AND id = ?`,
			c.Name, c.NameKana, customerSortKey(c), c.Honorific, c.PostalCode, c.Address, c.ContactPerson,
			c.Email, c.RegistrationNumber, customerSearchText(c), now, paymentTermsValue(c.PaymentTerms),
			c.PeppolID, orgID, c.ID); err != nil {
			return err
		}
		// Drafts are searched by the customer's current name.
		if _, err := q.exec(ctx, `UPDATE documents SET customer_name = ?
			WHERE org_id = ? AND customer_id = ? AND status = ?`,
			searchFold(c.Name), orgID, c.ID, string(document.Draft)); err != nil {
			return err
		}
		var err error
		out, err = db.getCustomer(ctx, q, orgID, c.ID)
		return err
	})
	if err != nil {
		return document.Customer{}, fmt.Errorf("store: update customer %s: %w", c.ID, err)
	}
	return out, nil
}

// DeleteCustomer deletes a customer of the organisation. A customer that any document (draft or
// not) refers to is EConflict: issued documents must keep their counterparty.
func (db *DB) DeleteCustomer(ctx context.Context, orgID, id string) error {
	if !validID(orgID) || !validID(id) {
		return errCustomerNotFound()
	}
	err := db.inTx(ctx, func(q querier) error {
		var n int64
		if err := q.queryRow(ctx, `SELECT COUNT(*) FROM documents WHERE org_id = ? AND customer_id = ?`,
			orgID, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return domain.Errorf(domain.EConflict, "この取引先を参照する書類が %d 件あるため削除できません (customer is used by %d documents)", n, n)
		}
		err := q.execOne(ctx, "取引先が見つかりません (customer not found)",
			`DELETE FROM customers WHERE org_id = ? AND id = ?`, orgID, id)
		if isForeignKeyViolation(err) {
			return domain.Errorf(domain.EConflict, "この取引先を参照する書類があるため削除できません (customer is used by documents)")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: delete customer %s: %w", id, err)
	}
	return nil
}

// ListCustomers returns the organisation's customers by reading (フリガナ, else name; see
// customerSortKey); query, when not empty, keeps those whose name, reading, contact person or
// e-mail contains it (case- and width-insensitive). limit is 50
// when ≤ 0 and at most 500.
func (db *DB) ListCustomers(ctx context.Context, orgID, query string, limit, offset int) ([]document.Customer, error) {
	if !validID(orgID) {
		return []document.Customer{}, nil
	}
	limit = clampLimit(limit)
	offset = max(offset, 0)
	sqlText := "SELECT " + customerColumns + " FROM customers WHERE org_id = ?"
	args := []any{orgID}
	if query != "" {
		sqlText += ` AND search_text LIKE ? ESCAPE '\'`
		args = append(args, likePattern(query))
	}
	sqlText += " ORDER BY sort_key" + db.dialect.byteOrder() + ", id LIMIT ? OFFSET ?"
	args = append(args, limit, offset)
	cs, err := db.listCustomers(ctx, db.q(), sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers of %s: %w", orgID, err)
	}
	return cs, nil
}

// clampLimit applies the page size rules of list methods: 50 by default, at most 500.
func clampLimit(limit int) int {
	switch {
	case limit <= 0:
		return 50
	case limit > 500:
		return 500
	}
	return limit
}

func (db *DB) listCustomers(ctx context.Context, q querier, query string, args ...any) ([]document.Customer, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cs := []document.Customer{}
	for rows.Next() {
		var (
			c     document.Customer
			terms sql.NullString
		)
		if err := rows.Scan(&c.ID, &c.Name, &c.NameKana, &c.Honorific, &c.PostalCode, &c.Address, &c.ContactPerson,
			&c.Email, &c.RegistrationNumber, scanTime(&c.CreatedAt), scanTime(&c.UpdatedAt), &terms, &c.PeppolID); err != nil {
			return nil, err
		}
		var err error
		if c.PaymentTerms, err = scanPaymentTerms(terms); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// paymentTermsValue is the stored JSON of a customer's payment terms, NULL for none.
func paymentTermsValue(p *document.PaymentTerms) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	b, _ := json.Marshal(p) // a struct of ints and strings always encodes
	return sql.NullString{String: string(b), Valid: true}
}

func scanPaymentTerms(s sql.NullString) (*document.PaymentTerms, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	var p document.PaymentTerms
	if err := json.Unmarshal([]byte(s.String), &p); err != nil {
		return nil, fmt.Errorf("decode stored payment terms: %w", err)
	}
	return &p, nil
}
