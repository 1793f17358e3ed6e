package shortest

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randomGraph returns a directed graph on n vertices with m random arcs,
// and its arc list.
func randomGraph(rng *rand.Rand, n, m int) (*Graph, [][3]float64) {
	arcs := make([][3]float64, m)
	g := &Graph{Start: make([]int32, n+1), To: make([]int32, m), Cost: make([]float64, m), Aux: make([]float64, m)}
	for i := range arcs {
		arcs[i] = [3]float64{float64(rng.IntN(n)), float64(rng.IntN(n)), float64(rng.IntN(10))}
		g.Start[int(arcs[i][0])+1]++
	}
	for v := range n {
		g.Start[v+1] += g.Start[v]
	}
	next := append([]int32(nil), g.Start[:n]...)
	for _, a := range arcs {
		u := int(a[0])
		g.To[next[u]], g.Cost[next[u]], g.Aux[next[u]] = int32(a[1]), a[2], 1
		next[u]++
	}
	return g, arcs
}

// bellmanFord is the reference: costs from src by relaxing every arc n times.
func bellmanFord(n int, arcs [][3]float64, src int) []float64 {
	d := make([]float64, n)
	for i := range d {
		d[i] = math.Inf(1)
	}
	d[src] = 0
	for range n {
		for _, a := range arcs {
			if u, v := int(a[0]), int(a[1]); d[u]+a[2] < d[v] {
				d[v] = d[u] + a[2]
			}
		}
	}
	return d
}

func TestSearchMatchesBellmanFord(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := range 50 {
		n := 2 + rng.IntN(60)
		g, arcs := randomGraph(rng, n, rng.IntN(4*n))
		s := NewSearch(g.Vertices())
		for src := range n {
			want := bellmanFord(n, arcs, src)
			bound := math.Inf(1)
			if src%3 == 1 {
				bound = 12
			}
			s.Run(g, []Seed{{V: int32(src)}}, bound, nil, 0)
			for v := range n {
				got, hops := s.At(int32(v))
				w := want[v]
				if w > bound {
					w = math.Inf(1)
				}
				if got != w {
					t.Fatalf("round %d: %d -> %d: %v, want %v (bound %v)", round, src, v, got, w, bound)
				}
				if !math.IsInf(got, 1) && (hops < 0 || (v == src && hops != 0)) {
					t.Fatalf("round %d: %d -> %d: aux %v", round, src, v, hops)
				}
			}
		}
	}
}

// Several seeds act as one super-source; goals stop the search early but
// every goal it reports is exact.
func TestSeedsAndGoals(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	n := 80
	g, arcs := randomGraph(rng, n, 300)
	a, b := bellmanFord(n, arcs, 3), bellmanFord(n, arcs, 40)
	s := NewSearch(g.Vertices())
	s.Run(g, []Seed{{V: 3, Cost: 2}, {V: 40, Cost: 0}}, math.Inf(1), nil, 0)
	for v := range n {
		want := math.Min(a[v]+2, b[v])
		if got, _ := s.At(int32(v)); got != want {
			t.Fatalf("%d: %v, want %v", v, got, want)
		}
	}
	goal := make([]bool, n)
	goal[10], goal[20] = true, true
	s.Run(g, []Seed{{V: 3}}, math.Inf(1), goal, 1)
	settled := 0
	for _, v := range []int32{10, 20} {
		if got, _ := s.At(v); !math.IsInf(got, 1) {
			settled++
			if got != a[v] {
				t.Errorf("goal %d: %v, want %v", v, got, a[v])
			}
		}
	}
	if reachable := !math.IsInf(a[10], 1) || !math.IsInf(a[20], 1); reachable && settled != 1 {
		t.Errorf("%d goals settled, want the search to stop at the first", settled)
	}
}
