package access_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

// origin of the hand-made network.
var origin = orb.Point{114.0, 26.5}

func at(from orb.Point, bearing, km float64) orb.Point {
	return geo.PointAtBearingAndDistance(from, bearing, km*1000)
}

// riverCounty stores a hand-made network where the straight-line nearest
// facility is not the nearest by road. Secondary roads (40 km/h, 1.5
// min/km):
//
//	N1 ---3 km (bridge)--- N2
//	|                       |
//	10 km                  10 km
//	|        river          |
//	W ---8 km--- O   |      E        O-E is 3 km, but no bridge
//
// P (leafy vegetables) is at O: facility E (3 km away in a straight line)
// is 23 km = 34.5 min by road; facility W (8 km) is 12 min. Q sits 1.5 km
// from every road: unreachable by road, but still counted.
func riverCounty(t *testing.T) (*pgxpool.Pool, map[string]orb.Point) {
	t.Helper()
	ctx := context.Background()
	pool := pgtest.Pool(t)
	o := origin
	pts := map[string]orb.Point{"O": o, "W": at(o, 270, 8), "E": at(o, 90, 3), "N1": at(o, 0, 10)}
	pts["N2"] = at(pts["E"], 0, 10)
	pts["Q"] = at(o, 180, 1.5)
	line := func(id string, names ...string) string {
		var cs []string
		for _, n := range names {
			cs = append(cs, fmt.Sprintf("[%.9f,%.9f]", pts[n][0], pts[n][1]))
		}
		return fmt.Sprintf(`{"type":"Feature","id":%q,"properties":{"highway":"secondary"},"geometry":{"type":"LineString","coordinates":[%s]}}`, id, strings.Join(cs, ","))
	}
	fc := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
		line("west", "W", "O"), line("north", "O", "N1", "N2", "E")}, ",") + `]}`
	n, err := roads.ReadGeoJSON(strings.NewReader(fc), "river.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	exec := pgtest.Execer(t, pool)
	for _, p := range []string{"P", "Q"} {
		loc := pts["O"]
		if p == "Q" {
			loc = pts["Q"]
		}
		exec(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		      VALUES ($1, 'cooperative', 'leafy_vegetable', 100, ST_SetSRID(ST_MakePoint($2, $3), 4326))`, p, loc[0], loc[1])
	}
	for _, f := range []string{"E", "W"} {
		exec(`INSERT INTO facility (id, facility_type, tier, capacity_chilled_t, geom)
		      VALUES ($1, 'cold_room', 'township', 100, ST_SetSRID(ST_MakePoint($2, $3), 4326))`, f, pts[f][0], pts[f][1])
	}
	return pool, pts
}

func TestRoadNearestIsNotStraightLineNearest(t *testing.T) {
	pool, _ := riverCounty(t)
	ctx := context.Background()
	d, err := coverage.Load(ctx, pool, coverage.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		model   access.Model
		nearest string
		minutes float64
		q       float64 // Q's minutes; -1: no access
	}{
		// 3 km x 1.3 at 40 km/h.
		{"geodesic", access.NewGeodesic(1.3, 40), "E", 5.85, -2},
		{"road", access.NewRoad(pool, 1000, 15, nil), "W", 12, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := coverage.Compute(ctx, tc.model, d, coverage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]coverage.Access{}
			for _, a := range rep.Producers {
				got[a.ID] = a
			}
			p := got["P"]
			if p.Nearest != tc.nearest || math.Abs(p.Minutes-tc.minutes) > 0.01*tc.minutes {
				t.Errorf("P: nearest %s in %.2f min, want %s in %.2f", p.Nearest, p.Minutes, tc.nearest, tc.minutes)
			}
			if tc.q == -1 {
				if q := got["Q"]; q.Minutes != -1 || q.Covered || rep.Totals.NoAccessProducers != 1 || rep.Totals.Producers != 2 {
					t.Errorf("Q (1.5 km from every road): %+v, totals %+v; want counted, without access", q, rep.Totals)
				}
				if !strings.Contains(rep.Travel, "road network: 2 edges, 31 km") {
					t.Errorf("travel %q", rep.Travel)
				}
			}
		})
	}
}

func TestRoadPairsByHand(t *testing.T) {
	pool, pts := riverCounty(t)
	m := access.NewRoad(pool, 1000, 15, nil)
	p := func(n string) access.Point { return access.Point{Lon: pts[n][0], Lat: pts[n][1]} }
	// 500 m south of W: a 2 min off-road leg at 15 km/h.
	offW := at(pts["W"], 180, 0.5)
	from := []access.Point{p("O"), p("N1"), {Lon: offW[0], Lat: offW[1]}, p("Q")}
	to := []access.Point{p("E"), p("W")}
	pairs, err := m.Pairs(context.Background(), from, to, []float64{60, 20, 30, 600})
	if err != nil {
		t.Fatal(err)
	}
	want := []access.Pair{
		{From: 0, To: 1, Minutes: 12, Km: 8},
		{From: 0, To: 0, Minutes: 34.5, Km: 23},
		{From: 1, To: 0, Minutes: 19.5, Km: 13},
		{From: 2, To: 1, Minutes: 2, Km: 0.5},
		// 2 to E takes 2 + 12 + 34.5 min, over its 30; Q is 1.5 km off the road.
	}
	if len(pairs) != len(want) {
		t.Fatalf("pairs %+v, want %+v", pairs, want)
	}
	for i, w := range want {
		g := pairs[i]
		if g.From != w.From || g.To != w.To || math.Abs(g.Minutes-w.Minutes) > 0.01 || math.Abs(g.Km-w.Km) > 0.01 {
			t.Errorf("pair %d: %+v, want %+v", i, g, w)
		}
	}
}

func TestRoadFallbackAndReload(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	geo := access.NewGeodesic(1, 60)
	m := access.NewRoad(pool, 0, 0, geo)
	from := []access.Point{{Lon: origin[0], Lat: origin[1]}}
	east := at(origin, 90, 10)
	to := []access.Point{{Lon: east[0], Lat: east[1]}}
	pairs, err := m.Pairs(ctx, from, to, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 1 || math.Abs(pairs[0].Minutes-10) > 0.1 || !strings.Contains(m.Describe(), "geodesic") {
		t.Errorf("no roads, auto: %+v (%s); want the geodesic 10 min", pairs, m.Describe())
	}
	if _, err := access.NewRoad(pool, 0, 0, nil).Pairs(ctx, from, to, []float64{60}); err == nil {
		t.Error("road model without roads and without fallback: no error")
	}
	// A road appears: the model reloads (a 10 km tertiary road: 20 min).
	fc := fmt.Sprintf(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"tertiary"},
		"geometry":{"type":"LineString","coordinates":[[%f,%f],[%f,%f]]}}]}`, origin[0], origin[1], east[0], east[1])
	n, err := roads.ReadGeoJSON(strings.NewReader(fc), "one.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	pairs, err = m.Pairs(ctx, from, to, []float64{60})
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 1 || math.Abs(pairs[0].Minutes-20) > 0.1 || !strings.Contains(m.Describe(), "road network: 1 edges") {
		t.Errorf("after import: %+v (%s); want 20 min by road", pairs, m.Describe())
	}
	// Editing the table directly (e.g. from QGIS) invalidates the graph too.
	if _, err := pool.Exec(ctx, `UPDATE road SET speed_kmh = 60`); err != nil {
		t.Fatal(err)
	}
	pairs, err = m.Pairs(ctx, from, to, []float64{60})
	if err != nil || len(pairs) != 1 || math.Abs(pairs[0].Minutes-10) > 0.1 {
		t.Errorf("after UPDATE road: %+v %v; want 10 min", pairs, err)
	}
}
