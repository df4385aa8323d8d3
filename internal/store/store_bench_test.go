package store_test

import (
	"context"
	"testing"

	"reportapp/internal/document"
	"reportapp/internal/store"
	"reportapp/internal/store/storetest"
)

// Benchmarks of the document path on both databases with a 20-line document:
//
//	REPORTAPP_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	    go test -run '^$' -bench . -benchtime 2s ./internal/store/

const benchLines = 20

func eachBench(b *testing.B, fn func(b *testing.B, db *store.DB, orgID, customerID string)) {
	open := map[string]func(testing.TB) *store.DB{"sqlite": storetest.Open, "postgres": storetest.OpenPostgres}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := open[name](b)
			org := mustOrg(b, db, "bench")
			c := mustCustomer(b, db, org.ID, "株式会社ベンチ")
			fn(b, db, org.ID, c.ID)
		})
	}
}

func BenchmarkCreateDocument(b *testing.B) {
	eachBench(b, func(b *testing.B, db *store.DB, orgID, customerID string) {
		d := newDraft(b, customerID, document.Invoice, "2025-04-01", "bench", benchLines)
		b.ReportAllocs()
		for b.Loop() {
			mustCreateDoc(b, db, orgID, d)
		}
	})
}

func BenchmarkIssueDocument(b *testing.B) {
	eachBench(b, func(b *testing.B, db *store.DB, orgID, customerID string) {
		d := newDraft(b, customerID, document.Invoice, "2025-04-01", "bench", benchLines)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			id := mustCreateDoc(b, db, orgID, d).ID
			b.StartTimer()
			mustIssue(b, db, orgID, id)
		}
	})
}

func BenchmarkGetDocument(b *testing.B) {
	eachBench(b, func(b *testing.B, db *store.DB, orgID, customerID string) {
		id := mustIssue(b, db, orgID, mustCreateDoc(b, db, orgID,
			newDraft(b, customerID, document.Invoice, "2025-04-01", "bench", benchLines)).ID).ID
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.GetDocument(ctx, orgID, id); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGetDocumentParallel(b *testing.B) {
	eachBench(b, func(b *testing.B, db *store.DB, orgID, customerID string) {
		id := mustIssue(b, db, orgID, mustCreateDoc(b, db, orgID,
			newDraft(b, customerID, document.Invoice, "2025-04-01", "bench", benchLines)).ID).ID
		ctx := context.Background()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.GetDocument(ctx, orgID, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
