package locate

import (
	"context"
	"fmt"
	"time"
)

// defaultCoverLimit is the time limit of a covering solve when
// Params.TimeLimit is 0.
const defaultCoverLimit = 30 * time.Second

// mclpMaxStale is how many restarts in a row may fail to improve the best
// solution before the search gives up (unless the bound proves it first).
const mclpMaxStale = 200

// The branch and bound that closes the last gap runs on models with at most
// mclpBBMaxSites sites and mclpBBMaxArcs covering pairs, and explores at
// most mclpBBMaxNodes nodes.
const (
	mclpBBMaxSites = 5000
	mclpBBMaxArcs  = 1 << 20
	mclpBBMaxNodes = 5000
)

// mclpWarmStale bounds the restarts made before the bound is computed.
const mclpWarmStale = 20

// solveMCLP maximises the weight within the covering radius of an open site,
// opening at most params.P new candidate sites (within params.Budget when
// set); existing sites are open and their coverage counts, forbidden sites
// never open. A demand's own Radius wins over params.Radius, which wins over
// in.Radius. The bound is a Lagrangian upper bound on the covered weight,
// or the objective itself when branch and bound proves it optimal.
func solveMCLP(ctx context.Context, in *Instance, params Params) (*Result, error) {
	start := time.Now()
	if params.P < 0 {
		return nil, fmt.Errorf("p = %d: the number of new sites cannot be negative", params.P)
	}
	r := effectiveRadius(in, params)
	m, err := newCoverModel(in, r)
	if err != nil {
		return nil, err
	}
	if params.P > m.nCand {
		return nil, fmt.Errorf("p = %d exceeds the %d candidate sites", params.P, m.nCand)
	}
	limit := params.TimeLimit
	if limit <= 0 {
		limit = defaultCoverLimit
	}
	stop := &coverStop{ctx: ctx, deadline: start.Add(limit)} // model building counts
	open, _, ub, iters := m.maximise(params.P, params.Budget, params.Seed, stop, limit, params.StopGap)
	res := coverResult(in, m, r, open, MCLP)
	res.Objective = res.Covered
	res.Bound = max(m.base+ub, res.Objective)
	res.Gap = GapPercent(res.Objective, res.Bound)
	res.Iterations = iters
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// maximise finds p sites (within budget) covering as much group weight as
// it can and an upper bound on the best possible. It returns the open sites,
// their covered group weight, the bound and the number of restarts and
// moves made. While the bound is not met (nor the stopping gap stopGap, in
// percent, when > 0) it goes on until stop fires: restarts alternate with
// branch and bound under a node budget that doubles each round.
func (m *coverModel) maximise(p int, budget float64, seed int64, stop *coverStop, limit time.Duration, stopGap float64) (open []int32, val, ub float64, iters int) {
	if len(m.w) == 0 || p == 0 {
		return nil, 0, 0, 0
	}
	cs := newCoverSearch(m, p, budget, 0, seed, stop)
	cs.greedyStart()
	var lam []float64 // multipliers of the root bound
	ub = m.coverable()
	proven := func() bool {
		return m.floorBound(ub) <= cs.bestVal+m.eps()/2 || gapMet(stopGap, m.base+cs.bestVal, m.base+ub)
	}
	// phase bounds the stop of a phase to share of the time limit.
	phase := func(share float64) *coverStop {
		return newCoverStop(stop.ctx, min(time.Until(stop.deadline), time.Duration(share*float64(limit))))
	}
	if !proven() {
		// A few restarts first give the bound's step size a good level.
		cs.stop = phase(0.1)
		cs.run(mclpWarmStale, proven)
		cs.stop = stop
	}
	if !proven() {
		lr := m.lagrangeBound(p, budget, cs.bestVal, cs.bestVal+m.eps(), 2000, phase(0.3))
		ub = m.floorBound(lr.ub)
		lam = lr.lam
		if lr.primal != nil && !proven() {
			cs.from(lr.primal)
		}
	}
	if !proven() {
		cs.run(mclpMaxStale, proven)
	}
	bb := lam != nil && len(m.site) <= mclpBBMaxSites && len(m.rowSite) <= mclpBBMaxArcs
	for nodes := mclpBBMaxNodes; !proven() && !stop.done(); nodes = min(2*nodes, 1<<40) {
		if bb && m.prove(cs, p, budget, lam, nodes, stop) {
			ub = cs.bestVal
			break
		}
		cs.run(mclpMaxStale, proven)
	}
	return cs.best, cs.bestVal, max(ub, cs.bestVal), cs.starts + cs.moves
}
