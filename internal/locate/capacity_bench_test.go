package locate

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/coldchain/coldchain/internal/handling"
)

// syntheticCapacity builds a capacity instance of n producers and m
// candidate sites scattered over a square of side km, with existing stores
// (one per 500 producers), three classes (tonnes per tonne of stock 3, 2/3
// and 1/3) harvested over three months, and arcs to every store or
// candidate within reachKm (a minute per km).
func syntheticCapacity(n, m int, side, reachKm float64, seed uint64) *Instance {
	r := rand.New(rand.NewPCG(seed, 11))
	type pt struct{ x, y float64 }
	existing := n / 500
	sites := make([]pt, existing+m)
	for j := range sites {
		sites[j] = pt{r.Float64() * side, r.Float64() * side}
	}
	// A grid of buckets finds the sites near each producer.
	cell := reachKm
	cols := int(math.Ceil(side/cell)) + 1
	buckets := make([][]int32, cols*cols)
	for j, s := range sites {
		b := int(s.x/cell)*cols + int(s.y/cell)
		buckets[b] = append(buckets[b], int32(j))
	}
	net := &handling.Network{Cap: make([]float64, len(sites))}
	for j := 0; j < existing; j++ {
		net.Cap[j] = 200 + r.Float64()*800
	}
	cm := &CapacityModel{Net: net}
	in := &Instance{Capacity: cm}
	value := []float64{3, 2.0 / 3, 1.0 / 3}
	var nodes []int32
	var mins []float64
	type arc struct {
		node int32
		d    float64
	}
	var arcs []arc
	for i := 0; i < n; i++ {
		p := pt{r.Float64() * side, r.Float64() * side}
		c := r.IntN(3)
		out := 5 + r.ExpFloat64()*40
		var st [12]float64
		start := r.IntN(12)
		for k := 0; k < 3; k++ {
			st[(start+k)%12] = out / 3 / value[c] // stock = tonnes / (30/holding)
		}
		arcs = arcs[:0]
		cx, cy := int(p.x/cell), int(p.y/cell)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				if x, y := cx+dx, cy+dy; x >= 0 && y >= 0 && x < cols && y < cols {
					for _, j := range buckets[x*cols+y] {
						if d := math.Hypot(p.x-sites[j].x, p.y-sites[j].y); d <= reachKm {
							arcs = append(arcs, arc{j, d})
						}
					}
				}
			}
		}
		sort.Slice(arcs, func(a, b int) bool { return arcs[a].d < arcs[b].d })
		nodes, mins = nodes[:0], mins[:0]
		for _, a := range arcs {
			nodes, mins = append(nodes, a.node), append(mins, a.d)
		}
		net.AddDemand(st, nodes, mins)
		cm.Value = append(cm.Value, value[c])
		cm.Tonnes = append(cm.Tonnes, value[c])
		in.Demand = append(in.Demand, Demand{ID: "p", Weight: out})
	}
	in.Costs.Start = make([]int, n+1)
	for j := existing; j < len(sites); j++ {
		for _, size := range []float64{300, 800} {
			in.Sites = append(in.Sites, Site{ID: "c", FixedCost: 100 + size/4})
			cm.Adds = append(cm.Adds, []NodeAdd{{Node: int32(j), T: size}})
			cm.Group = append(cm.Group, int32(j))
		}
	}
	return in
}

func benchCapacity(b *testing.B, n, m int, side, reach, budget float64, limit time.Duration) {
	in := syntheticCapacity(n, m, side, reach, 1)
	b.ResetTimer()
	var res *Result
	for range b.N {
		var err error
		res, err = Solve(context.Background(), in, Params{Problem: Capacity, Budget: budget, Seed: 1, TimeLimit: limit})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Objective, "tonnes")
	b.ReportMetric(res.Bound, "bound")
	b.ReportMetric(res.Gap, "gap%")
	b.ReportMetric(float64(len(res.Sites)), "sites")
	b.ReportMetric(float64(res.Iterations), "evals")
	b.ReportMetric(res.Seconds, "s/solve")
}

// BenchmarkCapacity10k: 10,000 producers × 200 candidates.
func BenchmarkCapacity10k(b *testing.B) {
	benchCapacity(b, 10_000, 200, 60, 10, 3000, 60*time.Second)
}

// BenchmarkCapacity100k: 100,000 producers × 2,000 candidates (the issue's
// size): run alone, `go test -run - -bench Capacity100k -benchtime 1x`.
func BenchmarkCapacity100k(b *testing.B) {
	benchCapacity(b, 100_000, 2_000, 200, 10, 30000, 120*time.Second)
}

func BenchmarkCapacityEvaluate100k(b *testing.B) {
	in := syntheticCapacity(100_000, 2_000, 200, 10, 1)
	open := make([]bool, len(in.Sites))
	b.ResetTimer()
	for range b.N {
		if _, err := in.Capacity.Evaluate(context.Background(), in, open); err != nil {
			b.Fatal(err)
		}
	}
}
