package locate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCFLPBenchmarks asserts that the known optima of sscflp-or p1..p12 and
// cpmp-sjc SJC1..SJC2 are reached and that every bound is valid.
func TestCFLPBenchmarks(t *testing.T) {
	var cases []cflpBenchCase
	cases = append(cases, cflpSSCFLPCases(t)[:12]...)
	cases = append(cases, cflpSJCCases(t)[:2]...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := cflpLoad(t, c)
			// Where the bound leaves a gap the search runs to the limit:
			// a few seconds, more for the capacitated p-median (SJC),
			// whose optimum takes some 1.2 s on an idle core.
			limit := 4 * time.Second
			if c.format == FormatLorena {
				limit = 15 * time.Second
			}
			res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: limit})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.Objective-c.optimum) > cflpOptTol(c.optimum) {
				t.Errorf("objective %.4f, want the optimum %.2f", res.Objective, c.optimum)
			}
			if res.Bound > res.Objective || res.Bound > c.optimum+cflpOptTol(c.optimum) {
				t.Errorf("bound %.4f above objective %.4f or optimum %.2f", res.Bound, res.Objective, c.optimum)
			}
			if err := cflpCheck(in, Params{Problem: CFLP}, res); err != nil {
				t.Error(err)
			}
			t.Logf("objective %.2f bound %.2f gap %.3f%% in %.2fs", res.Objective, res.Bound, res.Gap, res.Seconds)
		})
	}
}

// cflpCheck verifies res independently of the solver: every demand served
// over an arc by an open site, capacities, p, budget, the objective and the
// sites list.
func cflpCheck(in *Instance, params Params, res *Result) error {
	open := make([]bool, len(in.Sites))
	nNew, fixed := 0, 0.0
	for x, j := range res.Sites {
		if x > 0 && res.Sites[x-1] >= j {
			return fmt.Errorf("sites %v not ascending", res.Sites)
		}
		if in.Sites[j].Status != Candidate {
			return fmt.Errorf("site %d listed as new but is %v", j, in.Sites[j].Status)
		}
		open[j] = true
		nNew++
		fixed += in.Sites[j].FixedCost
	}
	for j, s := range in.Sites {
		if s.Status == Existing {
			open[j] = true
		}
	}
	p := params.P
	if p == 0 {
		p = in.P
	}
	if p > 0 && nNew != p {
		return fmt.Errorf("%d new sites, want p = %d", nNew, p)
	}
	if params.Budget > 0 && fixed > params.Budget*(1+1e-12) {
		return fmt.Errorf("fixed cost %v over the budget %v", fixed, params.Budget)
	}
	load := make([]float64, len(in.Sites))
	total := fixed
	for i, j := range res.Assign {
		if j < 0 || !open[j] {
			return fmt.Errorf("demand %d assigned to %d, not an open site", i, j)
		}
		sites, costs := in.Costs.Row(i)
		k := slices.Index(sites, j)
		if k < 0 {
			return fmt.Errorf("demand %d assigned to site %d without an arc", i, j)
		}
		total += costs[k]
		load[j] += in.Demand[i].Weight
	}
	for j, l := range load {
		if c := in.Sites[j].Capacity; c > 0 && l > c*(1+1e-9) {
			return fmt.Errorf("site %d load %v over capacity %v", j, l, c)
		}
	}
	if math.Abs(total-res.Objective) > 1e-6*(1+total) {
		return fmt.Errorf("objective %v, recomputed %v", res.Objective, total)
	}
	return nil
}

// cflpRandom makes a tiny random instance and request: random capacities
// (some sites unlimited), existing and forbidden sites, sparse rows, zero
// weights, fixed or free p, and a budget.
func cflpRandom(r *rand.Rand) (*Instance, Params) {
	n, m := 1+r.IntN(10), 1+r.IntN(6)
	in := &Instance{Name: "random"}
	total := 0.0
	for i := range n {
		w := float64(r.IntN(10))
		if r.IntN(8) == 0 {
			w = 0
		}
		total += w
		in.Demand = append(in.Demand, Demand{ID: fmt.Sprint("d", i), X: r.Float64() * 100, Y: r.Float64() * 100, Weight: w})
	}
	for j := range m {
		s := Site{ID: fmt.Sprint("s", j), X: r.Float64() * 100, Y: r.Float64() * 100}
		switch r.IntN(10) {
		case 0:
			s.Status = Existing
		case 1:
			s.Status = Forbidden
		}
		if r.IntN(5) > 0 {
			s.Capacity = 1 + float64(r.IntN(int(total)+5))
		}
		s.FixedCost = float64(r.IntN(60))
		in.Sites = append(in.Sites, s)
	}
	sparse := r.IntN(3) == 0
	in.Costs = Costs{Start: []int{0}}
	for _, d := range in.Demand {
		type arc struct {
			j int32
			c float64
		}
		var row []arc
		for j, s := range in.Sites {
			if sparse && r.IntN(3) == 0 {
				continue
			}
			c := math.Round(math.Hypot(d.X-s.X, d.Y-s.Y))
			row = append(row, arc{int32(j), c})
		}
		sort.Slice(row, func(a, b int) bool { return row[a].c < row[b].c || row[a].c == row[b].c && row[a].j < row[b].j })
		for _, a := range row {
			in.Costs.Site = append(in.Costs.Site, a.j)
			in.Costs.Cost = append(in.Costs.Cost, a.c)
		}
		in.Costs.Start = append(in.Costs.Start, len(in.Costs.Site))
	}
	params := Params{Problem: CFLP, Seed: r.Int64()}
	if r.IntN(2) == 0 {
		params.P = 1 + r.IntN(m)
	}
	if r.IntN(3) == 0 {
		params.Budget = float64(10 + r.IntN(100))
	}
	return in, params
}

// cflpBrute returns the optimum of a tiny instance by enumerating every
// assignment (pruned only by capacity and by the cost so far), or +Inf when
// there is no feasible solution.
func cflpBrute(in *Instance, params Params) float64 {
	n, m := len(in.Demand), len(in.Sites)
	cost := make([][]float64, n)
	for i := range n {
		cost[i] = make([]float64, m)
		for j := range m {
			cost[i][j] = math.Inf(1)
		}
		sites, costs := in.Costs.Row(i)
		for k, j := range sites {
			cost[i][j] = math.Min(cost[i][j], costs[k])
		}
	}
	load := make([]float64, m)
	used := make([]int, m)
	best := math.Inf(1)
	var rec func(i int, c float64)
	rec = func(i int, c float64) {
		if c >= best {
			return
		}
		if i == n {
			// Fixed costs of the used candidates, then with p fixed the
			// cheapest unused candidates make up the number.
			newCount, fixed := 0, 0.0
			var unused []float64
			for j, s := range in.Sites {
				if s.Status != Candidate {
					continue
				}
				if used[j] > 0 {
					newCount++
					fixed += s.FixedCost
				} else {
					unused = append(unused, s.FixedCost)
				}
			}
			if params.P > 0 {
				if newCount > params.P || params.P-newCount > len(unused) {
					return
				}
				sort.Float64s(unused)
				for _, f := range unused[:params.P-newCount] {
					fixed += f
				}
			}
			if params.Budget > 0 && fixed > params.Budget {
				return
			}
			best = math.Min(best, c+fixed)
			return
		}
		for j, s := range in.Sites {
			if s.Status == Forbidden || math.IsInf(cost[i][j], 1) {
				continue
			}
			w := in.Demand[i].Weight
			if s.Capacity > 0 && load[j]+w > s.Capacity {
				continue
			}
			load[j] += w
			used[j]++
			rec(i+1, c+cost[i][j])
			load[j] -= w
			used[j]--
		}
	}
	rec(0, 0)
	return best
}

// TestCFLPBrute compares the solver with brute force on tiny random
// instances: the bound never exceeds the optimum, the objective never goes
// below it, the heuristic alone finds it, and infeasible requests fail with
// ErrInfeasible.
func TestCFLPBrute(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	const count = 400
	feasible, infeasible := 0, 0
	for k := range count {
		in, params := cflpRandom(r)
		opt := cflpBrute(in, params)
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			res, err := Solve(context.Background(), in, params)
			if math.IsInf(opt, 1) {
				infeasible++
				if !errors.Is(err, ErrInfeasible) {
					t.Fatalf("infeasible instance: got %v, %v; want an error wrapping ErrInfeasible", res, err)
				}
				return
			}
			feasible++
			if err != nil {
				t.Fatalf("optimum %v: %v", opt, err)
			}
			tol := 1e-9 * (1 + opt)
			if math.Abs(res.Objective-opt) > tol {
				t.Errorf("objective %v, optimum %v", res.Objective, opt)
			}
			if res.Bound > opt+tol {
				t.Errorf("bound %v above the optimum %v", res.Bound, opt)
			}
			if err := cflpCheck(in, params, res); err != nil {
				t.Error(err)
			}
			// The heuristic phases alone (no exhaustive search).
			pr, err := newCFLPProblem(in, params)
			if err != nil {
				t.Fatal(err)
			}
			sv := newCFLPSolver(pr, params.Seed, &cflpClock{ctx: context.Background(), deadline: time.Now().Add(time.Minute)})
			sv.heuristics()
			if sv.best == nil || math.Abs(sv.bestObj-opt) > tol {
				t.Errorf("heuristic found %v, optimum %v", sv.bestObj, opt)
			}
			if sv.lb > opt+tol {
				t.Errorf("Lagrangian bound %v above the optimum %v", sv.lb, opt)
			}
		})
	}
	t.Logf("%d feasible, %d infeasible instances", feasible, infeasible)
	if feasible < count/4 || infeasible == 0 {
		t.Errorf("generator mix: %d feasible, %d infeasible", feasible, infeasible)
	}
}

// cflpSmall is a three-demand instance: site 0 existing, site 1 a
// candidate, site 2 forbidden (and the cheapest).
func cflpSmall() *Instance {
	return &Instance{
		Name:   "small",
		Demand: []Demand{{ID: "a", Weight: 2}, {ID: "b", Weight: 2}, {ID: "c", Weight: 3}},
		Sites: []Site{
			{ID: "old", Status: Existing, Capacity: 4, FixedCost: 1000},
			{ID: "new", FixedCost: 5, Capacity: 5},
			{ID: "no", Status: Forbidden},
		},
		Costs: Costs{
			Start: []int{0, 3, 6, 8},
			Site:  []int32{2, 0, 1, 2, 1, 0, 1, 0},
			Cost:  []float64{0, 1, 9, 0, 2, 8, 1, 1},
		},
	}
}

func TestCFLPSmall(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		obj    float64
		sites  []int
	}{
		// a to the existing site 0, b and c to site 1 (load 5 of 5), never
		// to the forbidden site 2 although it is the cheapest.
		{"free p", Params{Problem: CFLP}, 1 + 2 + 1 + 5, []int{1}},
		{"p = 1", Params{Problem: CFLP, P: 1}, 9, []int{1}},
		{"budget allows site 1", Params{Problem: CFLP, Budget: 5}, 9, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := cflpSmall()
			res, err := Solve(context.Background(), in, tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if err := cflpCheck(in, tt.params, res); err != nil {
				t.Error(err)
			}
			if res.Objective != tt.obj || !slices.Equal(res.Sites, tt.sites) {
				t.Errorf("objective %v sites %v, want %v %v", res.Objective, res.Sites, tt.obj, tt.sites)
			}
			if res.Bound != res.Objective || res.Gap != 0 {
				t.Errorf("bound %v gap %v: a tiny instance should be proven", res.Bound, res.Gap)
			}
			if res.Problem != CFLP || res.Seconds <= 0 {
				t.Errorf("problem %q seconds %v", res.Problem, res.Seconds)
			}
		})
	}
}

func TestCFLPErrors(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(in *Instance, p *Params)
		infeasible bool
		want       string
	}{
		{"negative p", func(in *Instance, p *Params) { p.P = -1 }, false, "must not be negative"},
		{"negative budget", func(in *Instance, p *Params) { p.Budget = -1 }, false, "budget"},
		{"negative capacity", func(in *Instance, p *Params) { in.Sites[1].Capacity = -1 }, false, `site "new": capacity`},
		{"p above candidates", func(in *Instance, p *Params) { p.P = 2 }, true, "only 1 candidate"},
		{"unreachable demand", func(in *Instance, p *Params) { in.Costs.Site[6], in.Costs.Site[7] = 2, 2 }, true, `demand "c" reaches no site`},
		{"budget forbids site 1", func(in *Instance, p *Params) { p.Budget = 4 }, true, "no assignment fits"},
		{"too heavy demand", func(in *Instance, p *Params) { in.Demand[2].Weight = 6 }, true, `demand "c" (weight 6) fits no`},
		{"too little capacity", func(in *Instance, p *Params) { in.Sites[1].Capacity = 2 }, true, "exceeds the capacity"},
		{"budget below the p cheapest", func(in *Instance, p *Params) { p.P, p.Budget = 1, 4 }, true, "over the budget"},
		{"bin packing", func(in *Instance, p *Params) { in.Demand[0].Weight = 3; in.Sites[1].Capacity = 4 }, true, "no assignment fits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, params := cflpSmall(), Params{Problem: CFLP}
			tt.edit(in, &params)
			res, err := Solve(context.Background(), in, params)
			if err == nil {
				t.Fatalf("no error, result %+v", res)
			}
			if errors.Is(err, ErrInfeasible) != tt.infeasible || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q: want infeasible %v and %q", err, tt.infeasible, tt.want)
			}
		})
	}
}

func TestCFLPDeterministic(t *testing.T) {
	c := cflpSJCCases(t)[0]
	in := cflpLoad(t, c)
	// The stopping gap ends the search before the limit, so the runs
	// must agree.
	params := Params{Problem: CFLP, Seed: 42, TimeLimit: 5 * time.Minute, StopGap: 1}
	a, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	if a.Objective != b.Objective || a.Bound != b.Bound || a.Iterations != b.Iterations ||
		!slices.Equal(a.Sites, b.Sites) || !slices.Equal(a.Assign, b.Assign) {
		t.Errorf("two runs with one seed differ: %v/%v/%d vs %v/%v/%d", a.Objective, a.Bound, a.Iterations, b.Objective, b.Bound, b.Iterations)
	}
}

func TestCFLPStops(t *testing.T) {
	c := cflpSSCFLPCases(t)[24] // p25: 100 x 1000
	in := cflpLoad(t, c)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, in, Params{Problem: CFLP}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before the start: error %v, want context.Canceled", err)
	}
	for _, tt := range []struct {
		name   string
		cancel time.Duration
		limit  time.Duration
	}{
		{"time limit", 0, 1500 * time.Millisecond},
		{"cancel", 1500 * time.Millisecond, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.cancel)
				defer cancel()
			}
			start := time.Now()
			res, err := Solve(ctx, in, Params{Problem: CFLP, TimeLimit: tt.limit})
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %v", d)
			}
			if err := cflpCheck(in, Params{Problem: CFLP}, res); err != nil {
				t.Error(err)
			}
			if res.Bound > res.Objective || res.Objective < c.optimum-cflpOptTol(c.optimum) {
				t.Errorf("objective %v bound %v", res.Objective, res.Bound)
			}
		})
	}
}

// cflpTestSolver returns a solver of in (seed 1) with a clock an hour away
// that runs every local search deep, as the schedule for large instances
// does.
func cflpTestSolver(tb testing.TB, in *Instance) *cflpSolver {
	tb.Helper()
	pr, err := newCFLPProblem(in, Params{Problem: CFLP, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	sv := newCFLPSolver(pr, 1, &cflpClock{ctx: context.Background(), deadline: time.Now().Add(time.Hour)})
	sv.alwaysDeep = true
	return sv
}

// greedyTestSolver is cflpTestSolver with its greedy start made (p fixed).
func greedyTestSolver(tb testing.TB, in *Instance) *cflpSolver {
	tb.Helper()
	sv := cflpTestSolver(tb, in)
	sv.greedyStart()
	if sv.best == nil {
		tb.Fatalf("%s: no greedy solution", in.Name)
	}
	return sv
}
