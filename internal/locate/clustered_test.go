package locate

import (
	"reflect"
	"testing"
)

func TestClustered(t *testing.T) {
	a := Clustered(5000, 300, 42)
	b := Clustered(5000, 300, 42)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different instances")
	}
	if c := Clustered(5000, 300, 43); reflect.DeepEqual(a.Demand, c.Demand) {
		t.Fatal("different seeds, same demand")
	}
	if len(a.Demand) != 5000 || len(a.Sites) != 300 || a.Costs.Start != nil {
		t.Fatalf("%d demand, %d sites, costs built: %v", len(a.Demand), len(a.Sites), a.Costs.Start != nil)
	}
	ids := map[string]bool{}
	heavy, total := 0.0, 0.0
	for _, d := range a.Demand {
		if d.Weight <= 0 || ids[d.ID] {
			t.Fatalf("demand %+v: weight must be positive, IDs unique", d)
		}
		ids[d.ID] = true
		total += d.Weight
		if d.Weight > 10 {
			heavy += d.Weight
		}
	}
	// Skewed: the points above 10 t (a few percent) carry a good share.
	if heavy < 0.1*total {
		t.Errorf("weights not skewed: %v of %v above 10 t", heavy, total)
	}
	for _, s := range a.Sites {
		if s.Status != Candidate || ids[s.ID] {
			t.Fatalf("site %+v", s)
		}
	}
	if err := BuildCosts(a, Euclidean, 0, 10); err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if e := Clustered(0, 0, 1); len(e.Demand) != 0 || len(e.Sites) != 0 {
		t.Fatal("empty sizes")
	}
}
