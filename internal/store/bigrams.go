package store

import (
	"database/sql/driver"
	"encoding/hex"
	"slices"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// SQLite's index of bigrams (migration 00260) is an FTS5 table of each document's bigrams, each
// written as one ASCII token (the hex of its UTF-8), which FTS5's ascii tokenizer keeps whole: a
// term of two characters is then one token to look up. Its triggers call reportapp_bigrams,
// registered here for every connection the driver opens (the database file needs it for writes
// to documents; a tool other than reportapp that writes them must register it too).
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("reportapp_bigrams", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		texts := make([]string, 0, len(args))
		for _, a := range args {
			switch v := a.(type) {
			case string:
				texts = append(texts, v)
			case []byte:
				texts = append(texts, string(v))
			}
		}
		return bigramTokens(texts...), nil
	})
}

// bigramTokens is the distinct bigrams (pairs of adjacent characters) of texts, but those with a
// line break (search_text's separator), as space-separated tokens (bigramToken).
func bigramTokens(texts ...string) string {
	var grams []string
	for _, t := range texts {
		for i := 0; i < len(t); {
			_, n := utf8.DecodeRuneInString(t[i:])
			_, m := utf8.DecodeRuneInString(t[i+n:])
			if m == 0 {
				break
			}
			if g := t[i : i+n+m]; !strings.Contains(g, "\n") {
				grams = append(grams, g)
			}
			i += n
		}
	}
	slices.Sort(grams)
	grams = slices.Compact(grams)
	var b strings.Builder
	for i, g := range grams {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(bigramToken(g))
	}
	return b.String()
}

// bigramToken writes a bigram as an FTS5 token: the hex of its UTF-8.
func bigramToken(g string) string { return hex.EncodeToString([]byte(g)) }
