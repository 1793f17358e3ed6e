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
// the subgradient converges), raised by branch and bound when that proves
// one site fewer than the best cannot reach it. The search goes on while the
// bound is below the count and time remains, unless params.StopGap is met.
// It returns an error, stating the share all
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
	stop := &coverStop{ctx: ctx, deadline: start.Add(limit)} // model building counts
	var open []int32
	bound, iters := 0, 0
	if need > m.tol() {
		open, bound, iters, err = m.fewest(need, params.Budget, params.Seed, params.StopGap, stop)
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
// a lower bound on the size of any such set. It starts from the pruned
// greedy cover and a Lagrangian lower bound (binary search over k), then,
// while the bound is below the best count and time remains, works on one
// site fewer than the best: restarts of the covering search, and a
// Lagrangian branch and bound whose node budget doubles each round, which
// either finds such a cover or proves that none exists.
func (m *coverModel) fewest(need, budget float64, seed int64, stopGap float64, stop *coverStop) (open []int32, lb, iters int, err error) {
	st := newCoverState(m, len(m.site), budget, false)
	st.greedy(need, 0, nil)
	if st.covered < need-m.tol() {
		return nil, 0, 0, fmt.Errorf("found no set of sites within the budget %.6g that reaches the coverage target (the greedy reaches %.4g%% of the weight)",
			budget, 100*(m.base+st.covered)/m.total)
	}
	greedyCov := slices.Clone(st.trace) // greedyCov[k-1]: covered by the first k
	st.prune(need)
	best := st.openSites()
	lb, iters = m.fewestBound(need, budget, greedyCov, len(best)-1, stop)
	tr := lscpTry{m: m, need: need, budget: budget, stop: stop, nodes: mclpBBMaxNodes}
	for round := int64(0); lb < len(best) && !stop.done() && !gapMet(stopGap, float64(len(best)), float64(lb)); round++ {
		found, proved := tr.fewer(len(best)-1, seed+round)
		iters += tr.iters
		switch {
		case found != nil:
			best = found
		case proved:
			lb = len(best)
		case lb < len(best)-1:
			// Raise the bound instead: can lb sites cover need?
			found, proved = tr.branch(lb, newCoverSearch(m, lb, budget, need, seed+round, stop), seed+round)
			if found != nil {
				best = found
			} else if proved {
				lb++
			}
		}
	}
	return m.cheapest(best, need, seed, stop), min(lb, len(best)), iters, nil
}

// fewestBound returns the least k in [1, hi+1] that the Lagrangian bound
// does not rule out (the bound grows with k, so binary search), with the
// subgradient iterations spent. greedyCov[k-1] is the weight the greedy
// covers with k sites, the level that steers the step size.
func (m *coverModel) fewestBound(need, budget float64, greedyCov []float64, hi int, stop *coverStop) (lb, iters int) {
	lb = 1
	for lo := 1; lo <= hi && !stop.done(); {
		mid := lo + (hi-lo)/2
		lr := m.lagrangeBound(mid, budget, greedyCov[mid-1], need-m.tol(), 2000, stop)
		iters += lr.iters
		if m.floorBound(lr.ub) < need-m.tol() {
			lb, lo = mid+1, mid+1
		} else {
			hi = mid - 1
		}
	}
	return lb, iters
}

// lscpTry works on covering need with k sites, round after round.
type lscpTry struct {
	m      *coverModel
	need   float64
	budget float64
	stop   *coverStop
	nodes  int // branch-and-bound node budget of the next round
	k      int // the k of lam
	lam    []float64
	iters  int // restarts, moves and subgradient iterations of the last round
	// rm is the reduced model for covering every group (coverReduced).
	rm *coverModel
}

// fewer makes one round for k sites: the covering search from a greedy and
// a Lagrangian start, then restarts, then branch and bound (models of
// modest size). It returns a cover with k sites when it finds one, or
// proved when no cover of k sites exists.
func (t *lscpTry) fewer(k int, seed int64) (found []int32, proved bool) {
	m := t.m
	cs := newCoverSearch(m, k, t.budget, t.need, seed, t.stop)
	defer func() { t.iters = cs.starts + cs.moves }()
	if cs.greedyStart(); cs.reached() {
		return cs.best, false
	}
	if t.lam == nil || t.k != k {
		lr := m.lagrangeBound(k, t.budget, t.need, t.need-m.tol(), 2000, t.stop)
		cs.moves += lr.iters
		if m.floorBound(lr.ub) < t.need-m.tol() {
			return nil, true
		}
		t.k, t.lam, t.nodes = k, lr.lam, mclpBBMaxNodes
		if lr.primal != nil && cs.from(lr.primal) && cs.reached() {
			return cs.best, false
		}
	}
	if cs.run(lscpMaxStale, func() bool { return false }); cs.reached() {
		return cs.best, false
	}
	return t.branch(k, cs, seed)
}

// branch runs the branch and bound for k sites from the search cs (whose
// incumbent it may replace). It returns a cover with k sites when it finds
// one, or proved when no cover of k sites exists.
func (t *lscpTry) branch(k int, cs *coverSearch, seed int64) (found []int32, proved bool) {
	m := t.m
	if len(m.site) > mclpBBMaxSites || len(m.rowSite) > mclpBBMaxArcs || t.stop.done() {
		return nil, false
	}
	pm, pcs, lam := m, cs, t.lam
	if t.k != k {
		lr := m.lagrangeBound(k, t.budget, t.need, t.need-m.tol(), 2000, t.stop)
		if m.floorBound(lr.ub) < t.need-m.tol() {
			return nil, true
		}
		lam = lr.lam
	}
	if t.need >= m.coverable()-m.tol() {
		// Every group must be covered: prove on the reduced model.
		if t.rm == nil {
			t.rm = m.coverReduced(m.dominated(t.budget))
		}
		pm, lam = t.rm, nil
		pcs = newCoverSearch(pm, k, t.budget, pm.coverable(), seed, t.stop)
		lr := pm.lagrangeBound(k, t.budget, pcs.target, pcs.target-pm.tol(), 2000, t.stop)
		if pm.floorBound(lr.ub) < pcs.target-pm.tol() {
			return nil, true
		}
		lam = lr.lam
	}
	// Only covers reaching the target count: the incumbent sits just below.
	pcs.bestVal = max(pcs.bestVal, pcs.target-pm.tol()-pm.eps())
	complete := pm.prove(pcs, k, t.budget, lam, t.nodes, t.stop)
	t.nodes = min(2*t.nodes, 1<<40)
	if pcs.reached() {
		return pcs.best, false
	}
	return nil, complete
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
