package roads_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

// BenchmarkPairs measures travel-time pairs for 2,000 producers x 300
// candidate sites within 2 hours, in process and with pgRouting, on the
// demo county (its 2,000 producers) and on Andorra (2,000 points within
// 1 km of a road); candidates are 300 points within 500 m of a road.
//
//	go test ./internal/roads -run '^$' -bench Pairs -benchtime 5x
//
// in-process reuses the loaded graph (as the access model does between
// network changes); in-process-cold loads it from PostGIS first;
// pgrouting snaps in PostGIS and runs pgr_withPointsCost.
func BenchmarkPairs(b *testing.B) {
	ctx := context.Background()
	for _, net := range []string{"demo", "andorra"} {
		pool := pgtest.Pool(b)
		var n *roads.Network
		var err error
		switch net {
		case "demo":
			f, ferr := os.Open(filepath.Join("..", "..", "geodata", "roads.geojson"))
			if ferr != nil {
				b.Fatal(ferr)
			}
			n, err = roads.ReadGeoJSON(f, "roads.geojson", roads.ReadOptions{})
			f.Close()
		case "andorra":
			n, err = roads.ReadOSM(ctx, andorraPath(b), roads.ReadOptions{})
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
			b.Fatal(err)
		}
		g := load(b, pool)
		rng := rand.New(rand.NewPCG(7, 8))
		var from []orb.Point
		if net == "demo" {
			from = demoProducers(b)
		} else {
			from = randomNear(g, rng, 2000, 1000)
		}
		to := randomNear(g, rng, 300, 500)
		limits := make([]float64, len(from))
		for i := range limits {
			limits[i] = 120
		}
		report := func(b *testing.B, ps []roads.Pair) {
			b.ReportMetric(float64(len(ps)), "pairs")
		}
		b.Run(net+"/in-process", func(b *testing.B) {
			var ps []roads.Pair
			for b.Loop() {
				if ps, err = g.Pairs(ctx, from, to, limits, roads.PairOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, ps)
		})
		b.Run(net+"/in-process-cold", func(b *testing.B) {
			var ps []roads.Pair
			for b.Loop() {
				g, err := roads.Load(ctx, pool)
				if err != nil {
					b.Fatal(err)
				}
				if ps, err = g.Pairs(ctx, from, to, limits, roads.PairOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, ps)
		})
		b.Run(net+"/pgrouting", func(b *testing.B) {
			var ps []roads.Pair
			for b.Loop() {
				if ps, err = roads.PairsPgRouting(ctx, pool, nil, from, to, limits, roads.PairOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			report(b, ps)
		})
	}
}

// demoProducers reads the demo county's producers' positions.
func demoProducers(b *testing.B) []orb.Point {
	raw, err := os.ReadFile(filepath.Join("..", "..", "geodata", "producers.geojson"))
	if err != nil {
		b.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]orb.Point, 0, len(fc.Features))
	for _, f := range fc.Features {
		out = append(out, f.Geometry.(orb.Point))
	}
	return out
}
