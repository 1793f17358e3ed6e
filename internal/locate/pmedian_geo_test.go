package locate

import (
	"context"
	"math"
	"testing"
	"time"
)

// completeObjective returns the weighted distance from every demand point to
// its nearest open site over all sites (brute force), and checks nothing.
func completeObjective(in *Instance, m Metric, open []bool) float64 {
	obj := 0.0
	for _, d := range in.Demand {
		if d.Weight <= 0 {
			continue
		}
		best := math.Inf(1)
		for j, s := range in.Sites {
			if open[j] {
				best = min(best, m.Distance(d.X, d.Y, s.X, s.Y))
			}
		}
		obj += d.Weight * best
	}
	return obj
}

// exhaustiveMedian returns the optimum of the complete p-median by
// enumerating every set of p candidates.
func exhaustiveMedian(in *Instance, m Metric, p int) float64 {
	var cands []int
	open := make([]bool, len(in.Sites))
	for j, s := range in.Sites {
		switch s.Status {
		case Candidate:
			cands = append(cands, j)
		case Existing:
			open[j] = true
		}
	}
	best := math.Inf(1)
	var rec func(from, left int)
	rec = func(from, left int) {
		if left == 0 {
			best = min(best, completeObjective(in, m, open))
			return
		}
		for x := from; x <= len(cands)-left; x++ {
			open[cands[x]] = true
			rec(x+1, left-1)
			open[cands[x]] = false
		}
	}
	rec(0, p)
	return best
}

// TestPMedianGeoExhaustive checks, on small instances whose rows are cut to
// a few nearest sites, that the geometric p-median's bound is at most the
// optimum of the complete problem (found by enumeration), that its
// objective is the complete objective of its sites, and that every point
// is assigned to its nearest open site. Cases with groups aggregate the
// demand to that many cells, as a million points are: the multipliers are
// then optimised on the cells and carried over to the points with their
// shifts (warmStart), which the bound must survive.
func TestPMedianGeoExhaustive(t *testing.T) {
	cases := []struct {
		name      string
		n, m, p   int
		k         int
		seed      int64
		existing  []int
		forbidden []int
		zeroEvery int
		groups    int // aggregated cells (0: none)
	}{
		{name: "p3", n: 500, m: 22, p: 3, k: 4, seed: 1},
		{name: "p4-existing", n: 400, m: 20, p: 4, k: 3, seed: 2, existing: []int{5}, forbidden: []int{0, 7}},
		{name: "p2-zero-weights", n: 300, m: 25, p: 2, k: 2, seed: 3, zeroEvery: 7},
		{name: "p5", n: 350, m: 18, p: 5, k: 6, seed: 4},
		{name: "p4-aggregated", n: 600, m: 20, p: 4, k: 3, seed: 6, groups: 50},
		{name: "p3-aggregated-existing", n: 500, m: 22, p: 3, k: 4, seed: 7, groups: 30, existing: []int{2}, forbidden: []int{9}, zeroEvery: 11},
		{name: "p6-aggregated", n: 700, m: 16, p: 6, k: 5, seed: 8, groups: 80},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Clustered(c.n, c.m, c.seed)
			for _, j := range c.existing {
				in.Sites[j].Status = Existing
			}
			for _, j := range c.forbidden {
				in.Sites[j].Status = Forbidden
			}
			for i := range in.Demand {
				if c.zeroEvery > 0 && i%c.zeroEvery == 0 {
					in.Demand[i].Weight = 0
				}
			}
			if err := BuildCosts(in, Euclidean, 0, c.k); err != nil {
				t.Fatal(err)
			}
			if in.Costs.Implicit != Euclidean {
				t.Fatalf("cut rows: Implicit = %q, want euclidean", in.Costs.Implicit)
			}
			opt := exhaustiveMedian(in, Euclidean, c.p)
			groups := pmGeoGroups
			if c.groups > 0 {
				groups = c.groups
			}
			res, err := solvePMedianGeoGroups(context.Background(), in, Params{Problem: PMedian, P: c.p, Seed: 1, TimeLimit: time.Second}, groups)
			if err != nil {
				t.Fatal(err)
			}
			if res.Bound > opt*(1+1e-9) {
				t.Errorf("bound %v above the optimum %v", res.Bound, opt)
			}
			if res.Objective < opt*(1-1e-9) {
				t.Errorf("objective %v below the optimum %v", res.Objective, opt)
			}
			checkGeoResult(t, in, res, c.p)
			t.Logf("optimum %.3f objective %.3f bound %.3f (proven gap %.3f%%, %.3f%% above optimum)",
				opt, res.Objective, res.Bound, res.Gap, GapPercent(res.Objective, opt))
		})
	}
}

// checkGeoResult checks that res opens p candidates, assigns every point to
// its nearest open site over all sites, and states its complete objective.
func checkGeoResult(t *testing.T, in *Instance, res *Result, p int) {
	t.Helper()
	if len(res.Sites) != p {
		t.Fatalf("%d sites, want %d", len(res.Sites), p)
	}
	open := make([]bool, len(in.Sites))
	for j, s := range in.Sites {
		open[j] = s.Status == Existing
	}
	for _, j := range res.Sites {
		if in.Sites[j].Status != Candidate {
			t.Fatalf("site %d opened but its status is %v", j, in.Sites[j].Status)
		}
		open[j] = true
	}
	step := max(1, len(in.Demand)/2000) // a sample on large instances
	for i := 0; i < len(in.Demand); i += step {
		d := in.Demand[i]
		a := res.Assign[i]
		if a < 0 || !open[a] {
			t.Fatalf("point %d assigned to %d, not an open site", i, a)
		}
		got := Euclidean.Distance(d.X, d.Y, in.Sites[a].X, in.Sites[a].Y)
		for j, s := range in.Sites {
			if open[j] && Euclidean.Distance(d.X, d.Y, s.X, s.Y) < got {
				t.Fatalf("point %d assigned at distance %v but site %d is nearer", i, got, j)
			}
		}
	}
	if step == 1 {
		if want := completeObjective(in, Euclidean, open); math.Abs(res.Objective-want) > 1e-9*want {
			t.Errorf("objective %v, complete objective of its sites %v", res.Objective, want)
		}
	}
	if res.Bound > res.Objective {
		t.Errorf("bound %v above objective %v", res.Bound, res.Objective)
	}
}

// TestPMedianGeoLarge solves a 60,000-point instance whose rows hold only
// the 20 nearest of 600 sites, so that with p = 6 most points have no open
// site in their row: Solve must serve every point at its true distance and
// prove a gap of at most 1 % for the complete problem (aggregated search,
// bound over all sites) within a minute, even on a loaded machine.
func TestPMedianGeoLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("a 60,000-point solve")
	}
	in := Clustered(60_000, 600, 5)
	if err := BuildCosts(in, Euclidean, 0, 20); err != nil {
		t.Fatal(err)
	}
	res, err := Solve(context.Background(), in, Params{Problem: PMedian, P: 6, Seed: 1, TimeLimit: 60 * time.Second, StopGap: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkGeoResult(t, in, res, 6)
	if res.Gap > 1 {
		t.Errorf("proven gap %.3f%%, want at most 1%%", res.Gap)
	}
	t.Logf("objective %.1f bound %.1f gap %.3f%% in %.1f s", res.Objective, res.Bound, res.Gap, res.Seconds)
}

// TestPMAggregate checks that aggregation keeps the total weight and the
// weighted centroid of the demand, maps every weighted point to a cell and
// no unweighted one, and lands near the requested number of cells.
func TestPMAggregate(t *testing.T) {
	in := Clustered(20_000, 10, 7)
	in.Demand[3].Weight = 0
	agg, groupOf := pmAggregate(in, 2_000)
	if len(agg.Demand) < 1_000 || len(agg.Demand) > 3_000 {
		t.Errorf("%d cells, want about 2,000", len(agg.Demand))
	}
	var w, x, y float64
	for i, d := range in.Demand {
		switch {
		case d.Weight == 0 && groupOf[i] != -1:
			t.Fatalf("unweighted point %d in cell %d", i, groupOf[i])
		case d.Weight > 0 && (groupOf[i] < 0 || int(groupOf[i]) >= len(agg.Demand)):
			t.Fatalf("point %d in cell %d", i, groupOf[i])
		}
		w += d.Weight
		x += d.Weight * d.X
		y += d.Weight * d.Y
	}
	var aw, ax, ay float64
	for _, d := range agg.Demand {
		aw += d.Weight
		ax += d.Weight * d.X
		ay += d.Weight * d.Y
	}
	if math.Abs(aw-w) > 1e-9*w || math.Abs(ax-x) > 1e-9*math.Abs(x) || math.Abs(ay-y) > 1e-9*math.Abs(y) {
		t.Errorf("weight %v / %v, moments (%v, %v) / (%v, %v)", aw, w, ax, ay, x, y)
	}
}

// TestPMGeoRefine starts the geometric p-median from a poor solution (the
// first p candidates) and checks that refine improves it, keeps its
// objective equal to the complete objective of its sites, and stops only
// at its fixed point: no site left with a better 1-median near it.
func TestPMGeoRefine(t *testing.T) {
	in := Clustered(4_000, 80, 9)
	if err := BuildCosts(in, Euclidean, 0, 5); err != nil {
		t.Fatal(err)
	}
	const p = 6
	g, err := newPMGeo(context.Background(), in, Params{Problem: PMedian, P: p, Seed: 1, TimeLimit: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	g.offer(g.cands[:p])
	before := g.best
	rounds := g.refine(g.deadline)
	if rounds == 0 || g.best >= before {
		t.Fatalf("%d rounds, objective %v from %v: want an improvement", rounds, g.best, before)
	}
	open := make([]bool, len(in.Sites))
	for _, j := range g.bestSites {
		open[j] = true
	}
	if want := completeObjective(in, Euclidean, open); math.Abs(g.best-want) > 1e-9*want {
		t.Errorf("objective %v, complete objective of its sites %v", g.best, want)
	}
	stopped := g.best
	if next := g.medians(g.deadline); next != nil && g.offer(next) {
		t.Errorf("refine stopped at %v, but another round improves it to %v", stopped, g.best)
	}
	t.Logf("%d rounds: %.1f -> %.1f (%.2f %% better)", rounds, before, stopped, 100*(before-stopped)/before)
}
