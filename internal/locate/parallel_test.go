package locate

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestPortfolio checks the parallel portfolio: on an instance it proves,
// two runs with one seed agree; under a time cut its bound and objective
// still bracket the known optimum.
func TestPortfolio(t *testing.T) {
	dir := pmedBenchDir(t)
	in := pmedLoad(t, dir, "pmed12")
	params := Params{Problem: PMedian, Seed: 3, Workers: 2, TimeLimit: time.Minute}
	a, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Solve(context.Background(), in, params)
	if err != nil {
		t.Fatal(err)
	}
	if a.Objective != pmedOptima[11].median || a.Gap != 0 || b.Objective != a.Objective || !slices.Equal(a.Sites, b.Sites) {
		t.Errorf("runs: %v (gap %v) %v vs %v %v; optimum %v", a.Objective, a.Gap, a.Sites, b.Objective, b.Sites, pmedOptima[11].median)
	}
	for _, c := range []struct {
		prob Problem
		k    int
		want float64
	}{{PCenter, 17, pmedOptima[16].center}, {PMedian, 36, pmedOptima[35].median}} {
		in := pmedLoad(t, dir, fmt.Sprintf("pmed%d", c.k))
		res, err := Solve(context.Background(), in, Params{Problem: c.prob, Seed: 1, Workers: 2, TimeLimit: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if res.Bound > c.want+1e-9 || res.Objective < c.want-1e-9 || res.Gap != GapPercent(res.Objective, res.Bound) {
			t.Errorf("%s pmed%d: objective %v bound %v gap %v; optimum %v", c.prob, c.k, res.Objective, res.Bound, res.Gap, c.want)
		}
		if len(res.Sites) != in.P {
			t.Errorf("%s pmed%d: %d sites, want %d", c.prob, c.k, len(res.Sites), in.P)
		}
	}
}
