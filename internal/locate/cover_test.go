package locate

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// coverRandomInstance draws a tiny covering instance: a few demand points
// and sites on a 10 x 10 square with integer or fractional weights, some
// per-demand radii, some existing and forbidden sites and fixed costs.
func coverRandomInstance(t *testing.T, rng *rand.Rand) *Instance {
	t.Helper()
	nd, ns := 1+rng.IntN(14), 1+rng.IntN(9)
	fractional := rng.IntN(3) == 0
	in := &Instance{Name: "random", Radius: 1 + 4*rng.Float64()}
	for i := range nd {
		w := float64(rng.IntN(10))
		if fractional {
			w = math.Round(rng.Float64()*1000) / 100
		}
		d := Demand{ID: "d" + string(rune('a'+i)), X: 10 * rng.Float64(), Y: 10 * rng.Float64(), Weight: w}
		if rng.IntN(4) == 0 {
			d.Radius = 1 + 4*rng.Float64()
		}
		in.Demand = append(in.Demand, d)
	}
	for j := range ns {
		s := Site{ID: "s" + string(rune('a'+j)), X: 10 * rng.Float64(), Y: 10 * rng.Float64(), FixedCost: float64(rng.IntN(5))}
		switch rng.IntN(8) {
		case 0:
			s.Status = Existing
		case 1:
			s.Status = Forbidden
		}
		in.Sites = append(in.Sites, s)
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		t.Fatal(err)
	}
	return in
}

// coverBrute enumerates every set of candidate sites and reports, for each
// set, its size, fixed cost and covered weight (existing sites always open).
func coverBrute(in *Instance, r float64, visit func(mask uint, k int, cost, covered float64)) {
	var cand []int
	for j, s := range in.Sites {
		if s.Status == Candidate {
			cand = append(cand, j)
		}
	}
	for mask := uint(0); mask < 1<<len(cand); mask++ {
		open := make([]bool, len(in.Sites))
		cost := 0.0
		for b, j := range cand {
			if mask&(1<<b) != 0 {
				open[j] = true
				cost += in.Sites[j].FixedCost
			}
		}
		for j, s := range in.Sites {
			if s.Status == Existing {
				open[j] = true
			}
		}
		covered := 0.0
		for i := range in.Demand {
			d := &in.Demand[i]
			sites, costs := in.Costs.Row(i)
			for k, s := range sites {
				if open[s] && covers(costs[k], coverRadius(d, r)) {
					covered += d.Weight
					break
				}
			}
		}
		visit(mask, bits.OnesCount(mask), cost, covered)
	}
}

func coverCandidates(in *Instance) int {
	n := 0
	for _, s := range in.Sites {
		if s.Status == Candidate {
			n++
		}
	}
	return n
}

// checkCoverResult checks what every covering result must satisfy: sites
// are candidates, assignments point at open sites within radius, and
// Covered is the weight of assigned demand.
func checkCoverResult(t *testing.T, in *Instance, r float64, res *Result) {
	t.Helper()
	open := map[int]bool{}
	for _, j := range res.Sites {
		if in.Sites[j].Status != Candidate {
			t.Fatalf("opened site %d has status %v", j, in.Sites[j].Status)
		}
		open[j] = true
	}
	if !slices.IsSorted(res.Sites) {
		t.Fatalf("sites %v not ascending", res.Sites)
	}
	covered := 0.0
	for i, a := range res.Assign {
		if a < 0 {
			continue
		}
		if !open[int(a)] && in.Sites[a].Status != Existing {
			t.Fatalf("demand %d assigned to closed site %d", i, a)
		}
		covered += in.Demand[i].Weight
	}
	if math.Abs(covered-res.Covered) > 1e-9*math.Max(1, covered) {
		t.Fatalf("Covered %v, assigned weight %v", res.Covered, covered)
	}
}

func TestMCLPMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 400 {
		in := coverRandomInstance(t, rng)
		nc := coverCandidates(in)
		p := rng.IntN(nc + 1)
		budget := 0.0
		if rng.IntN(3) == 0 {
			budget = float64(1 + rng.IntN(8))
		}
		opt := 0.0
		coverBrute(in, in.Radius, func(_ uint, k int, cost, covered float64) {
			if k <= p && (budget <= 0 || cost <= budget) {
				opt = max(opt, covered)
			}
		})
		res, err := Solve(context.Background(), in, Params{Problem: MCLP, P: p, Budget: budget, Seed: int64(trial), TimeLimit: 5 * time.Second})
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		checkCoverResult(t, in, in.Radius, res)
		tol := 1e-9 * math.Max(1, opt)
		if math.Abs(res.Objective-opt) > tol {
			t.Errorf("trial %d (p=%d budget=%v): objective %v, optimum %v", trial, p, budget, res.Objective, opt)
		}
		if res.Bound < opt-tol {
			t.Errorf("trial %d: bound %v below optimum %v", trial, res.Bound, opt)
		}
		if len(res.Sites) > p {
			t.Errorf("trial %d: %d sites opened, p = %d", trial, len(res.Sites), p)
		}
		spent := 0.0
		for _, j := range res.Sites {
			spent += in.Sites[j].FixedCost
		}
		if budget > 0 && spent > budget+1e-9 {
			t.Errorf("trial %d: spent %v over budget %v", trial, spent, budget)
		}
	}
}

func TestLSCPMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 400 {
		in := coverRandomInstance(t, rng)
		share := 1.0
		if rng.IntN(2) == 0 {
			share = 0.3 + 0.7*rng.Float64()
		}
		total := 0.0
		for _, d := range in.Demand {
			total += d.Weight
		}
		best, bestCost := -1, 0.0
		coverBrute(in, in.Radius, func(_ uint, k int, cost, covered float64) {
			if covered < share*total-1e-9*math.Max(1, total) {
				return
			}
			if best < 0 || k < best || (k == best && cost < bestCost) {
				best, bestCost = k, cost
			}
		})
		res, err := Solve(context.Background(), in, Params{Problem: LSCP, CoverageTarget: share, Seed: int64(trial), TimeLimit: 5 * time.Second})
		if best < 0 {
			if err == nil || !strings.Contains(err.Error(), "unreachable") {
				t.Errorf("trial %d: target %v unreachable, got %v, %v", trial, share, res, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		checkCoverResult(t, in, in.Radius, res)
		if int(res.Objective) != best || len(res.Sites) != best {
			t.Errorf("trial %d (target %v): %v sites (%d listed), optimum %d", trial, share, res.Objective, len(res.Sites), best)
		}
		if res.Bound > float64(best) {
			t.Errorf("trial %d: bound %v above optimum %d", trial, res.Bound, best)
		}
		if res.Covered < share*total-1e-9*math.Max(1, total) {
			t.Errorf("trial %d: covered %v below target %v", trial, res.Covered, share*total)
		}
		cost := 0.0
		for _, j := range res.Sites {
			cost += in.Sites[j].FixedCost
		}
		if cost > bestCost+1e-9 {
			t.Errorf("trial %d: fixed cost %v, cheapest with %d sites %v", trial, cost, best, bestCost)
		}
	}
}

func TestCoverDeterministic(t *testing.T) {
	in := Clustered(3000, 300, 7)
	if err := BuildCosts(in, Euclidean, 6, 0); err != nil {
		t.Fatal(err)
	}
	for _, prob := range []Problem{MCLP, LSCP} {
		params := Params{Problem: prob, P: 8, Radius: 6, CoverageTarget: 0.6, Seed: 42, TimeLimit: time.Minute}
		a, err := Solve(context.Background(), in, params)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Solve(context.Background(), in, params)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Sites, b.Sites) || a.Objective != b.Objective || a.Bound != b.Bound {
			t.Errorf("%s: two runs with one seed differ: %v/%v %v vs %v/%v %v", prob, a.Objective, a.Bound, a.Sites, b.Objective, b.Bound, b.Sites)
		}
		if prob == MCLP && a.Bound < a.Objective {
			t.Errorf("bound %v below objective %v", a.Bound, a.Objective)
		}
	}
}

func TestCoverErrors(t *testing.T) {
	in := &Instance{
		Demand: []Demand{{ID: "a", Weight: 1}, {ID: "b", X: 10, Weight: 3}},
		Sites:  []Site{{ID: "s", Status: Candidate}, {ID: "t", X: 1, Status: Forbidden}},
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		params Params
		want   string
	}{
		{Params{Problem: MCLP, P: 2, Radius: 1}, "exceeds the 1 candidate"},
		{Params{Problem: MCLP, P: -1, Radius: 1}, "negative"},
		{Params{Problem: MCLP, P: 1}, "no covering radius"},
		{Params{Problem: LSCP, Radius: 1}, "unreachable: all candidate and existing sites together cover 25%"},
		{Params{Problem: LSCP, Radius: 1, CoverageTarget: 1.5}, "must lie in"},
	} {
		_, err := Solve(context.Background(), in, c.params)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to contain %q", c.params, err, c.want)
		}
	}
	// A reachable partial target and MCLP with the forbidden site ignored.
	res, err := Solve(context.Background(), in, Params{Problem: LSCP, Radius: 1, CoverageTarget: 0.25})
	if err != nil || res.Objective != 1 || res.Bound != 1 {
		t.Errorf("lscp 25%%: %+v, %v", res, err)
	}
	res, err = Solve(context.Background(), in, Params{Problem: MCLP, P: 1, Radius: 1})
	if err != nil || res.Objective != 1 || res.Covered != 1 || res.Assign[1] != -1 {
		t.Errorf("mclp: %+v, %v", res, err)
	}
}

func TestMCLPCancelled(t *testing.T) {
	in := Clustered(2000, 200, 3)
	if err := BuildCosts(in, Euclidean, 5, 0); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Solve(ctx, in, Params{Problem: MCLP, P: 10, Radius: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bound < res.Objective || res.Objective <= 0 {
		t.Errorf("cancelled solve: objective %v bound %v", res.Objective, res.Bound)
	}
}
