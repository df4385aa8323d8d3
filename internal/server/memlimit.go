package server

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// unlimitedMemory is where cgroup v1 reports "no limit" (a page-rounded
// MaxInt64); anything this large is no limit.
const unlimitedMemory = 1 << 62

// SetMemoryLimit makes the garbage collector work harder as the process
// nears its container's memory limit instead of being OOM-killed, which is
// what Gunicorn's --max-requests recycling was working around. Unless the
// GOMEMLIMIT environment variable is set (the runtime has then applied it
// already), it sets debug.SetMemoryLimit to 90% of the cgroup v2 memory.max
// or the cgroup v1 memory.limit_in_bytes, if there is a limit. It returns a
// description for main to log; problems reading the cgroup are logged to
// logger as warnings.
func SetMemoryLimit(getenv func(string) string, logger *slog.Logger) string {
	if v := getenv("GOMEMLIMIT"); v != "" {
		return "memory limit from GOMEMLIMIT=" + v
	}
	limit, source, err := cgroupMemoryLimit(os.DirFS("/sys/fs/cgroup"))
	if err != nil && logger != nil {
		logger.Warn("reading the cgroup memory limit", slog.Any("err", err))
	}
	if limit <= 0 {
		return "no cgroup memory limit found; Go memory limit not set"
	}
	// 90%: the rest is headroom for what the Go limit does not see at
	// once (fragmentation, cgo, the kernel's accounting of our pages).
	soft := limit / 10 * 9
	debug.SetMemoryLimit(soft)
	return fmt.Sprintf("Go memory limit set to %d bytes (90%% of %s = %d)", soft, source, limit)
}

// cgroupMemoryLimit reads the memory limit of the cgroup mounted at fsys
// (inside a container, its own). It returns 0 when there is none; the
// source names the file read.
func cgroupMemoryLimit(fsys fs.FS) (limit int64, source string, err error) {
	for _, name := range []string{"memory.max", "memory/memory.limit_in_bytes"} {
		b, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return 0, "", fmt.Errorf("server: read cgroup %s: %w", name, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "max" {
			return 0, name, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, "", fmt.Errorf("server: parse cgroup %s %q: %w", name, v, err)
		}
		if n <= 0 || n >= unlimitedMemory {
			return 0, name, nil
		}
		return n, name, nil
	}
	return 0, "", nil
}
