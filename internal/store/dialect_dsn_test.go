package store

import "testing"

// TestPostgresDSN: the settings are added to URL and key=value DSNs, and one the DSN sets is kept.
func TestPostgresDSN(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u@h/db?sslmode=disable", "postgres://u@h/db?jit=off&max_parallel_workers_per_gather=0&plan_cache_mode=force_custom_plan&sslmode=disable"},
		{"postgres://u@h/db?jit=on", "postgres://u@h/db?jit=on&max_parallel_workers_per_gather=0&plan_cache_mode=force_custom_plan"},
		{"host=h dbname=db", "host=h dbname=db plan_cache_mode=force_custom_plan jit=off max_parallel_workers_per_gather=0"},
		{"host=h jit=on", "host=h jit=on plan_cache_mode=force_custom_plan max_parallel_workers_per_gather=0"},
	} {
		got, err := postgresDSN(c.in)
		if err != nil || got != c.want {
			t.Errorf("postgresDSN(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
