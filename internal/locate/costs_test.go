package locate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// bruteCosts is the reference BuildCosts: every demand against every site.
func bruteCosts(in *Instance, m Metric, cutoff float64, k int) Costs {
	c := Costs{Start: []int{0}}
	var row []kdHit
	for _, d := range in.Demand {
		row = row[:0]
		for j, s := range in.Sites {
			if s.Status == Forbidden {
				continue
			}
			dist := m.Distance(d.X, d.Y, s.X, s.Y)
			if cutoff > 0 && dist > cutoff {
				continue
			}
			row = append(row, kdHit{dist, int32(j)})
		}
		slices.SortFunc(row, func(a, b kdHit) int {
			if a.worse(b) {
				return 1
			}
			return -1
		})
		if k > 0 && len(row) > k {
			row = row[:k]
		}
		for _, h := range row {
			c.Site = append(c.Site, h.site)
			c.Cost = append(c.Cost, h.dist)
		}
		c.Start = append(c.Start, len(c.Site))
	}
	return c
}

// truncateRows keeps the first k arcs of every row (k <= 0: all).
func truncateRows(c Costs, k int) Costs {
	out := Costs{Start: []int{0}}
	for i := range len(c.Start) - 1 {
		s, cs := c.Row(i)
		if k > 0 && len(s) > k {
			s, cs = s[:k], cs[:k]
		}
		out.Site = append(out.Site, s...)
		out.Cost = append(out.Cost, cs...)
		out.Start = append(out.Start, len(out.Site))
	}
	return out
}

// randomPoints returns an instance whose points come from gen; a share of
// sites is forbidden.
func randomPoints(rng *rand.Rand, nd, ns int, gen func() (float64, float64)) *Instance {
	in := &Instance{}
	for i := range nd {
		x, y := gen()
		in.Demand = append(in.Demand, Demand{ID: fmt.Sprint(i), X: x, Y: y, Weight: 1})
	}
	for j := range ns {
		x, y := gen()
		st := Candidate
		if rng.IntN(10) == 0 {
			st = Forbidden
		}
		in.Sites = append(in.Sites, Site{ID: fmt.Sprint(j), X: x, Y: y, Status: st})
	}
	return in
}

func TestBuildCostsMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := []struct {
		name   string
		metric Metric
		gen    func() (float64, float64)
		cuts   []float64
	}{
		{"euclidean-uniform", Euclidean, func() (float64, float64) { return 100 * rng.Float64(), 100 * rng.Float64() }, []float64{0, 5, 20}},
		// Integer grid points: many exactly equal distances.
		{"euclidean-grid-ties", Euclidean, func() (float64, float64) { return float64(rng.IntN(8)), float64(rng.IntN(8)) }, []float64{0, 1, 2, math.Sqrt2, 5}},
		{"euclidean-line", Euclidean, func() (float64, float64) { return float64(rng.IntN(30)), 3 }, []float64{0, 4}},
		{"haversine-region", Haversine, func() (float64, float64) { return 114 + 2*rng.Float64(), 27 + 2*rng.Float64() }, []float64{0, 30, 80}},
		{"haversine-world", Haversine, func() (float64, float64) { return 360*rng.Float64() - 180, 180*rng.Float64() - 90 }, []float64{0, 500, 3000}},
		{"haversine-antimeridian-poles", Haversine, func() (float64, float64) {
			x := 179 + 2*rng.Float64()
			if x > 180 {
				x -= 360
			}
			y := 85 + 5*rng.Float64()
			if rng.IntN(3) == 0 {
				y = -y
			}
			return x, y
		}, []float64{0, 100, 700}},
		{"haversine-grid-ties", Haversine, func() (float64, float64) { return float64(rng.IntN(5)) / 4, float64(rng.IntN(5)) / 4 }, []float64{0, 30}},
	}
	for _, g := range gens {
		for _, size := range [][2]int{{1, 1}, {40, 3}, {300, 60}, {500, 400}} {
			in := randomPoints(rng, size[0], size[1], g.gen)
			for _, cut := range g.cuts {
				all := bruteCosts(in, g.metric, cut, 0)
				for _, k := range []int{0, 1, 3, 10, 1000} {
					name := fmt.Sprintf("%s/%dx%d/cut=%g/k=%d", g.name, size[0], size[1], cut, k)
					t.Run(name, func(t *testing.T) {
						want := truncateRows(all, k)
						if err := BuildCosts(in, g.metric, cut, k); err != nil {
							t.Fatal(err)
						}
						got := in.Costs
						if !slices.Equal(got.Start, want.Start) {
							t.Fatalf("row starts differ")
						}
						for i := range in.Demand {
							gs, gc := got.Row(i)
							ws, wc := want.Row(i)
							if !slices.Equal(gs, ws) || !slices.Equal(gc, wc) {
								t.Fatalf("demand %d: got %v %v, want %v %v", i, gs, gc, ws, wc)
							}
						}
					})
				}
			}
		}
	}
}

func TestBuildCostsErrors(t *testing.T) {
	tests := []struct {
		name   string
		metric Metric
		x, y   float64
		want   string
	}{
		{"given", Given, 0, 0, "cannot build costs"},
		{"nan", Euclidean, math.NaN(), 0, "finite"},
		{"inf", Haversine, 0, math.Inf(1), "finite"},
		{"latitude", Haversine, 10, 91, "latitude"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &Instance{
				Demand: []Demand{{ID: "d", X: tc.x, Y: tc.y, Weight: 1}},
				Sites:  []Site{{ID: "s"}},
			}
			err := BuildCosts(in, tc.metric, 0, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestBuildCostsLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	// A clustered instance: compare a sample of rows with brute force.
	in := Clustered(20000, 2000, 3)
	if err := BuildCosts(in, Euclidean, 0, 25); err != nil {
		t.Fatal(err)
	}
	got := in.Costs
	sample := &Instance{Sites: in.Sites}
	for i := 0; i < len(in.Demand); i += 97 {
		sample.Demand = append(sample.Demand, in.Demand[i])
	}
	want := bruteCosts(sample, Euclidean, 0, 25)
	for x := range sample.Demand {
		gs, gc := got.Row(x * 97)
		ws, wc := want.Row(x)
		if !slices.Equal(gs, ws) || !slices.Equal(gc, wc) {
			t.Fatalf("demand %d differs", x*97)
		}
	}
}
