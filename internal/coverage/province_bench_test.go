package coverage_test

import (
	"context"
	"testing"
	"time"

	"github.com/coldchain/coldchain/geodata/province"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// BenchmarkProvinceCoverage measures coverage (load, access, handling,
// tables) of the default synthetic province (12 counties, 25,000
// producers) as a whole, one prefecture and one county, phase by phase.
func BenchmarkProvinceCoverage(b *testing.B) {
	pool := pgtest.Pool(b)
	ctx := context.Background()
	p, err := province.Generate(province.Default())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := province.Load(ctx, &layer.Store{Pool: pool}, p); err != nil {
		b.Fatal(err)
	}
	model := access.NewGeodesic(0, 0)
	for _, region := range []string{p.Code, p.Prefectures[0], p.Counties[0]} {
		b.Run("region="+region, func(b *testing.B) {
			var load, measure time.Duration
			var n int
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				d, err := coverage.Load(ctx, pool, coverage.Filter{Region: region})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				rep, err := coverage.Compute(ctx, model, d, coverage.Options{})
				if err != nil {
					b.Fatal(err)
				}
				load, measure, n = load+t1.Sub(t0), measure+time.Since(t1), rep.Totals.Producers
			}
			b.ReportMetric(float64(n), "producers")
			b.ReportMetric(load.Seconds()/float64(b.N), "load-s/op")
			b.ReportMetric(measure.Seconds()/float64(b.N), "measure-s/op")
		})
	}
}
