package locate

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestPCenterORLib(t *testing.T) {
	dir := pmedBenchDir(t)
	// A fast subset: each takes well under a second.
	for _, k := range []int{1, 2, 3, 4, 5, 9, 10, 14, 19, 20} {
		name := fmt.Sprintf("pmed%d", k)
		t.Run(name, func(t *testing.T) {
			in := pmedLoad(t, dir, name)
			res, err := Solve(context.Background(), in, Params{Problem: PCenter, Seed: 1, TimeLimit: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			want := pmedOptima[k-1].center
			if res.Objective != want {
				t.Errorf("objective %v, want the optimum %v", res.Objective, want)
			}
			if res.Bound > res.Objective+1e-6 {
				t.Errorf("bound %v above objective %v", res.Bound, res.Objective)
			}
			if len(res.Sites) > in.P {
				t.Errorf("%d sites, want at most %d", len(res.Sites), in.P)
			}
			worst := 0.0
			for i, j := range res.Assign {
				sites, costs := in.Costs.Row(i)
				for x, s := range sites {
					if s == j {
						worst = max(worst, costs[x])
						break
					}
				}
			}
			if worst != res.Objective {
				t.Errorf("largest assignment cost %v, objective %v", worst, res.Objective)
			}
			t.Logf("objective %v bound %v gap %.3f%% in %.2fs", res.Objective, res.Bound, res.Gap, res.Seconds)
		})
	}
}

func TestPCenterInfeasible(t *testing.T) {
	in := &Instance{
		Demand: []Demand{{ID: "a", Weight: 1}, {ID: "b", Weight: 1}},
		Sites:  []Site{{ID: "s"}, {ID: "f", Status: Forbidden}},
		Costs:  Costs{Start: []int{0, 1, 2}, Site: []int32{0, 1}, Cost: []float64{1, 1}},
	}
	_, err := Solve(context.Background(), in, Params{Problem: PCenter, P: 1})
	if !errors.Is(err, ErrInfeasible) {
		t.Fatalf("error %v, want ErrInfeasible (b reaches only a forbidden site)", err)
	}
}

func TestSolveCancelled(t *testing.T) {
	dir := pmedBenchDir(t)
	in := pmedLoad(t, dir, "pmed26")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, prob := range []Problem{PMedian, PCenter} {
		t.Run(string(prob), func(t *testing.T) {
			// An hour's limit: only the cancellation can end the solve. The
			// wait below is a hang detector, not a speed check.
			type out struct {
				res *Result
				err error
			}
			done := make(chan out, 1)
			go func() {
				res, err := Solve(ctx, in, Params{Problem: prob, Seed: 1, TimeLimit: time.Hour})
				done <- out{res, err}
			}()
			var o out
			select {
			case o = <-done:
			case <-time.After(5 * time.Minute):
				t.Fatal("the solve did not stop after cancellation")
			}
			res, err := o.res, o.err
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Sites) != in.P || res.Bound > res.Objective {
				t.Errorf("sites %d, objective %v, bound %v", len(res.Sites), res.Objective, res.Bound)
			}
		})
	}
}
