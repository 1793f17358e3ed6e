// Package shortest finds shortest paths (Dijkstra's algorithm with a
// binary heap) on graphs in compressed adjacency form: the road network's
// travel times (internal/roads) and the OR-Library p-median graphs
// (internal/locate) share it.
//
// A Search keeps its arrays between runs and clears only what a run
// touched, so many bounded searches on one large graph cost what they
// visit, not the graph's size.
package shortest

import (
	"math"

	"github.com/coldchain/coldchain/internal/pqueue"
)

// Graph lists the arcs leaving each vertex v at indices
// Start[v]..Start[v+1] of To (head vertex), Cost (non-negative length) and,
// optionally, Aux: a second measure summed along the shortest path (such
// as metres along the fastest route); nil when not wanted.
type Graph struct {
	Start []int32
	To    []int32
	Cost  []float64
	Aux   []float64
}

// Vertices is the number of vertices.
func (g *Graph) Vertices() int { return max(len(g.Start)-1, 0) }

// Seed is a vertex a search starts from, with its cost (and auxiliary
// measure) on arrival.
type Seed struct {
	V         int32
	Cost, Aux float64
}

// item is a heap entry: a vertex and a tentative cost.
type item struct {
	d float64
	v int32
}

// Search is one worker's Dijkstra state, reused between runs on graphs
// of the same vertex count. It is not safe for concurrent use: give each
// goroutine its own.
type Search struct {
	dist    []float64
	aux     []float64
	done    []uint32
	epoch   uint32
	touched []int32
	heap    *pqueue.Heap[item]
}

// NewSearch returns a search over graphs of n vertices.
func NewSearch(n int) *Search {
	s := &Search{dist: make([]float64, n), aux: make([]float64, n), done: make([]uint32, n),
		heap: pqueue.New(func(a, b item) bool { return a.d < b.d })}
	for i := range s.dist {
		s.dist[i] = math.Inf(1)
	}
	return s
}

// Run settles vertices of g in order of cost from the seeds, up to bound
// (math.Inf(1): no bound). goal marks vertices whose costs are wanted; the
// search stops once goals of them are settled (goals <= 0 or goal nil:
// never). Results of the previous run are forgotten.
func (s *Search) Run(g *Graph, seeds []Seed, bound float64, goal []bool, goals int) {
	s.start(seeds, bound)
	for s.heap.Len() > 0 {
		it := s.heap.Pop()
		u := it.v
		if s.done[u] == s.epoch || it.d > s.dist[u] {
			continue // stale entry
		}
		s.done[u] = s.epoch
		if goal != nil && goal[u] {
			if goals--; goals == 0 {
				return
			}
		}
		du, au := s.dist[u], s.aux[u]
		for k := g.Start[u]; k < g.Start[u+1]; k++ {
			v := g.To[k]
			d := du + g.Cost[k]
			if d > bound || d >= s.dist[v] {
				continue
			}
			if math.IsInf(s.dist[v], 1) {
				s.touched = append(s.touched, v)
			}
			s.dist[v] = d
			if g.Aux != nil {
				s.aux[v] = au + g.Aux[k]
			}
			s.heap.Push(item{d, v})
		}
	}
}

// start forgets the previous run and queues the seeds within bound.
func (s *Search) start(seeds []Seed, bound float64) {
	for _, v := range s.touched {
		s.dist[v] = math.Inf(1)
	}
	s.touched = s.touched[:0]
	s.epoch++
	if s.epoch == 0 { // wrapped: clear the marks
		clear(s.done)
		s.epoch = 1
	}
	s.heap.Reset()
	for _, sd := range seeds {
		if sd.Cost <= bound && sd.Cost < s.dist[sd.V] {
			if math.IsInf(s.dist[sd.V], 1) {
				s.touched = append(s.touched, sd.V)
			}
			s.dist[sd.V], s.aux[sd.V] = sd.Cost, sd.Aux
			s.heap.Push(item{sd.Cost, sd.V})
		}
	}
}

// At returns v's cost and auxiliary measure from the last run, or +Inf
// and 0 when the run did not settle v (unreachable, beyond the bound, or
// the run stopped at its goals first).
func (s *Search) At(v int32) (cost, aux float64) {
	if s.done[v] != s.epoch {
		return math.Inf(1), 0
	}
	return s.dist[v], s.aux[v]
}
