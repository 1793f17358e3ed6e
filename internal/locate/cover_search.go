package locate

import (
	"math/rand/v2"
	"slices"
)

// coverSearch is the multi-start heuristic for maximal covering: greedy
// construction, swap local search, then iterated restarts that perturb the
// best solution (close a few sites, refill by randomised greedy) or build a
// fresh randomised greedy solution. Its random choices come from one seeded
// generator, so a run is deterministic for a seed unless a time limit cuts
// it short.
type coverSearch struct {
	m       *coverModel
	st      *coverState
	rng     *rand.Rand
	stop    *coverStop
	target  float64 // > 0: a solution covering this much ends the search
	best    []int32
	bestVal float64
	starts  int
	moves   int
	scratch []int32
}

func newCoverSearch(m *coverModel, p int, budget, target float64, seed int64, stop *coverStop) *coverSearch {
	return &coverSearch{
		m:       m,
		st:      newCoverState(m, p, budget, true),
		rng:     rand.New(rand.NewPCG(uint64(seed), 0x636f6c64636861)),
		stop:    stop,
		target:  target,
		bestVal: -1,
	}
}

// reached reports whether the best solution meets the target.
func (cs *coverSearch) reached() bool {
	return cs.target > 0 && cs.bestVal >= cs.target-cs.m.tol()
}

// record keeps the state's solution if it beats the best; it reports whether
// it did.
func (cs *coverSearch) record() bool {
	cs.starts++
	if cs.st.covered <= cs.bestVal+cs.m.eps() {
		return false
	}
	cs.bestVal = cs.st.covered
	cs.best = cs.st.openSites()
	return true
}

// greedyStart builds the plain greedy solution, improves it and records it.
func (cs *coverSearch) greedyStart() bool {
	cs.st.reset(nil)
	cs.st.greedy(cs.target, 0, nil)
	cs.moves += cs.st.localSearch(cs.stop, cs.target)
	return cs.record()
}

// from starts at the given open sites, fills free slots greedily, improves
// and records.
func (cs *coverSearch) from(open []int32) bool {
	cs.st.reset(open)
	cs.st.greedy(cs.target, 0, nil)
	cs.moves += cs.st.localSearch(cs.stop, cs.target)
	return cs.record()
}

// restart performs one randomised start: a perturbation of the best
// solution (three in four) or a randomised greedy construction.
func (cs *coverSearch) restart() bool {
	alpha := 0.05 + 0.3*cs.rng.Float64()
	if len(cs.best) == 0 || cs.rng.IntN(4) == 0 {
		cs.st.reset(nil)
	} else {
		keep := append(cs.scratch[:0], cs.best...)
		k := 1 + cs.rng.IntN(min(len(keep), 3))
		for range k {
			i := cs.rng.IntN(len(keep))
			keep[i] = keep[len(keep)-1]
			keep = keep[:len(keep)-1]
		}
		slices.Sort(keep)
		cs.scratch = keep
		cs.st.reset(keep)
		// Refill the first freed slot at random among useful sites so that
		// the restart leaves the best solution's basin.
		if a := cs.randomUseful(); a >= 0 {
			cs.st.move(-1, a)
		}
	}
	cs.st.greedy(cs.target, alpha, cs.rng.IntN)
	cs.moves += cs.st.localSearch(cs.stop, cs.target)
	return cs.record()
}

// randomUseful returns a random closed, affordable site that would cover
// something new, or -1.
func (cs *coverSearch) randomUseful() int32 {
	st := cs.st
	if len(st.slots) >= st.p {
		return -1
	}
	n := len(st.gain)
	off := cs.rng.IntN(n)
	for k := range n {
		a := (off + k) % n
		if !st.open[a] && st.gain[a] > 0 && st.affordable(cs.m.fixed[a], 0) {
			return int32(a)
		}
	}
	return -1
}

// run performs restarts until maxStale restarts in a row bring no
// improvement, done reports true, the target is reached or the stop fires.
func (cs *coverSearch) run(maxStale int, done func() bool) {
	stale := 0
	for stale < maxStale && !cs.reached() && !cs.stop.done() && !done() {
		if cs.restart() {
			stale = 0
		} else {
			stale++
		}
	}
}
