package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

// loadDemoRoads stores the demo county's road network.
func loadDemoRoads(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	f, err := geodata.FS.Open("roads.geojson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := roads.ReadGeoJSON(f, "roads.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := roads.Store(context.Background(), pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
}

// roadServer serves the demo county with its roads and the model
// `--travel auto` picks: roads, falling back to geodesic travel.
func roadServer(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	loadDemoRoads(t, pool)
	model := access.NewRoad(pool, 0, 0, access.NewGeodesic(0, 0))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := plan.NewService(context.Background(), pool, model, log, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	ts := httptest.NewServer(httpapi.New(pool, model, svc, log, "test", nil).Handler())
	t.Cleanup(ts.Close)
	return ts.URL, pool
}

func TestRoadsAPI(t *testing.T) {
	base, pool := roadServer(t)
	var edges int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM road`).Scan(&edges); err != nil {
		t.Fatal(err)
	}

	// The roads layer reads like every other layer.
	status, h, body := do(t, "GET", base+"/api/v1/roads?limit=3&highway=primary,secondary", "")
	var fc struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			ID       float64 `json:"id"`
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if status != 200 || h.Get("Content-Type") != "application/geo+json" || json.Unmarshal(body, &fc) != nil {
		t.Fatalf("GET roads: %d %s", status, body)
	}
	if len(fc.Features) != 3 || fc.NumberMatched < 8 || fc.NumberMatched >= edges || fc.Features[0].Geometry.Type != "LineString" {
		t.Fatalf("GET roads: %d of %d (%d edges in all)", len(fc.Features), fc.NumberMatched, edges)
	}
	for _, k := range []string{"highway", "minutes", "speed_kmh", "length_m", "source", "target", "oneway", "region_code"} {
		if _, ok := fc.Features[0].Properties[k]; !ok {
			t.Errorf("road property %s missing: %v", k, fc.Features[0].Properties)
		}
	}
	if status, _, body := do(t, "GET", base+"/api/v1/roads/1", ""); status != 200 || !strings.Contains(string(body), `"LineString"`) {
		t.Errorf("GET roads/1: %d %.200s", status, body)
	}
	if status, _, _ := do(t, "GET", base+"/api/v1/roads/999999", ""); status != 404 {
		t.Errorf("GET roads/999999: %d", status)
	}
	// ...but is written only by the importer.
	for _, m := range []struct{ method, path string }{{"POST", "/api/v1/roads"}, {"PUT", "/api/v1/roads/1"}, {"DELETE", "/api/v1/roads/1"}} {
		status, h, body := do(t, m.method, base+m.path, `{"type":"Feature","properties":{"highway":"track"},"geometry":{"type":"LineString","coordinates":[[114,26.5],[114.1,26.5]]}}`)
		wantProblem(t, status, h, body, 405, "coldchain import roads")
	}

	status, _, body = do(t, "GET", base+"/api/v1/roads/network", "")
	var net struct {
		Network roads.Info `json:"network"`
		Travel  string     `json:"travel"`
	}
	if status != 200 || json.Unmarshal(body, &net) != nil || net.Network.Edges != int64(edges) || net.Network.Source != "roads.geojson" {
		t.Errorf("network: %d %s", status, body)
	}

	checkRoadTravel(t, base)
}

// checkRoadTravel checks the snapping report, and that coverage and plans
// use road travel times.
func checkRoadTravel(t *testing.T, base string) {
	t.Helper()
	// Snapping: at 100 m many producers are beyond; all are listed.
	for _, tc := range []struct {
		query  string
		beyond func(n int) bool
	}{{"", func(n int) bool { return n < 50 }}, {"?snap_m=100", func(n int) bool { return n > 500 }}} {
		status, _, body := do(t, "GET", base+"/api/v1/roads/snapping"+tc.query, "")
		var rep roads.SnapReport
		if status != 200 || json.Unmarshal(body, &rep) != nil || len(rep.Layers) != 3 {
			t.Fatalf("snapping%s: %d %.300s", tc.query, status, body)
		}
		p := rep.Layers[0]
		if p.Layer != "producers" || p.Total != p.Snapped+p.Beyond || len(p.Unreachable) != p.Beyond || !tc.beyond(p.Beyond) {
			t.Errorf("snapping%s: producers %d total, %d snapped, %d beyond", tc.query, p.Total, p.Snapped, p.Beyond)
		}
	}

	// Coverage and plans use road travel times.
	_, _, body := do(t, "GET", base+"/api/v1/coverage", "")
	var cov struct{ Travel string }
	if json.Unmarshal(body, &cov) != nil || !strings.HasPrefix(cov.Travel, "road network") {
		t.Errorf("coverage travel %q", cov.Travel)
	}
	status, _, body := do(t, "POST", base+"/api/v1/plans", `{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["berry"], "p": 2, "candidates": "user", "time_limit_s": 5}`)
	var sub struct{ ID string }
	if status != 202 || json.Unmarshal(body, &sub) != nil {
		t.Fatalf("plan: %d %s", status, body)
	}
	p := waitPlan(t, base, sub.ID)
	res, _ := json.Marshal(p["result"])
	if p["status"] != "done" || !strings.Contains(string(res), `"travel":"road network`) {
		t.Errorf("plan %v: %.300s", p["status"], res)
	}
}

func TestServiceAreasAPI(t *testing.T) {
	base, pool := roadServer(t)
	type areas struct {
		Type     string `json:"type"`
		Features []struct {
			ID         string          `json:"id"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties struct {
				FacilityID string  `json:"facility_id"`
				Minutes    float64 `json:"minutes"`
				AreaKm2    float64 `json:"area_km2"`
			} `json:"properties"`
		} `json:"features"`
		Facilities  int              `json:"facilities"`
		Unreachable []map[string]any `json:"unreachable"`
	}
	get := func(query string) areas {
		t.Helper()
		status, h, body := do(t, "GET", base+"/api/v1/service-areas"+query, "")
		var a areas
		if status != 200 || h.Get("Content-Type") != "application/geo+json" || json.Unmarshal(body, &a) != nil || a.Type != "FeatureCollection" {
			t.Fatalf("service areas%s: %d %.300s", query, status, body)
		}
		return a
	}
	// Computed on request: two thresholds of one facility, nested.
	a := get("?facility=F001&minutes=45,15&buffer_m=250")
	if len(a.Features) != 2 || a.Features[0].ID != "F001/45" || a.Features[1].Properties.Minutes != 15 ||
		a.Features[0].Properties.AreaKm2 <= a.Features[1].Properties.AreaKm2 {
		t.Fatalf("F001: %+v", a.Features)
	}
	var nested, valid bool
	if err := pool.QueryRow(context.Background(), `SELECT ST_Covers(ST_GeomFromGeoJSON($1), ST_GeomFromGeoJSON($2)),
		ST_IsValid(ST_GeomFromGeoJSON($1)) AND ST_IsValid(ST_GeomFromGeoJSON($2))`,
		string(a.Features[0].Geometry), string(a.Features[1].Geometry)).Scan(&nested, &valid); err != nil || !nested || !valid {
		t.Errorf("45 covers 15: %v, valid %v (%v)", nested, valid, err)
	}
	// The defaults come from the stored areas (the tile layer's).
	all := get("")
	var stored int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM road_service_area`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if all.Facilities < 20 || len(all.Features) != stored || stored < 3*(all.Facilities-len(all.Unreachable))-3 {
		t.Errorf("defaults: %d facilities, %d features, %d stored", all.Facilities, len(all.Features), stored)
	}
	if one := get("?facility=F001&minutes=30"); len(one.Features) != 1 || one.Features[0].ID != "F001/30" {
		t.Errorf("stored F001/30: %+v", one.Features)
	}
	// And they are served as vector tiles with the roads.
	_, layers := fetchTile(t, base+"/tiles/roads,service_areas/9/418/216.mvt")
	if n := layerCounts(layers); n["roads"] == 0 || n["service_areas"] != stored {
		t.Errorf("tile layers %v, want roads and %d service areas", n, stored)
	}
	_, layers = fetchTile(t, base+"/tiles/service_areas/9/418/216.mvt?minutes=30&facility=F001")
	if n := layerCounts(layers); n["service_areas"] != 1 {
		t.Errorf("filtered tile: %v", n)
	}

	for _, tc := range []struct {
		query  string
		status int
		detail string
	}{
		{"?minutes=0", 400, "minutes"},
		{"?minutes=soon", 400, "minutes"},
		{"?minutes=10,20,30,40,50,60,70", 400, "thresholds"},
		{"?buffer_m=1", 400, "buffer_m"},
		{"?status=demolished", 400, "status"},
		{"?colour=red", 400, "unknown query parameter"},
		{"?facility=NOPE", 404, "NOPE"},
		{"?region=36_", 400, "not an administrative code"},
	} {
		status, h, body := do(t, "GET", base+"/api/v1/service-areas"+tc.query, "")
		wantProblem(t, status, h, body, tc.status, tc.detail)
	}
}

func TestRoadsAPIWithoutRoads(t *testing.T) {
	base := planServer(t)
	for _, path := range []string{"/api/v1/service-areas", "/api/v1/roads/snapping"} {
		status, h, body := do(t, "GET", base+path, "")
		wantProblem(t, status, h, body, 409, "coldchain import roads")
	}
	status, _, body := do(t, "GET", base+"/api/v1/roads", "")
	if status != 200 || !strings.Contains(string(body), `"numberMatched":0`) {
		t.Errorf("empty roads layer: %d %s", status, body)
	}
}
