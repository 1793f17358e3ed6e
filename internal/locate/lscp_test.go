package locate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// oddCycles returns c far-apart rings of 2m+1 demand points each, with a
// candidate site at the middle of each ring edge covering just the edge's
// two end points, plus a decoy site on every point covering only it. A ring
// needs m+1 sites, so the minimum is c(m+1), while the linear-programming
// bound is only c(m+1/2): proving the minimum takes branching.
func oddCycles(c, m int, seed uint64) (*Instance, float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	const edge = 100.0
	n := 2*m + 1
	ring := edge / (2 * math.Sin(math.Pi/float64(n))) // circumradius
	in := &Instance{}
	for k := range c {
		cx, cy := float64(k)*10*ring, rng.Float64()*ring
		for i := range n {
			a := 2 * math.Pi * float64(i) / float64(n)
			b := 2 * math.Pi * float64(i+1) / float64(n)
			x, y := cx+ring*math.Cos(a), cy+ring*math.Sin(a)
			id := fmt.Sprintf("r%dp%d", k, i)
			in.Demand = append(in.Demand, Demand{ID: id, X: x, Y: y, Weight: float64(1 + rng.IntN(9))})
			in.Sites = append(in.Sites, Site{ID: id, X: x, Y: y})
			mx, my := (x+cx+ring*math.Cos(b))/2, (y+cy+ring*math.Sin(b))/2
			in.Sites = append(in.Sites, Site{ID: fmt.Sprintf("r%de%d", k, i), X: mx, Y: my})
		}
	}
	return in, edge/2 + 1e-6*edge
}

// planted returns k anchor points pairwise more than 2r apart, each with a
// cloud of points within r of it that overlaps its neighbours' clouds, and
// every point a candidate site (as in the SJC sets). No site covers two
// anchors, and sites at the anchors cover everything: the minimum is k.
func planted(k, perCloud int, r float64, seed uint64) *Instance {
	rng := rand.New(rand.NewPCG(seed, 11))
	in := &Instance{}
	add := func(x, y float64) {
		id := fmt.Sprint(len(in.Demand) + 1)
		in.Demand = append(in.Demand, Demand{ID: id, X: x, Y: y, Weight: float64(1 + rng.IntN(50))})
		in.Sites = append(in.Sites, Site{ID: id, X: x, Y: y})
	}
	cols := int(math.Ceil(math.Sqrt(float64(k))))
	step := 2.05 * r // anchors on a grid just over 2r apart
	for a := range k {
		ax, ay := float64(a%cols)*step, float64(a/cols)*step
		add(ax, ay)
		for range perCloud {
			d, t := r*math.Sqrt(rng.Float64())*0.999, 2*math.Pi*rng.Float64()
			add(ax+d*math.Cos(t), ay+d*math.Sin(t))
		}
	}
	return in
}

// TestLSCPProvesMinimum checks that lscp returns the known minimum count and
// proves it (bound = count), on odd rings where the bound needs branch and
// bound and on planted covering instances of the SJC sets' size.
func TestLSCPProvesMinimum(t *testing.T) {
	type tc struct {
		name string
		in   *Instance
		r    float64
		want int
	}
	var cases []tc
	for _, c := range []struct{ rings, m int }{{4, 2}, {6, 3}, {3, 5}} {
		in, r := oddCycles(c.rings, c.m, uint64(c.rings))
		cases = append(cases, tc{fmt.Sprintf("%d rings of %d", c.rings, 2*c.m+1), in, r, c.rings * (c.m + 1)})
	}
	for _, c := range []struct{ k, per int }{{11, 64}, {13, 62}, {14, 50}} {
		cases = append(cases, tc{fmt.Sprintf("planted %d x %d", c.k, c.per+1), planted(c.k, c.per, 800, uint64(c.k)), 800, c.k})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := BuildCosts(c.in, Euclidean, c.r, 0); err != nil {
				t.Fatal(err)
			}
			res, err := Solve(context.Background(), c.in, Params{Problem: LSCP, Radius: c.r, Seed: 1, TimeLimit: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			checkCoverResult(t, c.in, c.r, res)
			if int(res.Objective) != c.want || res.Bound != res.Objective {
				t.Errorf("%v sites, bound %v; want the minimum %d, proven", res.Objective, res.Bound, c.want)
			}
			t.Logf("%v sites, bound %v in %.2fs", res.Objective, res.Bound, res.Seconds)
		})
	}
}
