package locate

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestORLibFullTable solves all of pmed1–40 as p-median and p-center with
// the default time limit (or COLDCHAIN_TIME_LIMIT, e.g. "5s") and prints a
// table. It takes minutes, so it runs only with COLDCHAIN_FULL_BENCH=1
// (COLDCHAIN_PROBLEM=pmedian or pcenter picks one); it asserts nothing
// beyond validity.
func TestORLibFullTable(t *testing.T) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		t.Skip("set COLDCHAIN_FULL_BENCH=1 to solve all of pmed1-40")
	}
	dir := pmedBenchDir(t)
	only := os.Getenv("COLDCHAIN_PROBLEM") // "pmedian", "pcenter" or both
	var limit time.Duration
	if v := os.Getenv("COLDCHAIN_TIME_LIMIT"); v != "" {
		var err error
		if limit, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
	}
	for _, prob := range []Problem{PMedian, PCenter} {
		if only != "" && only != string(prob) {
			continue
		}
		t.Logf("%s", prob)
		t.Logf("%-8s %4s %4s %8s %8s %9s %9s %8s", "instance", "n", "p", "optimum", "found", "gap-opt%", "proven%", "seconds")
		hits := 0
		total := 0.0
		for k, opt := range pmedOptima {
			name := fmt.Sprintf("pmed%d", k+1)
			in := pmedLoad(t, dir, name)
			want := opt.median
			if prob == PCenter {
				want = opt.center
			}
			res, err := Solve(context.Background(), in, Params{Problem: prob, Seed: 1, TimeLimit: limit})
			if err != nil {
				t.Fatalf("%s %s: %v", name, prob, err)
			}
			if res.Bound > res.Objective+1e-6 {
				t.Errorf("%s %s: bound %v above objective %v", name, prob, res.Bound, res.Objective)
			}
			if res.Objective <= want+1e-9 {
				hits++
			}
			total += res.Seconds
			t.Logf("%-8s %4d %4d %8.0f %8.0f %9.3f %9.3f %8.2f", name, len(in.Demand), in.P, want, res.Objective,
				GapPercent(res.Objective, want), res.Gap, res.Seconds)
		}
		t.Logf("%s: optimum on %d/40, total %.1f s", prob, hits, total)
	}
}
