package handling

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// without returns n with the arcs to nodes of no capacity under cap left
// out: the graph each month was built as before layouts were shared.
func (n *Network) without(cap []float64) *Network {
	out := &Network{Cap: cap}
	for i := 0; i < n.Len(); i++ {
		var ns []int32
		var mins []float64
		for a := n.Start[i]; a < n.Start[i+1]; a++ {
			if cap[n.Node[a]] > 0 {
				ns, mins = append(ns, n.Node[a]), append(mins, n.Minutes[a])
			}
		}
		out.AddDemand(n.Stock[i], ns, mins)
	}
	return out
}

// A prepared layout, reused by assignment after assignment and with
// nodes of no capacity left in it, assigns exactly what a graph built for
// one assignment with those nodes left out assigns.
func TestPreparedLayoutMatchesOwnGraph(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 12; seed++ {
		r := rand.New(rand.NewPCG(seed, 5))
		n, base := provinceNetwork(50+r.IntN(400), 5+r.IntN(60), seed)
		n.Cap = base
		n.Prepare()
		for try := 0; try < 4; try++ {
			cap := make([]float64, len(base))
			for k := range cap {
				if r.IntN(3) > 0 {
					cap[k] = base[k] * r.Float64() * 0.5
				}
			}
			got, err := n.Assign(ctx, cap)
			if err != nil {
				t.Fatal(err)
			}
			want, err := n.without(cap).Assign(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			total := 0.0
			for i := range want.Handled {
				for m := 0; m < 12; m++ {
					total += want.Handled[i][m]
					if a, b := got.Handled[i][m], want.Handled[i][m]; math.Abs(a-b) > 1e-9 {
						t.Fatalf("seed %d try %d: demand %d month %d handles %.9f on the shared layout, %.9f on its own graph", seed, try, i, m, a, b)
					}
				}
			}
			for k := range want.NodeUsed {
				for m := 0; m < 12; m++ {
					if a, b := got.NodeUsed[k][m], want.NodeUsed[k][m]; math.Abs(a-b) > 1e-9 {
						t.Fatalf("seed %d try %d: node %d month %d uses %.9f on the shared layout, %.9f on its own graph", seed, try, k, m, a, b)
					}
				}
			}
			if total <= 0 {
				t.Fatalf("seed %d try %d: nothing handled: the comparison proves nothing", seed, try)
			}
		}
	}
}
