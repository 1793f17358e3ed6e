package locate

import (
	"math"
)

// greedyStart builds a first solution when p is fixed: p candidates chosen
// greedily by the uncapacitated p-median saving (net of fixed cost), then
// completed by regret assignment, repair and local search. With p free the
// Lagrangian relaxation supplies the first solutions instead.
func (sv *cflpSolver) greedyStart() {
	pr := sv.pr
	if pr.p == 0 {
		return
	}
	big := 2*pr.maxCost + 1
	best := make([]float64, pr.n)
	for i := range best {
		best[i] = big
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			if pr.status[pr.rSite[k]] == Existing {
				best[i] = pr.rCost[k]
				break
			}
		}
	}
	s := sv.cur
	s.reset()
	gain := make([]float64, pr.m)
	for step := 0; step < pr.p; step++ {
		clear(gain)
		for i := range pr.n {
			for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
				if d := best[i] - pr.rCost[k]; d > 0 {
					gain[pr.rSite[k]] += d
				} else {
					break
				}
			}
		}
		bj, bg := -1, math.Inf(-1)
		for _, j := range pr.cands {
			if s.open[j] || pr.budget > 0 && s.fixed+pr.fixed[j] > pr.budget*(1+1e-12) {
				continue
			}
			if g := gain[j] - pr.fixed[j]; g > bg {
				bj, bg = int(j), g
			}
		}
		if bj < 0 {
			return
		}
		s.openSite(bj)
		for k := pr.cStart[bj]; k < pr.cStart[bj+1]; k++ {
			i := pr.cCust[k]
			best[i] = math.Min(best[i], pr.cCost[k])
		}
	}
	if !sv.complete(s) {
		return
	}
	// Large instances go to the bound first: site search there costs
	// many relaxations.
	if pr.n <= cflpSiteSearchMaxN {
		sv.siteSearch(s, 20)
	}
	sv.offer(s)
	sv.lambdaFrom(s)
}

// cflpSiteSearchMaxN is the most customers for which the greedy start gets
// a site-level local search before the bound is computed.
const cflpSiteSearchMaxN = 1000

// lambdaFrom starts the multipliers at each customer's assignment cost in
// s, a level near the optimum's (as for the p-median), instead of the
// cheapest arc (0 when every point is a candidate that serves itself).
func (sv *cflpSolver) lambdaFrom(s *cflpSol) {
	if sv.lambda != nil {
		return
	}
	for i, j := range s.assign {
		if j >= 0 {
			sv.lg.lambda[i] = sv.pr.cost(i, int(j))
		}
	}
}

// intensify runs the Lagrangian heuristic with the open sites of s held
// fixed (the relaxation is then that of a generalised assignment problem),
// starting from the best multipliers: the relaxed assignments of nearby
// multipliers give new assignments for the same sites. It stops early when
// the bound for these sites reaches the best known objective, and returns
// that bound.
func (sv *cflpSolver) intensify(s *cflpSol, iters int) float64 {
	pr, lg := sv.pr, sv.lg
	sv.intensified[openSetKey(s.open)] = true
	saved := append([]float64(nil), lg.lambda...)
	copy(lg.lambda, sv.lambda)
	for _, j := range pr.cands {
		lg.fix[j] = -1
		if s.open[j] {
			lg.fix[j] = 1
		}
	}
	defer func() {
		clear(lg.fix)
		copy(lg.lambda, saved)
	}()
	lb := math.Inf(-1)
	mu, stall := 0.5, 0
	for it := 0; it < iters && !sv.clock.done(); it++ {
		lg.evaluate()
		sv.iters++
		if lg.valid > lb {
			lb, stall = lg.valid, 0
		} else if stall++; stall >= 10 {
			mu /= 2
			stall = 0
		}
		if lb >= sv.bestObj-s.improveEps() || mu < 1e-3 {
			break
		}
		sv.primal(false)
		if !sv.step(mu, math.Min(sv.bestObj, s.total())) {
			break
		}
	}
	return lb
}

// ils is an iterated local search on the sites: from the best solution, a
// few random site moves among the most promising, regret completion and
// site-level local search; improvements replace the current solution and
// near misses get an intensification of their assignment. It stops after
// rounds rounds or stall rounds without improvement.
func (sv *cflpSolver) ils(rounds, stall int) {
	if sv.best == nil {
		return
	}
	cur := newCFLPSol(sv.pr)
	cur.copyFrom(sv.best)
	s := newCFLPSol(sv.pr)
	eps := cur.improveEps()
	idle := 0
	for r := 0; r < rounds && idle < stall && !sv.clock.done() && !sv.proven(); r++ {
		sv.iters++
		s.copyFrom(cur)
		kicks := 1 + sv.rng.IntN(3)
		ok := true
		for range kicks {
			moves := sv.siteMoves(s)
			if len(moves) == 0 {
				ok = false
				break
			}
			top := min(len(moves), 8+sv.rng.IntN(24))
			mv := moves[sv.rng.IntN(top)]
			if !sv.applyMove(s, mv) {
				ok = false
				break
			}
		}
		if !ok {
			idle++
			continue
		}
		sv.closeEmpty(s)
		sv.relocate(s, true)
		sv.siteSearch(s, 10)
		if !s.feasible() {
			idle++
			continue
		}
		sv.offer(s)
		switch {
		case s.total() < cur.total()-eps:
			cur.copyFrom(s)
			idle = 0
		case s.total() < cur.total()*(1+0.003) && !sv.intensified[openSetKey(s.open)]:
			sv.intensify(s, 60)
			idle++
		default:
			idle++
		}
		if sv.bestObj < cur.total()-eps {
			cur.copyFrom(sv.best)
			idle = 0
		}
	}
}
