package locate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// partsBrute returns the least cost of the pooled customers on nSet of
// the sites of sv.parts (every set, every assignment within the
// capacities), +Inf when none fits.
func partsBrute(sv *cflpSolver, nSet int) float64 {
	pr, pt := sv.pr, &sv.parts
	k, m := len(pt.pool), len(pt.sites)
	best := math.Inf(1)
	set := make([]int, nSet)
	load := make([]float64, nSet)
	var assign func(x int, cost float64)
	assign = func(x int, cost float64) {
		if x == k {
			best = math.Min(best, cost)
			return
		}
		i := pt.pool[x]
		for y, c := range set {
			if load[y]+pr.q[i] <= pr.limit[pt.sites[c]] {
				load[y] += pr.q[i]
				assign(x+1, cost+pt.cost[c*k+x])
				load[y] -= pr.q[i]
			}
		}
	}
	var choose func(d, from int)
	choose = func(d, from int) {
		if d == nSet {
			fixed := 0.0
			for _, c := range set {
				fixed += pr.fixed[pt.sites[c]]
			}
			assign(0, fixed)
			return
		}
		for c := from; c < m; c++ {
			set[d] = c
			choose(d+1, c+1)
		}
	}
	choose(0, 0)
	return best
}

// TestPartsExact checks the exact re-solve of neighbouring parts against
// enumeration: on small random capacitated p-medians, around every open
// site, with one site fewer, as many and one more than there are parts,
// solveParts finds the least cost of every set and assignment of the
// sites it tries.
func TestPartsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	checked := 0
	for trial := range 8 {
		in := cpmpTiny(r, 11, 4, 1.1+0.1*float64(trial%3))
		sv := cflpTestSolver(t, in)
		sv.greedyStart()
		if sv.best == nil {
			continue
		}
		s := sv.best
		for j := range sv.pr.m {
			if !s.open[j] || !sv.partNeighbours(s, j) {
				continue
			}
			parts := len(sv.parts.parts)
			for nSet := parts - 1; nSet <= parts+1; nSet++ {
				sv.poolParts(s)
				got := sv.solveParts(nSet, math.Inf(1))
				want := partsBrute(sv, nSet)
				if got != want && math.Abs(got-want) > 1e-9*(1+want) {
					t.Errorf("trial %d, site %d, %d parts on %d sites: solveParts %v, enumeration %v", trial, j, parts, nSet, got, want)
				}
				checked++
			}
		}
	}
	t.Logf("%d re-solves checked", checked)
	if checked < 30 {
		t.Fatalf("only %d re-solves checked", checked)
	}
}

// TestTransferRegions builds two regions far apart, each of three tight
// groups of three customers 100 units from each other; the medians start
// two in the first region and four in the second, so a group of the first
// travels to a neighbouring group. The optimum has one median per group
// (at the group's 1-median); only moving a site from one region to the
// other reaches it, which no re-solve of the same number of sites does.
// polish must find it.
func TestTransferRegions(t *testing.T) {
	in := &Instance{Name: "two-regions", P: 6}
	want := 0.0
	for g := range 6 {
		x0 := float64(g%3)*100 + float64(g/3)*10000
		pts := [][2]float64{{x0 - 1, 0}, {x0 + 1.5, 0}, {x0, 2}}
		for _, pt := range pts {
			id := fmt.Sprint(len(in.Demand))
			in.Demand = append(in.Demand, Demand{ID: id, X: pt[0], Y: pt[1], Weight: 10})
			in.Sites = append(in.Sites, Site{ID: id, X: pt[0], Y: pt[1], Capacity: 50})
		}
		best := math.Inf(1)
		for _, m := range pts {
			c := 0.0
			for _, pt := range pts {
				c += math.Hypot(pt[0]-m[0], pt[1]-m[1])
			}
			best = math.Min(best, c)
		}
		want += best
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		t.Fatal(err)
	}
	sv := cflpTestSolver(t, in)
	s := newCFLPSol(sv.pr)
	// Region one: medians at customers 0 (group 0) and 6 (group 2); group
	// 1 (3, 4, 5) splits two to one. Region two: groups 3 and 4 each get
	// two medians (9, 10 and 12, 13), group 5 goes to 13.
	for _, j := range []int{0, 6, 9, 10, 12, 13} {
		s.openSite(j)
	}
	for i, j := range []int{0, 0, 0, 0, 0, 6, 6, 6, 6, 9, 10, 10, 12, 13, 13, 13, 13, 13} {
		s.place(i, j)
	}
	if !s.feasible() {
		t.Fatal("the start is not feasible")
	}
	start := s.recompute()
	sv.polish(s)
	got := s.recompute()
	if !s.feasible() || s.nNew != in.P {
		t.Fatalf("after polish: feasible %v with %d medians, want p = %d", s.feasible(), s.nNew, in.P)
	}
	if math.Abs(got-want) > 1e-9*want {
		t.Errorf("polish ended at %.4f (from %.4f), the optimum is %.4f", got, start, want)
	}
}

// TestPolishKeepsFeasible runs transfers and part moves on the greedy
// solutions of generated capacitated p-medians: every solution stays
// feasible with p medians, its kept cost matches its assignment, and the
// cost never rises.
func TestPolishKeepsFeasible(t *testing.T) {
	for seed := range int64(3) {
		in := cpmpGenerated(t, 400, 80, 1.2, seed+1)
		sv := greedyTestSolver(t, in)
		s := newCFLPSol(sv.pr)
		s.copyFrom(sv.best)
		before := s.total()
		moves := sv.transferSearch(s) + sv.partSearch(s)
		obj := s.total()
		if got := s.recompute(); math.Abs(got-obj) > 1e-6*(1+obj) {
			t.Errorf("seed %d: kept cost %v, recomputed %v", seed, obj, got)
		}
		if !s.feasible() || s.nNew != in.P {
			t.Errorf("seed %d: feasible %v with %d medians, want p = %d", seed, s.feasible(), s.nNew, in.P)
		}
		if obj > before+1e-9*before || moves > 0 && obj >= before {
			t.Errorf("seed %d: %d moves took the cost from %.2f to %.2f", seed, moves, before, obj)
		}
		t.Logf("seed %d: %d moves, %.2f -> %.2f", seed, moves, before, obj)
	}
}

// BenchmarkPolish times transfers and part moves (polish) on the greedy
// solution of a generated capacitated p-median (n = 3000, p = 600) and
// reports how far below the greedy cost it ends (gain_%) and how many
// moves it made.
func BenchmarkPolish(b *testing.B) {
	sv := greedyTestSolver(b, cpmpGenerated(b, 3000, 600, 1.2, 1))
	s := newCFLPSol(sv.pr)
	moves := 0
	b.ResetTimer()
	for range b.N {
		s.copyFrom(sv.best)
		for {
			m := sv.transferSearch(s) + sv.partSearch(s)
			if m == 0 {
				break
			}
			moves += m
		}
	}
	b.StopTimer()
	b.ReportMetric(100*(sv.bestObj-s.total())/sv.bestObj, "gain_%")
	b.ReportMetric(float64(moves)/float64(b.N), "moves/op")
}
