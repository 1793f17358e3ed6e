package locate

import (
	"cmp"
	"math"
	"slices"
)

// Path relinking for the capacitated p-median at thousands of points. The
// problem falls apart into regions: two good solutions found by separate
// searches are each better in some regions than the other. A path from a
// solution towards a guiding one swaps, one at a time, a median of the
// first for one of the guide's, in order of distance from a random
// customer, and reassigns the customers concerned under the capacities:
// the solutions along the path take the guide's medians near that customer
// and keep their own further away. The best of them, polished by cluster
// moves, may beat both ends.

// cflpEliteSize is how many distinct solutions of separate searches the
// elite set keeps for path relinking.
const cflpEliteSize = 8

// cflpRelinkPaths is how many paths (from a random customer each) join a
// new elite solution with each other elite solution, in each direction.
const cflpRelinkPaths = 2

// addElite keeps a copy of the feasible solution s in the elite set when
// its site set is new and it beats the worst member of a full set (or
// replaces the member with the same site set when it is better). It
// reports whether s was taken.
func (sv *cflpSolver) addElite(s *cflpSol) bool {
	if !s.feasible() {
		return false
	}
	var joined bool
	sv.elite, joined = sv.keepDistinct(sv.elite, cflpEliteSize, s, s.total())
	return joined
}

// relinkRound is one round of the search with path relinking: a new
// trajectory of ruin and recreate starts from the best solution shaken by
// kicks random moves (the separate search), its end, finished by transfers
// and part moves (polish), joins the elite set, and paths join it with
// every other elite solution in both directions.
func (sv *cflpSolver) relinkRound(rounds, kicks int) {
	if sv.best == nil || sv.pr.p == 0 || sv.pr.budget > 0 {
		return
	}
	if len(sv.elite) == 0 {
		sv.addElite(sv.best)
	}
	s := sv.bestCopy()
	sv.shake(s, kicks)
	sv.ilsFrom(s, rounds)
	sv.polish(s)
	sv.offer(s)
	if !sv.addElite(s) {
		return
	}
	from, out := newCFLPSol(sv.pr), newCFLPSol(sv.pr)
	for _, e := range slices.Clone(sv.elite) {
		if openSetKey(e.open) == openSetKey(s.open) {
			continue
		}
		for k := 0; k < 2*cflpRelinkPaths && !sv.clock.done() && !sv.proven(); k++ {
			a, b := s, e
			if k%2 == 1 {
				a, b = e, s
			}
			from.copyFrom(a)
			if sv.relink(from, b, out) {
				sv.offer(out)
				sv.addElite(out)
			}
		}
	}
}

// shake applies kicks ruin-and-recreate steps to s, each kept whatever its
// cost (a random walk away from s), then cluster moves around them. s
// stays feasible: a step that fails is undone.
func (sv *cflpSolver) shake(s *cflpSol, kicks int) {
	back := newCFLPSol(sv.pr)
	var touched []int32
	for range kicks {
		if sv.clock.done() {
			break
		}
		back.copyFrom(s)
		freed := sv.ruin(s)
		if len(freed) == 0 || !sv.recreate(s, freed) {
			s.copyFrom(back)
			continue
		}
		touched = append(touched, freed...)
	}
	sv.localClusterSearch(s, touched)
}

// relink walks from s towards guide (s is changed along the way): the
// guide's medians that s lacks come in by increasing cost from a random
// customer, each for the median of s not in the guide that serves most of
// its guide cluster (or, when none does, the one nearest that cluster),
// and the customers of both clusters are reassigned under the capacities.
// The best solution strictly inside the path, polished by cluster moves
// around the customers moved, goes to out. It reports whether there was
// one (a path needs the site sets to differ in two medians at least).
func (sv *cflpSolver) relink(s, guide, out *cflpSol) bool {
	pr := sv.pr
	c := sv.rng.IntN(pr.n)
	var ins []int32
	for _, t := range pr.cands {
		if guide.open[t] && !s.open[t] && len(guide.members[t]) > 0 {
			ins = append(ins, t)
		}
	}
	slices.SortStableFunc(ins, func(a, b int32) int { return cmp.Compare(pr.cost(c, int(a)), pr.cost(c, int(b))) })
	bestObj := math.Inf(1)
	var touched []int32
	bestTouched := 0
	for step, t := range ins[:max(0, len(ins)-1)] {
		if sv.clock.due(step) || sv.clock.done() {
			break
		}
		j := sv.relinkOut(s, guide, int(t))
		if j < 0 {
			break
		}
		freed := sv.freed[:0]
		for len(s.members[j]) > 0 {
			i := s.members[j][len(s.members[j])-1]
			s.unplace(int(i))
			freed = append(freed, i)
		}
		s.closeSite(j)
		s.openSite(int(t))
		for _, i := range guide.members[t] {
			if s.assign[i] != t {
				s.unplace(int(i))
				freed = append(freed, i)
			}
		}
		sv.freed = freed
		touched = append(touched, freed...)
		if !sv.fill(s) || !s.feasible() {
			break
		}
		if s.total() < bestObj {
			bestObj = s.total()
			out.copyFrom(s)
			bestTouched = len(touched)
		}
	}
	if math.IsInf(bestObj, 1) {
		return false
	}
	sv.localClusterSearch(out, touched[:bestTouched])
	return out.feasible()
}

// relinkOut picks the median of s that makes way for the guide's median t:
// among the open candidate sites of s that the guide keeps closed, the one
// serving most customers of t's guide cluster, else the one nearest that
// cluster's first customer. It returns -1 when there is none.
func (sv *cflpSolver) relinkOut(s, guide *cflpSol, t int) int {
	pr := sv.pr
	best, bestN := -1, 0
	for _, i := range guide.members[t] {
		j := int(s.assign[i])
		if j < 0 || guide.open[j] || pr.status[j] != Candidate {
			continue
		}
		n := 0
		for _, l := range guide.members[t] {
			if int(s.assign[l]) == j {
				n++
			}
		}
		if n > bestN || n == bestN && j < best {
			best, bestN = j, n
		}
	}
	if best >= 0 {
		return best
	}
	i0 := int(guide.members[t][0])
	bestC := math.Inf(1)
	for _, j := range pr.cands {
		if s.open[j] && !guide.open[j] && len(s.members[j]) > 0 {
			if c := pr.cost(i0, int(j)); c < bestC || best < 0 {
				best, bestC = int(j), c
			}
		}
	}
	return best
}
