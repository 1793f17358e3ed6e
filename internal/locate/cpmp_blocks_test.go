package locate

import (
	"context"
	"math"
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
