package store

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

// TestMigrationsInStep checks that both databases have a migration of every version: a version
// added for one database only would leave the other behind.
func TestMigrationsInStep(t *testing.T) {
	versions := map[string][]int64{}
	for _, dir := range []string{"migrations/postgres", "migrations/sqlite"} {
		names, err := fs.Glob(migrationsFS, dir+"/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			v, err := goose.NumericComponent(name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			versions[dir] = append(versions[dir], v)
		}
	}
	if len(versions["migrations/sqlite"]) == 0 {
		t.Fatal("no migrations embedded")
	}
	if diff := cmp.Diff(versions["migrations/postgres"], versions["migrations/sqlite"]); diff != "" {
		t.Errorf("migration versions differ (-postgres +sqlite):\n%s", diff)
	}
}

func TestRebind(t *testing.T) {
	tests := []struct {
		driver, in, want string
	}{
		{DriverPostgres, "SELECT 1", "SELECT 1"},
		{DriverPostgres, "a = ? AND b = ?", "a = $1 AND b = $2"},
		{DriverPostgres, "x LIKE ? ESCAPE '\\' AND y = '?' AND z = ?", "x LIKE $1 ESCAPE '\\' AND y = '?' AND z = $2"},
		{DriverSQLite, "a = ? AND b = ?", "a = ? AND b = ?"},
	}
	for _, tt := range tests {
		d, err := dialectFor(tt.driver)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.rebind(tt.in); got != tt.want {
			t.Errorf("%s rebind(%q) = %q, want %q", tt.driver, tt.in, got, tt.want)
		}
	}
	if _, err := dialectFor("mysql"); err == nil {
		t.Error("dialectFor(mysql) succeeded")
	}
}

func TestSQLiteDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, in string
		want     []string // query parameters the result must carry
		wantNot  []string
	}{
		{"plain path", filepath.Join(dir, "a", "x.db"),
			[]string{"_journal_mode=WAL", "_foreign_keys=1", "_busy_timeout=5000", "_txlock=immediate"}, nil},
		{"keeps the caller's settings", filepath.Join(dir, "b", "x.db") + "?_busy_timeout=100&_txlock=exclusive",
			[]string{"_busy_timeout=100", "_txlock=exclusive", "_journal_mode=WAL"}, []string{"_busy_timeout=5000"}},
		{"alias counts", "file:" + filepath.Join(dir, "c", "x.db") + "?_fk=0",
			[]string{"_fk=0"}, []string{"_foreign_keys"}},
		{"memory has no WAL", ":memory:", []string{"_txlock=immediate"}, []string{"_journal_mode"}},
	}
	for _, tt := range tests {
		got, _, err := sqliteDSN(tt.in)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		_, query, _ := strings.Cut(got, "?")
		params := strings.Split(query, "&")
		for _, w := range tt.want {
			if !contains(params, w) {
				t.Errorf("%s: %q lacks %s", tt.name, got, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(query, w) {
				t.Errorf("%s: %q has %s", tt.name, got, w)
			}
		}
	}
	for _, sub := range []string{"a", "b", "c"} {
		if _, err := os.Stat(filepath.Join(dir, sub)); err != nil {
			t.Errorf("directory %s not created: %v", sub, err)
		}
	}
	if _, _, err := sqliteDSN("x.db?%zz"); err == nil {
		t.Error("bad query accepted")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSearchFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ＡＢＣ", "abc"},
		{"ｶﾌﾞｼｷｶﾞｲｼｬ", "カブシキガイシャ"},
		{"INV-0001", "inv-0001"},
	}
	for _, tt := range tests {
		if got := searchFold(tt.in); got != tt.want {
			t.Errorf("searchFold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := likePattern(`50%_\`); got != `%50\%\_\\%` {
		t.Errorf("likePattern = %q", got)
	}
}

// FuzzDecodeCursor feeds arbitrary cursors (they come from clients): never a panic, only
// EInvalid, and every cursor the store makes decodes to its key.
func FuzzDecodeCursor(f *testing.F) {
	f.Add("2025-04-01", "01890a5d-ac96-774b-bcce-b302099a8057", "")
	f.Add("", "01890a5d-ac96-774b-bcce-b302099a8057", "MjAyNS0wNC0wMXw")
	f.Add("2025-02-30", "x", "!!!")
	f.Fuzz(func(t *testing.T, date, id, raw string) {
		if d, i, err := decodeCursor(raw); err == nil {
			if !validID(i) || encodeCursor(d, i) == "" {
				t.Errorf("decodeCursor(%q) accepted id %q", raw, i)
			}
		} else if domain.ErrorCode(err) != domain.EInvalid {
			t.Errorf("decodeCursor(%q) error %v, want EInvalid", raw, err)
		}
		d, i, err := decodeCursor(encodeCursor(date, id))
		if err == nil && (d != date || i != id) {
			t.Errorf("round trip of (%q, %q) gave (%q, %q)", date, id, d, i)
		}
		if _, pe := document.ParseDate(date); pe == nil && validID(id) && !strings.Contains(date, "|") && err != nil {
			t.Errorf("cursor of (%q, %q) rejected: %v", date, id, err)
		}
	})
}
