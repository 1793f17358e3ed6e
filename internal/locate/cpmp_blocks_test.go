package locate

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// cpmpBlockGap is how far apart the blocks of cpmpBlocks lie: more than
// any of their solutions costs (cpmpBlocksOptimum checks it), so that no
// arc between two blocks can be in an optimal solution.
const cpmpBlockGap = 1e6

// cpmpBlocks returns a capacitated p-median instance whose optimum
// cpmpBlocksOptimum computes exactly: nb blocks of size points (every
// point a customer of integer demand 1..100 and a candidate median), laid
// out like the p3038 board (a jittered grid 40 units apart), as one
// Gaussian cluster or as two, the blocks cpmpBlockGap apart; one capacity
// for every median, so that p medians hold ratio times the total demand.
// Within a block every set of medians can be assigned exactly, and the
// whole instance is then a choice of how many medians each block gets. The
// same arguments always give the same instance.
func cpmpBlocks(t testing.TB, nb, size, p int, ratio float64, seed int64) *Instance {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x626c6b73)) // "blks"
	in := &Instance{Name: fmt.Sprintf("cpmp-blocks-%d-%d-%d-%g-%d", nb, size, p, ratio, seed), P: p}
	side := int(math.Ceil(math.Sqrt(float64(nb))))
	for b := range nb {
		x0, y0 := float64(b%side)*cpmpBlockGap, float64(b/side)*cpmpBlockGap
		kind := rng.IntN(3)
		sd := 40 + 160*rng.Float64()
		for h := range size {
			x, y := x0, y0
			switch {
			case kind == 0: // board: rows of four holes
				x += float64(h%4)*40 + 4*rng.Float64()
				y += float64(h/4)*40 + 4*rng.Float64()
			case kind == 2 && h%2 == 1: // second cluster of two
				x += 300 + sd*rng.NormFloat64()
				y += sd * rng.NormFloat64()
			default:
				x += sd * rng.NormFloat64()
				y += sd * rng.NormFloat64()
			}
			cpmpPoint(in, x, y, float64(1+rng.IntN(100)))
		}
	}
	cpmpFinish(t, in, ratio)
	return in
}

// cpmpBlocksOptimum returns the optimum of a cpmpBlocks instance of nb
// blocks of size points: each block's least cost with at most k medians,
// for every k, by enumerating its sets of medians and assigning each set
// exactly; then the best split of p among the blocks by dynamic
// programming. It fails the test if the optimum does not stay below
// cpmpBlockGap (an arc between blocks could then pay).
func cpmpBlocksOptimum(t testing.TB, in *Instance, nb, size int) float64 {
	t.Helper()
	p := in.P
	inf := math.Inf(1)
	best := make([]float64, p+1) // best[q]: least cost of the blocks so far with q medians
	for q := range best {
		best[q] = inf
	}
	best[0] = 0
	for b := range nb {
		f := cpmpBlockCosts(in.Demand[b*size:(b+1)*size], in.Sites[0].Capacity)
		next := make([]float64, p+1)
		for q := range next {
			next[q] = inf
			for k := 0; k <= min(q, size); k++ {
				next[q] = math.Min(next[q], best[q-k]+f[k])
			}
		}
		best = next
	}
	if !(best[p] < cpmpBlockGap) {
		t.Fatalf("%s: optimum %v not below the blocks' gap %v", in.Name, best[p], cpmpBlockGap)
	}
	return best[p]
}

// cpmpBlockCosts returns f[k], the least cost of serving pts from at most
// k of them as medians of capacity capa (+Inf where none is feasible), for
// k = 0..len(pts).
func cpmpBlockCosts(pts []Demand, capa float64) []float64 {
	n := len(pts)
	f := make([]float64, n+1)
	for k := range f {
		f[k] = math.Inf(1)
	}
	total := 0.0
	for _, d := range pts {
		total += d.Weight
	}
	as := cpmpAssigner{pts: pts, capa: capa}
	for set := uint32(1); set < 1<<n; set++ {
		k := bits.OnesCount32(set)
		if float64(k)*capa < total {
			continue
		}
		f[k] = math.Min(f[k], as.solve(set, f[k]))
	}
	for k := 1; k <= n; k++ {
		f[k] = math.Min(f[k], f[k-1])
	}
	return f
}

// cpmpAssigner finds the least-cost single-source assignment of a block's
// points to a set of its points as medians, by depth-first search over the
// points, heaviest first, each trying its medians nearest first.
type cpmpAssigner struct {
	pts     []Demand
	capa    float64
	order   []int
	sites   []int
	load    []float64
	minRest []float64
	best    float64
}

// solve returns the least cost of assigning every point to a median of set
// (a bit per point) if it is below bound, otherwise bound.
func (a *cpmpAssigner) solve(set uint32, bound float64) float64 {
	n := len(a.pts)
	if a.order == nil {
		a.order = make([]int, n)
		for i := range a.order {
			a.order[i] = i
		}
		slices.SortStableFunc(a.order, func(x, y int) int { return -cmpFloat(a.pts[x].Weight, a.pts[y].Weight) })
		a.load = make([]float64, n)
		a.minRest = make([]float64, n+1)
	}
	a.sites = a.sites[:0]
	for j := range n {
		if set&(1<<j) != 0 {
			a.sites = append(a.sites, j)
		}
	}
	// The least cost of the points from depth x on, each at its nearest
	// median regardless of capacity: a bound that prunes the search.
	a.minRest[n] = 0
	for x := n - 1; x >= 0; x-- {
		c := math.Inf(1)
		for _, j := range a.sites {
			c = math.Min(c, a.dist(a.order[x], j))
		}
		a.minRest[x] = a.minRest[x+1] + c
	}
	if a.minRest[0] >= bound {
		return bound
	}
	clear(a.load)
	a.best = bound
	a.dfs(0, 0)
	return a.best
}

func (a *cpmpAssigner) dfs(x int, cost float64) {
	if cost+a.minRest[x] >= a.best {
		return
	}
	if x == len(a.order) {
		a.best = cost
		return
	}
	i := a.order[x]
	for _, j := range a.sites {
		if a.load[j]+a.pts[i].Weight <= a.capa {
			a.load[j] += a.pts[i].Weight
			a.dfs(x+1, cost+a.dist(i, j))
			a.load[j] -= a.pts[i].Weight
		}
	}
}

func (a *cpmpAssigner) dist(i, j int) float64 {
	return math.Hypot(a.pts[i].X-a.pts[j].X, a.pts[i].Y-a.pts[j].Y)
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// TestCPMPBlocksOptimum checks cpmpBlocksOptimum against an exhaustive
// search of the whole instance, arcs between blocks included: every set
// of p medians and every assignment of every point, on instances of two
// blocks of five points.
func TestCPMPBlocksOptimum(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		for _, p := range []int{2, 3, 4, 6} {
			in := cpmpBlocks(t, 2, 5, p, 2, seed)
			got := cpmpBlocksOptimum(t, in, 2, 5)
			want := cpmpBruteForce(in)
			if math.Abs(got-want) > 1e-9*want {
				t.Errorf("%s: blocks optimum %v, exhaustive %v", in.Name, got, want)
			}
		}
	}
}

// cpmpBruteForce returns the optimum of a tiny capacitated p-median
// instance by trying every set of at most in.P medians and every
// assignment of every point to one of them.
func cpmpBruteForce(in *Instance) float64 {
	n := len(in.Demand)
	best := math.Inf(1)
	assign := make([]int, n)
	load := make([]float64, n)
	var try func(x int, sites []int, cost float64)
	try = func(x int, sites []int, cost float64) {
		if cost >= best {
			return
		}
		if x == n {
			best = cost
			return
		}
		for _, j := range sites {
			if load[j]+in.Demand[x].Weight <= in.Sites[j].Capacity {
				load[j] += in.Demand[x].Weight
				assign[x] = j
				try(x+1, sites, cost+math.Hypot(in.Demand[x].X-in.Sites[j].X, in.Demand[x].Y-in.Sites[j].Y))
				load[j] -= in.Demand[x].Weight
			}
		}
	}
	for set := uint32(1); set < 1<<n; set++ {
		if bits.OnesCount32(set) > in.P {
			continue
		}
		var sites []int
		for j := range n {
			if set&(1<<j) != 0 {
				sites = append(sites, j)
			}
		}
		try(0, sites, 0)
	}
	return best
}

// TestCPMPBlocksQuality solves a known-optimum instance of 480 points
// (40 blocks of 12, p = 96) for 5 s: the solution must be within 1 % of
// the optimum, and the bound at most the optimum.
func TestCPMPBlocksQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("5 s solve")
	}
	in := cpmpBlocks(t, 40, 12, 96, 1.25, 1)
	opt := cpmpBlocksOptimum(t, in, 40, 12)
	params := Params{Problem: CFLP, Seed: 1, TimeLimit: 5 * time.Second}
	res, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	if err := cflpCheck(in, params, res); err != nil {
		t.Fatal(err)
	}
	gap := 100 * (res.Objective - opt) / opt
	t.Logf("optimum %.2f, found %.2f (%.3f %% above), bound %.2f (%.3f %% below)",
		opt, res.Objective, gap, res.Bound, 100*(opt-res.Bound)/opt)
	if gap > 1 {
		t.Errorf("found %.2f, %.3f %% above the optimum %.2f", res.Objective, gap, opt)
	}
	if res.Bound > opt*(1+1e-9) {
		t.Errorf("bound %.4f above the optimum %.4f", res.Bound, opt)
	}
}

// TestCPMPBlocksBench solves known-optimum instances of 3,000 points (250
// blocks of 12; p = 600, 800, 1000) and prints the gap to the optimum of
// the solution and of the bound. It runs only with COLDCHAIN_FULL_BENCH=1;
// COLDCHAIN_CPMP_LIMIT sets the time limit (default 30s) and
// COLDCHAIN_CPMP_P a comma-separated list of p.
func TestCPMPBlocksBench(t *testing.T) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		t.Skip("set COLDCHAIN_FULL_BENCH=1 to run the known-optimum CPMP benchmark")
	}
	limit, ps := cpmpBenchEnv(t)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| instance | n | p | optimum | found | above optimum %% | bound | below optimum %% | seconds |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, p := range ps {
		in := cpmpBlocks(t, 250, 12, p, 1.25, 1)
		opt := cpmpBlocksOptimum(t, in, 250, 12)
		res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: limit})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %.2f | %.2f | %.3f | %.2f | %.3f | %.1f |\n", in.Name, len(in.Demand), p,
			opt, res.Objective, 100*(res.Objective-opt)/opt, res.Bound, 100*(opt-res.Bound)/opt, res.Seconds)
	}
	t.Log(b.String())
}
