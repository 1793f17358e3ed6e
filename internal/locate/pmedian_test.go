package locate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pmedBenchDir returns the shared benchmark directory, which sits beside the
// repository (<root>/main and <root>/shared). A missing directory fails the
// test when CI is set and skips it otherwise.
func pmedBenchDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "benchmarks")
	if _, err := os.Stat(filepath.Join(dir, "orlib-pmed")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("benchmark instances missing: %v", err)
		}
		t.Skipf("benchmark instances missing (%v); set CI to make this an error", err)
	}
	return dir
}

// pmedLoad reads OR-Library instance name (e.g. "pmed7").
func pmedLoad(t testing.TB, dir, name string) *Instance {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "orlib-pmed", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadInstance(FormatORLibPMed, f, ReadOptions{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return in
}

// pmedOptima are the known optima of pmed1–40 (benchmarks README).
var pmedOptima = []struct{ median, center float64 }{
	{5819, 127}, {4093, 98}, {4250, 93}, {3034, 74}, {1355, 48},
	{7824, 84}, {5631, 64}, {4445, 55}, {2734, 37}, {1255, 20},
	{7696, 59}, {6634, 51}, {4374, 36}, {2968, 26}, {1729, 18},
	{8162, 47}, {6999, 39}, {4809, 28}, {2845, 18}, {1789, 13},
	{9138, 40}, {8579, 38}, {4619, 22}, {2961, 15}, {1828, 11},
	{9917, 38}, {8307, 32}, {4498, 18}, {3033, 13}, {1989, 9},
	{10086, 30}, {9297, 29}, {4700, 15}, {3013, 11}, {10400, 30},
	{9934, 27}, {5057, 15}, {11060, 29}, {9423, 23}, {5128, 13},
}

func TestPMedianORLib(t *testing.T) {
	dir := pmedBenchDir(t)
	for k := range 10 {
		name := fmt.Sprintf("pmed%d", k+1)
		t.Run(name, func(t *testing.T) {
			in := pmedLoad(t, dir, name)
			res, err := Solve(context.Background(), in, Params{Problem: PMedian, Seed: 1, TimeLimit: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			want := pmedOptima[k].median
			if res.Objective != want {
				t.Errorf("objective %v, want the optimum %v", res.Objective, want)
			}
			if res.Bound > res.Objective+1e-6 {
				t.Errorf("bound %v above objective %v", res.Bound, res.Objective)
			}
			if res.Gap > 1 {
				t.Errorf("proven gap %.3f%%, want at most 1%%", res.Gap)
			}
			if len(res.Sites) != in.P {
				t.Errorf("%d sites, want %d", len(res.Sites), in.P)
			}
			t.Logf("objective %v bound %v gap %.3f%% in %.2fs", res.Objective, res.Bound, res.Gap, res.Seconds)
		})
	}
}
