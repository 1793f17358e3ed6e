package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// parksServer serves a hand-made county of two townships split at
// 114.1 E: 5,000 t of leafy vegetables around (114.15, 26.52) in the east
// next to a town and a construction-land candidate site, 200 t in the
// west next to a collection centre, and an ecological red line over the
// east township's north half. No road network is loaded.
func parksServer(t *testing.T) string {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO region (code, name, level, geom) VALUES
		  ('999905', 'Park County', 'county', ST_Multi(ST_MakeEnvelope(114.0, 26.5, 114.2, 26.6, 4326))),
		  ('999905101', 'West', 'township', ST_Multi(ST_MakeEnvelope(114.0, 26.5, 114.1, 26.6, 4326))),
		  ('999905102', 'East', 'township', ST_Multi(ST_MakeEnvelope(114.1, 26.5, 114.2, 26.6, 4326)))`,
		`INSERT INTO region (code, name, level, parent_code, settlement, geom) VALUES
		  ('999905102201', 'East Town', 'village', '999905102', 'town', ST_SetSRID(ST_MakePoint(114.15, 26.53), 4326))`,
		`INSERT INTO exclusion_zone (id, name, kind, applies_to_tiers, geom) VALUES
		  ('RL', 'Red line', 'ecological_redline', '{field,township,county,prefecture,national}', ST_Multi(ST_MakeEnvelope(114.1, 26.56, 114.2, 26.6, 4326)))`,
		`INSERT INTO facility (id, name, facility_type, tier, capacity_chilled_t, geom) VALUES
		  ('CC', 'West centre', 'collection_centre', 'county', 500, ST_SetSRID(ST_MakePoint(114.03, 26.55), 4326))`,
		`INSERT INTO candidate_site (id, name, allowed_tiers, land_use, geom) VALUES
		  ('K1', 'East yard', '{county}', 'construction', ST_SetSRID(ST_MakePoint(114.152, 26.522), 4326))`,
		`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		  SELECT 'e' || n, 'cooperative', 'leafy_vegetable', 1000, ST_SetSRID(ST_MakePoint(114.15 + 0.004 * cos(n), 26.52 + 0.004 * sin(n)), 4326)
		    FROM generate_series(1, 5) n
		  UNION ALL
		  SELECT 'w' || n, 'family_farm', 'leafy_vegetable', 100, ST_SetSRID(ST_MakePoint(114.03 + 0.003 * n, 26.55), 4326)
		    FROM generate_series(1, 2) n`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	model := access.NewGeodesic(0, 0)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	plans, err := plan.NewService(ctx, pool, model, log, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(plans.Close)
	s := httpapi.New(pool, model, plans, log, "test", nil)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// parksRun is the part of a park-siting plan TestParksAPI reads.
type parksRun struct {
	ID, Kind, Status string
	Result           struct {
		Notes []string
		Sites geojson.FeatureCollection
		Grid  struct{ Cells, Excluded int }
	}
}

func TestParksAPI(t *testing.T) {
	base := parksServer(t)
	p := postParks(t, base)
	checkParksExports(t, base, p)
	checkParksTiles(t, base, p)
	checkParksCompare(t, base, p)
}

// getOK GETs base+path and fails the test unless it answers 200.
func getOK(t *testing.T, base, path string) []byte {
	t.Helper()
	status, _, body := do(t, "GET", base+path, "")
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}

// postParks runs a processing-park siting and checks its sites.
func postParks(t *testing.T, base string) parksRun {
	t.Helper()
	status, h, body := do(t, "POST", base+"/api/v1/parks", `{"facility_type": "processing_park", "top": 2, "catchment_minutes": 15, "separation_km": 4}`)
	if status != 201 || !strings.HasPrefix(h.Get("Location"), "/api/v1/parks/") {
		t.Fatalf("POST: %d %s %s", status, h.Get("Location"), body)
	}
	var p parksRun
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Kind != "parks" || p.Status != "done" || len(p.Result.Sites.Features) != 2 || p.Result.Grid.Excluded == 0 {
		t.Fatalf("plan: %s", body)
	}
	// The best site is the candidate yard by the eastern cluster and its
	// town; nothing sits in the red line.
	first := p.Result.Sites.Features[0]
	if pt := first.Geometry.(orb.Point); geo.Distance(pt, orb.Point{114.152, 26.522}) > 1 || first.Properties["candidate"] != "K1" {
		t.Errorf("site 1 at %v (%v), want the yard K1", pt, first.Properties["candidate"])
	}
	for _, f := range p.Result.Sites.Features {
		if pt := f.Geometry.(orb.Point); planar.PolygonContains(orb.Bound{Min: orb.Point{114.1, 26.56}, Max: orb.Point{114.2, 26.6}}.ToPolygon(), pt) {
			t.Errorf("site %v in the red line", f.ID)
		}
	}
	if !strings.Contains(strings.Join(p.Result.Notes, " "), "no road network is loaded") {
		t.Errorf("notes %v do not say the road criterion is left out", p.Result.Notes)
	}

	return p
}

// checkParksExports checks the plan's downloads and suitability grid.
func checkParksExports(t *testing.T, base string, p parksRun) {
	t.Helper()
	getOK(t, base, "/api/v1/parks/"+p.ID)
	fc, err := geojson.UnmarshalFeatureCollection(getOK(t, base, "/api/v1/parks/"+p.ID+"/export.geojson"))
	if err != nil || len(fc.Features) != 2 || fc.Features[0].Properties["weight_supply"] == nil {
		t.Errorf("export.geojson: %v", err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(getOK(t, base, "/api/v1/parks/"+p.ID+"/export.csv")))).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Errorf("export.csv: %d rows, %v", len(recs), err)
	}
	recs, err = csv.NewReader(strings.NewReader(string(getOK(t, base, "/api/v1/parks/"+p.ID+"/townships.csv")))).ReadAll()
	if err != nil || len(recs) != 4 || recs[1][1] != "West" || recs[2][1] != "East" || recs[3][1] != "total" {
		t.Errorf("townships.csv: %v, %v", recs, err)
	}
	grid, err := geojson.UnmarshalFeatureCollection(getOK(t, base, "/api/v1/parks/"+p.ID+"/suitability.geojson"))
	if err != nil || len(grid.Features) != p.Result.Grid.Cells {
		t.Fatalf("suitability: %v", err)
	}
	excluded, err := geojson.UnmarshalFeatureCollection(getOK(t, base, "/api/v1/parks/"+p.ID+"/suitability.geojson?class=excluded"))
	if err != nil || len(excluded.Features) != p.Result.Grid.Excluded {
		t.Fatalf("excluded cells: %d of %d, %v", len(excluded.Features), p.Result.Grid.Excluded, err)
	}
	// Excluded: cut by the red line, or slivers at the border.
	for _, f := range excluded.Features {
		if f.Properties["zones"] != "RL" && f.Properties.MustFloat64("land_km2") >= 0.5 {
			t.Errorf("cell %v is excluded: %v", f.ID, f.Properties)
		}
	}

}

// checkParksTiles checks the vector tiles of the grid and of the sites.
func checkParksTiles(t *testing.T, base string, p parksRun) {
	t.Helper()
	// Vector tiles of the grid and of the sites.
	tile := maptile.At(orb.Point{114.1, 26.55}, 10)
	for _, tt := range []struct{ layer, query string }{{"suitability", ""}, {"suitability", "&class=excluded"}, {"park_sites", ""}} {
		url := fmt.Sprintf("%s/tiles/%s/%d/%d/%d.mvt?plan=%s%s", base, tt.layer, tile.Z, tile.X, tile.Y, p.ID, tt.query)
		status, _, body := do(t, "GET", url, "")
		if status != 200 {
			t.Fatalf("GET %s: %d %s", url, status, body)
		}
		layers, err := mvt.Unmarshal(body)
		if err != nil || len(layers) != 1 || layers[0].Name != tt.layer || len(layers[0].Features) == 0 {
			t.Fatalf("tile %s%s: %v %v", tt.layer, tt.query, layers, err)
		}
		switch {
		case tt.layer == "park_sites" && len(layers[0].Features) != 2:
			t.Errorf("park_sites: %d features", len(layers[0].Features))
		case tt.query != "" && len(layers[0].Features) != p.Result.Grid.Excluded:
			t.Errorf("excluded cells in the tile: %d of %d", len(layers[0].Features), p.Result.Grid.Excluded)
		}
	}

}

// checkParksCompare runs a second siting and reads both side by side, and
// through the generic plan list.
func checkParksCompare(t *testing.T, base string, p parksRun) {
	t.Helper()
	// A second run, then both side by side.
	status, _, body := do(t, "POST", base+"/api/v1/parks", `{"facility_type": "science_park", "top": 1, "weights": {"supply": 1, "labour": 1, "existing_parks": 0.5}}`)
	if status != 201 {
		t.Fatalf("second POST: %d %s", status, body)
	}
	var q struct{ ID string }
	_ = json.Unmarshal(body, &q)
	var cmp struct {
		Plans []struct {
			ID           string
			FacilityType string `json:"facility_type"`
			Weights      map[string]float64
			Sites        []struct{ Score float64 }
		}
	}
	if err := json.Unmarshal(getOK(t, base, "/api/v1/parks?compare="+p.ID+","+q.ID), &cmp); err != nil || len(cmp.Plans) != 2 ||
		cmp.Plans[1].FacilityType != "science_park" || cmp.Plans[1].Weights["supply"] != 0.4 || len(cmp.Plans[0].Sites) != 2 {
		t.Errorf("compare: %+v, %v", cmp, err)
	}
	// The generic plan list reads park-siting plans too.
	var all struct {
		Plans []struct {
			Problem      string
			FacilityType string `json:"facility_type"`
			Sites        int
		}
	}
	if err := json.Unmarshal(getOK(t, base, "/api/v1/plans"), &all); err != nil || len(all.Plans) != 2 || all.Plans[0].FacilityType != "science_park" ||
		all.Plans[0].Problem != "parks" || all.Plans[1].Sites != 2 {
		t.Errorf("plans: %+v, %v", all, err)
	}
}

func TestParksAPIProblems(t *testing.T) {
	base := parksServer(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		detail                   string
	}{
		{"no type", "POST", "/api/v1/parks", `{"top": 2}`, 400, "facility_type: name the park type"},
		{"unknown field", "POST", "/api/v1/parks", `{"facility_type": "processing_park", "k": 2}`, 400, "unknown field"},
		{"negative weight", "POST", "/api/v1/parks", `{"facility_type": "processing_park", "weights": {"roads": -1}}`, 400, "only existing_parks may be negative"},
		{"inconsistent AHP", "POST", "/api/v1/parks", `{"facility_type": "processing_park", "ahp": {"criteria": ["supply", "roads", "labour"],
			"matrix": [[1, 3, 1], [0.3333, 1, 3], [1, 0.3333, 1]]}}`, 400, "CR = 0.483 ≥ 0.10"},
		{"no construction land", "POST", "/api/v1/parks", `{"facility_type": "processing_park", "region": "999905101", "product_classes": ["berry"], "land": "require"}`, 422,
			"no cell with enough free land holds a construction-land candidate site"},
		{"unknown plan", "GET", "/api/v1/parks/00000000-0000-0000-0000-000000000000", "", 404, "not found"},
		{"not a plan id", "GET", "/api/v1/parks/abc/export.csv", "", 404, "not found"},
		{"bad class", "GET", "/api/v1/parks/00000000-0000-0000-0000-000000000000/suitability.geojson?class=best", "", 404, "not found"},
		{"compare one", "GET", "/api/v1/parks?compare=00000000-0000-0000-0000-000000000000", "", 400, "2 to 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := do(t, tt.method, base+tt.path, tt.body)
			p := wantProblem(t, status, h, body, tt.status, tt.detail)
			if tt.status == 422 {
				var pid struct {
					PlanID string `json:"plan_id"`
				}
				_ = json.Unmarshal(body, &pid)
				if s, _, b := do(t, "GET", base+"/api/v1/parks/"+pid.PlanID, ""); s != 200 || !strings.Contains(string(b), `"failed"`) {
					t.Errorf("failed plan %q: %d %s (%+v)", pid.PlanID, s, b, p)
				}
			}
		})
	}
}
