package locate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// lscpMaxStale bounds the restarts without progress spent trying to reach
// the target with one site fewer.
const lscpMaxStale = 100

// solveLSCP opens the fewest new candidate sites (within params.Budget when
// set) so that the weight within radius of an open site is at least
// params.CoverageTarget (default 1) times the total weight; among solutions
// with that many sites it prefers a lower summed fixed cost. Existing sites
// are open and free. Objective is the number of new sites; Bound a lower
// bound on it: the smallest k whose Lagrangian maximal-covering bound could
// still reach the target (at least the set-covering LP bound rounded up when
// the subgradient converges). It returns an error, stating the share all
// sites together cover, when the target is out of reach.
func solveLSCP(ctx context.Context, in *Instance, params Params) (*Result, error) {
	start := time.Now()
	share := params.CoverageTarget
	if share == 0 {
		share = 1
	}
	if math.IsNaN(share) || share < 0 || share > 1 {
		return nil, fmt.Errorf("coverage target %v must lie in (0, 1]", params.CoverageTarget)
	}
	r := effectiveRadius(in, params)
	m, err := newCoverModel(in, r)
	if err != nil {
		return nil, err
	}
	target := share * m.total
	need := target - m.base // group weight the new sites must cover
	if reach := m.base + m.coverable(); reach < target-m.tol() {
		return nil, fmt.Errorf("coverage target %.4g%% is unreachable: all candidate and existing sites together cover %.4g%% of the weight (%.6g of %.6g)",
			100*share, 100*reach/m.total, reach, m.total)
	}
	limit := params.TimeLimit
	if limit <= 0 {
		limit = defaultCoverLimit
	}
	stop := newCoverStop(ctx, limit)
	var open []int32
	bound, iters := 0, 0
	if need > m.tol() {
		open, bound, iters, err = m.fewest(need, params.Budget, params.Seed, stop)
		if err != nil {
			return nil, err
		}
	}
	res := coverResult(in, m, r, open, LSCP)
	res.Objective = float64(len(open))
	res.Bound = float64(min(bound, len(open)))
	res.Gap = GapPercent(res.Objective, res.Bound)
	res.Iterations = iters
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// fewest finds a small set of sites covering at least need group weight and
// a lower bound on the size of any such set.
func (m *coverModel) fewest(need, budget float64, seed int64, stop *coverStop) (open []int32, lb, iters int, err error) {
	ns := len(m.site)
	// Greedy until the target is met, then drop sites not needed.
	st := newCoverState(m, ns, budget, false)
	st.greedy(need, 0, nil)
	if st.covered < need-m.tol() {
		return nil, 0, 0, fmt.Errorf("found no set of sites within the budget %.6g that reaches the coverage target (the greedy reaches %.4g%% of the weight)",
			budget, 100*(m.base+st.covered)/m.total)
	}
	greedyCov := slices.Clone(st.trace) // greedyCov[k-1]: covered by the first k
	st.prune(need)
	best := st.openSites()
	lb = 1
	// proveBelow reports whether k sites provably cannot cover need, with
	// level the best covered weight known for k sites.
	proveBelow := func(k int, level float64) bool {
		lr := m.lagrangeBound(k, 0, level, need-m.tol(), 2000, stop)
		iters += lr.iters
		return m.floorBound(lr.ub) < need-m.tol()
	}
	// Try one site fewer while the heuristic succeeds and the bound does not
	// forbid it.
	kFail := 0 // the smallest k tried without reaching the target
	for k := len(best) - 1; k >= 1 && !stop.done(); k-- {
		cs := newCoverSearch(m, k, budget, need, seed+int64(k), stop)
		cs.greedyStart()
		if !cs.reached() {
			if proveBelow(k, cs.bestVal) {
				lb = k + 1
				kFail = k
				break
			}
			cs.run(lscpMaxStale, func() bool { return false })
		}
		iters += cs.starts + cs.moves
		if !cs.reached() {
			kFail = k
			break
		}
		best = cs.best
	}
	// Lower bound below a failed k: the largest k' < kFail the bound rules
	// out (the bound grows with k, so binary search).
	if lb <= kFail-1 {
		lo, hi := lb, kFail-1 // lb-1 is ruled out (or 0); search in [lo, hi]
		for lo <= hi && !stop.done() {
			mid := lo + (hi-lo)/2
			if proveBelow(mid, greedyCov[mid-1]) {
				lb = mid + 1
				lo = mid + 1
			} else {
				hi = mid - 1
			}
		}
	}
	return m.cheapest(best, need, seed, stop), lb, iters, nil
}

// lscpCostStale bounds the restarts without a saving in the fixed-cost
// tie-break.
const lscpCostStale = 30

// cheapest looks for a cheaper set of as many sites as open that still
// covers need: cost-reducing swaps, then restarts that close one or two
// sites of the cheapest set, refill by randomised greedy, restore coverage
// by local search and reduce cost again.
func (m *coverModel) cheapest(open []int32, need float64, seed int64, stop *coverStop) []int32 {
	st := newCoverState(m, len(open), 0, true)
	st.reset(open)
	st.cheapen(need, stop)
	best, bestCost := st.openSites(), st.spent
	if len(best) == 0 || slices.Min(m.fixed) == slices.Max(m.fixed) {
		return best
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x63686561705f))
	keep := make([]int32, 0, len(best))
	for stale := 0; stale < lscpCostStale && !stop.done(); stale++ {
		keep = append(keep[:0], best...)
		for range 1 + rng.IntN(min(2, len(keep))) {
			i := rng.IntN(len(keep))
			keep[i] = keep[len(keep)-1]
			keep = keep[:len(keep)-1]
		}
		st.reset(keep)
		st.greedy(need, 0.05+0.3*rng.Float64(), rng.IntN)
		st.localSearch(stop, need)
		if st.covered < need-m.tol() {
			continue
		}
		st.cheapen(need, stop)
		if st.spent < bestCost-1e-9*math.Max(1, bestCost) {
			best, bestCost = st.openSites(), st.spent
			stale = -1
		}
	}
	return best
}
