package domain

import (
	"strconv"
	"strings"
)

// SizeText writes a number of bytes as a person reads it in a message: "3 MB", "1.5 GB", "800 KB"
// (units of 1024, at most one decimal), the same in both languages.
func SizeText(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0") + " " + units[u]
}
