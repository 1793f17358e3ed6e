package locate

import (
	"math"
	"strings"
	"testing"
)

func TestReadSSCFLP(t *testing.T) {
	// 2 facilities, 3 customers, tokens wrapped across lines at random.
	const text = "2 3\n10 100\n20\n200 1 2\n3\n5 6 7 8\n9 4\n"
	in, err := ReadInstance(FormatSSCFLP, strings.NewReader(text), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Sites) != 2 || len(in.Demand) != 3 {
		t.Fatalf("got %d sites, %d demands; want 2, 3", len(in.Sites), len(in.Demand))
	}
	if s := in.Sites[1]; s.Capacity != 20 || s.FixedCost != 200 || s.Status != Candidate || s.ID != "2" {
		t.Errorf("site 1 = %+v", s)
	}
	if w := in.Demand[2].Weight; w != 3 {
		t.Errorf("demand 2 weight %v, want 3", w)
	}
	// Costs are facility-major in the file: facility 1 = 5 6 7, facility 2 = 8 9 4.
	want := [][2]float64{{5, 8}, {6, 9}, {7, 4}}
	for i, w := range want {
		sites, costs := in.Costs.Row(i)
		got := map[int32]float64{}
		for k, j := range sites {
			got[j] = costs[k]
			if k > 0 && costs[k] < costs[k-1] {
				t.Errorf("row %d not sorted by cost: %v", i, costs)
			}
		}
		if got[0] != w[0] || got[1] != w[1] || len(sites) != 2 {
			t.Errorf("row %d = %v %v, want costs %v", i, sites, costs, w)
		}
	}
	if err := in.Validate(); err != nil {
		t.Error(err)
	}
}

func TestReadSSCFLPErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "missing number of facilities"},
		{"bad m", "x 3", `line 1: number of facilities m: "x"`},
		{"zero n", "2 0", "number of customers n"},
		{"missing capacity", "1 1\n", "capacity of facility 1"},
		{"zero capacity", "1 1\n0 5\n", "line 2: capacity of facility 1 is 0"},
		{"negative fixed cost", "1 1\n5 -1\n", "line 2: fixed cost of facility 1"},
		{"bad demand", "1 2\n5 1\n3 z\n", `line 3: demand of customer 2: "z"`},
		{"negative demand", "1 1\n5 1\n-3\n", "demand of customer 1 is -3"},
		{"short costs", "1 2\n5 1\n1 1\n4\n", "cost of facility 1 for customer 2"},
		{"negative cost", "1 1\n5 1\n1\n-4\n", "line 4: cost of facility 1 for customer 1 is -4"},
		{"NaN cost", "1 1\n5 1\n1\nNaN\n", "not a finite number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadInstance(FormatSSCFLP, strings.NewReader(tt.text), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadSSCFLPBenchmark(t *testing.T) {
	c := cflpSSCFLPCases(t)[24] // p25: 100 x 1000
	in := cflpLoad(t, c)
	if len(in.Sites) != 100 || len(in.Demand) != 1000 || in.Costs.Len() != 100*1000 {
		t.Fatalf("p25: %d sites, %d demands, %d arcs", len(in.Sites), len(in.Demand), in.Costs.Len())
	}
	total := 0.0
	for _, d := range in.Demand {
		total += d.Weight
	}
	if total != 50886 || in.Sites[0].Capacity != 8000 || in.Sites[0].FixedCost != 2141200 {
		t.Errorf("p25: total demand %v, site 0 %+v", total, in.Sites[0])
	}
	if math.IsNaN(in.Costs.Cost[0]) {
		t.Error("NaN cost")
	}
}

// FuzzReadSSCFLP checks that the sscflp reader never panics and that what
// it accepts is a valid instance.
func FuzzReadSSCFLP(f *testing.F) {
	f.Add("2 3\n10 100\n20 200\n1 2 3\n5 6 7\n8 9 4\n")
	f.Add("1 1\n5 1\n1\n4\n")
	f.Add("1 1\n5 1e400\n1\n4\n")
	f.Add("3 2\n1 1 1 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		in, err := ReadInstance(FormatSSCFLP, strings.NewReader(text), ReadOptions{})
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("accepted an invalid instance: %v", err)
		}
		if in.Costs.Len() != len(in.Sites)*len(in.Demand) {
			t.Fatalf("%d arcs for %d x %d", in.Costs.Len(), len(in.Sites), len(in.Demand))
		}
	})
}
