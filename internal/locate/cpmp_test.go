package locate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// cpmpTiny makes a tiny capacitated p-median instance: n points, each a
// customer of integer demand 1..20 and a candidate median of capacity Q,
// p medians holding ratio times the total demand.
func cpmpTiny(r *rand.Rand, n, p int, ratio float64) *Instance {
	in := &Instance{Name: fmt.Sprintf("cpmp-tiny-%d-%d", n, p), P: p}
	total := 0.0
	for i := range n {
		q := float64(1 + r.IntN(20))
		total += q
		x, y := r.Float64()*100, r.Float64()*100
		in.Demand = append(in.Demand, Demand{ID: fmt.Sprint(i), X: x, Y: y, Weight: q})
		in.Sites = append(in.Sites, Site{ID: fmt.Sprint(i), X: x, Y: y})
	}
	// At least the heaviest demand, so that every customer fits somewhere.
	capa := math.Ceil(ratio * total / float64(p))
	for _, d := range in.Demand {
		capa = math.Max(capa, d.Weight)
	}
	for j := range in.Sites {
		in.Sites[j].Capacity = capa
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		panic(err)
	}
	return in
}

// cpmpBrute returns the optimum of a tiny capacitated p-median by
// enumerating every set of p medians and every single-source assignment to
// it (pruned by capacity and cost), or +Inf when none is feasible.
func cpmpBrute(in *Instance) float64 {
	n, p := len(in.Demand), in.P
	cost := make([][]float64, n)
	for i := range n {
		cost[i] = make([]float64, n)
		sites, costs := in.Costs.Row(i)
		for k, j := range sites {
			cost[i][j] = costs[k]
		}
	}
	best := math.Inf(1)
	set := make([]int, 0, p)
	load := make([]float64, n)
	var assign func(i int, c float64)
	assign = func(i int, c float64) {
		if c >= best {
			return
		}
		if i == n {
			best = c
			return
		}
		for _, j := range set {
			if w := in.Demand[i].Weight; load[j]+w <= in.Sites[j].Capacity {
				load[j] += w
				assign(i+1, c+cost[i][j])
				load[j] -= w
			}
		}
	}
	var choose func(from int)
	choose = func(from int) {
		if len(set) == p {
			assign(0, 0)
			return
		}
		for j := from; j < n; j++ {
			set = append(set, j)
			choose(j + 1)
			set = set[:len(set)-1]
		}
	}
	choose(0)
	return best
}

// TestCPMPBoundBrute checks the Lagrangian bound of the capacitated
// p-median against exhaustive enumeration on tiny instances, tight and
// loose: the bound never exceeds the optimum, the solver finds the
// optimum, and the schedule for large instances (run here on tiny ones)
// keeps a valid bound and a feasible solution no better than the optimum.
func TestCPMPBoundBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(3038, 600))
	open := 0 // instances where the Lagrangian bound alone leaves a gap
	for k := range 60 {
		n := 6 + r.IntN(4)
		p := 2 + r.IntN(2)
		ratio := 1.05 + 0.3*r.Float64()
		in := cpmpTiny(r, n, p, ratio)
		opt := cpmpBrute(in)
		if math.IsInf(opt, 1) {
			continue // packing impossible for this draw
		}
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			tol := 1e-9 * (1 + opt)
			res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: int64(k), TimeLimit: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Objective-opt) > tol || res.Bound > opt+tol {
				t.Errorf("objective %v bound %v, optimum %v", res.Objective, res.Bound, opt)
			}
			pr, err := newCFLPProblem(in, Params{Problem: CFLP})
			if err != nil {
				t.Fatal(err)
			}
			sv := newCFLPSolver(pr, 1, &cflpClock{ctx: context.Background(), deadline: time.Now().Add(300 * time.Millisecond)})
			sv.runLarge()
			if sv.lb > opt+tol {
				t.Errorf("Lagrangian bound %v above the optimum %v", sv.lb, opt)
			}
			if sv.lb < opt-tol {
				open++
			}
			if sv.best == nil || sv.bestObj < opt-tol || !sv.best.feasible() {
				t.Errorf("large schedule: best %v (feasible solution expected, optimum %v)", sv.bestObj, opt)
			}
		})
	}
	t.Logf("%d instances where the Lagrangian bound stays below the optimum", open)
}

// TestCFLPFlow checks the transportation assignment on tiny instances: the
// flow serves every customer's whole weight within the capacities, costs
// no more than the single-source optimum for the same sites, and equals
// each customer's cheapest open site when capacities do not bind.
func TestCFLPFlow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	for k := range 40 {
		in := cpmpTiny(r, 5+r.IntN(5), 2+r.IntN(2), 1.1+0.4*r.Float64())
		pr, err := newCFLPProblem(in, Params{Problem: CFLP})
		if err != nil {
			t.Fatal(err)
		}
		open := make([]bool, pr.m)
		for _, j := range r.Perm(pr.m)[:in.P] {
			open[j] = true
		}
		single := cflpBrute(cpmpRestrict(in, open), Params{Problem: CFLP})
		f := newCFLPFlow(pr)
		if !f.solve(open) {
			if !math.IsInf(single, 1) {
				t.Errorf("%d: flow found no assignment; single source costs %v", k, single)
			}
			continue
		}
		sent := make([]float64, pr.n)
		for a, x := range f.flow {
			if x < 0 || !open[f.site[a]] {
				t.Fatalf("%d: arc %d flow %v to site %d (open %v)", k, a, x, f.site[a], open[f.site[a]])
			}
			sent[f.cust[a]] += x
		}
		for i, s := range sent {
			if math.Abs(s-pr.q[i]) > 1e-6 {
				t.Errorf("%d: customer %d sends %v of %v", k, i, s, pr.q[i])
			}
		}
		for j, l := range f.load {
			if l > pr.capa[j]*(1+1e-9) {
				t.Errorf("%d: site %d load %v over %v", k, j, l, pr.capa[j])
			}
		}
		if v := f.value(); v > single+1e-6*(1+single) {
			t.Errorf("%d: transportation cost %v above the single-source optimum %v", k, v, single)
		}
		// Without binding capacities: each customer at its cheapest open site.
		big := make([]float64, pr.m)
		copy(big, pr.capa)
		for j := range pr.capa {
			pr.capa[j], pr.limit[j] = pr.totalQ, pr.totalQ*(1+1e-9)
		}
		near := 0.0
		for i := range pr.n {
			for a := pr.rStart[i]; a < pr.rStart[i+1]; a++ {
				if open[pr.rSite[a]] {
					near += pr.rCost[a]
					break
				}
			}
		}
		if !f.solve(open) || math.Abs(f.value()-near) > 1e-6*(1+near) {
			t.Errorf("%d: uncapacitated transportation cost %v, want %v", k, f.value(), near)
		}
		copy(pr.capa, big)
	}
}

// cpmpRestrict returns a copy of in whose closed sites are forbidden and
// whose open ones are existing (always open, not counted in p).
func cpmpRestrict(in *Instance, open []bool) *Instance {
	out := *in
	out.P = 0
	out.Sites = append([]Site(nil), in.Sites...)
	for j := range out.Sites {
		out.Sites[j].Status = Forbidden
		if open[j] {
			out.Sites[j].Status = Existing
		}
	}
	return &out
}

// TestCPMPSJC solves the larger cpmp-sjc instances (n = 300 and 402; SJC1
// and SJC2 are in TestCFLPBenchmarks) and asserts solutions within 1 % of
// the proven optimum and a bound never above it. Like the other benchmark
// tests it skips when ../shared/benchmarks is missing and fails then in CI.
func TestCPMPSJC(t *testing.T) {
	for _, c := range cflpSJCCases(t)[2:] {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := cflpLoad(t, c)
			res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := cflpCheck(in, Params{Problem: CFLP}, res); err != nil {
				t.Fatal(err)
			}
			gap := 100 * (res.Objective - c.optimum) / c.optimum
			if gap > 1 || res.Objective < c.optimum-cflpOptTol(c.optimum) {
				t.Errorf("objective %.2f is %.3f %% from the optimum %.2f, want within 1 %%", res.Objective, gap, c.optimum)
			}
			if res.Bound > res.Objective || res.Bound > c.optimum+cflpOptTol(c.optimum) {
				t.Errorf("bound %.2f above objective %.2f or optimum %.2f", res.Bound, res.Objective, c.optimum)
			}
			t.Logf("objective %.2f (%.3f %% above the optimum) bound %.2f gap %.3f %% in %.1f s", res.Objective, gap, res.Bound, res.Gap, res.Seconds)
		})
	}
}

// TestCPMPLarge runs the schedule for large instances through Solve on a
// generated instance of 1,600 points and 320 medians for 8 seconds:
// the solution is feasible, the bound positive and valid for it, the
// search improves on the greedy start, and the proven gap stays below
// cpmpLargeGap (measured 9.4-10.1 % on a loaded 2-core machine; the
// schedule before cluster moves and ruin-and-recreate reached 13.5 %).
func TestCPMPLarge(t *testing.T) {
	in := cpmpGenerated(t, 1600, 320, 1.2, 7)
	// The gap asked for is reached in about 8 s of one core; the limit
	// leaves room for a loaded machine, and StopGap ends the search as
	// soon as it is reached, so the test asserts quality, not speed.
	params := Params{Problem: CFLP, Seed: 1, TimeLimit: 40 * time.Second, StopGap: cpmpLargeGap}
	res, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	if err := cflpCheck(in, params, res); err != nil {
		t.Fatal(err)
	}
	if !(res.Bound > 0) || res.Bound > res.Objective {
		t.Errorf("bound %v, objective %v: want 0 < bound <= objective", res.Bound, res.Objective)
	}
	if res.Gap > cpmpLargeGap {
		t.Errorf("proven gap %.2f %%, want at most %v %%", res.Gap, cpmpLargeGap)
	}
	// Stopping at StopGap is no proof of optimality: the bound stays the
	// Lagrangian's (this instance's gap does not close in the time).
	if res.Gap < 1 {
		t.Errorf("proven gap %.2f %% after stopping at StopGap %v %%: the bound claims more than was proven", res.Gap, cpmpLargeGap)
	}
	pr, err := newCFLPProblem(in, params)
	if err != nil {
		t.Fatal(err)
	}
	sv := newCFLPSolver(pr, 1, &cflpClock{ctx: context.Background(), deadline: time.Now().Add(time.Minute)})
	sv.greedyStart()
	if sv.best == nil || res.Objective >= sv.bestObj {
		t.Errorf("objective %v, greedy start %v: want an improvement", res.Objective, sv.bestObj)
	}
	t.Logf("objective %.2f bound %.2f gap %.2f %% (greedy %.2f) in %.1f s", res.Objective, res.Bound, res.Gap, sv.bestObj, res.Seconds)
}

// cpmpLargeGap is the proven gap, in %, TestCPMPLarge allows.
const cpmpLargeGap = 12.5

// BenchmarkCPMPLarge solves a generated p3038-like instance (n = 3000,
// p = 800) with a 10 s limit per solve and reports the objective and the
// proven gap; time is only reported.
func BenchmarkCPMPLarge(b *testing.B) {
	in := cpmpGenerated(b, 3000, 800, 1.2, 1)
	for b.Loop() {
		res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res.Objective, "objective")
		b.ReportMetric(res.Gap, "gap%")
	}
}

// TestCFLPRadix checks the radix sort of arcs against the comparison sort:
// same order (cost, then index) on random costs with ties, zeros of both
// signs and negative values.
func TestCFLPRadix(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var rs cflpRadix
	for k := range 50 {
		n := 64 + r.IntN(500)
		arcs := make([]cflpArc, n)
		for i := range arcs {
			c := float64(r.IntN(40)) * 0.25
			switch r.IntN(6) {
			case 0:
				c = -c
			case 1:
				c = math.Copysign(0, -1)
			case 2:
				c = r.NormFloat64() * 1e6
			}
			arcs[i] = cflpArc{int32(i), c}
		}
		want := append([]cflpArc(nil), arcs...)
		slices.SortFunc(want, cflpArc.byCost)
		got := rs.sort(arcs)
		for i := range want {
			if got[i].j != want[i].j || got[i].c != want[i].c {
				t.Fatalf("case %d: position %d holds %v, want %v", k, i, got[i], want[i])
			}
		}
	}
}
