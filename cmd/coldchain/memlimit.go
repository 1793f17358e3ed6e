package main

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// memoryCap is the most coldchain's default soft memory limit is: the
// 8 GiB a server is sized for (coverage.MaxProducers), less room for the
// stacks, the runtime and the kernel.
const memoryCap = 7 << 30

// setMemoryLimit gives the Go runtime a soft memory limit when GOMEMLIMIT
// does not set one, and returns it (0: none set). Without one the
// collector lets the heap grow to twice what it holds live before it
// runs: a province plan's combined measure holds 4–6 GB live, and the
// server's peak varied between 6.6 and 9.2 GiB from run to run. The
// limit is a target for the collector, never a failed allocation: a
// server that holds more works on, with the collector running more often
// (at most half the CPU). Set GOMEMLIMIT to choose another (for example
// GOMEMLIMIT=20GiB on a large machine, or off).
func setMemoryLimit() int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	l := defaultMemoryLimit(machineMemory())
	debug.SetMemoryLimit(l)
	return l
}

// defaultMemoryLimit is memoryCap, or 85 % of total (bytes) when that is
// less; memoryCap when total is unknown (0).
func defaultMemoryLimit(total int64) int64 {
	if total > 0 && total/100*85 < memoryCap {
		return total / 100 * 85
	}
	return memoryCap
}

// machineMemory is the memory this process may use: its cgroup's limit
// when it has one, else the machine's; 0 when neither can be read.
func machineMemory() int64 {
	total := int64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		total = memTotal(string(b))
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if l := cgroupLimit(string(b)); l > 0 && (total == 0 || l < total) {
			total = l
		}
	}
	return total
}

// memTotal reads MemTotal (bytes) from /proc/meminfo; 0 when absent.
func memTotal(meminfo string) int64 {
	for _, line := range strings.Split(meminfo, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil && kb > 0 {
				return kb << 10
			}
		}
	}
	return 0
}

// cgroupLimit reads a cgroup v2 memory.max: bytes, or 0 for "max" (none).
func cgroupLimit(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
