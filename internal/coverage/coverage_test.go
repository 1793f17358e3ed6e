package coverage_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var origin = orb.Point{114.0, 26.5}

// at returns the point km kilometres from origin on a bearing.
func at(bearing, km float64) orb.Point {
	return geo.PointAtBearingAndDistance(origin, bearing, km*1000)
}

// handMade loads a two-township county. With detour 1 and 60 km/h a
// minute is a kilometre, so the right answers can be worked out by hand:
//
//	F1 cold room at the origin, chilled 20 t, any class
//	F2 ventilated store 50 km east, cool 1000 t
//	F3 quick-freeze 5 km from C, frozen 500 t, meat only (no use to C)
//	A leafy veg 10 km north, 1200 t/yr  -> F1, 10 min, covered (threshold 120)
//	B leafy veg 150 km east, 600 t/yr   -> F1 150 min, not covered
//	C berry 70 km north, 240 t/yr       -> F1 70 min, not covered (threshold 60)
//	D hardy veg 40 km east, 360 t/yr    -> F2 10 min, covered
//
// All producers harvest evenly (1/12 a month).
func handMade(t *testing.T) (*coverage.Data, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	exec := pgtest.Execer(t, pool)
	exec(`INSERT INTO region (code, name, level, geom) VALUES
	  ('999901', 'Hand County', 'county', ST_Multi(ST_MakeEnvelope(113.5, 26.0, 116.0, 27.5, 4326))),
	  ('999901101', 'West Township', 'township', ST_Multi(ST_MakeEnvelope(113.5, 26.0, 114.3, 27.5, 4326))),
	  ('999901102', 'East Township', 'township', ST_Multi(ST_MakeEnvelope(114.3, 26.0, 116.0, 27.5, 4326)))`)
	even := []float64{1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12, 1. / 12}
	producer := func(id, class string, out float64, p orb.Point) {
		exec(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, harvest_months, geom)
		      VALUES ($1, 'cooperative', $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326))`, id, class, out, even, p[0], p[1])
	}
	producer("A", "leafy_vegetable", 1200, at(0, 10))
	producer("B", "leafy_vegetable", 600, at(90, 150))
	producer("C", "berry", 240, at(0, 70))
	producer("D", "hardy_vegetable", 360, at(90, 40))
	c := at(0, 70)
	f3 := geo.PointAtBearingAndDistance(c, 90, 5000)
	f2 := at(90, 50)
	exec(`INSERT INTO facility (id, facility_type, tier, capacity_chilled_t, geom) VALUES ('F1', 'cold_room', 'township', 20, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, origin[0], origin[1])
	exec(`INSERT INTO facility (id, facility_type, tier, capacity_cool_t, geom) VALUES ('F2', 'ventilated_store', 'township', 1000, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, f2[0], f2[1])
	exec(`INSERT INTO facility (id, facility_type, tier, capacity_frozen_t, product_classes, geom) VALUES ('F3', 'quick_freeze', 'county', 500, '{meat}', ST_SetSRID(ST_MakePoint($1, $2), 4326))`, f3[0], f3[1])
	exec(`INSERT INTO facility (id, facility_type, tier, status, capacity_chilled_t, geom) VALUES ('F4', 'cold_room', 'field', 'planned', 999, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, c[0], c[1])
	d, err := coverage.Load(ctx, pool, coverage.Filter{Region: "999901"})
	if err != nil {
		t.Fatal(err)
	}
	return d, pool
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.4f, want %.4f (±%g)", what, got, want, tol)
	}
}

func TestMeasuresByHand(t *testing.T) {
	d, _ := handMade(t)
	if len(d.Sites) != 3 {
		t.Fatalf("loaded %d facilities, want the 3 existing ones (planned F4 left out)", len(d.Sites))
	}
	model := access.NewGeodesic(1, 60)
	rep, err := coverage.Compute(context.Background(), model, d, coverage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Access: geodesic (spheroid) km differ from orb's spherical placement
	// by under 0.5 %.
	want := map[string]struct {
		minutes float64
		nearest string
		covered bool
	}{
		"A": {10, "F1", true}, "B": {150, "F1", false}, "C": {70, "F1", false}, "D": {10, "F2", true},
	}
	for _, a := range rep.Producers {
		w := want[a.ID]
		near(t, a.ID+" minutes", a.Minutes, w.minutes, 0.005*w.minutes+0.01)
		if a.Nearest != w.nearest || a.Covered != w.covered {
			t.Errorf("%s: nearest %s covered %v, want %s %v", a.ID, a.Nearest, a.Covered, w.nearest, w.covered)
		}
	}
	tot := rep.Totals
	if tot.Producers != 4 || tot.CoveredProducers != 2 {
		t.Errorf("producers %d covered %d, want 4 and 2", tot.Producers, tot.CoveredProducers)
	}
	near(t, "output", tot.OutputT, 2400, 1e-9)
	near(t, "covered", tot.CoveredT, 1560, 1e-9)
	near(t, "coverage rate", tot.CoverageRate, 0.65, 1e-9)
	// Monthly stock: A 100 t x 10 d / 30 = 33.33 t but F1 holds 20 t, so A
	// handles 20 x 30/10 = 60 t a month = 720 t a year; D's 90 t of stock
	// fits F2: 360 t a year. Handled 1080 of 2400.
	near(t, "handled", tot.HandledT, 1080, 1e-6)
	near(t, "handling rate", tot.HandlingRate, 0.45, 1e-9)
	// Standing stock every month: A 33.33 + B 16.67 + C 3.33 + D 90 = 143.33;
	// handled 20 + 90 = 110; gap 33.33.
	near(t, "peak stock", tot.PeakStockT, 143.3333, 1e-3)
	near(t, "peak handled", tot.PeakHandledStockT, 110, 1e-6)
	near(t, "peak gap", tot.PeakCapacityGapT, 33.3333, 1e-3)
	near(t, "reachable capacity", tot.ReachableCapacityT, 1020, 1e-9)
	if tot.NoAccessProducers != 0 {
		t.Errorf("no-access producers %d", tot.NoAccessProducers)
	}

	// By township: west holds A and C (1440 t, 1200 covered), east B and D.
	if len(rep.Regions) != 2 || rep.Regions[0].Region != "999901101" || rep.Regions[0].Name != "West Township" {
		t.Fatalf("regions %+v", rep.Regions)
	}
	near(t, "west coverage", rep.Regions[0].CoverageRate, 1200.0/1440, 1e-9)
	near(t, "east coverage", rep.Regions[1].CoverageRate, 360.0/960, 1e-9)

	// By class: berry is wholly uncovered.
	for _, c := range rep.Classes {
		if c.Class == "berry" && (c.CoveredT != 0 || c.Zone != "chilled" || c.ThresholdMinutes != 60) {
			t.Errorf("berry %+v", c)
		}
	}
	// Gap table: every month, East leafy veg (B) has 50 t uncovered.
	found := 0
	for _, g := range rep.Gaps {
		if g.Region == "999901102" && g.Class == "leafy_vegetable" {
			found++
			near(t, "east leafy uncovered", g.UncoveredT, 50, 1e-9)
			near(t, "east leafy shortfall", g.ShortfallT, 50.0/3, 1e-9)
		}
	}
	if found != 12 {
		t.Errorf("east leafy gap rows: %d, want 12", found)
	}
	near(t, "uncovered in January", rep.Months[0].UncoveredT, (600+240)/12.0, 1e-9)
}

func TestUnknownClassAndRegion(t *testing.T) {
	pool := pgtest.Pool(t)
	if _, err := coverage.Load(context.Background(), pool, coverage.Filter{Classes: []string{"durian"}}); err == nil {
		t.Error("unknown class accepted")
	}
	if _, err := coverage.Load(context.Background(), pool, coverage.Filter{Region: "123456"}); err == nil {
		t.Error("unknown region accepted")
	}
}

// TestRegionScope: a measure over several regions reads each producer
// once, nested codes included, and coldchain_within (the range its
// producer query scans) holds exactly the codes LIKE prefix || '%' does.
func TestRegionScope(t *testing.T) {
	_, pool := handMade(t)
	ctx := context.Background()
	for _, c := range []struct {
		f    coverage.Filter
		want []string
	}{
		{coverage.Filter{Region: "999901101"}, []string{"A", "C"}},
		{coverage.Filter{Regions: []string{"999901102"}}, []string{"B", "D"}},
		{coverage.Filter{Regions: []string{"999901101", "999901102"}}, []string{"A", "B", "C", "D"}},
		{coverage.Filter{Regions: []string{"999901", "999901101"}}, []string{"A", "B", "C", "D"}},
		{coverage.Filter{Region: "999901102", Regions: []string{"999901102", "999901"}}, []string{"A", "B", "C", "D"}},
	} {
		d, err := coverage.Load(ctx, pool, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range d.Producers {
			got = append(got, p.ID)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%+v: producers %v, want %v", c.f, got, c.want)
		}
	}
	var bad []string
	err := pool.QueryRow(ctx, `
		SELECT coalesce(array_agg(c || ' in ' || p), '{}') FROM unnest($1::text[]) c, unnest($1::text[]) p
		 WHERE coldchain_within(c, p) IS DISTINCT FROM (c LIKE p || '%')`,
		[]string{"", "3", "36", "360", "3603", "360323", "360323101", "360324", "3699", "37", "9", "99", "3a", "36:", "36\u00e9", "36\U0010fffd"}).Scan(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("coldchain_within differs from LIKE on %v", bad)
	}
}

func TestGapHexagons(t *testing.T) {
	d, pool := handMade(t)
	model := access.NewGeodesic(1, 60)
	rep, err := coverage.Compute(context.Background(), model, d, coverage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		month int
		want  map[string]float64 // by class, summed over hexagons
	}{
		{0, map[string]float64{"leafy_vegetable": 600, "berry": 240}},
		{3, map[string]float64{"leafy_vegetable": 50, "berry": 20}},
	} {
		raw, err := coverage.Hexagons(context.Background(), pool, d, rep, coverage.HexOptions{SizeKm: 5, Month: tc.month})
		if err != nil {
			t.Fatal(err)
		}
		var feats []struct {
			Geometry struct {
				Type        string        `json:"type"`
				Coordinates [][][]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				UncoveredT float64            `json:"uncovered_t"`
				Producers  int                `json:"producers"`
				ByClass    map[string]float64 `json:"by_class"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(raw, &feats); err != nil {
			t.Fatal(err)
		}
		// B and C are 150 km apart: two hexagons, one producer each.
		if len(feats) != 2 {
			t.Fatalf("month %d: %d hexagons, want 2: %s", tc.month, len(feats), raw)
		}
		got := map[string]float64{}
		for _, f := range feats {
			if f.Geometry.Type != "Polygon" || len(f.Geometry.Coordinates[0]) != 7 || f.Properties.Producers != 1 {
				t.Errorf("hexagon %+v", f)
			}
			for c, v := range f.Properties.ByClass {
				got[c] += v
			}
		}
		for c, v := range tc.want {
			near(t, c, got[c], v, 0.01)
		}
	}
	if _, err := coverage.Hexagons(context.Background(), pool, d, rep, coverage.HexOptions{SizeKm: 1000}); err == nil {
		t.Error("hexagons of 1000 km accepted")
	}
}
