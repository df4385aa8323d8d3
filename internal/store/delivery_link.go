package store

import (
	"context"
	"fmt"
	"time"

	"reportapp/internal/domain"
)

// A delivery's link opens the document without login: GET /d/{token}, where the token is 32
// random bytes the mail carries and the table keeps only as HashSecret(token).

// The kinds of link access.
const (
	AccessView     = "view"
	AccessDownload = "download"
)

// Link is a delivery's link as the public page needs it.
type Link struct {
	ID             string
	OrgID          string
	DocumentID     string
	DeliveryID     string
	AccessCodeHash string
	ExpiresAt      time.Time
	RevokedAt      *time.Time
}

// Usable reports whether the link still opens the document at now.
func (l Link) Usable(now time.Time) bool { return l.RevokedAt == nil && now.Before(l.ExpiresAt) }

// LinkByToken returns the link of a token (ENotFound for an unknown one), expired and revoked
// ones included: the page says which.
func (db *DB) LinkByToken(ctx context.Context, token string) (Link, error) {
	var l Link
	err := db.q().queryRow(ctx, `SELECT id, org_id, document_id, delivery_id, access_code_hash, expires_at, revoked_at
		FROM document_links WHERE token_hash = ?`, HashSecret(token)).
		Scan(&l.ID, &l.OrgID, &l.DocumentID, &l.DeliveryID, &l.AccessCodeHash, scanTime(&l.ExpiresAt), scanNullTime(&l.RevokedAt))
	if notFound(err) {
		return Link{}, domain.Errorf(domain.ENotFound, "このリンクは存在しません (no such link)")
	}
	if err != nil {
		return Link{}, fmt.Errorf("store: link: %w", err)
	}
	return l, nil
}

// RecordLinkAccess logs one view or download of a link: when, from which address, with which
// user agent (cut to 500 characters).
func (db *DB) RecordLinkAccess(ctx context.Context, l Link, kind, ip, userAgent string) error {
	id, err := newID()
	if err != nil {
		return err
	}
	if _, err := db.q().exec(ctx, `INSERT INTO link_accesses (id, org_id, link_id, kind, at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, l.OrgID, l.ID, kind, timeArg(db.nowUTC()), truncate(ip, 100),
		truncate(userAgent, 500)); err != nil {
		return fmt.Errorf("store: record link access: %w", err)
	}
	return nil
}

// LinkAccess is one logged view or download.
type LinkAccess struct {
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
}

// LinkAccesses returns the access log of a delivery of the organisation, oldest first.
func (db *DB) LinkAccesses(ctx context.Context, orgID, deliveryID string) ([]LinkAccess, error) {
	rows, err := db.q().query(ctx, `SELECT a.kind, a.at, a.ip, a.user_agent FROM link_accesses a
		JOIN document_links l ON l.id = a.link_id WHERE l.org_id = ? AND l.delivery_id = ? ORDER BY a.at, a.id LIMIT 1000`,
		orgID, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("store: link accesses: %w", err)
	}
	defer rows.Close()
	out := []LinkAccess{}
	for rows.Next() {
		var a LinkAccess
		if err := rows.Scan(&a.Kind, scanTime(&a.At), &a.IP, &a.UserAgent); err != nil {
			return nil, fmt.Errorf("store: link accesses: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RevokeDeliveryLink ends the link of a delivery of the organisation now (ENotFound without a
// delivery; EConflict when it has no link yet). Revoking twice keeps the first time.
func (db *DB) RevokeDeliveryLink(ctx context.Context, orgID, actor, deliveryID string) (Delivery, error) {
	d, err := db.GetDelivery(ctx, orgID, deliveryID)
	if err != nil {
		return Delivery{}, err
	}
	res, err := db.q().exec(ctx, `UPDATE document_links SET revoked_at = ?, revoked_by = ?
		WHERE org_id = ? AND delivery_id = ? AND revoked_at IS NULL`, timeArg(db.nowUTC()), actor, orgID, deliveryID)
	if err != nil {
		return Delivery{}, fmt.Errorf("store: revoke link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 && d.LinkExpiresAt == nil {
		return Delivery{}, domain.Errorf(domain.EConflict, "この送信にはリンクがありません (this delivery has no link)")
	}
	return db.GetDelivery(ctx, orgID, deliveryID)
}
