package locate

import (
	"math"
	"slices"

	"github.com/coldchain/coldchain/internal/pqueue"
)

// greedyStart builds a first solution when p is fixed, or p is free on a
// large instance: candidates chosen greedily by their saving
// (greedySelect), then completed by regret assignment, repair and local
// search, and moved on by transfers of sites between regions. With p free
// on smaller instances the Lagrangian relaxation supplies the first
// solutions instead.
func (sv *cflpSolver) greedyStart() {
	pr := sv.pr
	if pr.p == 0 && !sv.large() {
		return
	}
	s := sv.cur
	s.reset()
	restore := sv.firstGrace()
	ok := sv.greedySelect(s) && sv.fill(s)
	restore()
	if !ok || !sv.complete(s) {
		return
	}
	// With p fixed the greedy picks sites by uncapacitated savings: where
	// it leaves a region short of capacity, its customers are served from
	// far away, which only a transfer mends (and whose costs would mislead
	// the subgradient's first steps). Small instances get their site
	// search and the whole polish now; large ones, where site search costs
	// many relaxations, transfers with at most a tenth of the time (none
	// with p free, whose greedy counts capacities and which has no
	// transfers: ruin and recreate change its number of sites).
	switch {
	case !s.feasible(): // nothing to move from; offer passes it over
	case pr.n <= cflpSiteSearchMaxN:
		sv.siteSearch(s, 20)
		sv.polish(s)
	case sv.large():
		sv.withShare(0.1, func() { sv.transferSearch(s) })
	}
	sv.offer(s)
}

// cflpGreedyItem is a candidate of greedySelect with its saving as
// computed at step (an upper bound on its saving at later steps).
type cflpGreedyItem struct {
	j    int32
	step int32
	g    float64
}

// greedySelect opens the p candidates of s one at a time, each the one of
// largest saving (the uncapacitated assignment cost it removes, net of
// its fixed cost; ties to the lower index) within the budget. With p free
// it opens candidates while one saves more than it costs or the open
// sites cannot hold the total weight, and a site saves only on the
// customers it could hold (the nearest it improves, up to its capacity;
// opening it improves only those): uncapacitated savings would open a few
// sites that seem to serve everyone. Savings only shrink as sites open,
// so a lazy evaluation gives the same choice: a heap holds each
// candidate's last saving, and only the top is recomputed. When the clock
// runs out, the remaining sites are taken in the heap's order without
// recomputing, so a first solution still comes quickly. It returns false
// when the budget leaves fewer than p sites.
func (sv *cflpSolver) greedySelect(s *cflpSol) bool {
	pr := sv.pr
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
	// top bounds every best[i] from above: a column, cheapest first, can
	// stop at an arc costing top.
	top := slices.Max(best)
	free := pr.p == 0
	// gain returns j's saving; with open, it also lowers best to j's costs
	// for the customers it counts.
	gain := func(j int32, open bool) float64 {
		g, room := -pr.fixed[j], math.Inf(1)
		if free {
			room = pr.capa[j]
		}
		for k := pr.cStart[j]; k < pr.cStart[j+1] && pr.cCost[k] < top && room > 0; k++ {
			i := pr.cCust[k]
			if d := best[i] - pr.cCost[k]; d > 0 && pr.q[i] <= room {
				g += d
				room -= pr.q[i]
				if open {
					best[i] = pr.cCost[k]
				}
			}
		}
		return g
	}
	openCapa := 0.0
	for _, j := range pr.exist {
		openCapa += pr.capa[j]
	}
	h := pqueue.New(func(a, b cflpGreedyItem) bool { return a.g > b.g || a.g == b.g && a.j < b.j })
	for _, j := range pr.cands {
		h.Push(cflpGreedyItem{j: j, g: gain(j, false)})
	}
	for step := int32(0); free || int(step) < pr.p; {
		if h.Len() == 0 {
			return free && openCapa >= pr.totalQ
		}
		it := h.Pop()
		j := int(it.j)
		if pr.budget > 0 && s.fixed+pr.fixed[j] > pr.budget*(1+1e-12) {
			continue // the spent budget only grows
		}
		if it.step != step && !sv.clock.done() {
			it.g, it.step = gain(it.j, false), step
			h.Push(it)
			continue
		}
		if free && (it.g <= 0 || sv.clock.done()) && openCapa >= pr.totalQ {
			return true
		}
		s.openSite(j)
		openCapa += pr.capa[j]
		gain(it.j, true)
		top = slices.Max(best)
		step++
	}
	return true
}

// cflpSiteSearchMaxN is the most customers for which the greedy start gets
// a site-level local search and the polish (transfers, part moves) before
// the bound is computed.
const cflpSiteSearchMaxN = 1000

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
	cur := sv.bestCopy()
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
