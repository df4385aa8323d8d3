// Package domain holds the nouns every other package shares and the error vocabulary.
//
// The nouns: who may act (Role), who is acting (Principal), the people and their access (User,
// Member, Token) and a page of a list (Page). The business documents themselves — invoices,
// quotes, line items, tax — are in package document.
//
// The error vocabulary: one error type (Error) carrying a Code, a message meant for the user
// and, for validation, the problem per field (FieldErrors). Each Code has exactly one HTTP
// status (Code.Status); the web layer writes every error through that table, so the same
// condition is the same code and status on every route.
//
// The package is pure Go with no I/O and depends on none of ours.
package domain
