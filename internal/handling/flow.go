package handling

import "math"

// flowNet is a max-flow network (Dinic's algorithm) with float capacities,
// used to assign standing stock to reachable storage capacity.
type flowNet struct {
	head  []int32
	next  []int32
	to    []int32
	cap   []float64
	level []int32
	iter  []int32
}

const flowEps = 1e-9

func newFlowNet(n int) *flowNet { return newFlowNetCap(n, 0) }

// newFlowNetCap makes a network of n vertices with room for edges edges.
func newFlowNetCap(n, edges int) *flowNet {
	g := &flowNet{head: make([]int32, n), level: make([]int32, n), iter: make([]int32, n),
		next: make([]int32, 0, 2*edges), to: make([]int32, 0, 2*edges), cap: make([]float64, 0, 2*edges)}
	for i := range g.head {
		g.head[i] = -1
	}
	return g
}

// addEdge adds u->v with capacity c and returns the edge's index.
func (g *flowNet) addEdge(u, v int, c float64) int {
	e := len(g.to)
	g.to = append(g.to, int32(v), int32(u))
	g.cap = append(g.cap, c, 0)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u], g.head[v] = int32(e), int32(e+1)
	return e
}

// push sends x along edge e.
func (g *flowNet) push(e int, x float64) {
	g.cap[e] -= x
	g.cap[e^1] += x
}

// flow returns the flow on edge e (the residual of its reverse).
func (g *flowNet) flow(e int) float64 { return g.cap[e^1] }

func (g *flowNet) bfs(s, t int) bool {
	for i := range g.level {
		g.level[i] = -1
	}
	q := []int32{int32(s)}
	g.level[s] = 0
	for len(q) > 0 {
		u := q[0]
		q = q[1:]
		for e := g.head[u]; e >= 0; e = g.next[e] {
			if g.cap[e] > flowEps && g.level[g.to[e]] < 0 {
				g.level[g.to[e]] = g.level[u] + 1
				q = append(q, g.to[e])
			}
		}
	}
	return g.level[t] >= 0
}

func (g *flowNet) dfs(u, t int, f float64) float64 {
	if u == t {
		return f
	}
	for ; g.iter[u] >= 0; g.iter[u] = g.next[g.iter[u]] {
		e := g.iter[u]
		v := int(g.to[e])
		if g.cap[e] > flowEps && g.level[v] == g.level[u]+1 {
			if d := g.dfs(v, t, math.Min(f, g.cap[e])); d > flowEps {
				g.cap[e] -= d
				g.cap[e^1] += d
				return d
			}
		}
	}
	return 0
}

// maxFlow pushes as much flow from s to t as the capacities allow.
func (g *flowNet) maxFlow(s, t int) float64 {
	total := 0.0
	for g.bfs(s, t) {
		copy(g.iter, g.head)
		for {
			f := g.dfs(s, t, math.Inf(1))
			if f <= flowEps {
				break
			}
			total += f
		}
	}
	return total
}
