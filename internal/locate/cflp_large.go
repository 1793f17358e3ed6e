package locate

import (
	"math"
	"time"
)

// cflpLargeN is the number of customers from which the solver follows the
// schedule for large instances (runLarge) when p is fixed (with p free,
// see cflpFreeLargeM): there a site-level move evaluated by regret and
// repair costs too much, and the regret assignment of a whole site set
// packs tight capacities badly.
const cflpLargeN = 1500

// large reports whether the instance gets the schedule for large ones:
// p fixed from cflpLargeN customers, or p free without a budget from
// cflpFreeLargeM sites and cflpFreeLargeN customers.
func (sv *cflpSolver) large() bool {
	pr := sv.pr
	if pr.p > 0 {
		return pr.n >= cflpLargeN
	}
	return pr.budget == 0 && pr.m >= cflpFreeLargeM && pr.n >= cflpFreeLargeN
}

// cflpFreeLargeM and cflpFreeLargeN are the numbers of sites and of
// customers from which the schedule for large instances (greedy start,
// ruin and recreate with cluster, pair and part moves) also serves p
// free. The small schedule's site-level search re-assigns every customer
// at each move, which pays with up to about a hundred sites: on Beasley's
// capa, capb and capc (100 sites, 1,000 customers) it ends within 0.004 %
// of the optimum in 10 s, where the large schedule ended up to 1.1 %
// above it. With more sites it does not: on instances of known optimum
// (CFLPBlocks, 5 s and 10 s) it ended 1.7 % above the optimum with 240
// customers and sites, 7.5 % with 480, and 168 % with 3,000 (2,737 sites
// open where the optimum has 751; 8.7 % with 750 sites), where the large
// schedule ends at the optimum or within 0.1 %.
const (
	cflpFreeLargeM = 200
	cflpFreeLargeN = 100
)

// clusterMoves reports whether the cluster, pair and part moves and ruin
// and recreate apply: without a budget (a move may change the fixed costs
// spent), with p fixed, or with p free on large instances (where the
// site-level search of small ones costs too much). With p free, ruin and
// recreate may reopen one site fewer or more than it closed.
func (sv *cflpSolver) clusterMoves() bool {
	return sv.pr.budget == 0 && (sv.pr.p > 0 || sv.large())
}

// runLarge is the search schedule for large instances: a quick bound, a
// greedy start and its transfers of sites between regions (a tenth of the
// time), ruin and recreate with cluster moves (ilsCluster, a quarter of the
// rest, finished by transfers and exact re-solves of neighbouring clusters,
// see polish), the Lagrangian bound from multipliers at the best solution's
// costs (at most a third of the rest), locate-allocate from the best
// solution (at most 15 % of the rest), then, while the gap is open, rounds
// that alternate ruin and recreate from the best solution with a separate
// search joined to the elite set by path relinking (relinkRound), each
// followed by more subgradient steps. With a budget (where ilsCluster does
// not apply) a round is instead a Lagrangian intensification of the best
// solution's assignment (its sites fixed, the relaxation that of a
// generalised assignment problem) and an iterated locate-allocate (site
// swaps near the sites, then locate-allocate).
func (sv *cflpSolver) runLarge() {
	sv.alwaysDeep = true
	sv.quickBound()
	sv.greedyStart()
	// A quarter of the time to ruin and recreate first: the cheapest
	// gains, and a better target for the subgradient's steps.
	sv.withShare(0.25, func() { sv.ilsCluster(cflpRuinRounds) })
	// The bound next, with at most a third of the time: from the best
	// solution's costs the multipliers reach most of it in a few hundred
	// steps.
	sv.withShare(1.0/3, func() { sv.subgradient(cflpSubgradientIters/2, 2, sv.best == nil) })
	if sv.best != nil {
		sv.withShare(0.15, func() { sv.locateAllocate(sv.bestCopy(), 4) })
	}
	for round := 0; !sv.proven() && !sv.infeasible && !sv.clock.done(); round++ {
		if sv.best == nil {
			sv.subgradient(cflpSubgradientIters, 2, true)
			continue
		}
		if sv.pr.budget > 0 {
			if !sv.intensified[openSetKey(sv.best.open)] {
				sv.intensify(sv.bestCopy(), 40)
			}
			sv.ilsLarge(20)
		} else if round%2 == 0 || sv.pr.p == 0 {
			sv.ilsCluster(cflpRuinRounds)
			sv.addElite(sv.best)
		} else {
			sv.relinkRound(cflpRuinRounds, max(4, sv.pr.p/cflpShakeShare))
		}
		if !sv.clock.done() && !sv.proven() {
			sv.subgradient(cflpPolishIters, 0.25/float64(int(1)<<min(round, 8)), false)
		}
	}
}

// quickBound records the Lagrangian bound at multipliers equal to each
// customer's second-cheapest arc cost (its cheapest when it has one arc):
// one evaluation, a few milliseconds, and a valid positive bound before
// any search (the subgradient starts elsewhere, at the first solution's
// costs, and needs many steps to pass it). The multipliers are restored.
func (sv *cflpSolver) quickBound() {
	pr, lg := sv.pr, sv.lg
	saved := append([]float64(nil), lg.lambda...)
	for i := range pr.n {
		a, b := pr.rStart[i], pr.rStart[i+1]
		if b > a {
			lg.lambda[i] = pr.rCost[min(a+1, b-1)]
		}
	}
	lg.evaluate()
	sv.iters++
	if math.IsInf(lg.valid, 1) {
		sv.infeasible = true
	} else if lg.valid > sv.lb {
		sv.lb = lg.valid
	}
	copy(lg.lambda, saved)
}

// cflpShakeShare sets how far a new trajectory of relinkRound starts from
// the best solution: p / cflpShakeShare ruin-and-recreate kicks.
const cflpShakeShare = 40

// cflpRuinRounds is how many ruin-and-recreate steps make a round of the
// schedule for large instances (a few seconds at 3,000 customers).
const cflpRuinRounds = 20000

// locateAllocate alternates an allocation step, the transportation
// assignment to s's open sites rounded to a single-source one (split
// customers by regret, then repair and local search with cluster
// relocation, see complete), with the location step inside complete,
// until a round no longer improves or after maxRounds rounds. s ends as
// the best solution of the rounds; every feasible one is offered. It
// returns false when no round gave a feasible solution.
func (sv *cflpSolver) locateAllocate(s *cflpSol, maxRounds int) bool {
	best := newCFLPSol(sv.pr)
	bestObj := math.Inf(1)
	if s.feasible() {
		best.copyFrom(s)
		bestObj = s.total()
	}
	eps := s.improveEps()
	for r := 0; r < maxRounds && !sv.clock.done() && !sv.proven(); r++ {
		if !sv.flowAssign(s) || !sv.complete(s) {
			break
		}
		sv.offer(s)
		if s.total() >= bestObj-eps {
			break
		}
		best.copyFrom(s)
		bestObj = s.total()
	}
	if math.IsInf(bestObj, 1) {
		return false
	}
	s.copyFrom(best)
	return true
}

// ilsLarge is an iterated locate-allocate: from the best solution, a few
// open sites swap for closed candidates near their customers (random ones
// or those of least Lagrangian value), and locate-allocate follows; a
// better result becomes the current solution.
// It stops after rounds rounds.
func (sv *cflpSolver) ilsLarge(rounds int) {
	if sv.lambda != nil { // site values v_j at the best multipliers, for the kicks
		copy(sv.lg.lambda, sv.lambda)
		sv.lg.evaluate()
	}
	cur := sv.bestCopy()
	s := newCFLPSol(sv.pr)
	eps := cur.improveEps()
	for r := 0; r < rounds && !sv.clock.done() && !sv.proven(); r++ {
		sv.iters++
		s.copyFrom(cur)
		if !sv.kickSites(s, 1+sv.rng.IntN(max(2, s.nNew/50))) {
			continue
		}
		if sv.locateAllocate(s, 6) && s.total() < cur.total()-eps {
			cur.copyFrom(s)
		}
		if sv.bestObj < cur.total()-eps {
			cur.copyFrom(sv.best)
		}
	}
}

// kickSites unassigns every customer of s and swaps k open candidate sites,
// picked at random, for closed candidates within the budget near a random
// customer of theirs (among its eight cheapest arcs: a random one or, by a
// coin toss, the one of least Lagrangian value). It returns false when no
// swap was made.
func (sv *cflpSolver) kickSites(s *cflpSol, k int) bool {
	pr := sv.pr
	var open []int32
	for _, j := range pr.cands {
		if s.open[j] && len(s.members[j]) > 0 {
			open = append(open, j)
		}
	}
	if len(open) == 0 {
		return false
	}
	type swap struct{ out, in int }
	var swaps []swap
	for range k {
		x := sv.rng.IntN(len(open))
		j := open[x]
		open[x] = open[len(open)-1] // each site swaps at most once
		open = open[:len(open)-1]
		i := int(s.members[j][sv.rng.IntN(len(s.members[j]))])
		a, b := pr.rStart[i], min(pr.rStart[i+1], pr.rStart[i]+8)
		if a == b {
			continue
		}
		t := int(pr.rSite[a+sv.rng.IntN(b-a)])
		if sv.rng.IntN(2) == 0 { // the Lagrangian's favourite instead
			t = sv.leastValue(a, b, s.open)
		}
		if s.open[t] || pr.status[t] != Candidate || pr.capa[t] < s.load[j] && pr.capa[t] < pr.capa[j] ||
			pr.budget > 0 && s.fixed-pr.fixed[j]+pr.fixed[t] > pr.budget*(1+1e-12) {
			continue
		}
		swaps = append(swaps, swap{int(j), t})
		s.open[t] = true // reserve t; set properly below
		if len(open) == 0 {
			break
		}
	}
	if len(swaps) == 0 {
		return false
	}
	for _, sw := range swaps {
		s.open[sw.in] = false
	}
	for i := range pr.n {
		if s.assign[i] >= 0 {
			s.unplace(i)
		}
	}
	for _, sw := range swaps {
		s.closeSite(sw.out)
		s.openSite(sw.in)
	}
	return true
}

// leastValue returns the closed site of least Lagrangian value v_j (at the
// last evaluated multipliers) among the arcs a..b-1 of a customer row.
func (sv *cflpSolver) leastValue(a, b int, open []bool) int {
	pr, v := sv.pr, sv.lg.v
	best := int(pr.rSite[a])
	for k := a; k < b; k++ {
		j := int(pr.rSite[k])
		if !open[j] && (open[best] || v[j] < v[best]) {
			best = j
		}
	}
	return best
}

// withShare runs phase with the clock's deadline moved to the given share
// of the time left, then restores it.
func (sv *cflpSolver) withShare(share float64, phase func()) {
	c := sv.clock
	full := c.deadline
	if rest := time.Until(full); rest > 0 {
		c.deadline = time.Now().Add(time.Duration(share * float64(rest)))
	}
	phase()
	c.deadline = full
	c.stopped = c.ctx.Err() != nil || !time.Now().Before(full)
}
