package jobs

import (
	"bytes"
	"context"
	"testing"
	"time"

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// TestWriteZIPStampsInTheOrganisationsZoneAndLanguage is issue 12 item 7: the files of an
// export ZIP are timestamped in the organisation's zone (their names' dates are), not UTC, and
// index.csv is in the export's language with kinds and statuses in words.
func TestWriteZIPStampsInTheOrganisationsZoneAndLanguage(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := mustOrg(t, db, "acme")
		docs := mustDocuments(t, db, org.ID, 2)
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			t.Fatal(err)
		}
		// 2026-11-30 20:30 UTC is 2026-12-01 05:30 in Tokyo: another day.
		now := time.Date(2026, 11, 30, 20, 30, 0, 0, time.UTC)
		x := &Exporter{Store: db, Renderer: mustRenderer(t), Workers: 1, Now: func() time.Time { return now }, Location: tokyo}
		for _, tc := range []struct {
			lang             document.CSVLang
			kind, status, id string
		}{
			{document.CSVJapanese, "請求書", "発行済み", "ID"},
			{document.CSVEnglish, "Invoice", "Issued", "ID"},
		} {
			var buf bytes.Buffer
			if _, err := x.WriteZIP(ctx, &buf, org.ID, document.Filter{Lang: tc.lang}, nil); err != nil {
				t.Fatal(err)
			}
			zr, rows := mustReadZIP(t, buf.Bytes())
			for _, f := range zr.File {
				m := f.Modified
				_, offset := m.Zone()
				if offset != 9*3600 || m.Day() != 1 || m.Hour() != 5 || m.Minute() != 30 || !m.Equal(now) {
					t.Errorf("%s: modified %v, want %v in Tokyo", f.Name, m, now.In(tokyo))
				}
			}
			if len(rows) != 1+len(docs) || rows[0][2] != document.CSVWord(tc.lang, "kind") || rows[1][2] != tc.kind || rows[1][3] != tc.status {
				t.Errorf("%s index.csv = %q", tc.lang, rows)
			}
		}
	})
}
