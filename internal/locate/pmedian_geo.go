package locate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// This file solves large p-median instances whose cost rows were cut to
// each point's nearest sites (Costs.Implicit): the problem solved is the
// complete one, every point served by its nearest open site among all
// sites, at the metric's distance.
//
// Two levels: the search runs on an aggregated instance (the demand
// snapped to a grid of cells, each cell one weighted point at its centroid,
// with long cost rows), and its solutions are evaluated exactly on every
// point with a k-d tree of the open sites. The lower bound is Lagrangian on
// the complete problem itself, not on the aggregate: see pmGeoLR.

// pmGeoMinDemand is the number of demand points from which p-median on
// cut rows (Costs.Implicit) is solved as the complete geometric problem.
// Smaller instances keep the rows as given (a missing pair is unreachable).
const pmGeoMinDemand = 50_000

// pmGeoGroups is the number of aggregated points the search works on.
const pmGeoGroups = 40_000

// pmGeometric reports whether in is solved by solvePMedianGeo.
func pmGeometric(in *Instance) bool {
	return in.Costs.Implicit != "" && len(in.Demand) >= pmGeoMinDemand
}

// pmGeo is one solve of the complete geometric p-median.
type pmGeo struct {
	in       *Instance
	metric   Metric
	p        int
	params   Params
	start    time.Time
	deadline time.Time
	ctx      context.Context
	existing []int32 // existing sites
	cands    []int32 // candidate sites

	best      float64 // objective of bestSites on the complete problem
	bestSites []int32
	bestDist  []float64 // per demand: distance to its nearest open site
	bestSite  []int32   // per demand: that site
	bound     float64
	agg       *pmSearch // the search on the aggregated instance
	aggIn     *Instance // the aggregated instance
	groupOf   []int32   // per demand point: its point in aggIn (-1: no weight)
	lr        *pmGeoLR  // the bound
	candTree  *kdTree   // the candidate sites (refine)
	evals     int
	starts    int
}

// solvePMedianGeo solves the complete geometric p-median of an instance with
// cut rows (see pmGeometric): aggregated search, exact evaluation, and a
// Lagrangian bound over all sites, so that Bound is a proven lower bound
// for the complete problem whatever k the rows were cut to.
func solvePMedianGeo(ctx context.Context, in *Instance, params Params) (*Result, error) {
	return solvePMedianGeoGroups(ctx, in, params, pmGeoGroups)
}

// solvePMedianGeoGroups is solvePMedianGeo with the search on about groups
// aggregated points (tests aggregate small instances this way).
func solvePMedianGeoGroups(ctx context.Context, in *Instance, params Params, groups int) (*Result, error) {
	g, err := newPMGeo(ctx, in, params)
	if err != nil {
		return nil, err
	}
	groups = min(groups, len(in.Demand))
	searchEnd := g.start.Add(g.deadline.Sub(g.start) / 5)
	if err := g.searchAggregate(groups, searchEnd); err != nil {
		return nil, err
	}
	g.refine(g.lastCall())
	g.lowerBound()
	return g.result(), nil
}

// newPMGeo checks the request and sets the clock.
func newPMGeo(ctx context.Context, in *Instance, params Params) (*pmGeo, error) {
	p := params.P
	if p == 0 {
		p = in.P
	}
	if p < 0 {
		return nil, fmt.Errorf("%s: p = %d must not be negative", params.Problem, p)
	}
	if math.IsNaN(params.Budget) {
		return nil, fmt.Errorf("%s: budget is NaN", params.Problem)
	}
	g := &pmGeo{in: in, metric: in.Costs.Implicit, p: p, params: params, start: time.Now(), ctx: ctx, best: math.Inf(1)}
	for j, s := range in.Sites {
		switch s.Status {
		case Candidate:
			g.cands = append(g.cands, int32(j))
		case Existing:
			g.existing = append(g.existing, int32(j))
		}
	}
	if p > len(g.cands) {
		return nil, fmt.Errorf("%s: p = %d new sites but only %d candidate sites: %w", params.Problem, p, len(g.cands), ErrInfeasible)
	}
	if p == 0 && len(g.existing) == 0 {
		return nil, fmt.Errorf("%s: p must be positive (no existing sites to evaluate)", params.Problem)
	}
	limit := params.TimeLimit
	if limit <= 0 {
		limit = pmDefaultLimit
	}
	g.deadline = g.start.Add(limit)
	return g, nil
}

// done reports whether the time is up or ctx ended.
func (g *pmGeo) done() bool {
	return g.ctx.Err() != nil || !time.Now().Before(g.deadline)
}

// lastCall returns the time after which no new solution is evaluated on
// the complete problem: an evaluation takes seconds at a million points, so
// none starts in the last 5 % of the time.
func (g *pmGeo) lastCall() time.Time {
	return g.deadline.Add(-g.deadline.Sub(g.start) / 20)
}

// proven reports whether the gap is closed or down to Params.StopGap.
func (g *pmGeo) proven() bool {
	return g.best-g.bound <= 1e-11*math.Abs(g.best) || gapMet(g.params.StopGap, g.best, g.bound)
}

// offer evaluates new sites on the complete problem and keeps them when
// they are the best so far.
func (g *pmGeo) offer(sites []int32) bool {
	g.starts++
	open := slices.Concat(g.existing, sites)
	var until time.Time // the first solution is evaluated whatever the time
	if g.bestSites != nil {
		until = g.deadline
	}
	obj, dist, at := pmGeoEvaluate(g.in, g.metric, open, until)
	if obj >= g.best {
		return false
	}
	g.best, g.bestSites, g.bestDist, g.bestSite = obj, slices.Clone(sites), dist, at
	return true
}

// pmGeoEvaluate returns the weighted distance from every demand point to its
// nearest site in open (under m), and per point that distance and site.
// When until is set and passes during the evaluation, it stops and returns
// +Inf, so that a late evaluation does not overrun the time limit.
func pmGeoEvaluate(in *Instance, m Metric, open []int32, until time.Time) (float64, []float64, []int32) {
	n := len(in.Demand)
	dist := make([]float64, n)
	at := make([]int32, n)
	tree := newKDTree(in.Sites, open, m)
	const chunks = 16 // fixed, so that the sum does not depend on the machine
	sums := make([]float64, chunks)
	forRanges(n, chunks, func(c, lo, hi int) {
		var q kdQuery
		s := 0.0
		for i := lo; i < hi; i++ {
			if (i-lo)%pmGeoBlockLen == 0 && !until.IsZero() && !time.Now().Before(until) {
				sums[c] = math.Inf(1)
				return
			}
			d := &in.Demand[i]
			q.nearest(tree, d.X, d.Y, 1, math.Inf(1))
			dist[i], at[i] = q.heap[0].dist, q.heap[0].site
			if d.Weight > 0 {
				s += d.Weight * dist[i]
			}
		}
		sums[c] = s
	})
	obj := 0.0
	for _, s := range sums {
		obj += s
	}
	return obj, dist, at
}

// weight returns the total demand weight.
func (g *pmGeo) weight() float64 {
	w := 0.0
	for _, d := range g.in.Demand {
		if d.Weight > 0 {
			w += d.Weight
		}
	}
	return max(w, 1e-300)
}

// result turns the best solution into a Result.
func (g *pmGeo) result() *Result {
	res := &Result{
		Problem:    PMedian,
		Objective:  g.best,
		Bound:      min(g.bound, g.best),
		Sites:      sortSites(g.bestSites),
		Assign:     g.bestSite,
		Iterations: g.starts + g.evals,
	}
	res.Gap = GapPercent(res.Objective, res.Bound)
	res.Seconds = time.Since(g.start).Seconds()
	return res
}

// forRanges calls f on chunks consecutive ranges covering [0, n), all at
// once (the runtime spreads them over the cores). The ranges do not depend
// on the machine, so neither do sums made per range.
func forRanges(n, chunks int, f func(c, lo, hi int)) {
	var wg sync.WaitGroup
	for c := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(c, c*n/chunks, (c+1)*n/chunks)
		}()
	}
	wg.Wait()
}
