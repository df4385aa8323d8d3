package server

import (
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCgroupMemoryLimit(t *testing.T) {
	tests := []struct {
		name       string
		files      fstest.MapFS
		wantLimit  int64
		wantSource string
		wantErr    bool
	}{
		{"no cgroup", fstest.MapFS{}, 0, "", false},
		{"v2 limit", fstest.MapFS{"memory.max": {Data: []byte("536870912\n")}}, 512 << 20, "memory.max", false},
		{"v2 unlimited", fstest.MapFS{"memory.max": {Data: []byte("max\n")}}, 0, "memory.max", false},
		{"v1 limit", fstest.MapFS{"memory/memory.limit_in_bytes": {Data: []byte("1073741824\n")}}, 1 << 30, "memory/memory.limit_in_bytes", false},
		{"v1 unlimited", fstest.MapFS{"memory/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")}}, 0, "memory/memory.limit_in_bytes", false},
		{"v2 wins over v1", fstest.MapFS{
			"memory.max":                   {Data: []byte("1000\n")},
			"memory/memory.limit_in_bytes": {Data: []byte("2000\n")},
		}, 1000, "memory.max", false},
		{"garbage", fstest.MapFS{"memory.max": {Data: []byte("lots")}}, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limit, source, err := cgroupMemoryLimit(tt.files)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if limit != tt.wantLimit || source != tt.wantSource {
				t.Errorf("got (%d, %q), want (%d, %q)", limit, source, tt.wantLimit, tt.wantSource)
			}
		})
	}
}

func TestSetMemoryLimitKeepsGOMEMLIMIT(t *testing.T) {
	getenv := func(k string) string {
		if k == "GOMEMLIMIT" {
			return "900MiB"
		}
		return ""
	}
	got := SetMemoryLimit(getenv, slog.New(slog.DiscardHandler))
	if !strings.Contains(got, "GOMEMLIMIT=900MiB") {
		t.Errorf("description = %q, want it to name GOMEMLIMIT", got)
	}
}
