package parks_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/parks"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
	"github.com/coldchain/coldchain/internal/runs"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// demo loads the demo county as `coldchain demo` does, and its roads.
func demo(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	st := &layer.Store{Pool: pool}
	for _, l := range layer.All {
		if l.ReadOnly {
			continue // roads: stored by their own importer below
		}
		f, err := geodata.FS.Open(l.Name + ".geojson")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Import(ctx, st, l, f, ingest.Options{Format: ingest.GeoJSON})
		f.Close()
		if err != nil {
			t.Fatalf("demo %s: %v", l.Name, err)
		}
	}
	f, err := geodata.FS.Open("roads.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := roads.ReadGeoJSON(f, "roads.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	return pool
}

func readFC(t *testing.T, name string) *geojson.FeatureCollection {
	t.Helper()
	b, err := geodata.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// TestDemoCounty sites three processing parks in the demo county, with
// its roads loaded and travel on them, and checks the sites against the
// raw GeoJSON files, independently of PostGIS: no site lies inside an
// exclusion zone that applies to county facilities; every site is within
// 1.5 km of a primary or secondary road and above the median of the usable
// cells both for leading-class output within 10 km and for primary and
// secondary road length within 5 km; the best site is in the top quarter
// of both.
func TestDemoCounty(t *testing.T) {
	pool := demo(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &parks.Service{Pool: pool, Travel: access.NewRoad(pool, 0, 0, nil), Log: log}
	p, err := svc.Run(ctx, parks.Request{FacilityType: "processing_park", Top: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != "parks" || p.Status != "done" {
		t.Fatalf("plan %s is %s %s", p.ID, p.Kind, p.Status)
	}
	r, err := parks.ReadResult(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("run: %.2f s", r.Seconds)
	sites := r.Sites.Features
	if len(sites) != 3 {
		t.Fatalf("%d sites, want 3", len(sites))
	}
	for _, c := range r.Criteria {
		if !c.Available || c.Weight == 0 {
			t.Errorf("criterion %s: available %v, weight %v; want all five in use", c.ID, c.Available, c.Weight)
		}
	}
	if !slices.Equal(r.ProductClasses, []string{"hardy_vegetable", "leafy_vegetable"}) {
		t.Errorf("leading classes %v", r.ProductClasses)
	}

	// Independent checks on the raw files.
	ref := demoRefs{zones: readFC(t, "exclusions.geojson"), producers: readFC(t, "producers.geojson"), roads: readFC(t, "roads.geojson")}
	cells := usableCells(t, svc, p.ID, r)
	var cellSupply, cellRoads []float64 // of the usable cells
	for _, c := range cells {
		cellSupply = append(cellSupply, ref.supply(c))
		w, _ := ref.roadKm(c, "primary", "secondary")
		cellRoads = append(cellRoads, w)
	}
	t.Logf("usable cells: leading output within 10 km, median %.0f t; main road within 5 km, median %.1f km", quantile(cellSupply, 0.5), quantile(cellRoads, 0.5))

	checkDemoSites(t, ref, sites, cellSupply, cellRoads)
	// PostGIS agrees: no site in a zone that applies to the county tier.
	for _, f := range sites {
		pt := f.Geometry.Coordinates.(orb.Point)
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM exclusion_zone WHERE 'county' = ANY(applies_to_tiers)
			AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, pt[0], pt[1]).Scan(&n); err != nil || n != 0 {
			t.Errorf("site %s: %d zones, %v", f.ID, n, err)
		}
	}

	checkDemoSensitivityAndAreas(t, r)
	checkDemoExports(t, pool, p)
}

// demoRefs are the demo county's raw files, read independently of PostGIS.
type demoRefs struct {
	zones, producers, roads *geojson.FeatureCollection
}

// supply is the output of the leading classes within 10 km of at.
func (ref demoRefs) supply(at orb.Point) float64 {
	t := 0.0
	for _, f := range ref.producers.Features {
		cl := f.Properties.MustString("product_class")
		if (cl == "hardy_vegetable" || cl == "leafy_vegetable") && geo.Distance(at, f.Geometry.(orb.Point)) <= 10000 {
			t += f.Properties.MustFloat64("annual_output_t")
		}
	}
	return t
}

// roadKm is the length of road of classes (any if none) within 5 km of
// at, and the distance to the nearest such road.
func (ref demoRefs) roadKm(at orb.Point, classes ...string) (within5, nearest float64) {
	nearest = math.Inf(1)
	for _, f := range ref.roads.Features {
		if len(classes) > 0 && !slices.Contains(classes, f.Properties.MustString("highway")) {
			continue
		}
		ls := f.Geometry.(orb.LineString)
		for i := 1; i < len(ls); i++ {
			a, b := ls[i-1], ls[i]
			mid := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
			if geo.Distance(at, mid) <= 5000 {
				within5 += geo.Distance(a, b) / 1000
			}
			nearest = math.Min(nearest, segmentMetres(at, a, b))
		}
	}
	return within5, nearest
}

// usableCells reads plan id's suitability grid and returns the centres of
// its usable cells; excluded cells must give their reason.
func usableCells(t *testing.T, svc *parks.Service, id string, r *parks.Result) []orb.Point {
	t.Helper()
	ctx := context.Background()
	var cells []orb.Point // centres of the usable cells
	var suit bytes.Buffer
	if err := svc.WriteSuitability(ctx, &suit, id, nil); err != nil {
		t.Fatal(err)
	}
	grid, err := geojson.UnmarshalFeatureCollection(suit.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(grid.Features) != r.Grid.Cells {
		t.Errorf("suitability: %d cells, result says %d", len(grid.Features), r.Grid.Cells)
	}
	for _, f := range grid.Features {
		if f.Properties["class"] != parks.Excluded {
			c, _ := planar.CentroidArea(f.Geometry)
			cells = append(cells, c)
		} else if f.Properties["score"] != nil || f.Properties["reason"] == "" {
			t.Errorf("excluded cell %v: score %v, reason %v", f.ID, f.Properties["score"], f.Properties["reason"])
		}
	}
	return cells
}

// checkDemoSites checks the sites against the raw files (exclusion zones,
// leading output and main roads nearby, compared with the usable cells)
// and the result's own account of them.
func checkDemoSites(t *testing.T, ref demoRefs, sites []parks.SiteFeature, cellSupply, cellRoads []float64) {
	t.Helper()
	prev := math.Inf(1)
	for i, f := range sites {
		s := f.Properties
		pt := f.Geometry.Coordinates.(orb.Point)
		for _, z := range ref.zones.Features {
			tiers, _ := z.Properties["applies_to_tiers"].([]any)
			applies := false
			for _, x := range tiers {
				applies = applies || x == "county"
			}
			if poly, ok := z.Geometry.(orb.Polygon); ok && applies && planar.PolygonContains(poly, pt) {
				t.Errorf("site %d at %v is inside exclusion zone %v (%v)", s.Rank, pt, z.ID, z.Properties["kind"])
			}
		}
		sup := ref.supply(pt)
		mainKm, nearestMain := ref.roadKm(pt, "primary", "secondary")
		t.Logf("site %d %s (%s) at %.4f, %.4f: score %.3f; %.0f t within 10 km (above %.0f %% of cells); %.1f km of main road within 5 km (above %.0f %%), the nearest %.0f m away",
			s.Rank, s.Cell, s.TownshipName, pt[0], pt[1], s.Score, sup, 100*rankShare(cellSupply, sup), mainKm, 100*rankShare(cellRoads, mainKm), nearestMain)
		want := 0.5
		if s.Rank == 1 {
			want = 0.75
		}
		if p := rankShare(cellSupply, sup); p < want {
			t.Errorf("site %d: %.0f t of leading output within 10 km is above only %.0f %% of the usable cells (want %.0f %%)", s.Rank, sup, 100*p, 100*want)
		}
		if p := rankShare(cellRoads, mainKm); p < want {
			t.Errorf("site %d: %.1f km of main road within 5 km is above only %.0f %% of the usable cells (want %.0f %%)", s.Rank, mainKm, 100*p, 100*want)
		}
		if nearestMain > 1500 {
			t.Errorf("site %d is %.0f m from a primary or secondary road", s.Rank, nearestMain)
		}
		// The result's own account of the site.
		if s.Rank != i+1 || s.Score > prev || s.Class == parks.Excluded {
			t.Errorf("site %d: rank %d, score %v after %v, class %s", i, s.Rank, s.Score, prev, s.Class)
		}
		prev = s.Score
		sum := 0.0
		for _, part := range s.Breakdown {
			sum += part.Contribution
		}
		if math.Abs(sum-s.Score) > 1e-3 {
			t.Errorf("site %d: contributions sum to %v, score %v", s.Rank, sum, s.Score)
		}
		if len(s.Breakdown) != 5 || s.CatchmentTotalT <= 0 || s.Rule.Passes != (s.Rule.Share >= 0.5) || s.Summary == "" {
			t.Errorf("site %d: %+v", s.Rank, s)
		}
		for _, g := range sites[:i] {
			if d := geo.Distance(pt, g.Geometry.Coordinates.(orb.Point)); d < 5000-50 {
				t.Errorf("sites %d and %d are %.0f m apart (separation 5 km)", g.Properties.Rank, s.Rank, d)
			}
		}
	}
}

// checkDemoSensitivityAndAreas checks the sensitivity runs and that the
// areas by class and by township add up to the land.
func checkDemoSensitivityAndAreas(t *testing.T, r *parks.Result) {
	t.Helper()
	// Sensitivity: five weights moved up and down.
	sens := r.Sensitivity
	if len(sens.Runs) != 10 || len(sens.Sites) != 3 || sens.Verdict == "" || sens.MinKendallTau < 0.5 {
		t.Errorf("sensitivity: %d runs, %d sites, verdict %q, min τ %v", len(sens.Runs), len(sens.Sites), sens.Verdict, sens.MinKendallTau)
	}
	t.Logf("sensitivity: %s; same set %.0f %%, mean τ %.3f", sens.Verdict, 100*sens.SameSetShare, sens.MeanKendallTau)

	// Areas: the classes and the townships each add up to the land.
	areaSum := 0.0
	for _, a := range r.Areas {
		areaSum += a.AreaKm2
	}
	townSum := 0.0
	for _, tw := range r.Townships {
		townSum += tw.AreaKm2
		cls := 0.0
		for _, v := range tw.ByClass {
			cls += v
		}
		if math.Abs(cls-tw.AreaKm2) > 0.05 {
			t.Errorf("township %s: classes sum to %.2f of %.2f km²", tw.Code, cls, tw.AreaKm2)
		}
	}
	if len(r.Townships) != 10 || math.Abs(areaSum-r.Grid.LandKm2) > 0.05 || math.Abs(townSum-r.Grid.LandKm2) > 0.5 ||
		math.Abs(r.Grid.LandKm2-960) > 10 {
		t.Errorf("areas: %d townships summing to %.1f, classes to %.1f, land %.1f km²", len(r.Townships), townSum, areaSum, r.Grid.LandKm2)
	}

}

// checkDemoExports checks the CSV and GeoJSON exports, and that a finished
// plan's cells cannot change.
func checkDemoExports(t *testing.T, pool *pgxpool.Pool, p *runs.Plan) {
	t.Helper()
	ctx := context.Background()
	// Exports.
	var b bytes.Buffer
	if err := parks.WriteCSV(&b, p); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 4 || recs[0][0] != "rank" || recs[0][len(recs[0])-1] != "lat" {
		t.Errorf("csv: %v %v", recs, err)
	}
	b.Reset()
	if err := parks.WriteTownshipsCSV(&b, p); err != nil {
		t.Fatal(err)
	}
	if recs, err := csv.NewReader(&b).ReadAll(); err != nil || len(recs) != 12 {
		t.Errorf("townships csv: %d rows, %v", len(recs), err)
	}
	b.Reset()
	if err := parks.WriteGeoJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b.Bytes())
	if err != nil || len(fc.Features) != 3 || fc.Features[0].Properties["contribution_supply"] == nil {
		t.Errorf("geojson export: %v", err)
	}

	// A finished plan's cells cannot change.
	if _, err := pool.Exec(ctx, `UPDATE park_cell SET class = 'low' WHERE plan_id = $1`, p.ID); err == nil {
		t.Error("park_cell of a finished plan changed")
	}
}

// demoRequestsFixture is what TestDemoRequests's subtests share.
type demoRequestsFixture struct {
	pool     *pgxpool.Pool
	ctx      context.Context
	geodesic *parks.Service
	road     *parks.Service
	third    float64
	ids      []string
	count    func() int
}

// TestDemoRequests runs other requests on the demo county: geodesic
// travel with AHP weights, required construction land, comparison, and
// requests refused or failed.
func TestDemoRequests(t *testing.T) {
	pool := demo(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	geodesic := &parks.Service{Pool: pool, Travel: access.NewGeodesic(0, 0), Log: log}
	road := &parks.Service{Pool: pool, Travel: access.NewRoad(pool, 0, 0, nil), Log: log}
	third := 1.0 / 3
	var ids []string
	count := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM plan`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	fx := &demoRequestsFixture{pool: pool, ctx: ctx, geodesic: geodesic, road: road, third: third, ids: ids, count: count}
	t.Run("geodesic times and AHP", fx.geodesicTimesAndAHP)
	t.Run("construction land required", fx.constructionLandRequired)
	t.Run("compare", fx.compare)
	t.Run("refused", fx.refused)
	t.Run("failed", fx.failed)
}

// geodesicTimesAndAHP is TestDemoRequests's subtest "geodesic times and AHP".
func (fx *demoRequestsFixture) geodesicTimesAndAHP(t *testing.T) {
	p, err := fx.geodesic.Run(fx.ctx, parks.Request{FacilityType: "demonstration_park", Top: 2, HexKm: 1.5,
		AHP: &parks.AHPInput{Criteria: []string{"supply", "roads", "labour"}, Matrix: [][]float64{{1, 3, 5}, {fx.third, 1, 3}, {0.2, fx.third, 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := parks.ReadResult(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Travel, "geodesic") || r.AHP == nil || math.Abs(r.AHP.CR-0.0332) > 1e-3 || len(r.Sites.Features) != 2 {
		t.Errorf("travel %q, ahp %+v, %d sites", r.Travel, r.AHP, len(r.Sites.Features))
	}
	for _, c := range r.Criteria {
		if want := c.ID == "supply" || c.ID == "roads" || c.ID == "labour"; (c.Weight != 0) != want {
			t.Errorf("criterion %s weight %v", c.ID, c.Weight)
		}
	}
	fx.ids = append(fx.ids, p.ID)
}

// constructionLandRequired is TestDemoRequests's subtest "construction land required".
func (fx *demoRequestsFixture) constructionLandRequired(t *testing.T) {
	p, err := fx.road.Run(fx.ctx, parks.Request{FacilityType: "science_park", Top: 2, Land: "require", HexKm: 1.5})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := parks.ReadResult(p)
	for _, f := range r.Sites.Features {
		if f.Properties.SiteKind != "candidate" || f.Properties.Candidate == "" {
			t.Errorf("site %d is not on a construction-land candidate: %+v", f.Properties.Rank, f.Properties)
		}
	}
	if r.Criteria[3].Weight <= 0 {
		t.Errorf("a science park co-locates: existing_parks weight %v", r.Criteria[3].Weight)
	}
	fx.ids = append(fx.ids, p.ID)
}

// compare is TestDemoRequests's subtest "compare".
func (fx *demoRequestsFixture) compare(t *testing.T) {
	sums, err := fx.geodesic.List(fx.ctx, fx.ids, 0)
	if err != nil || len(sums) != 2 || sums[0].ID != fx.ids[0] || sums[1].FacilityType != "science_park" || len(sums[1].Sites) != 2 {
		t.Errorf("compare: %+v, %v", sums, err)
	}
	all, err := fx.geodesic.List(fx.ctx, nil, 10)
	if err != nil || len(all) != 2 {
		t.Errorf("list: %d, %v", len(all), err)
	}
}

// refused is TestDemoRequests's subtest "refused".
func (fx *demoRequestsFixture) refused(t *testing.T) {
	before := fx.count()
	for _, req := range []parks.Request{
		{FacilityType: "theme_park"},
		{FacilityType: "processing_park", Weights: map[string]float64{"supply": -1}},
		{FacilityType: "processing_park", ProductClasses: []string{"durian"}},
		{FacilityType: "processing_park", HexKm: 0.3, MinAreaKm2: 1},
		{FacilityType: "processing_park", AHP: &parks.AHPInput{Criteria: []string{"supply", "roads", "labour"},
			Matrix: [][]float64{{1, 3, 1}, {fx.third, 1, 3}, {1, fx.third, 1}}}},
	} {
		if _, err := fx.geodesic.Run(fx.ctx, req); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", req, err)
		}
	}
	if n := fx.count(); n != before {
		t.Errorf("refused requests stored %d plans", n-before)
	}
}

// failed is TestDemoRequests's subtest "failed".
func (fx *demoRequestsFixture) failed(t *testing.T) {
	_, err := fx.geodesic.Run(fx.ctx, parks.Request{FacilityType: "processing_park", Region: "369999"})
	var inf *runs.InfeasibleError
	if !errors.As(err, &inf) {
		t.Fatalf("err = %v, want an InfeasibleError", err)
	}
	p, err := fx.geodesic.Get(fx.ctx, inf.PlanID)
	if err != nil || p.Status != "failed" || !strings.Contains(p.Error, "369999") {
		t.Errorf("failed plan: %+v, %v", p, err)
	}
}

// segmentMetres is the distance from p to segment ab, on a local
// equirectangular projection (exact enough within a county).
func segmentMetres(p, a, b orb.Point) float64 {
	k := math.Cos(p[1] * math.Pi / 180)
	ax, ay := (a[0]-p[0])*k, a[1]-p[1]
	bx, by := (b[0]-p[0])*k, b[1]-p[1]
	dx, dy := bx-ax, by-ay
	u := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		u = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	return math.Hypot(ax+u*dx, ay+u*dy) * 111195
}

// rankShare is the share of xs below x.
func rankShare(xs []float64, x float64) float64 {
	n := 0
	for _, v := range xs {
		if v < x {
			n++
		}
	}
	return float64(n) / float64(len(xs))
}

func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	return s[int(q*float64(len(s)-1))]
}
