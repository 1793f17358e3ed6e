package locate

import (
	"context"
	"testing"
	"time"
)

// budgetCases are instances whose proven gap stays open for a while.
func budgetCases(t *testing.T) []struct {
	name   string
	in     *Instance
	params Params
} {
	dir := pmedBenchDir(t)
	pmed36, pmed17 := pmedLoad(t, dir, "pmed36"), pmedLoad(t, dir, "pmed17")
	cov := Clustered(20000, 1500, 4)
	if err := BuildCosts(cov, Euclidean, 5, 0); err != nil {
		t.Fatal(err)
	}
	return []struct {
		name   string
		in     *Instance
		params Params
	}{
		{"pmedian pmed36", pmed36, Params{Problem: PMedian}},
		{"pcenter pmed17", pmed17, Params{Problem: PCenter}},
		{"cflp p4", cflpLoad(t, cflpSSCFLPCases(t)[3]), Params{Problem: CFLP}},
		{"lscp clustered", cov, Params{Problem: LSCP, Radius: 5, CoverageTarget: 0.95}},
	}
}

// TestTimeBudgetUsed checks that a solve whose gap is still open goes on
// until the time limit instead of returning early, and that StopGap ends it
// as soon as the gap is small enough, well before the limit.
func TestTimeBudgetUsed(t *testing.T) {
	const limit = 1500 * time.Millisecond
	for _, c := range budgetCases(t) {
		t.Run(c.name, func(t *testing.T) {
			p := c.params
			p.Seed, p.TimeLimit = 1, limit
			full, err := Solve(context.Background(), c.in, p)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("gap %.3f%% after %.2fs, %d iterations", full.Gap, full.Seconds, full.Iterations)
			if full.Gap > 0 && full.Seconds < 0.9*limit.Seconds() {
				t.Errorf("returned after %.2fs of %v with the gap open (%.3f%%)", full.Seconds, limit, full.Gap)
			}
			// Loose: the budget is a wall-clock limit on a shared machine.
			if full.Seconds > limit.Seconds()+5 {
				t.Errorf("ran %.2fs on a limit of %v", full.Seconds, limit)
			}
			if full.Gap == 0 {
				return
			}
			p.StopGap, p.TimeLimit = 1.01*full.Gap+1e-9, time.Minute
			early, err := Solve(context.Background(), c.in, p)
			if err != nil {
				t.Fatal(err)
			}
			if early.Gap > p.StopGap || early.Seconds > p.TimeLimit.Seconds()/2 {
				t.Errorf("stop gap %.3f%%: gap %.3f%% after %.2fs", p.StopGap, early.Gap, early.Seconds)
			}
		})
	}
}
