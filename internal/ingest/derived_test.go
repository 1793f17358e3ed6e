package ingest_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// testCounty is a county polygon (WGS84) about 40 × 33 km.
const testCounty = `{"type":"Feature","properties":{"code":"999905","name":"Test County","level":"county"},
  "geometry":{"type":"Polygon","coordinates":[[[115.0,27.0],[115.4,27.0],[115.45,27.15],[115.4,27.3],[115.0,27.3],[114.95,27.15],[115.0,27.0]]]}}`

// townshipPoints lays n township points on a ring inside testCounty.
func townshipPoints(n int) []string {
	var fs []string
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		lon, lat := 115.2+0.12*math.Cos(a), 27.15+0.09*math.Sin(a)
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"code":"999905%03d","name":"T%d","level":"township","parent_code":"999905"},
		  "geometry":{"type":"Point","coordinates":[%.6f,%.6f]}}`, 101+i, i, lon, lat))
	}
	return fs
}

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func importText(t *testing.T, st *layer.Store, layerName, text string, opt ingest.Options) {
	t.Helper()
	if opt.Format == "" {
		opt.Format = ingest.GeoJSON
	}
	if _, err := ingest.Import(context.Background(), st, mustLayer(t, layerName), strings.NewReader(text), opt); err != nil {
		t.Fatalf("import %s: %v", layerName, err)
	}
}

// TestDerivedAreas imports producers, then a county polygon and township
// points: each township gets a derived area, the areas tile the county,
// every producer lands in the township whose point is nearest (in metres),
// and the areas follow when a township point is added, moved or deleted.
func TestDerivedAreas(t *testing.T) {
	ctx := context.Background()
	st := &layer.Store{Pool: pgtest.Pool(t)}
	var producers []string
	for i := 0; i < 12; i++ {
		for j := 0; j < 10; j++ {
			producers = append(producers, fmt.Sprintf(`{"type":"Feature","properties":{"id":"p%d_%d","operator_type":"cooperative","product_class":"fruit","annual_output_t":10},
			  "geometry":{"type":"Point","coordinates":[%.5f,%.5f]}}`, i, j, 115.01+0.033*float64(i), 27.01+0.031*float64(j)))
		}
	}
	importText(t, st, "producers", fc(producers...), ingest.Options{})
	importText(t, st, "regions", fc(append([]string{testCounty}, townshipPoints(10)...)...), ingest.Options{})

	check := func(wantTownships int) {
		t.Helper()
		var derived, points int
		var coverDiff, overlap float64
		if err := st.Pool.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE derived), count(*) FILTER (WHERE GeometryType(geom) = 'POINT'),
			       (SELECT ST_Area(ST_SymDifference(c.geom, ST_Union(t.area))) * 110574 * 111320 * cos(radians(27.15)) FROM region c, region t
			         WHERE c.code = '999905' AND t.derived GROUP BY c.geom),
			       (SELECT coalesce(sum(ST_Area(ST_Intersection(a.area, b.area))), 0) * 110574 * 111320 * cos(radians(27.15)) FROM region a JOIN region b
			         ON a.code < b.code AND a.derived AND b.derived AND ST_Intersects(a.area, b.area))
			  FROM region`).Scan(&derived, &points, &coverDiff, &overlap); err != nil {
			t.Fatal(err)
		}
		if derived != wantTownships || points != wantTownships {
			t.Errorf("%d derived areas for %d point regions, want %d", derived, points, wantTownships)
		}
		// The areas tile the county: their union is the county within a
		// square metre, and no two overlap (areas in the plane of lon/lat, as
		// the edges are drawn, scaled to m²: geography would count the
		// difference between straight edges and geodesics).
		if coverDiff > 1 || overlap > 1 {
			t.Errorf("areas differ from the county by %.1f m² and overlap by %.1f m²", coverDiff, overlap)
		}
		// Every producer is in the township whose point is nearest.
		var wrong, outside int
		if err := st.Pool.QueryRow(ctx, `
			SELECT count(*) FILTER (WHERE p.region_code IS DISTINCT FROM n.code), count(*) FILTER (WHERE p.region_code NOT LIKE '999905_%')
			  FROM producer p, LATERAL (SELECT code FROM region WHERE level = 'township'
			                             ORDER BY geom::geography <-> p.geom::geography LIMIT 1) n`).Scan(&wrong, &outside); err != nil {
			t.Fatal(err)
		}
		if wrong > 1 || outside > 0 {
			t.Errorf("%d producers not in their nearest township's area, %d outside every township", wrong, outside)
		}
	}
	check(10)

	// An eleventh township in the middle takes area from the others; moving
	// it and deleting it again recompute the areas and the producers' codes.
	extra := `{"type":"Feature","properties":{"code":"999905200","name":"Centre","level":"township","parent_code":"999905"},"geometry":{"type":"Point","coordinates":[115.2,27.15]}}`
	importText(t, st, "regions", fc(extra), ingest.Options{})
	check(11)
	moved := strings.Replace(extra, "115.2,27.15", "115.25,27.2", 1)
	importText(t, st, "regions", fc(moved), ingest.Options{Mode: layer.Upsert})
	check(11)
	if err := st.Delete(ctx, mustLayer(t, "regions"), "999905200"); err != nil {
		t.Fatal(err)
	}
	check(10)

	// The regions layer flags derived areas; the areas layer serves them.
	var sb strings.Builder
	if _, err := st.WriteCollection(ctx, &sb, mustLayer(t, "regions"), layer.Query{Filters: map[string][]string{"level": {"township"}}}, nil); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(sb.String(), `"derived": true`); n != 10 {
		t.Errorf("%d regions flagged derived, want 10:\n%.400s", n, sb.String())
	}
	sb.Reset()
	c, err := st.WriteCollection(ctx, &sb, mustLayer(t, "areas"), layer.Query{}, nil)
	if err != nil || c.Returned != 11 || strings.Count(sb.String(), `"MultiPolygon"`) != 11 {
		t.Errorf("areas: %d features (%v), want the county and 10 townships as MultiPolygons", c.Returned, err)
	}
	if _, err := ingest.Import(ctx, st, mustLayer(t, "areas"), strings.NewReader(fc(testCounty)), ingest.Options{Format: ingest.GeoJSON}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("import into areas: %v, want a read-only error", err)
	}
}
