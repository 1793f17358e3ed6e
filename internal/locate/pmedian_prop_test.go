package locate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// tinyInstance returns a random instance with sparse given costs: some
// sites existing or forbidden, some demand of weight 0, some demand
// reaching few or no sites.
func tinyInstance(rng *rand.Rand, integral bool) *Instance {
	nd, ns := 1+rng.IntN(12), 1+rng.IntN(8)
	in := &Instance{Name: "tiny"}
	for j := range ns {
		st := Candidate
		switch r := rng.Float64(); {
		case r < 0.15:
			st = Existing
		case r < 0.3:
			st = Forbidden
		}
		in.Sites = append(in.Sites, Site{ID: "s" + strconv.Itoa(j), Status: st, FixedCost: float64(1 + rng.IntN(9))})
	}
	density := 0.3 + 0.7*rng.Float64()
	in.Costs.Start = []int{0}
	for i := range nd {
		w := float64(1 + rng.IntN(5))
		if !integral {
			w = 0.1 + 3*rng.Float64()
		}
		if rng.IntN(10) == 0 {
			w = 0
		}
		in.Demand = append(in.Demand, Demand{ID: "d" + strconv.Itoa(i), Weight: w})
		var row []kdHit
		for j := range ns {
			if rng.Float64() < density {
				c := float64(rng.IntN(20))
				if !integral {
					c = 20 * rng.Float64()
				}
				row = append(row, kdHit{c, int32(j)})
			}
		}
		slices.SortFunc(row, func(a, b kdHit) int {
			if a.worse(b) {
				return 1
			}
			return -1
		})
		for _, h := range row {
			in.Costs.Site = append(in.Costs.Site, h.site)
			in.Costs.Cost = append(in.Costs.Cost, h.dist)
		}
		in.Costs.Start = append(in.Costs.Start, len(in.Costs.Site))
	}
	return in
}

// tinyPenalty is the documented charge for unserved demand: 2 x the largest
// arc from a positive-weight demand to a site that may open, plus 1.
func tinyPenalty(in *Instance) float64 {
	m := 0.0
	for i, d := range in.Demand {
		if d.Weight <= 0 {
			continue
		}
		sites, costs := in.Costs.Row(i)
		for k, j := range sites {
			if in.Sites[j].Status != Forbidden {
				m = max(m, costs[k])
			}
		}
	}
	return 2*m + 1
}

// bruteForce returns the optimum over all sets of at most p candidates
// within budget (sum of weighted costs, or the largest cost for p-center),
// unserved demand charged the penalty.
func bruteForce(in *Instance, prob Problem, p int, budget float64) float64 {
	pen := tinyPenalty(in)
	var cands []int
	for j, s := range in.Sites {
		if s.Status == Candidate {
			cands = append(cands, j)
		}
	}
	best := math.Inf(1)
	open := make([]bool, len(in.Sites))
	for mask := 0; mask < 1<<len(cands); mask++ {
		n, spent := 0, 0.0
		for b, j := range cands {
			open[j] = mask&(1<<b) != 0
			if open[j] {
				n++
				spent += in.Sites[j].FixedCost
			}
		}
		if n > p || (budget > 0 && spent > budget) {
			continue
		}
		obj := 0.0
		for i, d := range in.Demand {
			if d.Weight <= 0 {
				continue
			}
			c := pen
			sites, costs := in.Costs.Row(i)
			for k, j := range sites {
				if in.Sites[j].Status == Existing || (in.Sites[j].Status == Candidate && open[j]) {
					c = costs[k]
					break
				}
			}
			if prob == PCenter {
				obj = max(obj, c)
			} else {
				obj += d.Weight * c
			}
		}
		best = min(best, obj)
	}
	return best
}

func TestTinyAgainstBruteForce(t *testing.T) {
	for _, prob := range []Problem{PMedian, PCenter} {
		t.Run(string(prob), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(len(prob))))
			for c := range 250 {
				in := tinyInstance(rng, c%2 == 0)
				ncand := 0
				for _, s := range in.Sites {
					if s.Status == Candidate {
						ncand++
					}
				}
				p := rng.IntN(ncand + 1)
				budget := 0.0
				if c%3 == 0 {
					budget = float64(3 + rng.IntN(15))
				}
				name := fmt.Sprintf("case%d/n=%d/m=%d/p=%d/budget=%v", c, len(in.Demand), len(in.Sites), p, budget)
				t.Run(name, func(t *testing.T) {
					checkTiny(t, in, prob, p, budget, int64(c))
				})
			}
		})
	}
}

func checkTiny(t *testing.T, in *Instance, prob Problem, p int, budget float64, seed int64) {
	res, err := Solve(context.Background(), in, Params{Problem: prob, P: p, Budget: budget, Seed: seed, TimeLimit: 10 * time.Second})
	hasExisting := slices.ContainsFunc(in.Sites, func(s Site) bool { return s.Status == Existing })
	served := slices.ContainsFunc(in.Demand, func(d Demand) bool { return d.Weight > 0 })
	switch {
	case p == 0 && !hasExisting, !served:
		if err == nil {
			t.Fatalf("want an error, got %+v", res)
		}
		return
	case prob == PCenter && errors.Is(err, ErrInfeasible):
		// Some positive-weight demand reaches no site that may open.
		for i, d := range in.Demand {
			sites, _ := in.Costs.Row(i)
			if d.Weight > 0 && !slices.ContainsFunc(sites, func(j int32) bool { return in.Sites[j].Status != Forbidden }) {
				return
			}
		}
		t.Fatalf("unexpected %v", err)
	case err != nil && !errors.Is(err, ErrUnserved):
		t.Fatal(err)
	}
	want := bruteForce(in, prob, p, budget)
	tol := 1e-9 * max(1, math.Abs(want))
	if res.Objective < want-tol {
		t.Errorf("objective %v below the optimum %v", res.Objective, want)
	}
	if res.Objective > want+tol {
		t.Errorf("objective %v, optimum %v", res.Objective, want)
	}
	if res.Bound > want+tol {
		t.Errorf("bound %v above the optimum %v", res.Bound, want)
	}
	if res.Bound > res.Objective+1e-6 {
		t.Errorf("bound %v above objective %v", res.Bound, res.Objective)
	}
	// The solution itself: candidates, at most p, within budget, and the
	// assignment to the nearest open site.
	if len(res.Sites) > p || !slices.IsSorted(res.Sites) {
		t.Errorf("sites %v: want at most %d, ascending", res.Sites, p)
	}
	open := make([]bool, len(in.Sites))
	spent := 0.0
	for _, j := range res.Sites {
		if in.Sites[j].Status != Candidate {
			t.Errorf("site %d has status %v", j, in.Sites[j].Status)
		}
		open[j] = true
		spent += in.Sites[j].FixedCost
	}
	if budget > 0 && spent > budget {
		t.Errorf("spent %v over budget %v", spent, budget)
	}
	unserved := false
	for i := range in.Demand {
		want := int32(-1)
		sites, _ := in.Costs.Row(i)
		for _, j := range sites {
			if in.Sites[j].Status == Existing || open[j] {
				want = j
				break
			}
		}
		if res.Assign[i] != want {
			t.Errorf("demand %d assigned to %d, nearest open is %d", i, res.Assign[i], want)
		}
		if want < 0 && in.Demand[i].Weight > 0 {
			unserved = true
		}
	}
	if unserved != errors.Is(err, ErrUnserved) {
		t.Errorf("unserved demand %v but error %v", unserved, err)
	}
}
