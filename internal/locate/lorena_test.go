package locate

import (
	"math"
	"strings"
	"testing"
)

func TestReadLorena(t *testing.T) {
	const text = "3 2\n0 0 10 4\n3 4 12 5\r\n6 8\n 9 1\n"
	in, err := ReadInstance(FormatLorena, strings.NewReader(text), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.P != 2 || len(in.Demand) != 3 || len(in.Sites) != 3 {
		t.Fatalf("p %d, %d demands, %d sites", in.P, len(in.Demand), len(in.Sites))
	}
	if d := in.Demand[1]; d.X != 3 || d.Y != 4 || d.Weight != 5 {
		t.Errorf("demand 1 = %+v", d)
	}
	if s := in.Sites[2]; s.Capacity != 9 || s.FixedCost != 0 || s.Status != Candidate {
		t.Errorf("site 2 = %+v", s)
	}
	// Real Euclidean distances, the point itself first at cost 0.
	sites, costs := in.Costs.Row(0)
	if len(sites) != 3 || sites[0] != 0 || costs[0] != 0 || costs[1] != 5 || costs[2] != 10 {
		t.Errorf("row 0 = %v %v", sites, costs)
	}
	sites, costs = in.Costs.Row(1)
	if sites[0] != 1 || costs[0] != 0 || math.Abs(costs[1]-5) > 1e-12 {
		t.Errorf("row 1 = %v %v", sites, costs)
	}
}

func TestReadLorenaErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "missing number of points"},
		{"p above n", "2 3\n", "p = 3 exceeds the number of points n = 2"},
		{"zero p", "2 0\n", "number of medians p"},
		{"short line", "2 1\n0 0 5 1\n1 1 5\n", "missing demand q of point 2"},
		{"bad number", "1 1\n0 y 5 1\n", `line 2: y of point 1: "y"`},
		{"zero capacity", "1 1\n0 0 0 1\n", "line 2: capacity of point 1 is 0"},
		{"negative demand", "1 1\n0 0 5 -1\n", "line 2: demand of point 1 is -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadInstance(FormatLorena, strings.NewReader(tt.text), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadLorenaBenchmark(t *testing.T) {
	c := cflpSJCCases(t)[5] // SJC4b
	in := cflpLoad(t, c)
	if in.P != 40 || len(in.Demand) != 402 || in.Costs.Len() != 402*402 {
		t.Fatalf("SJC4b: p %d, %d points, %d arcs", in.P, len(in.Demand), in.Costs.Len())
	}
	total := 0.0
	for _, d := range in.Demand {
		total += d.Weight
	}
	if total != 15984 || in.Sites[0].Capacity != 840 {
		t.Errorf("SJC4b: total demand %v, capacity %v", total, in.Sites[0].Capacity)
	}
}

// FuzzReadLorena checks that the lorena reader never panics and that what
// it accepts is a valid instance.
func FuzzReadLorena(f *testing.F) {
	f.Add("3 2\n0 0 10 4\n3 4 12 5\n6 8 9 1\n")
	f.Add("1 1\n0 0 5 1\n")
	f.Add("2 1\n1e308 0 5 1\n-1e308 0 5 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		in, err := ReadInstance(FormatLorena, strings.NewReader(text), ReadOptions{})
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("accepted an invalid instance: %v", err)
		}
		if in.P < 1 || in.P > len(in.Sites) {
			t.Fatalf("p = %d for %d points", in.P, len(in.Sites))
		}
	})
}
