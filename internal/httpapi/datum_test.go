package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// TestDatumReads: the layer API and OGC API Features hand coordinates back
// in GCJ-02 or BD-09 when asked (datum=...), which convert back to the
// stored WGS84; an unknown datum is a 400 problem saying what to use. The
// areas layer is read-only.
func TestDatumReads(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	ts, _ := gisServer(t, pool, nil, nil)
	point := func(path string) orb.Point {
		t.Helper()
		status, _, body := call(t, "GET", ts.URL+path, "", "")
		if status != 200 {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
		var f *geojson.Feature
		if strings.Contains(path, "/items?") || strings.Contains(path, "producers?") {
			fc, err := geojson.UnmarshalFeatureCollection(body)
			if err != nil || len(fc.Features) == 0 {
				t.Fatalf("GET %s: %v", path, err)
			}
			f = fc.Features[0]
		} else {
			var err error
			if f, err = geojson.UnmarshalFeature(body); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
		return f.Geometry.(orb.Point)
	}
	wgs := point("/api/v1/producers?limit=1")
	_, _, body := call(t, "GET", ts.URL+"/api/v1/producers?limit=1", "", "")
	var fc struct{ Features []struct{ ID string } }
	if err := json.Unmarshal(body, &fc); err != nil || len(fc.Features) != 1 {
		t.Fatalf("producers: %v", err)
	}
	id := fc.Features[0].ID
	for _, tc := range []struct {
		path string
		d    datum.Datum
	}{
		{"/api/v1/producers?limit=1&datum=gcj02&lang=zh", datum.GCJ02},
		{"/api/v1/producers/" + id + "?datum=bd09", datum.BD09},
		{"/ogc/collections/producers/items?limit=1&datum=gcj02", datum.GCJ02},
		{"/ogc/collections/producers/items/" + id + "?datum=bd09", datum.BD09},
	} {
		p := point(tc.path)
		var back orb.Point
		back[0], back[1] = tc.d.ToWGS84(p[0], p[1])
		if shift, d := geo.Distance(p, wgs), geo.Distance(back, wgs); shift < 100 || d > 0.05 {
			t.Errorf("%s: %.0f m from WGS84, %.3f m after converting back", tc.path, shift, d)
		}
	}
	for _, path := range []string{"/api/v1/producers?datum=mars", "/api/v1/producers/" + id + "?datum=mars", "/ogc/collections/producers/items?datum=mars"} {
		status, _, body := call(t, "GET", ts.URL+path, "", "")
		if status != 400 || !strings.Contains(string(body), "want wgs84, gcj02 or bd09") {
			t.Errorf("GET %s: %d %s", path, status, body)
		}
	}

	// Areas: the county and townships, read-only.
	status, _, body := call(t, "GET", ts.URL+"/api/v1/areas?level=county,township", "", "")
	if status != 200 || strings.Count(string(body), `"MultiPolygon"`) != 11 {
		t.Errorf("areas: %d, %d MultiPolygons", status, strings.Count(string(body), `"MultiPolygon"`))
	}
	tok := tokens(t, pool)["planner"]
	status, _, body = call(t, "POST", ts.URL+"/api/v1/areas", tok, `{"type":"Feature","properties":{"code":"12"},"geometry":{"type":"Point","coordinates":[114,26]}}`)
	if status != 400 || !strings.Contains(string(body), "read-only") || !strings.Contains(string(body), "regions layer") {
		t.Errorf("POST areas: %d %s", status, body)
	}
}
