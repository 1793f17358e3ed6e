package locate

import (
	"math"
	"time"
)

// The aggregated search optimises the cells' objective, which differs from
// the points' by the aggregation error. refine corrects the sites on the
// points themselves: each open candidate moves to the 1-median of the points
// it serves, among the candidates around it.

// pmGeoRefineNear is how many candidates around an open site (itself
// included) refine weighs as its replacement.
const pmGeoRefineNear = 24

// refine moves each new site of the best solution to the candidate, among
// the pmGeoRefineNear nearest to it, that serves the points assigned to it
// at the least weighted distance, evaluates the result on the complete
// problem and keeps it, round after round while it improves and until
// passes. It returns the number of rounds kept.
//
// A round never makes the solution worse: serving each site's points from
// its replacement costs no more than before, and serving every point from
// its nearest open site only less. The exact evaluation confirms it.
func (g *pmGeo) refine(until time.Time) int {
	rounds := 0
	for time.Now().Before(until) && g.ctx.Err() == nil {
		next := g.medians(until)
		if next == nil || !g.offer(next) {
			break
		}
		rounds++
	}
	return rounds
}

// medians returns the best solution with each new site moved to its
// points' 1-median among the candidates near it (see refine), or nil when
// no site moves or until passes first.
func (g *pmGeo) medians(until time.Time) []int32 {
	sites := g.bestSites
	start, members := g.clusters(sites)
	if g.candTree == nil {
		g.candTree = newKDTree(g.in.Sites, g.cands, g.metric)
	}
	choice := make([]int32, len(sites))
	late := make([]bool, len(sites))
	forRanges(len(sites), min(len(sites), pmGeoWorkers), func(_, lo, hi int) {
		var q kdQuery
		cost := make([]float64, pmGeoRefineNear)
		for k := lo; k < hi; k++ {
			if late[k] = !time.Now().Before(until); late[k] {
				return
			}
			choice[k] = g.median(&q, cost, sites[k], members[start[k]:start[k+1]])
		}
	})
	taken := make(map[int32]bool, len(sites))
	for k, j := range sites {
		if late[k] {
			return nil
		}
		taken[j] = true
	}
	next, moved := make([]int32, len(sites)), false
	for k, j := range sites {
		next[k] = j
		// A site left by another keeps its place as taken: each site then
		// moves at most once a round, to a site no other one holds.
		if c := choice[k]; c != j && !taken[c] {
			next[k], taken[c], moved = c, true, true
		}
	}
	if !moved {
		return nil
	}
	return next
}

// clusters returns the positive-weight points served by each of sites in
// the best solution: those of sites[k] are members[start[k]:start[k+1]].
func (g *pmGeo) clusters(sites []int32) (start, members []int32) {
	slot := make([]int32, len(g.in.Sites))
	for j := range slot {
		slot[j] = -1
	}
	for k, j := range sites {
		slot[j] = int32(k)
	}
	start = make([]int32, len(sites)+1)
	for i, j := range g.bestSite {
		if k := slot[j]; k >= 0 && g.in.Demand[i].Weight > 0 {
			start[k+1]++
		}
	}
	for k := range sites {
		start[k+1] += start[k]
	}
	members = make([]int32, start[len(sites)])
	fill := append([]int32(nil), start[:len(sites)]...)
	for i, j := range g.bestSite {
		if k := slot[j]; k >= 0 && g.in.Demand[i].Weight > 0 {
			members[fill[k]] = int32(i)
			fill[k]++
		}
	}
	return start, members
}

// median returns the candidate among the pmGeoRefineNear nearest to site
// that serves points at the least weighted distance; site itself on ties.
// cost is scratch of pmGeoRefineNear values.
func (g *pmGeo) median(q *kdQuery, cost []float64, site int32, points []int32) int32 {
	s := &g.in.Sites[site]
	q.nearest(g.candTree, s.X, s.Y, pmGeoRefineNear, math.Inf(1))
	cost = cost[:len(q.heap)]
	clear(cost)
	for _, i := range points {
		d := &g.in.Demand[i]
		for h, hit := range q.heap {
			c := &g.in.Sites[hit.site]
			cost[h] += d.Weight * g.metric.Distance(d.X, d.Y, c.X, c.Y)
		}
	}
	best, at := math.Inf(1), site
	for h, hit := range q.heap {
		if hit.site == site {
			best = cost[h]
		}
	}
	for h, hit := range q.heap {
		if cost[h] < best {
			best, at = cost[h], hit.site
		}
	}
	return at
}
