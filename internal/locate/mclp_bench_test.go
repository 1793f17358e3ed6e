package locate

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// coverHeapPeak samples the live heap every few milliseconds until stopped and
// reports the largest value seen, in bytes.
type coverHeapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	max  uint64
}

func startCoverHeapPeak() *coverHeapPeak {
	h := &coverHeapPeak{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > h.max {
			h.max = v
		}
	}
	read()
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return h
}

func (h *coverHeapPeak) done() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.max
}

// BenchmarkMCLPClustered solves maximal covering on generated clustered
// instances (coordinates in km, 5 km radius, sparse rows within the radius).
// It reports the proven gap, the share of weight covered, the live heap
// before the solve (instance and costs) and its peak during the solve.
func BenchmarkMCLPClustered(b *testing.B) {
	const radius = 5.0
	for _, c := range []struct{ nd, ns, p int }{
		{100_000, 5_000, 50},
		{1_000_000, 10_000, 100},
	} {
		b.Run(fmt.Sprintf("%dx%d/p=%d", c.nd, c.ns, c.p), func(b *testing.B) {
			if testing.Short() && c.nd > 100_000 {
				b.Skip("large instance skipped in -short mode")
			}
			in := Clustered(c.nd, c.ns, 1)
			if err := BuildCosts(in, Euclidean, radius, 0); err != nil {
				b.Fatal(err)
			}
			var total float64
			for _, d := range in.Demand {
				total += d.Weight
			}
			runtime.GC()
			var res *Result
			var peak, base uint64
			b.ResetTimer()
			for b.Loop() {
				h := startCoverHeapPeak()
				base = h.max
				var err error
				res, err = Solve(context.Background(), in, Params{Problem: MCLP, P: c.p, Radius: radius, Seed: 1, TimeLimit: time.Minute})
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, h.done())
			}
			b.ReportMetric(res.Gap, "gap%")
			b.ReportMetric(100*res.Objective/total, "covered%")
			b.ReportMetric(float64(in.Costs.Len())/float64(len(in.Demand)), "arcs/demand")
			b.ReportMetric(float64(base)/(1<<20), "MB-heap-before")
			b.ReportMetric(float64(peak)/(1<<20), "MB-heap-peak")
		})
	}
}
