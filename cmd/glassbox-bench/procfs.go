package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// tickMicros is one clock tick of /proc/PID/stat in microseconds.
// sysconf(_SC_CLK_TCK) is 100 on every Linux architecture Go supports
// (USER_HZ is fixed at 100 in the kernel's ABI), so a tick is 10 ms; reading
// it would need cgo or a libc call for a constant.
const tickMicros = 1e6 / 100

// cpuTicks is the process's user plus system CPU time in clock ticks
// (fields 14 and 15 of /proc/PID/stat). It covers all of the process's
// threads and none of its children.
func cpuTicks(pid int) (int64, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("no process")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Field 2, the command name, is in parentheses and may hold spaces:
	// count fields from the last ')'. After it comes field 3 (state).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	const utime, stime = 14 - 3, 15 - 3
	if len(f) <= stime {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	u, err1 := strconv.ParseInt(f[utime], 10, 64)
	s, err2 := strconv.ParseInt(f[stime], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q, stime %q", pid, f[utime], f[stime])
	}
	return u + s, nil
}

// resetPeakRSS sets the process's VmHWM back to its current RSS (writing
// "5" to clear_refs, Linux 4.0 and later), so the next peakRSSKiB reads the
// peak of what ran since.
func resetPeakRSS(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// peakRSSKiB reads VmHWM, the peak resident set size, from /proc/PID/status.
func peakRSSKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}
