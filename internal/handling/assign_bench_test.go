package handling

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// provinceNetwork is a synthetic province-sized network: nd demands
// scattered over a square with seasonal stock, nodes facilities with
// scarce capacity, arcs to the nodes within reach (25 of the square's 200).
func provinceNetwork(nd, nodes int, seed uint64) (*Network, []float64) {
	return reachNetwork(nd, nodes, 25, seed)
}

// reachNetwork is provinceNetwork with arcs to the nodes within reach.
func reachNetwork(nd, nodes int, reach float64, seed uint64) (*Network, []float64) {
	r := rand.New(rand.NewPCG(seed, 3))
	type pt struct{ x, y float64 }
	at := make([]pt, nodes)
	cap := make([]float64, nodes)
	for k := range at {
		at[k] = pt{r.Float64() * 200, r.Float64() * 200}
		cap[k] = 50 + r.Float64()*400
	}
	n := &Network{}
	for i := 0; i < nd; i++ {
		p := pt{r.Float64() * 200, r.Float64() * 200}
		var st [12]float64
		peak := r.IntN(12)
		for m := 0; m < 12; m++ {
			if d := (m - peak + 12) % 12; d < 4 {
				st[m] = 1 + r.Float64()*20
			}
		}
		var ns []int32
		var mins []float64
		for k, q := range at {
			if d := math.Hypot(p.x-q.x, p.y-q.y); d < reach {
				ns = append(ns, int32(k))
				mins = append(mins, d*2)
			}
		}
		n.AddDemand(st, ns, mins)
	}
	return n, cap
}

// BenchmarkAssignProvince times the handling measure on a province-sized
// network (25,000 producers, 180 facilities).
func BenchmarkAssignProvince(b *testing.B) {
	n, cap := provinceNetwork(25000, 180, 1)
	benchAssign(b, n, cap)
}

// BenchmarkAssignCounty times it on a network as dense as a county's in
// a capacity plan (13,000 producers, 420 storage nodes, about 100 arcs
// each: a county's producers reach most of its stores within the
// thresholds), with a third of the capacity.
func BenchmarkAssignCounty(b *testing.B) {
	n, cap := reachNetwork(13000, 420, 55, 1)
	for k := range cap {
		cap[k] /= 3
	}
	benchAssign(b, n, cap)
}

func benchAssign(b *testing.B, n *Network, cap []float64) {
	n.Cap = cap
	n.Prepare()
	b.ResetTimer()
	var total float64
	for range b.N {
		a, err := n.Assign(context.Background(), cap)
		if err != nil {
			b.Fatal(err)
		}
		total = 0
		for i := range a.Handled {
			for m := 0; m < 12; m++ {
				total += a.Handled[i][m]
			}
		}
	}
	b.ReportMetric(total, "handled")
}

// BenchmarkPrepareCounty times laying out a county-dense network's flow
// graph (Prepare), with its memory.
func BenchmarkPrepareCounty(b *testing.B) {
	n, cap := reachNetwork(13000, 420, 55, 1)
	n.Cap = cap
	b.ReportAllocs()
	for range b.N {
		n.Prepare()
	}
}
