package store

import (
	"context"
	"fmt"

	"reportapp/internal/document"
	"reportapp/internal/receivables"
)

// DocumentActivity is what the document page shows beside a document: its payments and mails.
type DocumentActivity struct {
	Payments   []receivables.Payment // of an issued or cancelled invoice, voided ones included, oldest first
	Deliveries []Delivery            // of an issued or cancelled document, newest first
}

// DocumentActivity returns the payments and deliveries of d, a document of the organisation the
// caller has just read (GetDocument): a draft has neither, only an invoice has payments. Unlike
// ListPayments and ListDeliveries it does not look the document up again.
func (db *DB) DocumentActivity(ctx context.Context, orgID string, d document.Document) (DocumentActivity, error) {
	var (
		a   DocumentActivity
		err error
	)
	if d.Status == document.Draft {
		return a, nil
	}
	if d.Kind == document.Invoice {
		if a.Payments, err = db.listPayments(ctx, orgID, d.ID); err != nil {
			return DocumentActivity{}, fmt.Errorf("store: activity of %s: %w", d.ID, err)
		}
	}
	if a.Deliveries, err = db.documentDeliveries(ctx, orgID, d.ID); err != nil {
		return DocumentActivity{}, fmt.Errorf("store: activity of %s: %w", d.ID, err)
	}
	return a, nil
}
