package handling

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// reachSupplyBySearch is the reference for reachSupply: a search from
// each queried node backwards along residual arcs.
func (n *Network) reachSupplyBySearch(g *flowNet, in []int, m int, level []int, nodes []int32, h *Headroom) {
	nd := n.Len()
	seen := make([]int32, g.n)
	for q, k := range nodes {
		stamp := int32(q + 1)
		h.supply[q][m] = make([]float64, len(h.levels))
		stack := []int32{int32(nd) + k}
		seen[nd+int(k)] = stamp
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if int(v) < nd && in[v] >= 0 {
				h.supply[q][m][level[v]] += g.cap[in[v]]
			}
			for e := g.off[v]; e < g.off[v+1]; e++ {
				u := g.to[e]
				if int(u) >= g.n-2 || seen[u] == stamp || g.cap[g.rev[e]] <= flowEps {
					continue
				}
				seen[u] = stamp
				stack = append(stack, u)
			}
		}
	}
}

// The residual reach found through strongly connected components equals
// a search from every queried node, on random networks with scarce
// capacity (so that residual cycles and unsent stock abound).
func TestReachSupplyMatchesSearch(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		n, cap := provinceNetwork(30+r.IntN(300), 3+r.IntN(70), seed)
		for k := range cap {
			cap[k] *= r.Float64() * 0.3
		}
		w := make([]float64, n.Len())
		for i := range w {
			w[i] = float64(1 + r.IntN(3))
		}
		var nodes []int32
		for k := range cap {
			if r.IntN(3) > 0 {
				nodes = append(nodes, int32(k))
			}
		}
		h := &Headroom{levels: distinctDesc(w)}
		level := make([]int, n.Len())
		for i, x := range w {
			for l, v := range h.levels {
				if v == x {
					level[i] = l
				}
			}
		}
		for m := 0; m < 12; m++ {
			g, in := n.weightedMonth(m, n.shapeFor(len(cap)), cap, level, len(h.levels))
			h.supply = make([][12][]float64, len(nodes))
			n.reachSupply(g, in, m, level, nodes, h)
			got := h.supply
			h.supply = make([][12][]float64, len(nodes))
			n.reachSupplyBySearch(g, in, m, level, nodes, h)
			for q := range nodes {
				for l := range h.levels {
					if a, b := got[q][m][l], h.supply[q][m][l]; math.Abs(a-b) > 1e-6*(1+math.Abs(b)) {
						t.Fatalf("seed %d month %d node %d level %d: %.6f through components, %.6f by search", seed, m, nodes[q], l, a, b)
					}
				}
			}
		}
	}
}

// Headroom's bound holds: adding capacity at a node never gains more
// than its profile says, checked by measuring the addition.
func TestHeadroomBoundsAdditions(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 10; seed++ {
		n, cap := provinceNetwork(200, 25, seed)
		for k := range cap {
			cap[k] *= 0.2
		}
		w := make([]float64, n.Len())
		for i := range w {
			w[i] = float64(1 + i%3)
		}
		nodes := []int32{0, 3, 7, 11, 19}
		h, err := n.Headroom(ctx, cap, w, nodes)
		if err != nil {
			t.Fatal(err)
		}
		for q, k := range nodes {
			for _, add := range []float64{10, 100, 1000} {
				more := append([]float64(nil), cap...)
				more[k] += add
				h2, err := n.Headroom(ctx, more, w, nil)
				if err != nil {
					t.Fatal(err)
				}
				if gain := h2.Base - h.Base; gain > h.Gain(q, add)+1e-6*(1+gain) {
					t.Errorf("seed %d node %d +%.0f t: gained %.3f, bound %.3f", seed, k, add, gain, h.Gain(q, add))
				}
			}
		}
	}
}
