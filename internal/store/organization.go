package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"reportapp/internal/document"
	"reportapp/internal/domain"
	"reportapp/internal/receivables"
)

const orgColumns = `id, slug, name, registration_number, postal_code, address, phone, email,
	bank_account, qualified_invoice_issuer, default_tax_rounding, number_prefixes, created_at, updated_at, peppol_id,
	transfer_fees, fax, contact_person`

// CreateOrganization creates an organisation with the default number prefixes and floor rounding.
// A slug already taken is EConflict.
func (db *DB) CreateOrganization(ctx context.Context, slug, name string) (document.Organization, error) {
	id, err := newID()
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: create organization: %w", err)
	}
	now := db.nowUTC()
	org := document.Organization{
		ID:                 id,
		Slug:               strings.TrimSpace(slug),
		Issuer:             document.Issuer{Name: name, QualifiedInvoiceIssuer: true},
		DefaultTaxRounding: document.Floor,
		NumberPrefixes:     document.DefaultPrefixes(),
		TransferFees:       receivables.DefaultTransferFees(),
		CreatedAt:          now,
		UpdatedAt:          now,
	}
	if org.Slug == "" {
		return document.Organization{}, &domain.Error{Code: domain.EInvalid,
			Message: "組織の識別子が空です (empty slug)", Fields: map[string]string{"slug": "required"}}
	}
	prefixes, err := json.Marshal(org.NumberPrefixes)
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: create organization: %w", err)
	}
	_, err = db.q().exec(ctx, `INSERT INTO organizations (id, slug, name, default_tax_rounding,
		number_prefixes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		org.ID, org.Slug, org.Name, string(org.DefaultTaxRounding), string(prefixes),
		timeArg(now), timeArg(now))
	if isUniqueViolation(err) {
		return document.Organization{}, domain.Errorf(domain.EConflict, "組織 %q は既に存在します (organization slug taken)", org.Slug)
	}
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: create organization %s: %w", org.Slug, err)
	}
	return org, nil
}

// GetOrganization returns the organisation with its logo and seal.
func (db *DB) GetOrganization(ctx context.Context, orgID string) (document.Organization, error) {
	if !validID(orgID) {
		return document.Organization{}, errOrgNotFound()
	}
	org, err := db.getOrganization(ctx, db.q(), true, "id = ?", orgID)
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: get organization %s: %w", orgID, err)
	}
	return org, nil
}

// GetOrganizationBySlug returns the organisation whose slug is slug, with its logo and seal.
func (db *DB) GetOrganizationBySlug(ctx context.Context, slug string) (document.Organization, error) {
	org, err := db.getOrganization(ctx, db.q(), true, "slug = ?", strings.TrimSpace(slug))
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: get organization %q: %w", slug, err)
	}
	return org, nil
}

// UpdateOrganization saves the profile (the Issuer fields), the default rounding and the number
// prefixes of org.ID; the slug, images and creation time are not changed. It returns the stored
// organisation.
func (db *DB) UpdateOrganization(ctx context.Context, org document.Organization) (document.Organization, error) {
	if !validID(org.ID) {
		return document.Organization{}, errOrgNotFound()
	}
	prefixes, err := json.Marshal(org.NumberPrefixes)
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: update organization %s: %w", org.ID, err)
	}
	var out document.Organization
	err = db.inTx(ctx, func(q querier) error {
		if err := q.execOne(ctx, "組織が見つかりません (organization not found)",
			`UPDATE organizations SET name = ?, registration_number = ?, postal_code = ?, address = ?,
			phone = ?, email = ?, bank_account = ?, qualified_invoice_issuer = ?, default_tax_rounding = ?,
			number_prefixes = ?, updated_at = ?, peppol_id = ?, fax = ?, contact_person = ? WHERE id = ?`,
			org.Name, org.RegistrationNumber, org.PostalCode, org.Address, org.Phone, org.Email,
			org.BankAccount, org.QualifiedInvoiceIssuer, string(org.DefaultTaxRounding), string(prefixes),
			timeArg(db.nowUTC()), org.PeppolID, org.Fax, org.ContactPerson, org.ID); err != nil {
			return err
		}
		if org.TransferFees != nil {
			fees, err := json.Marshal(org.TransferFees)
			if err != nil {
				return err
			}
			if _, err := q.exec(ctx, `UPDATE organizations SET transfer_fees = ? WHERE id = ?`, string(fees), org.ID); err != nil {
				return err
			}
		}
		out, err = db.getOrganization(ctx, q, true, "id = ?", org.ID)
		return err
	})
	if err != nil {
		return document.Organization{}, fmt.Errorf("store: update organization %s: %w", org.ID, err)
	}
	return out, nil
}

// SetOrganizationImages stores the logo and seal images (already checked and re-encoded by the
// caller). A nil slice leaves that image unchanged; an empty non-nil slice removes it.
func (db *DB) SetOrganizationImages(ctx context.Context, orgID string, logo, seal []byte) error {
	if !validID(orgID) {
		return errOrgNotFound()
	}
	set := []string{"updated_at = ?"}
	args := []any{timeArg(db.nowUTC())}
	for _, img := range []struct {
		col  string
		data []byte
	}{{"logo", logo}, {"seal", seal}} {
		switch {
		case img.data == nil:
		case len(img.data) == 0:
			set = append(set, img.col+" = NULL")
		default:
			set = append(set, img.col+" = ?")
			args = append(args, img.data)
		}
	}
	args = append(args, orgID)
	err := db.q().execOne(ctx, "組織が見つかりません (organization not found)",
		"UPDATE organizations SET "+strings.Join(set, ", ")+" WHERE id = ?", args...)
	if err != nil {
		return fmt.Errorf("store: set organization images %s: %w", orgID, err)
	}
	return nil
}

func errOrgNotFound() error {
	return domain.Errorf(domain.ENotFound, "組織が見つかりません (organization not found)")
}

// getOrganization reads one organisation; images only when withImages (they can be a megabyte
// each and most callers want the issuer data only).
func (db *DB) getOrganization(ctx context.Context, q querier, withImages bool, where string, args ...any) (document.Organization, error) {
	cols := orgColumns
	if withImages {
		cols += ", logo, seal"
	}
	var (
		org                      document.Organization
		rounding, prefixes, fees string
	)
	dest := []any{&org.ID, &org.Slug, &org.Name, &org.RegistrationNumber, &org.PostalCode,
		&org.Address, &org.Phone, &org.Email, &org.BankAccount, &org.QualifiedInvoiceIssuer, &rounding, &prefixes,
		scanTime(&org.CreatedAt), scanTime(&org.UpdatedAt), &org.PeppolID, &fees, &org.Fax, &org.ContactPerson}
	if withImages {
		dest = append(dest, &org.Logo, &org.Seal)
	}
	err := q.queryRow(ctx, "SELECT "+cols+" FROM organizations WHERE "+where, args...).Scan(dest...)
	if notFound(err) {
		return document.Organization{}, errOrgNotFound()
	}
	if err != nil {
		return document.Organization{}, err
	}
	org.DefaultTaxRounding = document.Rounding(rounding)
	if err := json.Unmarshal([]byte(prefixes), &org.NumberPrefixes); err != nil {
		return document.Organization{}, fmt.Errorf("decode number prefixes: %w", err)
	}
	if err := json.Unmarshal([]byte(fees), &org.TransferFees); err != nil {
		return document.Organization{}, fmt.Errorf("decode transfer fees: %w", err)
	}
	return org, nil
}
