package handling

import (
	"math"
	"math/bits"
)

// flowNet is a max-flow network (Dinic's algorithm) with float capacities,
// used to assign standing stock to reachable storage capacity.
//
// The edges are laid out in compressed rows (lay): each vertex's edges
// sit side by side, in the order they were added, so that a breadth-first pass reads memory in order. The handling
// networks have millions of arcs into a few hundred storage nodes; with
// linked adjacency lists, scanning a node's arcs was a random memory
// access per arc and dominated the measure's time.
type flowNet struct {
	n int
	// Laid out (lay): edge e of vertex u goes to to[e]; rev[e] is its
	// reverse. cap[e] is its residual capacity, set by the user of the
	// layout (a shape's assignment).
	off   []int32
	to    []int32
	rev   []int32
	cap   []float64
	level []int32
	iter  []int32
	queue []int32
	// Sets of storage nodes (node nodeLo+k is k): bits holds, for a
	// demand with many arcs, the nodes it has arcs to (nil for a demand
	// with few arcs); todo the nodes without a level in a breadth-first
	// pass; at[l] level l's nodes still in the level graph; room the
	// nodes with room left (a node leaves it when its sink arc fills,
	// and nodes only fill within a month). Reading seven words of a set
	// instead of a demand's hundred arcs was most of the measure's time.
	bits []nodeSet
	todo nodeSet
	at   []nodeSet
	room nodeSet
	// blocked vertices are left out of the level graph (nodes without
	// capacity in a shared layout).
	blocked []int32
	// Storage node lists (set by shape.get): vertices nodeLo..nodeHi-1 are
	// storage nodes, and held[k] lists node nodeLo+k's arc to the sink
	// and its arcs back to the demands that have sent it stock: the only
	// arcs out of a node that can have a residual (arcs back to demands
	// that sent nothing have none). A node has an arc from every demand
	// that may use it (thousands in a county); scanning them all in every
	// breadth-first pass was most of the measure's time. Lists are
	// appended to as stock arrives and pruned of emptied arcs at each
	// breadth-first pass; listed marks the arcs in a list.
	nodeLo, nodeHi int32
	held           [][]int32
	listed         []bool
	// Vertices below nodeLo are demands: their first arc runs back to the
	// source and every other one to a storage node, with no capacity
	// limit (its residual never runs out), so a breadth-first pass need
	// not read their residuals.
}

// isNode reports whether vertex u is a storage node with a list.
func (g *flowNet) isNode(u int32) bool { return u >= g.nodeLo && u < g.nodeHi }

// sent notes that arc e carried flow: when e runs into a storage node,
// the node's arc back along it now has a residual and joins its list;
// when e is a node's arc to the sink (the only arc from a node to a
// vertex above the nodes) and has filled, the node leaves room.
func (g *flowNet) sent(e int32) {
	if v := g.to[e]; g.isNode(v) {
		if r := g.rev[e]; !g.listed[r] {
			g.listed[r] = true
			g.held[v-g.nodeLo] = append(g.held[v-g.nodeLo], r)
		}
	} else if v >= g.nodeHi && g.cap[e] <= flowEps {
		if u := g.to[g.rev[e]]; g.isNode(u) {
			g.room.remove(u - g.nodeLo)
		}
	}
}

// prune drops the arcs without residual from node u's list (not the
// sink arc, which comes first).
func (g *flowNet) prune(u int32) []int32 {
	l := g.held[u-g.nodeLo]
	keep := 1
	for _, e := range l[1:] {
		if g.cap[e] > flowEps {
			l[keep] = e
			keep++
		} else {
			g.cap[e] = 0 // at most rounding left: none
			g.listed[e] = false
		}
	}
	l = l[:keep]
	g.held[u-g.nodeLo] = l
	return l
}

const flowEps = 1e-9

// lay lays out the edges that edges adds, in compressed rows: each
// vertex's edges side by side in the order added. It calls edges twice,
// and edges must add the same edges in the same order both times: first
// to count each vertex's edges (add returns 0), then to place them (add
// returns the edge's forward arc). A shape lays its graph out this way
// straight from the network, without a list of its edges or their arcs:
// those were 36 bytes per arc next to the layout's 16, 1.3 GB for a
// province. Capacities are the caller's (cap), set per assignment.
func (g *flowNet) lay(edges func(add func(u, v int32) int32)) {
	g.off = make([]int32, g.n+1)
	m := 0
	edges(func(u, v int32) int32 {
		g.off[u+1]++
		g.off[v+1]++
		m++
		return 0
	})
	for v := 0; v < g.n; v++ {
		g.off[v+1] += g.off[v]
	}
	fill := make([]int32, g.n)
	copy(fill, g.off[:g.n])
	g.to, g.rev = make([]int32, 2*m), make([]int32, 2*m)
	edges(func(u, v int32) int32 {
		a, b := fill[u], fill[v]
		fill[u]++
		fill[v]++
		g.to[a], g.rev[a] = v, b
		g.to[b], g.rev[b] = u, a
		return a
	})
}

// push sends x along arc e.
func (g *flowNet) push(e int, x float64) {
	g.cap[e] -= x
	g.cap[g.rev[e]] += x
}

// flow returns the flow on arc e (the residual of its reverse).
func (g *flowNet) flow(e int) float64 { return g.cap[g.rev[e]] }

// bfs levels the vertices by residual distance from s, stopping after the
// level of t: vertices beyond it cannot be on a shortest path. A demand
// reaches only storage nodes: one with a set of them (bits) levels those
// still in todo, word by word. The levels do not depend on the order in
// which a level's vertices are queued, so they are those of a scan of its
// arcs.
func (g *flowNet) bfs(s, t int) bool {
	for i := range g.level {
		g.level[i] = -1
	}
	g.startSets()
	for _, v := range g.blocked {
		g.level[v] = -2
		if g.isNode(v) {
			g.todo.remove(v - g.nodeLo)
		}
	}
	q := append(g.queue[:0], int32(s))
	g.level[s] = 0
	for h := 0; h < len(q); h++ {
		u := q[h]
		if lt := g.level[t]; lt >= 0 && g.level[u] >= lt {
			break
		}
		next := g.level[u] + 1
		// The residual is read first: it lies in order, and most arcs out
		// of a storage node (reverse arcs of demands that send it nothing)
		// have none, so their far end's level is never fetched.
		if g.isNode(u) {
			for _, e := range g.prune(u) {
				if v := g.to[e]; g.cap[e] > flowEps && g.level[v] == -1 {
					g.level[v] = next
					q = append(q, v)
				}
			}
			continue
		}
		if u < g.nodeLo {
			q = g.levelNodes(u, next, q)
			continue
		}
		for e, end := g.off[u], g.off[u+1]; e < end; e++ {
			if g.cap[e] <= flowEps {
				continue
			}
			if v := g.to[e]; g.level[v] == -1 {
				g.level[v] = next
				q = append(q, v)
				if g.isNode(v) {
					g.seen(v, next)
				}
			}
		}
	}
	g.queue = q
	return g.level[t] >= 0
}

// startSets makes todo hold every node and empties the level sets.
func (g *flowNet) startSets() {
	nodes := int(g.nodeHi - g.nodeLo)
	if len(g.todo) != setWords(nodes) {
		g.todo = make(nodeSet, setWords(nodes))
	}
	g.todo.fill(nodes)
	for _, a := range g.at {
		clear(a)
	}
}

// seen gives node v level l: out of todo, into at[l].
func (g *flowNet) seen(v, l int32) {
	g.todo.remove(v - g.nodeLo)
	for int(l) >= len(g.at) {
		g.at = append(g.at, make(nodeSet, len(g.todo)))
	}
	g.at[l].add(v - g.nodeLo)
}

// levelNodes gives level l to demand u's nodes without one and queues
// them.
func (g *flowNet) levelNodes(u, l int32, q []int32) []int32 {
	if b := g.bits[u]; b != nil {
		for w, x := range b {
			x &= g.todo[w]
			for x != 0 {
				v := g.nodeLo + int32(w<<6+bits.TrailingZeros64(x))
				x &= x - 1
				g.level[v] = l
				q = append(q, v)
				g.seen(v, l)
			}
		}
		return q
	}
	for _, v := range g.to[g.off[u]+1 : g.off[u+1]] {
		if g.level[v] == -1 {
			g.level[v] = l
			q = append(q, v)
			g.seen(v, l)
		}
	}
	return q
}

// reaches reports whether demand u (with a set of nodes) has a node at
// level l still in the level graph.
func (g *flowNet) reaches(u, l int32) bool {
	return int(l) < len(g.at) && g.bits[u].meets(g.at[l])
}

// dfs pushes up to f from u towards t along the level graph and returns
// what it pushed; a vertex that can push nothing more is taken out of
// the level graph. A storage node with a list (see held) goes along its
// list, any other vertex along its arcs; iter is the current arc (for a
// node, its place in the list). An arc is followed when it is open, a
// test made here rather than in a call of along: a county's demands
// reach a hundred nodes each, and a call per arc scanned was a third of
// the measure's time.
func (g *flowNet) dfs(u, t int, f float64) float64 {
	if u == t {
		return f
	}
	pushed := 0.0
	next := g.level[u] + 1
	if int32(u) < g.nodeLo && g.bits[u] != nil && !g.reaches(int32(u), next) {
		// A demand with no node left at the next level can push nothing.
		g.level[u] = -1
		return 0
	}
	if g.isNode(int32(u)) {
		l := g.held[int32(u)-g.nodeLo]
		for ; int(g.iter[u]) < len(l); g.iter[u]++ {
			if e := l[g.iter[u]]; g.open(e, next) {
				if pushed += g.along(t, e, f-pushed); f-pushed <= flowEps {
					return pushed
				}
			}
		}
		g.at[next-1].remove(int32(u) - g.nodeLo)
	} else {
		for end := g.off[u+1]; g.iter[u] < end; g.iter[u]++ {
			if e := g.iter[u]; g.open(e, next) {
				if pushed += g.along(t, e, f-pushed); f-pushed <= flowEps {
					return pushed
				}
			}
		}
	}
	g.level[u] = -1
	return pushed
}

// open reports whether arc e is in the level graph: it leads to level
// next and has a residual. The level is read first: most arcs fail it,
// and a demand's arcs to nodes always have a residual.
func (g *flowNet) open(e, next int32) bool {
	return g.level[g.to[e]] == next && g.cap[e] > flowEps
}

// along pushes up to f over arc e, which leads a level up and has a
// residual, and returns what it pushed.
func (g *flowNet) along(t int, e int32, f float64) float64 {
	d := g.dfs(int(g.to[e]), t, math.Min(f, g.cap[e]))
	if d <= flowEps {
		return 0
	}
	g.cap[e] -= d
	g.cap[g.rev[e]] += d
	g.sent(e)
	return d
}

// maxFlow pushes as much flow from s to t as the capacities allow.
func (g *flowNet) maxFlow(s, t int) float64 {
	total := 0.0
	for g.bfs(s, t) {
		copy(g.iter, g.off[:g.n])
		clear(g.iter[g.nodeLo:g.nodeHi])
		total += g.dfs(s, t, math.Inf(1))
	}
	return total
}

// components labels vertices 0..limit-1 by strongly connected component
// of the residual graph among them (Tarjan's algorithm, without
// recursion). A component's id is the order in which it completed, so
// every component it reaches has a smaller id; order lists the vertices
// component by component.
func (g *flowNet) components(limit int) (comp, order []int32, ncomp int) {
	index, low := make([]int32, limit), make([]int32, limit)
	onStack := make([]bool, limit)
	comp, order = make([]int32, limit), make([]int32, 0, limit)
	type frame struct{ v, e int32 }
	var stack []int32
	var call []frame
	next := int32(1)
	visit := func(v int32) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		call = append(call, frame{v, g.off[v]})
	}
	for s := 0; s < limit; s++ {
		if index[s] != 0 {
			continue
		}
		visit(int32(s))
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.e < g.off[v+1] {
				e := f.e
				f.e++
				w := g.to[e]
				if int(w) >= limit || g.cap[e] <= flowEps {
					continue
				}
				if index[w] == 0 {
					visit(w)
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				if p := call[len(call)-1].v; low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] != index[v] {
				continue
			}
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp[w] = int32(ncomp)
				order = append(order, w)
				if w == v {
					break
				}
			}
			ncomp++
		}
	}
	return comp, order, ncomp
}
