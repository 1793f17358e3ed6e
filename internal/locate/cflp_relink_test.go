package locate

import (
	"math"
	"testing"
)

// TestCPMPRelink builds, on three generated capacitated p-medians, two
// solutions by separate ruin-and-recreate searches and joins them by paths
// in both directions: every solution on a path must be feasible with
// exactly p medians and a cost that matches its assignment, and on at
// least one instance the best of the paths must beat both ends. (On any
// one instance a path may find nothing better than its ends, so one
// instance alone would pass or fail with the search's trajectory.)
func TestCPMPRelink(t *testing.T) {
	beat := 0
	for seed := int64(1); seed <= 3; seed++ {
		best, ends := cpmpRelinkPaths(t, cpmpGenerated(t, 600, 150, 1.2, seed))
		t.Logf("seed %d: better end %.2f, best on the paths %.2f", seed, ends, best)
		if best < ends*(1-1e-9) { // by more than rounding
			beat++
		}
	}
	if beat == 0 {
		t.Error("on no instance did a path beat both its ends")
	}
}

// cpmpRelinkPaths joins two separate searches' solutions of in by eight
// paths, checking every path's solution, and returns the best of them and
// the better end.
func cpmpRelinkPaths(t *testing.T, in *Instance) (best, ends float64) {
	t.Helper()
	sv := greedyTestSolver(t, in)
	pr := sv.pr
	a, b := newCFLPSol(pr), newCFLPSol(pr)
	a.copyFrom(sv.best)
	sv.ilsFrom(a, 300)
	b.copyFrom(sv.best)
	sv.shake(b, 10)
	sv.ilsFrom(b, 300)
	if openSetKey(a.open) == openSetKey(b.open) {
		t.Fatalf("%s: the two searches ended with the same medians", in.Name)
	}
	from, out := newCFLPSol(pr), newCFLPSol(pr)
	best = math.Inf(1)
	for k := range 8 {
		s, g := a, b
		if k%2 == 1 {
			s, g = b, a
		}
		from.copyFrom(s)
		if !sv.relink(from, g, out) {
			t.Fatalf("%s, path %d: no solution inside the path", in.Name, k)
		}
		obj := out.total()
		if got := out.recompute(); math.Abs(got-obj) > 1e-6*(1+obj) {
			t.Errorf("%s, path %d: kept cost %v, recomputed %v", in.Name, k, obj, got)
		}
		if !out.feasible() || out.nNew != in.P {
			t.Errorf("%s, path %d: feasible %v with %d medians, want p = %d", in.Name, k, out.feasible(), out.nNew, in.P)
		}
		best = math.Min(best, out.total())
	}
	return best, math.Min(a.total(), b.total())
}
