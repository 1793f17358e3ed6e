package locate

import (
	"errors"
	"math"
	"slices"
	"time"
)

// pmGeoMaxAggArcs caps the aggregated instance's cost matrix.
const pmGeoMaxAggArcs = 24 << 20

// searchAggregate aggregates the demand to about groups points, solves the
// aggregated p-median until end, and evaluates its best solution on the
// complete problem. The aggregated search is kept (g.agg) for the
// Lagrangian heuristic, with the aggregated instance (g.aggIn) and each
// point's cell (g.groupOf).
func (g *pmGeo) searchAggregate(groups int, end time.Time) error {
	agg, groupOf := pmAggregate(g.in, groups)
	g.aggIn, g.groupOf = agg, groupOf
	sites := 0
	for _, s := range g.in.Sites {
		if s.Status != Forbidden {
			sites++
		}
	}
	// Rows long enough to reach the nearest open site of most points: a
	// point has about len(cands)/p candidates per open site around it.
	k := max(64, 3*len(g.cands)/max(g.p, 1))
	k = min(k, sites, max(1, pmGeoMaxAggArcs/max(1, len(agg.Demand))))
	if err := BuildCosts(agg, g.metric, 0, k); err != nil {
		return err
	}
	agg.Costs.Implicit = "" // solved on its rows
	ps := g.params
	ps.P, ps.Workers, ps.StopGap = g.p, 1, 0
	p, d, err := pmPrepare(agg, ps)
	if err != nil {
		return err
	}
	ps.TimeLimit = max(time.Until(end), time.Millisecond)
	s := newPMSearch(g.ctx, d, p, ps, time.Now(), ps.TimeLimit)
	s.run()
	if s.bestSites == nil {
		return errors.New("pmedian: no solution found on the aggregated instance")
	}
	g.agg = s
	g.offer(s.bestSites)
	return nil
}

// improve runs local search on the aggregated instance from sites (until
// the overall deadline) and returns the local optimum, or nil when that
// start was searched before.
func (g *pmGeo) improve(sites []int32) []int32 {
	s := g.agg
	s.clock = &pmClock{ctx: g.ctx, deadline: g.deadline}
	s.stopGap = 0
	before := s.starts
	s.search(sites)
	if s.starts == before {
		return nil
	}
	return s.st.sites()
}

// pmAggregate returns an instance with in's sites whose demand is in's
// positive-weight demand snapped to a square grid: one point per non-empty
// cell, at the weighted centroid of its points, with their total weight;
// and the cell of every demand point (-1 for those without weight).
// The cell size is tuned so that there are about target cells; with at most
// target points, each point is its own cell. Cells are numbered in the
// order of their first point, so the result is deterministic.
func pmAggregate(in *Instance, target int) (*Instance, []int32) {
	var pts []int32
	groupOf := make([]int32, len(in.Demand))
	for i := range groupOf {
		groupOf[i] = -1
	}
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for i, d := range in.Demand {
		if d.Weight > 0 {
			pts = append(pts, int32(i))
			minX, maxX = min(minX, d.X), max(maxX, d.X)
			minY, maxY = min(minY, d.Y), max(maxY, d.Y)
		}
	}
	agg := &Instance{Name: in.Name + " aggregated", Sites: in.Sites}
	if len(pts) <= target {
		for _, i := range pts {
			groupOf[i] = int32(len(agg.Demand))
			agg.Demand = append(agg.Demand, in.Demand[i])
		}
		return agg, groupOf
	}
	span := max(maxX-minX, maxY-minY, 1e-12)
	h := max(math.Sqrt(max((maxX-minX)*(maxY-minY), span*span/1e6)/float64(target)), span/(1<<30))
	cell := func(i int32) uint64 {
		d := &in.Demand[i]
		return uint64(int64((d.X-minX)/h))<<32 | uint64(int64((d.Y-minY)/h))
	}
	for range 12 {
		cells := map[uint64]struct{}{}
		for _, i := range pts {
			cells[cell(i)] = struct{}{}
		}
		r := float64(len(cells)) / float64(target)
		if r > 0.8 && r < 1.25 {
			break
		}
		h = max(h*math.Sqrt(min(4, max(0.25, r))), span/(1<<30))
	}
	index := map[uint64]int{}
	for _, i := range pts {
		d := &in.Demand[i]
		key := cell(i)
		at, ok := index[key]
		if !ok {
			at = len(agg.Demand)
			index[key] = at
			agg.Demand = append(agg.Demand, Demand{})
		}
		groupOf[i] = int32(at)
		a := &agg.Demand[at]
		a.Weight += d.Weight
		a.X += d.Weight * d.X
		a.Y += d.Weight * d.Y
	}
	for k := range agg.Demand {
		a := &agg.Demand[k]
		a.X, a.Y = a.X/a.Weight, a.Y/a.Weight
	}
	agg.Demand = slices.Clip(agg.Demand)
	return agg, groupOf
}
