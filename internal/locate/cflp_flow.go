package locate

import (
	"math"

	"github.com/coldchain/coldchain/internal/pqueue"
)

// cflpFlow solves the transportation relaxation of the assignment to a
// fixed set of open sites: every customer's weight is split over the open
// sites at least total cost per unit of weight within the capacities. A
// cost c_ij is that of the customer's whole weight, so a share x of it
// costs c_ij x / q_i. Most customers end up on a single site; the few that
// are split are what the single-source rounding has to decide (see
// flowAssign).
//
// The method is successive shortest paths: each customer's weight goes, in
// one or more augmentations, along a shortest path of the residual graph
// (customer to site forward, site back to a customer that sends it flow)
// to the first open site with room. Node potentials keep the reduced costs
// non-negative so Dijkstra's algorithm applies; all sites with room share
// one potential, so the first one reached is the cheapest. Each customer
// has arcs to its k cheapest open sites (all of them when a path is
// missing), which keeps the searches local.
type cflpFlow struct {
	pr    *cflpProblem
	clock *cflpClock // nil: no limit
	k     int
	start []int     // customer i's arcs: start[i]:start[i+1]
	site  []int32   // arc's site
	cost  []float64 // arc's cost per unit of weight
	flow  []float64 // weight sent over the arc
	cust  []int32   // arc's customer
	in    [][]int32 // per site: arcs that may carry flow into it
	load  []float64
	pot   []float64 // potentials: customers 0..n-1, sites n..n+m-1
	dist  []float64
	seen  []int32 // search stamp per node
	done  []int32 // settle stamp per node
	prev  []int32 // arc by which a node was reached
	stamp int32
	heap  *pqueue.Heap[cflpFlowItem]
	order []int32 // settled nodes of the last search
}

// cflpFlowItem is a heap entry of the shortest-path search.
type cflpFlowItem struct {
	d float64
	v int32
}

// cflpFlowArcs is how many of its cheapest open sites a customer has arcs
// to in the first attempt.
const cflpFlowArcs = 16

func newCFLPFlow(pr *cflpProblem) *cflpFlow {
	nm := pr.n + pr.m
	return &cflpFlow{
		pr:   pr,
		in:   make([][]int32, pr.m),
		load: make([]float64, pr.m),
		pot:  make([]float64, nm),
		dist: make([]float64, nm),
		seen: make([]int32, nm),
		done: make([]int32, nm),
		prev: make([]int32, nm),
		heap: pqueue.New(func(a, b cflpFlowItem) bool { return a.d < b.d || a.d == b.d && a.v < b.v }),
	}
}

// solve computes the transportation assignment to the open sites. It
// returns false when the open sites cannot hold the demand (or some
// customer reaches none of them), or when the clock runs out first.
func (f *cflpFlow) solve(open []bool) bool {
	for _, k := range []int{cflpFlowArcs, f.pr.m} {
		f.build(open, k)
		if f.run() {
			return true
		}
		if k >= f.pr.m || f.clock.done() {
			break
		}
	}
	return false
}

// build sets up the arcs to the k cheapest open sites of every customer and
// clears flows and potentials.
func (f *cflpFlow) build(open []bool, k int) {
	pr := f.pr
	f.k = k
	f.start = cflpGrowInt(f.start, pr.n+1)
	f.site, f.cost, f.cust = f.site[:0], f.cost[:0], f.cust[:0]
	for i := range pr.n {
		f.start[i] = len(f.site)
		got := 0
		for a := pr.rStart[i]; a < pr.rStart[i+1] && got < k; a++ {
			j := pr.rSite[a]
			if !open[j] {
				continue
			}
			c := 0.0
			if pr.q[i] > 0 {
				c = pr.rCost[a] / pr.q[i]
			}
			f.site = append(f.site, j)
			f.cost = append(f.cost, c)
			f.cust = append(f.cust, int32(i))
			got++
		}
	}
	f.start[pr.n] = len(f.site)
	f.flow = cflpGrowF(f.flow, len(f.site))
	clear(f.flow)
	for j := range f.in {
		f.in[j] = f.in[j][:0]
	}
	clear(f.load)
	clear(f.pot)
}

// run sends every customer's weight; false when some cannot be sent or
// the clock runs out.
func (f *cflpFlow) run() bool {
	pr := f.pr
	for i := range pr.n {
		if f.clock.due(i) {
			return false
		}
		if f.start[i] == f.start[i+1] {
			if pr.q[i] > 0 {
				return false
			}
			continue
		}
		// A customer without flow has no incoming residual arcs: its
		// potential may rise until its outgoing reduced costs are >= 0.
		p := math.Inf(-1)
		for a := f.start[i]; a < f.start[i+1]; a++ {
			p = math.Max(p, f.pot[pr.n+int(f.site[a])]-f.cost[a])
		}
		f.pot[i] = p
		for left := pr.q[i]; left > cflpCapTol(pr.q[i]); {
			t := f.search(i)
			if t < 0 {
				return false
			}
			left -= f.augment(i, t, left)
		}
	}
	return true
}

// search finds a shortest residual path from customer src to a site with
// room, updates the potentials and returns that site (-1: none).
func (f *cflpFlow) search(src int) int {
	pr := f.pr
	n := pr.n
	f.stamp++
	h := f.heap
	h.Reset()
	f.order = f.order[:0]
	f.dist[src], f.seen[src], f.prev[src] = 0, f.stamp, -1
	h.Push(cflpFlowItem{0, int32(src)})
	target := -1
	relax := func(v int, d float64, arc int32) {
		if f.seen[v] != f.stamp || d < f.dist[v] {
			f.dist[v], f.seen[v], f.prev[v] = d, f.stamp, arc
			h.Push(cflpFlowItem{d, int32(v)})
		}
	}
	for h.Len() > 0 {
		it := h.Pop()
		v := int(it.v)
		if f.done[v] == f.stamp || it.d > f.dist[v] {
			continue
		}
		f.done[v] = f.stamp
		f.order = append(f.order, int32(v))
		if v >= n {
			j := v - n
			if pr.capa[j]-f.load[j] > cflpCapTol(pr.capa[j]) {
				target = j
				break
			}
			for _, a := range f.in[j] {
				if f.flow[a] > 0 {
					u := int(f.cust[a])
					relax(u, it.d+math.Max(0, -f.cost[a]+f.pot[v]-f.pot[u]), a)
				}
			}
			continue
		}
		for a := f.start[v]; a < f.start[v+1]; a++ {
			w := n + int(f.site[a])
			relax(w, it.d+math.Max(0, f.cost[a]+f.pot[v]-f.pot[w]), int32(a))
		}
	}
	if target < 0 {
		return -1
	}
	dt := f.dist[n+target]
	for _, v := range f.order {
		f.pot[v] += f.dist[v] - dt
	}
	return target
}

// augment sends up to left weight from customer src to site t along the
// path search found and returns the amount sent.
func (f *cflpFlow) augment(src, t int, left float64) float64 {
	pr := f.pr
	n := pr.n
	delta := math.Min(left, pr.capa[t]-f.load[t])
	// Bottleneck: flows on the reverse arcs of the path.
	for v := n + t; v != src; {
		a := f.prev[v]
		if v < n { // reached customer v backwards over its arc a
			delta = math.Min(delta, f.flow[a])
			v = n + int(f.site[a])
		} else {
			v = int(f.cust[a])
		}
	}
	for v := n + t; v != src; {
		a := f.prev[v]
		if v < n {
			f.flow[a] -= delta
			v = n + int(f.site[a])
		} else {
			if f.flow[a] == 0 {
				j := f.site[a]
				f.in[j] = append(f.in[j], a)
			}
			f.flow[a] += delta
			v = int(f.cust[a])
		}
	}
	f.load[t] += delta
	return delta
}

// value returns the cost of the transportation assignment.
func (f *cflpFlow) value() float64 {
	v := 0.0
	for a, x := range f.flow {
		v += f.cost[a] * x
	}
	return v
}

// flowAssign assigns the customers of s (open sites set, nobody assigned)
// by the transportation relaxation: customers the relaxation does not split
// keep their site, split ones stay unassigned for the regret completion.
// It returns false when the relaxation has no solution.
func (sv *cflpSolver) flowAssign(s *cflpSol) bool {
	pr := sv.pr
	if sv.flow == nil {
		sv.flow = newCFLPFlow(pr)
		sv.flow.clock = sv.clock
	}
	f := sv.flow
	if !f.solve(s.open) {
		return false
	}
	for i := range pr.n {
		if s.assign[i] >= 0 {
			s.unplace(i)
		}
		for a := f.start[i]; a < f.start[i+1]; a++ {
			if x := f.flow[a]; x > 0 && x >= pr.q[i]-cflpCapTol(pr.q[i]) {
				s.place(i, int(f.site[a]))
				break
			}
		}
	}
	return true
}
