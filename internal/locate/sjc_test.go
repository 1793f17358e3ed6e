package locate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSJC(t *testing.T) {
	in, err := ReadInstance(FormatSJC, strings.NewReader("3\r\n0 0\r\n3 4\r\n6 8\r\n"), ReadOptions{Demand: strings.NewReader("5\r\n0\r\n2.5\r\n")})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Demand) != 3 || len(in.Sites) != 3 || in.Demand[2].Weight != 2.5 || in.Sites[1].ID != "2" {
		t.Fatalf("instance %+v", in)
	}
	sites, costs := in.Costs.Row(0)
	if len(sites) != 3 || costs[0] != 0 || costs[1] != 5 || costs[2] != 10 || sites[2] != 2 {
		t.Errorf("row 0: %v %v", sites, costs)
	}
	for _, c := range []struct{ coords, demand, want string }{
		{"2\n0 0\n1 1\n", "1\n", "weight of point 2: unexpected end of file"},
		{"2\n0 0\n1\n", "1\n2\n", "y of point 2: unexpected end of file"},
		{"x\n", "", `number of points: "x" is not an integer`},
		{"0\n", "", "number of points 0 out of range [1, 5000]"},
		{"1\n0 NaN\n", "1\n", `y of point 1: "NaN" is not a finite number`},
		{"1\n0 0\n", "-1\n", "weight of point 1 is negative"},
	} {
		_, err := ReadInstance(FormatSJC, strings.NewReader(c.coords), ReadOptions{Demand: strings.NewReader(c.demand)})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q + %q: error %v, want %q", c.coords, c.demand, err, c.want)
		}
	}
	if _, err := ReadInstance(FormatSJC, strings.NewReader("1\n0 0\n"), ReadOptions{}); err == nil || !strings.Contains(err.Error(), "demand file is missing") {
		t.Errorf("no demand file: %v", err)
	}
}

func TestReadSJCBenchmark(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "benchmarks", "mclp-sjc")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("benchmark instances missing: %v", err)
		}
		t.Skip("benchmark instances not found")
	}
	for name, total := range map[string]float64{"SJC324": 12152, "SJC402": 15984} {
		f, err := os.Open(filepath.Join(dir, name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := os.Open(filepath.Join(dir, "demand-"+name+".dat"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := readSJC(f, d, func(string) {})
		f.Close()
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, x := range in.Demand {
			sum += x.Weight
		}
		if sum != total || in.Costs.Len() != len(in.Demand)*len(in.Sites) {
			t.Errorf("%s: total weight %v (want %v), %d arcs", name, sum, total, in.Costs.Len())
		}
	}
}

func FuzzReadSJC(f *testing.F) {
	f.Add("2\r\n0 0\r\n3 4\r\n", "1\r\n2\r\n")
	f.Fuzz(func(t *testing.T, coords, demand string) {
		in, err := readSJC(strings.NewReader(coords), strings.NewReader(demand), func(string) {})
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("read instance invalid: %v", err)
		}
	})
}
