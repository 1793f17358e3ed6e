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
	origins := make([]place, len(from))
	dests := make([]place, len(to))
	g.placeAll(from, origins, opt)
	g.placeAll(to, dests, opt)
	budget := make([]float64, len(from)) // minutes left for the road part
	maxBudget := math.Inf(-1)
	for i, o := range origins {
		budget[i] = math.Inf(-1)
		if o.ok && maxMinutes[i] >= 0 {
			budget[i] = maxMinutes[i] - o.offMin
			maxBudget = math.Max(maxBudget, budget[i])
		}
	}
	// The seeds of every place, computed once.
	leave := make([][]seed, len(from))
	for i, o := range origins {
		if o.ok {
			leave[i] = g.leaving(o)
		}
	}
	arrive := make([][]seed, len(to))
	for j, d := range dests {
		if d.ok {
			arrive[j] = g.arriving(d)
		}
	}
	// pair evaluates origin i to destination j once s has searched from
	// one of them: via the vertices the other connects through, or
	// straight along a shared edge.
	pair := func(s *search, i, j int, via []seed) (Pair, bool) {
		o, d := origins[i], dests[j]
		best, bestM := math.Inf(1), 0.0
		for _, sd := range via {
			if t, m := s.At(sd.V); t+sd.Cost < best {
				best, bestM = t+sd.Cost, m+sd.Aux
			}
		}
		if t, m, ok := g.along(o, d); ok && t < best {
			best, bestM = t, m
		}
		if best+d.offMin > budget[i] {
			return Pair{}, false
		}
		return Pair{From: int32(i), To: int32(j), Minutes: o.offMin + best + d.offMin, Km: (o.offM + bestM + d.offM) / 1000}, true
	}
	var found [][]Pair // by search
	if len(to) < len(from) {
		// Backwards from each destination: dist[v] = time from v to it.
		found = make([][]Pair, len(to))
		goal, goals := g.goals(leave)
		err := g.parallel(ctx, len(to), opt.Workers, func(s *search, j int) {
			d := dests[j]
			if !d.ok || maxBudget-d.offMin < 0 {
				return
			}
			s.Run(g.rev, arrive[j], maxBudget-d.offMin, goal, goals)
			for i, o := range origins {
				if o.ok {
					if p, ok := pair(s, i, j, leave[i]); ok {
						found[j] = append(found[j], p)
					}
				}
			}
		})
		if err != nil {
			return nil, err
		}
	} else {
		found = make([][]Pair, len(from))
		goal, goals := g.goals(arrive)
		err := g.parallel(ctx, len(from), opt.Workers, func(s *search, i int) {
			if !origins[i].ok || budget[i] < 0 {
				return
			}
			s.Run(g.fwd, leave[i], budget[i], goal, goals)
			for j, d := range dests {
				if d.ok {
					if p, ok := pair(s, i, j, arrive[j]); ok {
						found[i] = append(found[i], p)
					}
				}
			}
		})
		if err != nil {
			return nil, err
		}
	}
	// Group by origin (a counting sort), then order each origin's pairs.
	start := make([]int, len(from)+1)
	for _, ps := range found {
		for _, p := range ps {
			start[p.From+1]++
		}
	}
	for i := range from {
		start[i+1] += start[i]
	}
	out := make([]Pair, start[len(from)])
	next := slices.Clone(start[:len(from)])
	for _, ps := range found {
		for _, p := range ps {
			out[next[p.From]] = p
			next[p.From]++
		}
	}
	for i := range from {
		slices.SortFunc(out[start[i]:start[i+1]], func(a, b Pair) int {
			if a.Minutes != b.Minutes {
				if a.Minutes < b.Minutes {
					return -1
				}
				return 1
			}
			return int(a.To - b.To)
		})
	}
	return out, nil
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
