package locate

import (
	"math"
	"strings"
	"testing"
)

// cflpBlocks is CFLPBlocks, failing the test on error.
func cflpBlocks(t testing.TB, nb, size, sites int, seed int64) (*Instance, float64) {
	t.Helper()
	in, opt, err := CFLPBlocks(nb, size, sites, seed)
	if err != nil {
		t.Fatal(err)
	}
	return in, opt
}

// TestCFLPBlocksOptimum checks CFLPBlocks's optimum against an exhaustive
// search of the whole instance, arcs between blocks included (cflpBrute:
// every assignment of every customer, each site's fixed cost paid when it
// serves one), on instances of two blocks of four points with two and
// four sites each.
func TestCFLPBlocksOptimum(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		for _, sites := range []int{2, 4} {
			in, got := cflpBlocks(t, 2, 4, sites, seed)
			if in.P != 0 || len(in.Sites) != 2*sites {
				t.Fatalf("%s: p %d, %d sites", in.Name, in.P, len(in.Sites))
			}
			want := cflpBrute(in, Params{Problem: CFLP})
			if math.Abs(got-want) > 1e-9*want {
				t.Errorf("%s: blocks optimum %v, exhaustive %v", in.Name, got, want)
			}
		}
	}
}

// TestCFLPBlocksQuality solves known-optimum instances with p free, 480
// customers and as many sites, and 960 customers with a site in four, for
// 5 s each: the solution must be within 1 % of the optimum, and the bound
// at most the optimum. (Before p free got the large schedule, they ended
// 7.5 % and 1.8 % above their optima.)
func TestCFLPBlocksQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("5 s solves")
	}
	for _, c := range []struct{ blocks, size, sites int }{{40, 12, 12}, {60, 16, 4}} {
		in, opt := cflpBlocks(t, c.blocks, c.size, c.sites, 1)
		blocksQuality(t, in, opt)
	}
}

// TestCFLPBlocksRejects checks that CFLPBlocks refuses what it cannot
// make: no blocks or too many, blocks too large to enumerate, and sites per
// block out of range.
func TestCFLPBlocksRejects(t *testing.T) {
	for _, c := range []struct {
		blocks, size, sites int
		want                string
	}{
		{0, 12, 4, "want 1 to 1000 blocks"},
		{1001, 12, 4, "want 1 to 1000 blocks"},
		{10, 17, 4, "1 to 16 points"},
		{10, 12, 0, "0 sites per block"},
		{10, 12, 13, "13 sites per block"},
	} {
		_, _, err := CFLPBlocks(c.blocks, c.size, c.sites, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CFLPBlocks(%d, %d, %d): error %v, want one saying %q", c.blocks, c.size, c.sites, err, c.want)
		}
	}
}
