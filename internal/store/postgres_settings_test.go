package store_test

import (
	"context"
	"testing"

	"reportapp/internal/store/storetest"
)

// TestPostgresSessionSettings: every connection of the store plans each execution for its values
// and neither compiles nor parallelises a query (store.postgresSettings): a page of a search at
// 1,000,000 documents took 52–76 ms with JIT and two workers, 3 ms without.
func TestPostgresSessionSettings(t *testing.T) {
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	for name, want := range map[string]string{"plan_cache_mode": "force_custom_plan", "jit": "off", "max_parallel_workers_per_gather": "0"} {
		var got string
		if err := db.SQL().QueryRowContext(ctx, "SELECT current_setting($1)", name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
