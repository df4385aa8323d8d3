package document

import "fmt"

// FormatNumber formats an issued document's number: prefix followed by seq zero-padded to four
// digits ("INV-0001"), wider when seq needs more ("INV-12345").
func FormatNumber(prefix string, seq int64) string {
	return fmt.Sprintf("%s%04d", prefix, seq)
}
