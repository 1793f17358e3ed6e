package locate

import (
	"cmp"
	"math"
	"slices"
)

// cflpMove is a site-level move: close site out (-1: none) and open site in
// (-1: none), with an estimate of the change in cost.
type cflpMove struct {
	out, in int32
	est     float64
}

// cflpNearArcs is how many of the nearest sites of each of its customers
// make the neighbourhood of an open site: swaps replace an open site by a
// closed one of its neighbourhood (any, when it serves no one).
const cflpNearArcs = 10

// siteMoves lists the site-level moves allowed from s (closing an open
// candidate, opening a closed one, swapping an open one for a closed one
// of its neighbourhood; with p fixed only swaps) with optimistic cost
// estimates, best first.
func (sv *cflpSolver) siteMoves(s *cflpSol) []cflpMove {
	pr := sv.pr
	moves := sv.moves[:0]
	var opened, closed []int32
	for _, j := range pr.cands {
		if s.open[j] {
			opened = append(opened, j)
		} else {
			closed = append(closed, j)
		}
	}
	near := cflpGrowB(sv.near, pr.m)
	sv.near = near
	budgetOK := func(df float64) bool {
		return pr.budget <= 0 || s.fixed+df <= pr.budget*(1+1e-12)
	}
	if pr.p == 0 {
		for _, j := range opened {
			moves = append(moves, cflpMove{out: j, in: -1, est: sv.estimate(s, int(j), -1)})
		}
		for _, k := range closed {
			if budgetOK(pr.fixed[k]) {
				moves = append(moves, cflpMove{out: -1, in: k, est: sv.estimate(s, -1, int(k))})
			}
		}
	}
	for _, j := range opened {
		clear(near)
		for _, i := range s.members[j] {
			end := min(pr.rStart[i]+cflpNearArcs, pr.rStart[i+1])
			for k := pr.rStart[i]; k < end; k++ {
				near[pr.rSite[k]] = true
			}
		}
		empty := len(s.members[j]) == 0 // then any closed site is a neighbour
		for _, k := range closed {
			if (near[k] || empty) && budgetOK(pr.fixed[k]-pr.fixed[j]) {
				moves = append(moves, cflpMove{out: j, in: k, est: sv.estimate(s, int(j), int(k))})
			}
		}
	}
	slices.SortStableFunc(moves, func(a, b cflpMove) int { return cmp.Compare(a.est, b.est) })
	sv.moves = moves
	return moves
}

// estimate returns an estimate of the cost change of closing site out and
// opening site in (either may be -1): out's customers go to in when it is
// cheaper and has room, otherwise to their cheapest other open site
// (ignoring its capacity); then other customers move to in by decreasing
// saving while it has room.
func (sv *cflpSolver) estimate(s *cflpSol, out, in int) float64 {
	pr := sv.pr
	d := 0.0
	room := 0.0
	if in >= 0 {
		d += pr.fixed[in]
		room = pr.limit[in]
	}
	if out >= 0 {
		d -= pr.fixed[out]
		for _, i := range s.members[out] {
			cur := pr.cost(int(i), out)
			alt := math.Inf(1)
			for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
				t := int(pr.rSite[k])
				if t != out && s.open[t] {
					alt = pr.rCost[k]
					break
				}
			}
			if in >= 0 {
				if c := pr.cost(int(i), in); c < alt && pr.q[i] <= room {
					alt = c
					room -= pr.q[i]
				}
			}
			if math.IsInf(alt, 1) {
				return math.Inf(1)
			}
			d += alt - cur
		}
	}
	if in < 0 {
		return d
	}
	// Savings of the other customers moving to in, best per unit of weight
	// first (all of them when in is uncapacitated).
	gains := sv.gains[:0]
	for k := pr.cStart[in]; k < pr.cStart[in+1]; k++ {
		i := pr.cCust[k]
		j := int(s.assign[i])
		if j == out {
			continue
		}
		if g := pr.cost(int(i), j) - pr.cCost[k]; g > 0 {
			gains = append(gains, cflpItem{p: g, w: pr.q[i], id: i})
		}
	}
	slices.SortFunc(gains, cflpByRatio)
	for _, g := range gains {
		if g.w <= room {
			room -= g.w
			d -= g.p
		}
	}
	sv.gains = gains
	return d
}

// applyMove applies mv to s and completes the assignment: after a site
// closes, both its customers alone and all customers are reassigned by
// regret (the second packs better when capacity is tight), each followed
// by repair and shift/swap local search, and the better result is kept.
// It returns false when no feasible assignment was found.
func (sv *cflpSolver) applyMove(s *cflpSol, mv cflpMove) bool {
	if mv.in >= 0 {
		s.openSite(int(mv.in))
	}
	if mv.out < 0 {
		s.quickSearch(sv.clock)
		return true
	}
	j := int(mv.out)
	for len(s.members[j]) > 0 {
		s.unplace(int(s.members[j][len(s.members[j])-1]))
	}
	s.closeSite(j)
	alt := sv.alt
	alt.copyFrom(s)
	ok := s.assignRest(&sv.buf, sv.clock) && s.repair(sv.clock)
	if ok {
		s.quickSearch(sv.clock)
	}
	for i := range sv.pr.n {
		alt.unplace(i)
	}
	if alt.assignRest(&sv.buf, sv.clock) && alt.repair(sv.clock) {
		alt.quickSearch(sv.clock)
		if !ok || alt.total() < s.total() {
			s.copyFrom(alt)
			ok = true
		}
	}
	return ok
}

// siteSearch improves s by site-level moves: in each round the moves are
// estimated, the most promising are evaluated for real (at most maxEval per
// round) and the first that improves is kept. It returns the number of
// improving moves.
func (sv *cflpSolver) siteSearch(s *cflpSol, maxEval int) int {
	improved := 0
	eps := s.improveEps()
	for !sv.clock.done() && !sv.proven() {
		moves := sv.siteMoves(s)
		found := false
		evals := 0
		for _, mv := range moves {
			if evals >= maxEval || math.IsInf(mv.est, 1) || sv.clock.done() {
				break
			}
			if mv.est > sv.estSlack(s) {
				break
			}
			evals++
			sv.iters++
			sv.tmp.copyFrom(s)
			if !sv.applyMove(sv.tmp, mv) {
				continue
			}
			sv.closeEmpty(sv.tmp)
			if sv.tmp.total() < s.total()-eps {
				s.copyFrom(sv.tmp)
				sv.offer(s)
				found = true
				improved++
				break
			}
		}
		if !found {
			// A local optimum for the quick evaluations: ejection chains
			// may still improve the assignment, and then the sites again.
			before := s.total()
			s.localSearch(sv.clock)
			if s.total() >= before-eps {
				break
			}
			sv.offer(s)
		}
	}
	return improved
}

// estSlack is how far above zero an estimated move may be and still be
// tried: estimates ignore the re-optimisation of the other customers.
func (sv *cflpSolver) estSlack(s *cflpSol) float64 {
	return 0.02 * s.acost
}

// closeEmpty closes open candidate sites without customers when p is free.
func (sv *cflpSolver) closeEmpty(s *cflpSol) {
	if sv.pr.p > 0 {
		return
	}
	for _, j := range sv.pr.cands {
		if s.open[j] && len(s.members[j]) == 0 {
			s.closeSite(int(j))
		}
	}
}

// relocate moves whole clusters: for each open candidate site j, the
// closed candidate k (within the budget, with room for j's load) that
// serves all of j's customers at the least fixed plus assignment cost
// replaces j when that is cheaper. Local search (with ejection chains when
// deep) follows every round of relocations. It returns the number of
// relocations.
func (sv *cflpSolver) relocate(s *cflpSol, deep bool) int {
	pr := sv.pr
	sum := cflpGrowF(sv.relSum, pr.m)
	cnt := cflpGrowI32(sv.relCnt, pr.m)
	sv.relSum, sv.relCnt = sum, cnt
	eps := s.improveEps()
	moves := 0
	for round := 0; round < 10 && !sv.clock.done(); round++ {
		moved := false
		for x, j := range pr.cands {
			if sv.clock.due(x) {
				break
			}
			if !s.open[j] || len(s.members[j]) == 0 {
				continue
			}
			var bestK int
			if sv.large() {
				bestK = sv.relocTargetNear(s, int(j), eps)
			} else {
				bestK = sv.relocTarget(s, int(j), eps, sum, cnt)
			}
			if bestK < 0 {
				continue
			}
			s.openSite(bestK)
			for len(s.members[j]) > 0 {
				s.move(int(s.members[j][len(s.members[j])-1]), bestK)
			}
			s.closeSite(int(j))
			moved = true
			moves++
		}
		if !moved {
			break
		}
		if deep {
			s.localSearch(sv.clock)
		} else {
			s.quickSearch(sv.clock)
		}
	}
	return moves
}

// relocTarget returns the closed candidate that serves all customers of
// the open site j at a saving of more than eps when it replaces j (-1:
// none), looking at every site; sum and cnt are scratch of length m.
func (sv *cflpSolver) relocTarget(s *cflpSol, j int, eps float64, sum []float64, cnt []int32) int {
	pr := sv.pr
	clear(sum)
	clear(cnt)
	cur := 0.0
	for _, i := range s.members[j] {
		cur += pr.cost(int(i), j)
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			sum[pr.rSite[k]] += pr.rCost[k]
			cnt[pr.rSite[k]]++
		}
	}
	need := int32(len(s.members[j]))
	bestK, bestD := -1, -eps
	for _, k := range pr.cands {
		if s.open[k] || cnt[k] != need || s.load[j] > pr.limit[k] {
			continue
		}
		if d := sv.relocDelta(s, j, int(k), sum[k], cur); d < bestD {
			bestK, bestD = int(k), d
		}
	}
	return bestK
}

// relocDelta returns the change of the objective when site k replaces j,
// the assignment cost of j's customers going from cur to sum; +Inf when
// the budget forbids it.
func (sv *cflpSolver) relocDelta(s *cflpSol, j, k int, sum, cur float64) float64 {
	pr := sv.pr
	df := pr.fixed[k] - pr.fixed[j]
	if pr.budget > 0 && s.fixed+df > pr.budget*(1+1e-12) {
		return math.Inf(1)
	}
	return df + sum - cur
}

// cflpRelocNear is how many of each customer's cheapest arcs name the
// sites relocTargetNear tries.
const cflpRelocNear = 24

// relocTargetNear is relocTarget for large instances: it tries only the
// sites among the cflpRelocNear cheapest arcs of j's customers (a better
// site for the whole cluster lies near it), at a cost independent of n.
func (sv *cflpSolver) relocTargetNear(s *cflpSol, j int, eps float64) int {
	pr := sv.pr
	cur := 0.0
	for _, i := range s.members[j] {
		cur += pr.cost(int(i), j)
	}
	bestK, bestD := -1, -eps
	for _, i := range s.members[j] {
		for a := pr.rStart[i]; a < min(pr.rStart[i+1], pr.rStart[i]+cflpRelocNear); a++ {
			k := int(pr.rSite[a])
			if k == bestK || s.open[k] || pr.status[k] != Candidate || s.load[j] > pr.limit[k] {
				continue
			}
			sum := 0.0
			for _, l := range s.members[j] {
				sum += pr.cost(int(l), k)
			}
			if math.IsInf(sum, 1) {
				continue
			}
			if d := sv.relocDelta(s, j, k, sum, cur); d < bestD {
				bestK, bestD = k, d
			}
		}
	}
	return bestK
}
