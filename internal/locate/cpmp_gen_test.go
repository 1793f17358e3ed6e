package locate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cpmpGenerated returns a capacitated p-median instance of the structure of
// Lorena and Senne's p3038 set: n points in Gaussian clusters of varying
// spread on a 10,000 x 10,000 plane, every point a customer (integer demand
// 1..100) and a candidate median of the same capacity Q, chosen so that
// p medians hold ratio times the total demand. Costs are real Euclidean
// distances, as the lorena reader builds them. The same arguments always
// give the same instance.
func cpmpGenerated(t testing.TB, n, p int, ratio float64, seed int64) *Instance {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x63706d70)) // "cpmp"
	type cluster struct{ x, y, sd float64 }
	cs := make([]cluster, max(1, n/40))
	for c := range cs {
		cs[c] = cluster{rng.Float64() * 10000, rng.Float64() * 10000, 40 + 400*rng.Float64()*rng.Float64()}
	}
	in := &Instance{Name: fmt.Sprintf("cpmp-gen-%d-%d-%g-%d", n, p, ratio, seed), P: p}
	for i := range n {
		c := cs[rng.IntN(len(cs))]
		if i%10 == 0 { // a tenth scattered anywhere
			c = cluster{rng.Float64() * 10000, rng.Float64() * 10000, 200}
		}
		q := float64(1 + rng.IntN(100)) // drawn before the position
		addMedianPoint(in, c.x+c.sd*rng.NormFloat64(), c.y+c.sd*rng.NormFloat64(), q, 0)
	}
	cpmpFinish(t, in, ratio)
	return in
}

// cpmpFinish is setMedianCapacity, failing the test on error.
func cpmpFinish(t testing.TB, in *Instance, ratio float64) {
	t.Helper()
	if err := setMedianCapacity(in, ratio); err != nil {
		t.Fatal(err)
	}
}

// cpmpBoard returns a capacitated p-median instance laid out like the
// drill holes of a circuit board (TSPLIB's pcb3038, the points of Lorena
// and Senne's p3038 set): a 12 x 10 array of blocks 400 units apart, about
// one in five left empty, each block 6 rows of 8 holes about 40 units
// apart with a few units of jitter, until n points; integer demand 1..100
// and one capacity for every median, so that p medians hold ratio times the
// total demand. The clustered instances of cpmpGenerated pack far worse
// (clusters of every spread, a tenth of the points scattered), which is
// where their larger gaps come from. The same arguments always give the
// same instance.
func cpmpBoard(t testing.TB, n, p int, ratio float64, seed int64) *Instance {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x70636262)) // "pcbb"
	in := &Instance{Name: fmt.Sprintf("cpmp-board-%d-%d-%g-%d", n, p, ratio, seed), P: p}
	for len(in.Demand) < n {
		for b := 0; b < 120 && len(in.Demand) < n; b++ {
			if rng.IntN(5) == 0 {
				continue
			}
			x0, y0 := float64(b/10)*400, float64(b%10)*400
			for h := 0; h < 48 && len(in.Demand) < n; h++ {
				x := x0 + float64(h/8)*40 + 4*rng.Float64()
				y := y0 + float64(h%8)*39 + 4*rng.Float64()
				addMedianPoint(in, x, y, float64(1+rng.IntN(100)), 0)
			}
		}
	}
	cpmpFinish(t, in, ratio)
	return in
}

// TestCPMPGeneratedBench solves generated p3038-like instances (n = 3000,
// p = 600, 800, 1000) of two families, clustered (cpmpGenerated, capacity
// ratio 1.2) and board-like (cpmpBoard, ratio 1.25 as in p3038), and prints
// objective, bound, proven gap and time. It runs only with
// COLDCHAIN_FULL_BENCH=1; COLDCHAIN_CPMP_LIMIT sets the time limit (default
// 30s), COLDCHAIN_CPMP_N the number of points, COLDCHAIN_CPMP_P a
// comma-separated list of p and COLDCHAIN_CPMP_FAMILY one family
// (clusters or board).
func TestCPMPGeneratedBench(t *testing.T) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		t.Skip("set COLDCHAIN_FULL_BENCH=1 to run the generated CPMP benchmark")
	}
	limit, ps := cpmpBenchEnv(t)
	n := envInt(t, "COLDCHAIN_CPMP_N", 3000)
	var b strings.Builder
	fmt.Fprintf(&b, "\n| instance | n | p | objective | bound | proven gap %% | seconds |\n|---|---|---|---|---|---|---|\n")
	families := []struct {
		name  string
		make  func(testing.TB, int, int, float64, int64) *Instance
		ratio float64
	}{{"clusters", cpmpGenerated, 1.2}, {"board", cpmpBoard, 1.25}}
	for _, fam := range families {
		if f := os.Getenv("COLDCHAIN_CPMP_FAMILY"); f != "" && f != fam.name {
			continue
		}
		for _, p := range ps {
			cpmpBenchRow(t, &b, fam.make(t, n, p, fam.ratio, 1), limit)
		}
	}
	t.Log(b.String())
}

// cpmpBenchEnv returns the time limit (COLDCHAIN_CPMP_LIMIT, default 30s)
// and the values of p (COLDCHAIN_CPMP_P, comma-separated, default 600, 800
// and 1000) of the n = 3000 CPMP benchmarks.
func cpmpBenchEnv(t *testing.T) (time.Duration, []int) {
	t.Helper()
	limit := envDuration(t, "COLDCHAIN_CPMP_LIMIT", 30*time.Second)
	ps := []int{600, 800, 1000}
	if s := os.Getenv("COLDCHAIN_CPMP_P"); s != "" {
		ps = ps[:0]
		for _, f := range strings.Split(s, ",") {
			v, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, v)
		}
	}
	return limit, ps
}

// cpmpBenchRow solves in for limit and adds its row to the table in b.
func cpmpBenchRow(t *testing.T, b *strings.Builder, in *Instance, limit time.Duration) {
	res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: 1, TimeLimit: limit})
	if err != nil {
		t.Errorf("%s: %v", in.Name, err)
		return
	}
	if res.Bound > res.Objective {
		t.Errorf("%s: bound %v above objective %v", in.Name, res.Bound, res.Objective)
	}
	fmt.Fprintf(b, "| %s | %d | %d | %.2f | %.2f | %.3f | %.1f |\n",
		in.Name, len(in.Demand), in.P, res.Objective, res.Bound, res.Gap, res.Seconds)
}

// TestCPMPShortLimit solves a generated p3038-like instance (n = 3000) with
// a two-second limit: every phase of the schedule for large instances must
// yield to the clock and still leave a feasible solution with a proven,
// positive bound. (Preparing the instance's 9 million arcs takes 0.3 s
// idle and up to 1.5 s loaded, and the first solution's grace ends 1 s
// past the limit whatever preparation took.) Time is not asserted;
// BenchmarkCPMPOverrun measures it.
func TestCPMPShortLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("n = 3000 instance")
	}
	for _, p := range []int{600, 1000} {
		in := cpmpGenerated(t, 3000, p, 1.2, 1)
		params := Params{Problem: CFLP, Seed: 1, TimeLimit: 2 * time.Second}
		res, err := Solve(context.Background(), in, params)
		if err != nil {
			t.Fatalf("p = %d: %v", p, err)
		}
		if err := cflpCheck(in, params, res); err != nil {
			t.Fatalf("p = %d: %v", p, err)
		}
		if !(res.Bound > 0) || res.Bound > res.Objective {
			t.Errorf("p = %d: bound %v, objective %v: want 0 < bound <= objective", p, res.Bound, res.Objective)
		}
		t.Logf("p = %d: objective %.0f bound %.0f gap %.2f %% in %.2f s", p, res.Objective, res.Bound, res.Gap, res.Seconds)
	}
}

// BenchmarkCPMPOverrun measures how far a solve of a generated p3038-like
// instance (n = 3000) runs past short time limits: the overrun_s metric is
// the wall time of Solve minus the limit (the largest over the solves of a
// run). Each solve uses a fresh seed.
func BenchmarkCPMPOverrun(b *testing.B) {
	for _, p := range []int{600, 1000} {
		in := cpmpGenerated(b, 3000, p, 1.2, 1)
		for _, limit := range []time.Duration{time.Second, 2 * time.Second} {
			b.Run(fmt.Sprintf("p=%d/limit=%v", p, limit), func(b *testing.B) {
				worst, seed := math.Inf(-1), int64(0)
				for b.Loop() {
					seed++
					start := time.Now()
					res, err := Solve(context.Background(), in, Params{Problem: CFLP, Seed: seed, TimeLimit: limit})
					if err != nil {
						b.Fatal(err)
					}
					worst = math.Max(worst, (time.Since(start) - limit).Seconds())
					b.ReportMetric(res.Gap, "gap%")
				}
				b.ReportMetric(worst, "overrun_s")
			})
		}
	}
}

// TestCPMPGeneratedWrite writes a generated p3038-like instance in the
// lorena format, so that scripts/cbc-compare.sh (CBC on the full MIP) and
// `coldchain solve` can take it. It runs only with COLDCHAIN_CPMP_WRITE set
// to the output file; COLDCHAIN_CPMP_N and COLDCHAIN_CPMP_P (one value)
// give n and p (default 300 and 60), COLDCHAIN_CPMP_FAMILY=board the
// board-like family (cpmpBoard) instead of the clustered one.
func TestCPMPGeneratedWrite(t *testing.T) {
	out := os.Getenv("COLDCHAIN_CPMP_WRITE")
	if out == "" {
		t.Skip("set COLDCHAIN_CPMP_WRITE to the lorena file to write")
	}
	n, p := envInt(t, "COLDCHAIN_CPMP_N", 300), envInt(t, "COLDCHAIN_CPMP_P", 60)
	in := cpmpGenerated(t, n, p, 1.2, 1)
	if os.Getenv("COLDCHAIN_CPMP_FAMILY") == "board" {
		in = cpmpBoard(t, n, p, 1.25, 1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %d\n", n, p)
	for i, d := range in.Demand {
		fmt.Fprintf(&b, "%.17g %.17g %g %g\n", d.X, d.Y, in.Sites[i].Capacity, d.Weight)
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
