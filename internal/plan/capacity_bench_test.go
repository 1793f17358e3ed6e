package plan_test

import (
	"context"
	"testing"
	"time"

	synth "github.com/coldchain/coldchain/geodata/province"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// BenchmarkCapacityCounty runs one county's capacity plan (the first of
// a 3-county, 30,000-producer synthetic province: 6,589 producers, a 3 s
// solve limit) in the calling goroutine, from loading the county to the
// stored result. s/plan beyond solve-s is the plan's preparation, measures
// and explanations.
func BenchmarkCapacityCounty(b *testing.B) {
	pool := pgtest.Pool(b)
	ctx := context.Background()
	p, err := synth.Generate(synth.Options{Seed: 1, Counties: 3, Producers: 30000, Code: "39"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := synth.Load(ctx, &layer.Store{Pool: pool}, p); err != nil {
		b.Fatal(err)
	}
	svc, err := plan.NewService(ctx, pool, access.NewGeodesic(0, 0), quiet(), 0, 4)
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	req := plan.Request{Problem: "capacity", FacilityType: "cold_room", Tier: "township", Region: p.Counties[0],
		ProductClasses: []string{"leafy_vegetable"}, Budget: 1000, Candidates: "user", TimeLimitS: 3, Seed: 1}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		pl, err := svc.Run(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/plan")
		res := doneResult(b, pl)
		b.ReportMetric(res.Seconds, "solve-s")
		b.ReportMetric(float64(res.Instance.Demand), "producers")
	}
}
