package locate

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// memPeak samples the Go heap while a benchmark runs and reports the largest
// in-use heap seen (runtime.MemStats, every 20 ms).
type memPeak struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startMemPeak() *memPeak {
	runtime.GC()
	m := &memPeak{stop: make(chan struct{})}
	m.done.Add(1)
	go func() {
		defer m.done.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			m.peak = max(m.peak, ms.HeapInuse+ms.StackInuse)
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

// end stops sampling and returns the peak in MiB.
func (m *memPeak) end() float64 {
	close(m.stop)
	m.done.Wait()
	return float64(m.peak) / (1 << 20)
}

// benchClustered builds a Clustered instance with k-nearest costs and solves
// it as p-median, reporting build and solve seconds, the peak heap, the
// objective, the proven gap and the share of demand weight left unserved
// (no open site among a point's k nearest).
func benchClustered(b *testing.B, nd, ns, p, k int, limit time.Duration) {
	for range b.N {
		mem := startMemPeak()
		t0 := time.Now()
		in := Clustered(nd, ns, 1)
		if err := BuildCosts(in, Euclidean, 0, k); err != nil {
			b.Fatal(err)
		}
		build := time.Since(t0)
		res, err := Solve(context.Background(), in, Params{Problem: PMedian, P: p, Seed: 1, TimeLimit: limit})
		if err != nil && !errors.Is(err, ErrUnserved) {
			b.Fatal(err)
		}
		total := time.Since(t0)
		peak := mem.end()
		unserved, all := 0.0, 0.0
		for i, d := range in.Demand {
			all += d.Weight
			if res.Assign[i] < 0 {
				unserved += d.Weight
			}
		}
		b.ReportMetric(build.Seconds(), "build-s")
		b.ReportMetric(res.Seconds, "solve-s")
		b.ReportMetric(total.Seconds(), "total-s")
		b.ReportMetric(peak, "peak-heap-MiB")
		b.ReportMetric(res.Objective, "objective")
		b.ReportMetric(res.Gap, "gap-%")
		b.ReportMetric(100*unserved/all, "unserved-%")
	}
}

// BenchmarkPMedianClustered100k solves p = 50 on 100,000 demand points and
// 5,000 candidates with the 30 nearest sites per point.
func BenchmarkPMedianClustered100k(b *testing.B) {
	benchClustered(b, 100_000, 5_000, 50, 30, 20*time.Second)
}

// BenchmarkPMedianClustered200k solves p = 20 on 200,000 demand points and
// 2,000 candidates given their 30 nearest sites: a fifth of the 1M case
// (the same sites per open site), solved as the complete geometric problem
// (see solvePMedianGeo). COLDCHAIN_BENCH_LIMIT sets the time limit
// (default 60s).
func BenchmarkPMedianClustered200k(b *testing.B) {
	benchClustered(b, 200_000, 2_000, 20, 30, benchLimit(b, time.Minute))
}

// BenchmarkPMedianClustered1M solves p = 100 (COLDCHAIN_BENCH_P) on
// 1,000,000 demand points and 10,000 candidates given their 30 nearest
// sites, as the complete geometric problem. It needs a few GiB and minutes
// (COLDCHAIN_BENCH_LIMIT, default 240s), so it runs only with
// COLDCHAIN_FULL_BENCH=1.
func BenchmarkPMedianClustered1M(b *testing.B) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		b.Skip("set COLDCHAIN_FULL_BENCH=1 to run the 1M x 10k benchmark")
	}
	p := 100
	if v := os.Getenv("COLDCHAIN_BENCH_P"); v != "" {
		var err error
		if p, err = strconv.Atoi(v); err != nil || p < 1 || p > 10_000 {
			b.Fatalf("COLDCHAIN_BENCH_P = %q: want a count of sites from 1 to 10000", v)
		}
	}
	benchClustered(b, 1_000_000, 10_000, p, 30, benchLimit(b, 4*time.Minute))
}

// benchLimit returns COLDCHAIN_BENCH_LIMIT as a duration, or def.
func benchLimit(b *testing.B, def time.Duration) time.Duration {
	v := os.Getenv("COLDCHAIN_BENCH_LIMIT")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("COLDCHAIN_BENCH_LIMIT: %v", err)
	}
	return d
}

// BenchmarkBuildCosts1M builds 30-nearest costs for 1,000,000 demand points
// and 10,000 sites (COLDCHAIN_FULL_BENCH=1 only, like the 1M solve).
func BenchmarkBuildCosts1M(b *testing.B) {
	if os.Getenv("COLDCHAIN_FULL_BENCH") != "1" {
		b.Skip("set COLDCHAIN_FULL_BENCH=1 to run the 1M x 10k benchmark")
	}
	in := Clustered(1_000_000, 10_000, 1)
	b.ResetTimer()
	for range b.N {
		mem := startMemPeak()
		if err := BuildCosts(in, Euclidean, 0, 30); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(mem.end(), "peak-heap-MiB")
	}
}

// BenchmarkBuildCosts100k builds 30-nearest costs for 100,000 demand points
// and 5,000 sites, Euclidean and Haversine.
func BenchmarkBuildCosts100k(b *testing.B) {
	in := Clustered(100_000, 5_000, 1)
	geo := Clustered(100_000, 5_000, 1)
	// Map the km plane onto degrees around 27°N, 115°E.
	for i := range geo.Demand {
		geo.Demand[i].X, geo.Demand[i].Y = 115+geo.Demand[i].X/99, 27+geo.Demand[i].Y/111
	}
	for j := range geo.Sites {
		geo.Sites[j].X, geo.Sites[j].Y = 115+geo.Sites[j].X/99, 27+geo.Sites[j].Y/111
	}
	for _, tc := range []struct {
		name string
		in   *Instance
		m    Metric
	}{{"euclidean", in, Euclidean}, {"haversine", geo, Haversine}} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				if err := BuildCosts(tc.in, tc.m, 0, 30); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPMGeoBoundPass times one pass of the complete problem's
// Lagrangian bound (L, subgradient, deflected step) on 200,000 points and
// 2,000 sites, p = 20, with the rows built around a short search's
// solution, and reports the stored arcs per point.
func BenchmarkPMGeoBoundPass(b *testing.B) {
	in := Clustered(200_000, 2_000, 1)
	if err := BuildCosts(in, Euclidean, 0, 30); err != nil {
		b.Fatal(err)
	}
	g, err := newPMGeo(context.Background(), in, Params{Problem: PMedian, P: 20, Seed: 1, TimeLimit: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	if err := g.searchAggregate(pmGeoGroups, time.Now().Add(2*time.Second)); err != nil {
		b.Fatal(err)
	}
	lr := g.newPMGeoLR(nil)
	until := time.Now().Add(time.Hour)
	for b.Loop() {
		L, _, norm, ok := lr.eval(until)
		if !ok || norm == 0 {
			b.Fatal("no step")
		}
		lr.step(0.5 * (g.best - L) / norm)
	}
	b.ReportMetric(float64(lr.arcs)/float64(len(in.Demand)), "arcs/point")
}
