// Package document is reportapp's domain: organisations (issuers), customers, business
// documents (請求書, 見積書, 納品書, 領収書, 適格返還請求書), their line items, tax totals per
// rate, numbering and the registration-number check. It is pure Go with no I/O; every other
// package depends on it and it depends on none of ours.
package document
