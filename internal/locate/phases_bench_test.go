package locate

import (
	"context"
	"math"
	"testing"
	"time"
)

// BenchmarkCoverModel reduces a generated clustered instance (100k demand
// points, 5k candidates, 5 km radius) for covering.
//
//	go test ./internal/locate -run '^$' -bench 'CoverModel|CoverLagrange|PCenterORLib' -benchtime 3x
func BenchmarkCoverModel(b *testing.B) {
	in := Clustered(100_000, 5_000, 1)
	if err := BuildCosts(in, Euclidean, 5, 0); err != nil {
		b.Fatal(err)
	}
	var m *coverModel
	for b.Loop() {
		var err error
		if m, err = newCoverModel(in, 5); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(m.w)), "groups")
}

// BenchmarkCoverLagrange runs 300 subgradient iterations of the maximal
// covering bound (p = 50) on the same instance and reports the bound.
func BenchmarkCoverLagrange(b *testing.B) {
	in := Clustered(100_000, 5_000, 1)
	if err := BuildCosts(in, Euclidean, 5, 0); err != nil {
		b.Fatal(err)
	}
	m, err := newCoverModel(in, 5)
	if err != nil {
		b.Fatal(err)
	}
	var out lagrangeOut
	for b.Loop() {
		out = m.lagrangeBound(50, 0, 0, math.Inf(-1), 300, nil)
	}
	b.ReportMetric(out.ub, "bound")
	b.ReportMetric(float64(out.iters), "iters")
}

// BenchmarkPCenterORLib solves p-center on OR-Library instances (heuristic
// search, proofs and the exact search) and reports the objective.
func BenchmarkPCenterORLib(b *testing.B) {
	dir := pmedBenchDir(b)
	for _, name := range []string{"pmed5", "pmed10", "pmed14"} {
		in := pmedLoad(b, dir, name)
		b.Run(name, func(b *testing.B) {
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Solve(context.Background(), in, Params{Problem: PCenter, Seed: 1, TimeLimit: 20 * time.Second}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.Objective, "objective")
			b.ReportMetric(res.Gap, "gap%")
		})
	}
}
