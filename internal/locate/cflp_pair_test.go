package locate

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestPairMoveIsExact checks the pair move on tiny capacitated 2-medians
// (n <= cflpCentreArcs, so that every site is tried): from any feasible
// two-cluster solution, one best pair move reaches the optimum that
// cpmpBrute finds by enumeration, and the result is feasible with its
// cost kept right.
func TestPairMoveIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	tried := 0
	for tried < 40 {
		n := 4 + r.IntN(cflpCentreArcs-3)
		in := cpmpTiny(r, n, 2, 1.05+0.3*r.Float64())
		params := Params{Problem: CFLP}
		pr, err := newCFLPProblem(in, params)
		if err != nil {
			t.Fatal(err)
		}
		sv := newCFLPSolver(pr, 1, &cflpClock{ctx: context.Background(), deadline: time.Now().Add(time.Minute)})
		s := newCFLPSol(pr)
		// Sites 0 and 1 open, customers placed at random where they fit.
		j, k := 0, 1
		s.openSite(j)
		s.openSite(k)
		ok := true
		for i := range n {
			to := []int{j, k}[r.IntN(2)]
			if !s.fits(i, to) {
				to = j + k - to
			}
			if !s.fits(i, to) {
				ok = false
				break
			}
			s.place(i, to)
		}
		if !ok || len(s.members[j]) == 0 || len(s.members[k]) == 0 {
			continue
		}
		tried++
		opt := cpmpBrute(in)
		before := s.total()
		if mv := sv.bestPairMove(s, j, k, s.improveEps()); mv.gain > 0 {
			sv.applyPairMove(s, mv)
			if math.Abs(before-mv.gain-s.total()) > 1e-6 {
				t.Fatalf("%s: gain %v, but the cost went %v -> %v", in.Name, mv.gain, before, s.total())
			}
		}
		if !s.feasible() || s.nNew != 2 {
			t.Fatalf("%s: after the move: feasible %v, %d sites open", in.Name, s.feasible(), s.nNew)
		}
		if math.Abs(s.total()-s.recompute()) > 1e-6 {
			t.Fatalf("%s: kept cost %v, recomputed %v", in.Name, s.total(), s.recompute())
		}
		if s.total() > opt+1e-6 {
			t.Fatalf("%s: pair move ends at %v (from %v), optimum %v", in.Name, s.total(), before, opt)
		}
	}
}
