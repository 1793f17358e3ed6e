package locate

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// cpmpBlocks is CPMPBlocks, failing the test on error.
func cpmpBlocks(t testing.TB, nb, size, p int, ratio float64, seed int64) (*Instance, float64) {
	t.Helper()
	in, opt, err := CPMPBlocks(nb, size, p, ratio, seed)
	if err != nil {
		t.Fatal(err)
	}
	return in, opt
}

// TestCPMPBlocksOptimum checks CPMPBlocks's optimum against an exhaustive
// search of the whole instance, arcs between blocks included (cpmpBrute:
// every set of p medians and every assignment of every point), on
// instances of two blocks of five points.
func TestCPMPBlocksOptimum(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		for _, p := range []int{2, 3, 4, 6} {
			in, got := cpmpBlocks(t, 2, 5, p, 2, seed)
			want := cpmpBrute(in)
			if math.Abs(got-want) > 1e-9*want {
				t.Errorf("%s: blocks optimum %v, exhaustive %v", in.Name, got, want)
			}
		}
	}
}

// TestCPMPBlocksQuality solves a known-optimum instance of 480 points
// (40 blocks of 12, p = 96) for 5 s: the solution must be within 1 % of
// the optimum, and the bound at most the optimum.
func TestCPMPBlocksQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("5 s solve")
	}
	in, opt := cpmpBlocks(t, 40, 12, 96, 1.25, 1)
	blocksQuality(t, in, opt)
}

// blocksQuality solves in, of known optimum opt, for 5 s and fails the
// test unless the solution is valid and within 1 % of the optimum and the
// bound at most the optimum.
func blocksQuality(t *testing.T, in *Instance, opt float64) {
	t.Helper()
	params := Params{Problem: CFLP, Seed: 1, TimeLimit: 5 * time.Second}
	res, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	if err := cflpCheck(in, params, res); err != nil {
		t.Fatal(err)
	}
	gap := 100 * (res.Objective - opt) / opt
	t.Logf("%s: optimum %.2f, found %.2f (%.3f %% above, %d sites), bound %.2f (%.3f %% below)",
		in.Name, opt, res.Objective, gap, len(res.Sites), res.Bound, 100*(opt-res.Bound)/opt)
	if gap > 1 {
		t.Errorf("%s: found %.2f, %.3f %% above the optimum %.2f", in.Name, res.Objective, gap, opt)
	}
	if res.Bound > opt*(1+1e-9) {
		t.Errorf("%s: bound %.4f above the optimum %.4f", in.Name, res.Bound, opt)
	}
}

// TestBlocksBench solves the known-optimum instances of 3,000 customers
// (250 blocks of 12): capacitated p-medians (p = 600, 800, 1000) and
// CFLPs with p free (3,000 and 750 sites), and prints the gap to the
// optimum of the solution and of the bound. It runs only with
// COLDCHAIN_FULL_BENCH=1; COLDCHAIN_CPMP_LIMIT sets the time limit
// (default 30s) and COLDCHAIN_CPMP_P a comma-separated list of p.
func TestBlocksBench(t *testing.T) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		t.Skip("set COLDCHAIN_FULL_BENCH=1 to run the known-optimum benchmark")
	}
	limit, ps := cpmpBenchEnv(t)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| instance | n | m | p | optimum | found | above optimum %% | sites | bound | below optimum %% | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(in *Instance, opt float64) {
		res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: limit})
		if err != nil {
			t.Fatal(err)
		}
		p := "free"
		if in.P > 0 {
			p = fmt.Sprint(in.P)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %.2f | %.2f | %.3f | %d | %.2f | %.3f | %.1f |\n", in.Name, len(in.Demand), len(in.Sites), p,
			opt, res.Objective, 100*(res.Objective-opt)/opt, len(res.Sites), res.Bound, 100*(opt-res.Bound)/opt, res.Seconds)
	}
	for _, p := range ps {
		row(cpmpBlocks(t, 250, 12, p, 1.25, 1))
	}
	for _, sites := range []int{12, 3} {
		row(cflpBlocks(t, 250, 12, sites, 1))
	}
	t.Log(b.String())
}

// TestCPMPBlocksRejects checks that CPMPBlocks refuses what it cannot make:
// no blocks or too many, blocks too large to enumerate, p out of range, a ratio below
// 1 or not a number, and blocks that cannot be served on their own.
func TestCPMPBlocksRejects(t *testing.T) {
	for _, c := range []struct {
		blocks, size, p int
		ratio           float64
		want            string
	}{
		{0, 12, 10, 1.25, "want 1 to 1000 blocks"},
		{1001, 12, 3000, 1.25, "want 1 to 1000 blocks"},
		{10, 17, 20, 1.25, "1 to 16 points"},
		{10, 12, 0, 1.25, "p = 0"},
		{10, 12, 121, 1.25, "p = 121"},
		{10, 12, 30, 0.5, "ratio 0.5"},
		{10, 12, 30, math.NaN(), "ratio NaN"},
		{10, 12, 5, 1, "cannot serve every block"}, // half the blocks get no median
	} {
		_, _, err := CPMPBlocks(c.blocks, c.size, c.p, c.ratio, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CPMPBlocks(%d, %d, %d, %v): error %v, want one saying %q", c.blocks, c.size, c.p, c.ratio, err, c.want)
		}
	}
}
