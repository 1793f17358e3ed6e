package locate

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cflpBenchDir is where the public benchmark instances live, relative to
// this package's directory (the repository at <root>/main, the shared data
// at <root>/shared).
var cflpBenchDir = filepath.Join("..", "..", "..", "shared", "benchmarks")

// cflpBenchCase is one benchmark instance with its known optimum.
type cflpBenchCase struct {
	name    string
	format  Format
	path    string
	optimum float64
}

// cflpRequireBench skips the test when the benchmark data is missing, or
// fails it when the CI environment variable is set.
func cflpRequireBench(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("benchmark data missing in CI: %v", err)
		}
		t.Skipf("benchmark data missing: %v", err)
	}
}

// cflpSSCFLPCases lists sscflp-or p1..p36 with the optima of the file os.
func cflpSSCFLPCases(t testing.TB) []cflpBenchCase {
	t.Helper()
	dir := filepath.Join(cflpBenchDir, "sscflp-or")
	cflpRequireBench(t, filepath.Join(dir, "os"))
	f, err := os.Open(filepath.Join(dir, "os"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []cflpBenchCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		v, err := strconv.ParseFloat(line, 64)
		if err != nil {
			t.Fatalf("sscflp-or/os line %d: %v", len(cases)+1, err)
		}
		name := fmt.Sprintf("p%d", len(cases)+1)
		cases = append(cases, cflpBenchCase{name, FormatSSCFLP, filepath.Join(dir, name), v})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) != 36 {
		t.Fatalf("sscflp-or/os holds %d optima, want 36", len(cases))
	}
	return cases
}

// cflpSJCCases lists the cpmp-sjc instances with their optima (benchmarks
// README).
func cflpSJCCases(t testing.TB) []cflpBenchCase {
	t.Helper()
	dir := filepath.Join(cflpBenchDir, "cpmp-sjc")
	cflpRequireBench(t, filepath.Join(dir, "SJC1.dat"))
	opt := []struct {
		name string
		v    float64
	}{
		{"SJC1", 17288.99}, {"SJC2", 33270.94}, {"SJC3a", 45335.16},
		{"SJC3b", 40635.90}, {"SJC4a", 61925.51}, {"SJC4b", 52458.00},
	}
	var cases []cflpBenchCase
	for _, o := range opt {
		cases = append(cases, cflpBenchCase{o.name, FormatLorena, filepath.Join(dir, o.name+".dat"), o.v})
	}
	return cases
}

// cflpLoad reads a benchmark instance.
func cflpLoad(t testing.TB, c cflpBenchCase) *Instance {
	t.Helper()
	f, err := os.Open(c.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadInstance(c.format, f, ReadOptions{})
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	in.Name = c.name
	return in
}

// cflpOptTol is how close a reported optimum must be: the published optima
// are rounded to two decimals.
func cflpOptTol(opt float64) float64 { return 0.006 + 1e-9*opt }

// envValue returns the value the environment variable name holds, read
// by parse, or def when it is unset; a value that does not parse fails the
// test. envDuration and envInt are its two uses.
func envValue[T any](t *testing.T, name string, def T, parse func(string) (T, error)) T {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := parse(s)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	return envValue(t, name, def, time.ParseDuration)
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	return envValue(t, name, def, strconv.Atoi)
}

// TestCFLPFullBench solves every sscflp-or and cpmp-sjc instance and prints
// a table of the results. It runs only with COLDCHAIN_FULL_BENCH=1 (it takes
// minutes); COLDCHAIN_CFLP_ONLY=p25,SJC3a restricts it to some instances and
// COLDCHAIN_CFLP_LIMIT sets the time limit per instance (default 60s).
func TestCFLPFullBench(t *testing.T) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		t.Skip("set COLDCHAIN_FULL_BENCH=1 to run the full CFLP benchmark")
	}
	limit := envDuration(t, "COLDCHAIN_CFLP_LIMIT", 60*time.Second)
	only := map[string]bool{}
	for _, s := range strings.Split(os.Getenv("COLDCHAIN_CFLP_ONLY"), ",") {
		if s != "" {
			only[s] = true
		}
	}
	cases := append(cflpSSCFLPCases(t), cflpSJCCases(t)...)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| instance | n | m / p | optimum | found | gap to optimum %% | proven gap %% | seconds |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|\n")
	worst := 0.0
	for _, c := range cases {
		if len(only) > 0 && !only[c.name] {
			continue
		}
		in := cflpLoad(t, c)
		res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: limit})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		size := strconv.Itoa(len(in.Sites))
		if in.P > 0 {
			size = "p=" + strconv.Itoa(in.P)
		}
		gapOpt := 100 * (res.Objective - c.optimum) / c.optimum
		worst = max(worst, gapOpt)
		fmt.Fprintf(&b, "| %s | %d | %s | %.2f | %.2f | %.3f | %.3f | %.1f |\n",
			c.name, len(in.Demand), size, c.optimum, res.Objective, gapOpt, res.Gap, res.Seconds)
		if res.Bound > res.Objective {
			t.Errorf("%s: bound %v above objective %v", c.name, res.Bound, res.Objective)
		}
		if res.Bound > c.optimum+cflpOptTol(c.optimum) {
			t.Errorf("%s: bound %v above the known optimum %v", c.name, res.Bound, c.optimum)
		}
		if res.Objective < c.optimum-cflpOptTol(c.optimum) {
			t.Errorf("%s: objective %v below the known optimum %v", c.name, res.Objective, c.optimum)
		}
	}
	fmt.Fprintf(&b, "worst gap to optimum: %.3f %%\n", worst)
	t.Log(b.String())
}
