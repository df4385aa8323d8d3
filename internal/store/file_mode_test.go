package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"reportapp/internal/store"
)

// TestSQLiteFilesAreOwnerOnly is issue 11 item 14: the data directory is created 0700 and the
// database file and its WAL 0600, whatever the umask lets through.
func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	file := filepath.Join(dir, "reportapp.db")
	ctx := context.Background()
	db, err := store.Open(ctx, store.DriverSQLite, file, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, file: 0o600, file + "-wal": 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), fi.Mode(), want)
		}
	}
}
