package main

import "testing"

// The default soft memory limit is 7 GiB, or 85 % of a smaller machine
// or cgroup; the machine's memory comes from /proc/meminfo and a cgroup
// v2 memory.max.
func TestDefaultMemoryLimit(t *testing.T) {
	const gib = int64(1) << 30
	for _, c := range []struct{ total, want int64 }{
		{24 * gib, 7 * gib},
		{8 * gib, 8 * gib / 100 * 85},
		{4 * gib, 4 * gib / 100 * 85},
		{0, 7 * gib},
	} {
		if got := defaultMemoryLimit(c.total); got != c.want {
			t.Errorf("total %d: limit %d, want %d", c.total, got, c.want)
		}
	}
	meminfo := "MemFree:         1000 kB\nMemTotal:       24576000 kB\nBuffers: 1 kB\n"
	if got := memTotal(meminfo); got != 24576000<<10 {
		t.Errorf("MemTotal read as %d", got)
	}
	if got := memTotal("nothing here\n"); got != 0 {
		t.Errorf("no MemTotal read as %d", got)
	}
	for in, want := range map[string]int64{"max\n": 0, "8589934592\n": 8 << 30, "": 0, "-1": 0} {
		if got := cgroupLimit(in); got != want {
			t.Errorf("memory.max %q read as %d, want %d", in, got, want)
		}
	}
}
