package locate

import (
	"math"
	"testing"
)

// TestCPMPRelink builds two solutions of a generated capacitated p-median
// by separate ruin-and-recreate searches and joins them by paths in both
// directions: every solution on a path must be feasible with exactly p
// medians and a cost that matches its assignment, and the best of the
// paths must beat both ends (on this instance and seed it does, narrowly:
// its best path point and better end both print as 53,682.06).
func TestCPMPRelink(t *testing.T) {
	in := cpmpGenerated(t, 600, 150, 1.2, 3)
	sv := greedyTestSolver(t, in)
	pr := sv.pr
	a, b := newCFLPSol(pr), newCFLPSol(pr)
	a.copyFrom(sv.best)
	sv.ilsFrom(a, 300)
	b.copyFrom(sv.best)
	sv.shake(b, 10)
	sv.ilsFrom(b, 300)
	if openSetKey(a.open) == openSetKey(b.open) {
		t.Fatal("the two searches ended with the same medians")
	}
	from, out := newCFLPSol(pr), newCFLPSol(pr)
	best := math.Inf(1)
	for k := range 8 {
		s, g := a, b
		if k%2 == 1 {
			s, g = b, a
		}
		from.copyFrom(s)
		if !sv.relink(from, g, out) {
			t.Fatalf("path %d: no solution inside the path", k)
		}
		obj := out.total()
		if got := out.recompute(); math.Abs(got-obj) > 1e-6*(1+obj) {
			t.Errorf("path %d: kept cost %v, recomputed %v", k, obj, got)
		}
		if !out.feasible() || out.nNew != in.P {
			t.Errorf("path %d: feasible %v with %d medians, want p = %d", k, out.feasible(), out.nNew, in.P)
		}
		best = math.Min(best, out.total())
	}
	if ends := math.Min(a.total(), b.total()); best >= ends {
		t.Errorf("best on the paths %.2f, better end %.2f: want below", best, ends)
	}
	t.Logf("ends %.2f and %.2f, best on the paths %.2f", a.total(), b.total(), best)
}
