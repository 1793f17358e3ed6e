package roads

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/shortest"
)

// Pair is a reachable origin-destination pair.
type Pair struct {
	From, To int32   // indices into the origin and destination slices
	Minutes  float64 // travel time, off-road legs included
	Km       float64 // travel distance along the fastest route
}

// PairOptions tune travel-time searches.
type PairOptions struct {
	// SnapMetres: points farther than this from every road are unreachable
	// by road (default DefaultSnapMetres).
	SnapMetres float64
	// OffRoadKmh: speed between a point and its road (default
	// DefaultOffRoadKmh).
	OffRoadKmh float64
	// Workers searching in parallel (default GOMAXPROCS).
	Workers int
}

func (o PairOptions) withDefaults() PairOptions {
	if o.SnapMetres <= 0 {
		o.SnapMetres = DefaultSnapMetres
	}
	if o.OffRoadKmh <= 0 {
		o.OffRoadKmh = DefaultOffRoadKmh
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o
}

// place is a point attached to the network.
type place struct {
	ok           bool
	edge         int32
	frac         float64
	offMin, offM float64 // off-road leg
}

func (g *Graph) place(p orb.Point, opt PairOptions) place {
	s, ok := g.Snap(p, opt.SnapMetres)
	if !ok {
		return place{}
	}
	return place{ok: true, edge: s.Edge, frac: s.Frac, offMin: s.Metres / 1000 / opt.OffRoadKmh * 60, offM: s.Metres}
}

// seed is a vertex where a search starts, with the minutes (Cost) and
// metres (Aux) of getting there.
type seed = shortest.Seed

// search is one worker's Dijkstra state, reused between searches.
type search = shortest.Search

// leaving lists the vertices reached from a place by travelling along its
// edge: towards the edge's target if the edge allows it, towards its
// source if it allows that.
// A place at an end of its edge is at that vertex, whatever the edge's
// direction.
func (g *Graph) leaving(pl place) []seed {
	e := &g.edges[pl.edge]
	var out []seed
	switch {
	case e.fwd >= 0:
		out = append(out, seed{V: e.v, Cost: (1 - pl.frac) * e.fwd, Aux: (1 - pl.frac) * e.metres})
	case pl.frac == 1:
		out = append(out, seed{V: e.v})
	}
	switch {
	case e.rev >= 0:
		out = append(out, seed{V: e.u, Cost: pl.frac * e.rev, Aux: pl.frac * e.metres})
	case pl.frac == 0:
		out = append(out, seed{V: e.u})
	}
	return out
}

// arriving lists the vertices from which a place is reached along its
// edge, with the cost of the last stretch.
func (g *Graph) arriving(pl place) []seed {
	e := &g.edges[pl.edge]
	var out []seed
	switch {
	case e.fwd >= 0:
		out = append(out, seed{V: e.u, Cost: pl.frac * e.fwd, Aux: pl.frac * e.metres})
	case pl.frac == 0:
		out = append(out, seed{V: e.u})
	}
	switch {
	case e.rev >= 0:
		out = append(out, seed{V: e.v, Cost: (1 - pl.frac) * e.rev, Aux: (1 - pl.frac) * e.metres})
	case pl.frac == 1:
		out = append(out, seed{V: e.v})
	}
	return out
}

// along is the direct trip from a to b on their shared edge, if any.
func (g *Graph) along(a, b place) (minutes, metres float64, ok bool) {
	if a.edge != b.edge {
		return 0, 0, false
	}
	e := &g.edges[a.edge]
	d := b.frac - a.frac
	switch {
	case d >= 0 && e.fwd >= 0:
		return d * e.fwd, d * e.metres, true
	case d <= 0 && e.rev >= 0:
		return -d * e.rev, -d * e.metres, true
	}
	return 0, 0, false
}

// Pairs returns every pair (i, j) whose travel time from from[i] to to[j],
// off-road legs included, is at most maxMinutes[i], ordered by origin, then
// time, then destination. Points farther than opt.SnapMetres from every
// road are in no pair.
//
// It runs one bounded Dijkstra per origin, or, when there are fewer
// destinations, one per destination over the reversed graph, in parallel.
func (g *Graph) Pairs(ctx context.Context, from, to []orb.Point, maxMinutes []float64, opt PairOptions) ([]Pair, error) {
	opt = opt.withDefaults()
	if len(from) == 0 || len(to) == 0 || g.Empty() {
		return nil, nil
	}
	pj := g.newPairJob(from, to, maxMinutes, opt)
	var found [][]Pair // by search
	var err error
	if len(to) < len(from) {
		found, err = pj.searchFromDests(ctx, opt.Workers)
	} else {
		found, err = pj.searchFromOrigins(ctx, opt.Workers)
	}
	if err != nil {
		return nil, err
	}
	return groupByOrigin(found, len(from)), nil
}

// pairJob is what every search of one Pairs call shares: the places
// attached to the network, the road-time budget of each origin and the
// seeds each place connects through, all computed once.
type pairJob struct {
	g             *Graph
	origins       []place
	dests         []place
	budget        []float64 // minutes left for the road part, by origin
	maxBudget     float64   // largest budget
	leave, arrive [][]seed  // seeds of origins and of destinations
}

// newPairJob snaps the points to the network and computes the budgets and
// seeds.
func (g *Graph) newPairJob(from, to []orb.Point, maxMinutes []float64, opt PairOptions) *pairJob {
	pj := &pairJob{
		g:         g,
		origins:   make([]place, len(from)),
		dests:     make([]place, len(to)),
		budget:    make([]float64, len(from)),
		maxBudget: math.Inf(-1),
		leave:     make([][]seed, len(from)),
		arrive:    make([][]seed, len(to)),
	}
	g.placeAll(from, pj.origins, opt)
	g.placeAll(to, pj.dests, opt)
	for i, o := range pj.origins {
		pj.budget[i] = math.Inf(-1)
		if o.ok && maxMinutes[i] >= 0 {
			pj.budget[i] = maxMinutes[i] - o.offMin
			pj.maxBudget = math.Max(pj.maxBudget, pj.budget[i])
		}
	}
	for i, o := range pj.origins {
		if o.ok {
			pj.leave[i] = g.leaving(o)
		}
	}
	for j, d := range pj.dests {
		if d.ok {
			pj.arrive[j] = g.arriving(d)
		}
	}
	return pj
}

// searchFromDests runs one backward search per destination (dist[v] = time
// from v to it) and returns the pairs found by each.
func (pj *pairJob) searchFromDests(ctx context.Context, workers int) ([][]Pair, error) {
	found := make([][]Pair, len(pj.dests))
	goal, goals := pj.g.goals(pj.leave)
	err := pj.g.parallel(ctx, len(pj.dests), workers, func(s *search, j int) {
		d := pj.dests[j]
		if !d.ok || pj.maxBudget-d.offMin < 0 {
			return
		}
		s.Run(pj.g.rev, pj.arrive[j], pj.maxBudget-d.offMin, goal, goals)
		for i, o := range pj.origins {
			if o.ok {
				if p, ok := pj.pair(s, i, j, pj.leave[i]); ok {
					found[j] = append(found[j], p)
				}
			}
		}
	})
	return found, err
}

// searchFromOrigins runs one forward search per origin and returns the
// pairs found by each.
func (pj *pairJob) searchFromOrigins(ctx context.Context, workers int) ([][]Pair, error) {
	found := make([][]Pair, len(pj.origins))
	goal, goals := pj.g.goals(pj.arrive)
	err := pj.g.parallel(ctx, len(pj.origins), workers, func(s *search, i int) {
		if !pj.origins[i].ok || pj.budget[i] < 0 {
			return
		}
		s.Run(pj.g.fwd, pj.leave[i], pj.budget[i], goal, goals)
		for j, d := range pj.dests {
			if d.ok {
				if p, ok := pj.pair(s, i, j, pj.arrive[j]); ok {
					found[i] = append(found[i], p)
				}
			}
		}
	})
	return found, err
}

// pair evaluates origin i to destination j once s has searched from one of
// them: via the vertices the other connects through, or straight along a
// shared edge. It reports false when the trip is over origin i's budget.
func (pj *pairJob) pair(s *search, i, j int, via []seed) (Pair, bool) {
	o, d := pj.origins[i], pj.dests[j]
	best, bestM := math.Inf(1), 0.0
	for _, sd := range via {
		if t, m := s.At(sd.V); t+sd.Cost < best {
			best, bestM = t+sd.Cost, m+sd.Aux
		}
	}
	if t, m, ok := pj.g.along(o, d); ok && t < best {
		best, bestM = t, m
	}
	if best+d.offMin > pj.budget[i] {
		return Pair{}, false
	}
	return Pair{From: int32(i), To: int32(j), Minutes: o.offMin + best + d.offMin, Km: (o.offM + bestM + d.offM) / 1000}, true
}

// groupByOrigin merges the pairs found by every search into one slice
// grouped by origin (a counting sort), each origin's pairs ordered by
// time, then destination.
func groupByOrigin(found [][]Pair, origins int) []Pair {
	start := make([]int, origins+1)
	for _, ps := range found {
		for _, p := range ps {
			start[p.From+1]++
		}
	}
	for i := range origins {
		start[i+1] += start[i]
	}
	out := make([]Pair, start[origins])
	next := slices.Clone(start[:origins])
	for _, ps := range found {
		for _, p := range ps {
			out[next[p.From]] = p
			next[p.From]++
		}
	}
	for i := range origins {
		slices.SortFunc(out[start[i]:start[i+1]], byMinutesThenDest)
	}
	return out
}

// byMinutesThenDest orders one origin's pairs by time, then destination.
func byMinutesThenDest(a, b Pair) int {
	if a.Minutes != b.Minutes {
		if a.Minutes < b.Minutes {
			return -1
		}
		return 1
	}
	return int(a.To - b.To)
}

func (g *Graph) placeAll(ps []orb.Point, out []place, opt PairOptions) {
	for i, p := range ps {
		out[i] = g.place(p, opt)
	}
}

// goals marks the vertices through which the searched-for places connect.
func (g *Graph) goals(seeds [][]seed) ([]bool, int) {
	goal := make([]bool, g.vertices)
	n := 0
	for _, ss := range seeds {
		for _, sd := range ss {
			if !goal[sd.V] {
				goal[sd.V] = true
				n++
			}
		}
	}
	return goal, n
}

// parallel calls fn(search, k) for k in [0, n) on workers goroutines, each
// with its own search state; it stops early when ctx ends.
func (g *Graph) parallel(ctx context.Context, n, workers int, fn func(*search, int)) error {
	workers = max(1, min(workers, n))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := shortest.NewSearch(g.vertices)
			for k := range next {
				fn(s, k)
			}
		}()
	}
	var err error
feed:
	for k := 0; k < n; k++ {
		select {
		case next <- k:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	return err
}
