package httpapi_test

import (
	"context"
	"testing"

	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// TestPostFeaturesInAnotherCRS: a FeatureCollection whose crs member names
// a CGCS2000 Gauss-Krüger zone is transformed to WGS84 by PostGIS (the
// coordinates are ogr2ogr's of 115.0123456, 25.8512345 in EPSG:4547); an
// unknown code is refused and stores nothing.
func TestPostFeaturesInAnotherCRS(t *testing.T) {
	pool := pgtest.Pool(t)
	planner := tokens(t, pool)[auth.Planner]
	ts, _ := gisServer(t, pool, nil, nil)
	body := func(crs string) string {
		return `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"` + crs + `"}},"features":[
			{"type":"Feature","properties":{"id":"gk1","name":"赣州脐橙合作社","operator_type":"cooperative","product_class":"citrus","annual_output_t":120},
			 "geometry":{"type":"Point","coordinates":[601484.338991077616811,2860744.266361262649298]}}]}`
	}
	status, h, resp := call(t, "POST", ts.URL+"/api/v1/producers", planner, body("urn:ogc:def:crs:EPSG::99999"), "Content-Type", "application/geo+json")
	wantProblem(t, status, h, resp, 400, "unknown CRS EPSG:99999")
	if n := count(t, pool, "SELECT count(*) FROM producer"); n != 0 {
		t.Fatalf("%d producers stored after a refused POST", n)
	}
	status, _, resp = call(t, "POST", ts.URL+"/api/v1/producers", planner, body("urn:ogc:def:crs:EPSG::4547"), "Content-Type", "application/geo+json")
	if status != 201 {
		t.Fatalf("POST in EPSG:4547: %d %.300s", status, resp)
	}
	var metres float64
	err := pool.QueryRow(context.Background(), `SELECT ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(115.0123456, 25.8512345), 4326)::geography)
		FROM producer WHERE id = 'gk1'`).Scan(&metres)
	if err != nil {
		t.Fatal(err)
	}
	if metres > 1 {
		t.Errorf("stored %.3f m from the WGS84 original, want within 1 m", metres)
	}
	t.Logf("stored %.6f m from the WGS84 original", metres)
}
