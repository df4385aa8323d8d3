package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuMeter reads the CPU time (user + system) used so far by the server's process, by every
// process named dbProcess (a PostgreSQL server's backends and workers, which come and go with
// their connections: the sum over the ones alive at each reading, so a backend that ended
// between two readings is not counted) and by the loader itself. Linux only: without /proc the
// server's and the database's figures are left out.
type cpuMeter struct {
	serverPID int
	dbProcess string
}

type cpuTimes struct{ server, db, loader time.Duration }

// clockTick is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every Linux Go supports.
const clockTick = 100

func (m cpuMeter) read() cpuTimes {
	var t cpuTimes
	if m.serverPID > 0 {
		t.server, _ = procCPU(filepath.Join("/proc", strconv.Itoa(m.serverPID), "stat"))
	}
	if m.dbProcess != "" {
		stats, _ := filepath.Glob("/proc/[0-9]*/stat")
		for _, p := range stats {
			if comm, _ := os.ReadFile(filepath.Join(filepath.Dir(p), "comm")); strings.TrimSpace(string(comm)) == m.dbProcess {
				d, _ := procCPU(p)
				t.db += d
			}
		}
	}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		t.loader = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return t
}

// procCPU is utime + stime of a /proc/<pid>/stat.
func procCPU(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: the fields after it are counted from
	// its closing parenthesis (utime and stime are the 14th and 15th fields of the line).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: no command name", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: %d fields", path, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: utime %q stime %q", path, f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTick, nil
}

// perRequest is the CPU time per request between two readings, as " cpu/req server … db …
// loader …" in µs, or "" without requests.
func (m cpuMeter) perRequest(a, b cpuTimes, n int) string {
	if n == 0 {
		return ""
	}
	us := func(d time.Duration) int64 { return d.Microseconds() / int64(n) }
	s := " cpu/req"
	if m.serverPID > 0 {
		s += fmt.Sprintf(" server %d µs", us(b.server-a.server))
	}
	if m.dbProcess != "" {
		s += fmt.Sprintf(" db %d µs", us(b.db-a.db))
	}
	return s + fmt.Sprintf(" loader %d µs", us(b.loader-a.loader))
}
