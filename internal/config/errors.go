package config

import (
	"fmt"
	"strings"
)

// FieldError is one problem with one variable. Name is the variable as the
// operator wrote it (an alias such as FLASK_ENV when that is what was set), so
// the message points at the line to fix.
type FieldError struct {
	Name    string
	Problem string
}

// Error implements error as "NAME: problem".
func (e FieldError) Error() string { return e.Name + ": " + e.Problem }

// Errors is every problem Load found, in the order the variables are read.
// Load returns it as its error so that start-up can print all of them at
// once; callers may errors.As the error into an Errors to inspect the fields.
type Errors []FieldError

// Error implements error with one indented line per problem.
func (e Errors) Error() string {
	var b strings.Builder
	word := "problems"
	if len(e) == 1 {
		word = "problem"
	}
	fmt.Fprintf(&b, "config: %d %s:", len(e), word)
	for _, fe := range e {
		b.WriteString("\n  ")
		b.WriteString(fe.Error())
	}
	return b.String()
}
