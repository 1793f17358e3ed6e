package handling

import (
	"context"
	"math"
	"math/bits"
	"slices"
	"sort"
)

// Headroom bounds what added capacity can gain. It holds, under some node
// capacities, the maximum weighted handled stock (Base) and, for chosen
// nodes and each month, the residual stock by weight level of the demands
// that could still send stock to the node (through augmenting paths).
// Adding a tonnes at a node gains at most, each month, a tonnes of that
// residual stock taken heaviest first.
type Headroom struct {
	Base   float64
	levels []float64       // distinct weights, heaviest first
	supply [][12][]float64 // per queried node, month, level
}

// Gain bounds what adding t tonnes of capacity at queried node q can add
// to the weighted handled stock over the year.
func (h *Headroom) Gain(q int, t float64) float64 {
	g := 0.0
	for m := 0; m < 12; m++ {
		left := t
		for l, s := range h.supply[q][m] {
			take := math.Min(left, s)
			g += take * h.levels[l]
			if left -= take; left <= 0 {
				break
			}
		}
	}
	return g
}

// Slack is the total weighted residual stock reachable from queried node q
// over the year: no addition there can gain more.
func (h *Headroom) Slack(q int) float64 { return h.Gain(q, math.Inf(1)) }

// exactWorkLimit caps arcs × bitset words (64 queried nodes a word) for
// the residual reach of the queried nodes; above
// it the connected component of each node stands in for its residual
// reach (a weaker but still valid bound).
const exactWorkLimit = 4e8

// Headroom computes the maximum weighted handled stock under cap (demand
// i's stock counts w[i] per tonne) and the gain profiles of nodes.
// The maximum-weight assignment takes the demands heaviest first with
// augmenting paths that never take stock back from a heavier demand,
// which is optimal because weights sit on the demands only.
func (n *Network) Headroom(ctx context.Context, cap, w []float64, nodes []int32) (*Headroom, error) {
	h := &Headroom{levels: distinctDesc(w), supply: make([][12][]float64, len(nodes))}
	level := make([]int, n.Len())
	for i, x := range w {
		level[i] = sort.Search(len(h.levels), func(l int) bool { return h.levels[l] <= x })
	}
	exact := float64((len(nodes)+63)/64)*float64(len(n.Node)+n.Len()) <= exactWorkLimit
	var comp []int32
	if !exact {
		comp = n.components(len(cap))
	}
	sh := n.shapeFor(len(cap))
	for m := 0; m < 12; m++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g, in := n.weightedMonth(m, sh, cap, level, len(h.levels))
		for i, e := range in {
			if e >= 0 {
				h.Base += g.flow(e) * w[i]
			}
		}
		if exact {
			n.reachSupply(g, in, m, level, nodes, h)
		} else {
			n.componentSupply(g, in, m, level, nodes, comp, h)
		}
		sh.put(g)
	}
	return h, nil
}

// weightedMonth pushes month m's flow on the layout sh level by level,
// heaviest first. It returns the working network (hand it back with
// sh.put) and each demand's source arc (-1 without stock or arcs).
func (n *Network) weightedMonth(m int, sh *shape, cap []float64, level []int, levels int) (*flowNet, []int) {
	nd := n.Len()
	g := sh.get(cap)
	in := make([]int, nd)
	for i := 0; i < nd; i++ {
		in[i] = -1
		if n.Stock[i][m] > 0 && len(n.Arcs(i)) > 0 {
			in[i] = int(sh.in[i])
		}
	}
	for l := 0; l < levels; l++ {
		added := false
		for i := 0; i < nd; i++ {
			if level[i] == l && in[i] >= 0 {
				g.cap[in[i]] = n.Stock[i][m]
				added = true
			}
		}
		if added {
			g.maxFlow(sh.src, sh.sink)
		}
	}
	return g, in
}

// reachSupply records, for each queried node, the residual stock by level
// of the demands with a residual path to it. One pass finds the residual
// graph's strongly connected components (source and sink left out); in
// the order they complete, every component's successors come first, so
// the set of queried nodes each component reaches (a bitset) is final
// when it is read. The work is the arcs times the bitset's words, not the
// arcs times the queried nodes of a search from each node.
func (n *Network) reachSupply(g *flowNet, in []int, m int, level []int, nodes []int32, h *Headroom) {
	nd := n.Len()
	limit := g.n - 2 // demands and nodes: the source and sink come last
	words := (len(nodes) + 63) / 64
	comp, order, ncomp := g.components(limit)
	reach := make([]uint64, ncomp*words)
	for q, k := range nodes {
		reach[int(comp[nd+int(k)])*words+q/64] |= 1 << (q % 64)
		h.supply[q][m] = make([]float64, len(h.levels))
	}
	for c, pos := 0, 0; c < ncomp; c++ {
		start := pos
		for pos < len(order) && comp[order[pos]] == int32(c) {
			pos++
		}
		rc := reach[c*words : (c+1)*words]
		for _, u := range order[start:pos] {
			for e := g.off[u]; e < g.off[u+1]; e++ {
				w := g.to[e]
				if int(w) >= limit || g.cap[e] <= flowEps || comp[w] == int32(c) {
					continue
				}
				for x, b := range reach[int(comp[w])*words : (int(comp[w])+1)*words] {
					rc[x] |= b
				}
			}
		}
	}
	for v := 0; v < nd; v++ {
		if in[v] < 0 || g.cap[in[v]] <= 0 {
			continue
		}
		rc := reach[int(comp[v])*words : (int(comp[v])+1)*words]
		for x, b := range rc {
			for ; b != 0; b &= b - 1 {
				q := x*64 + bits.TrailingZeros64(b)
				h.supply[q][m][level[v]] += g.cap[in[v]]
			}
		}
	}
}

// componentSupply records, for each queried node, the residual stock by
// level of all demands in its connected component.
func (n *Network) componentSupply(g *flowNet, in []int, m int, level []int, nodes []int32, comp []int32, h *Headroom) {
	nd := n.Len()
	byComp := map[int32][]float64{}
	for i, e := range in {
		if e < 0 || g.cap[e] <= flowEps {
			continue
		}
		c := comp[i]
		if byComp[c] == nil {
			byComp[c] = make([]float64, len(h.levels))
		}
		byComp[c][level[i]] += g.cap[e]
	}
	for q, k := range nodes {
		h.supply[q][m] = slices.Clone(byComp[comp[nd+int(k)]])
	}
}

// components labels demands and nodes (node k is nd+k) by connected
// component of the arc graph.
func (n *Network) components(nodes int) []int32 {
	nd := n.Len()
	parent := make([]int32, nd+nodes)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := 0; i < nd; i++ {
		for _, k := range n.Arcs(i) {
			a, b := find(int32(i)), find(int32(nd)+k)
			if a != b {
				parent[a] = b
			}
		}
	}
	for i := range parent {
		parent[i] = find(int32(i))
	}
	return parent
}

// distinctDesc returns the distinct values of w, largest first.
func distinctDesc(w []float64) []float64 {
	out := slices.Clone(w)
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}
