package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// demoLayers are the demo county's layers the GIS tests read.
var demoLayers = []string{"regions", "producers", "facilities", "candidates", "exclusions"}

// loadDemo loads the demo county's layers the way `coldchain demo` does.
func loadDemo(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	st := &layer.Store{Pool: pool}
	for _, name := range demoLayers {
		l, err := layer.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := geodata.FS.Open(l.Name + ".geojson")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Import(context.Background(), st, l, f, ingest.Options{Format: ingest.GeoJSON})
		f.Close()
		if err != nil {
			t.Fatalf("demo %s: %v", l.Name, err)
		}
	}
}

// gisServer serves pool with API tokens on; wrap, if set, wraps the
// handler (to watch requests).
func gisServer(t *testing.T, pool *pgxpool.Pool, configure func(*httpapi.Server), wrap func(http.Handler) http.Handler) (*httptest.Server, *httpapi.Server) {
	t.Helper()
	s := httpapi.New(pool, access.NewGeodesic(0, 0), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", nil)
	s.Tokens = &auth.Store{Pool: pool}
	if configure != nil {
		configure(s)
	}
	h := s.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, s
}

// call sends a request with an optional bearer token and extra headers
// (name, value pairs).
func call(t *testing.T, method, url, token, body string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// insertPlan stores a plan with status and, when done, sites at the
// given points; it returns the plan id.
func insertPlan(t *testing.T, pool *pgxpool.Pool, status string, sites [][2]float64) string {
	t.Helper()
	var features []map[string]any
	for i, p := range sites {
		features = append(features, map[string]any{
			"type": "Feature", "id": fmt.Sprintf("site-%d", i+1),
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{p[0], p[1]}},
			"properties": map[string]any{"rank": i + 1, "candidate_id": fmt.Sprintf("c%d", i), "name": fmt.Sprintf("Site %d", i+1),
				"facility_type": "precooling", "tier": "field", "build_cost": 50,
				"explanation": map[string]any{"summary": fmt.Sprintf("serves cluster %d", i+1)}},
		})
	}
	var result any
	if status == "done" {
		result = map[string]any{"objective": 1, "bound": 1, "gap": 0, "sites": map[string]any{"type": "FeatureCollection", "features": features}}
	}
	var id string
	err := pool.QueryRow(context.Background(), `INSERT INTO plan (params, status, result, finished_at)
		VALUES ('{"name": "test plan", "problem": "mclp", "facility_type": "precooling"}', $1, $2, CASE WHEN $1 = 'done' THEN now() END) RETURNING id::text`,
		status, result).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

type page struct {
	Type           string `json:"type"`
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	TimeStamp      string `json:"timeStamp"`
	Features       []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
}

func (p page) link(rel string) string {
	for _, l := range p.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func getPage(t *testing.T, url string) page {
	t.Helper()
	status, h, body := call(t, "GET", url, "", "")
	if status != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("GET %s: %d %s %s", url, status, h.Get("Content-Type"), body)
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil || p.Type != "FeatureCollection" {
		t.Fatalf("GET %s: not a FeatureCollection: %v %.300s", url, err, body)
	}
	if p.NumberReturned != len(p.Features) {
		t.Fatalf("GET %s: numberReturned %d but %d features", url, p.NumberReturned, len(p.Features))
	}
	if _, err := time.Parse(time.RFC3339, p.TimeStamp); err != nil {
		t.Errorf("GET %s: timeStamp %q: %v", url, p.TimeStamp, err)
	}
	return p
}

// readAll follows next links from url and returns every feature id.
func readAll(t *testing.T, url string) ([]string, int) {
	t.Helper()
	var ids []string
	pages := 0
	for url != "" {
		p := getPage(t, url)
		for _, f := range p.Features {
			ids = append(ids, f.ID)
		}
		pages++
		if pages > 1000 {
			t.Fatal("next links never end")
		}
		url = p.link("next")
	}
	return ids, pages
}

// ogcFixture is what TestOGCFeatures's subtests share.
type ogcFixture struct {
	pool      *pgxpool.Pool
	planID    string
	running   string
	ts        *httptest.Server
	ogc       string
	producers int
}

func TestOGCFeatures(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	planID := insertPlan(t, pool, "done", [][2]float64{{114.1, 26.6}, {114.2, 26.7}, {114.3, 26.55}})
	running := insertPlan(t, pool, "running", nil)
	ts, _ := gisServer(t, pool, nil, nil)
	ogc := ts.URL + "/ogc"
	producers := count(t, pool, `SELECT count(*) FROM producer`)
	if producers < 1000 {
		t.Fatalf("demo county has %d producers", producers)
	}

	fx := &ogcFixture{pool: pool, planID: planID, running: running, ts: ts, ogc: ogc, producers: producers}
	t.Run("landing and conformance", fx.landingAndConformance)

	t.Run("collections", fx.collections)

	t.Run("paging reads every feature once", fx.pagingReadsEveryFeatureOnce)

	t.Run("limits", fx.limits)

	t.Run("plan sites", fx.planSites)

	t.Run("one feature", fx.oneFeature)

	t.Run("errors", fx.errors)
}

// landingAndConformance is TestOGCFeatures's subtest "landing and conformance".
func (fx *ogcFixture) landingAndConformance(t *testing.T) {
	status, _, body := call(t, "GET", fx.ogc, "", "")
	var landing struct {
		Links []struct{ Href, Rel, Type string } `json:"links"`
	}
	if err := json.Unmarshal(body, &landing); status != 200 || err != nil {
		t.Fatalf("landing: %d %s", status, body)
	}
	rels := map[string]string{}
	for _, l := range landing.Links {
		rels[l.Rel] = l.Href
	}
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if !strings.HasPrefix(rels[rel], fx.ts.URL+"/") {
			t.Errorf("landing link %s = %q", rel, rels[rel])
		}
	}
	status, _, body = call(t, "GET", fx.ogc+"/conformance", "", "")
	for _, c := range []string{"ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson", "ogcapi-features-1/1.0/conf/oas30", "ogcapi-features-4/1.0/conf/create-replace-delete"} {
		if status != 200 || !strings.Contains(string(body), c) {
			t.Errorf("conformance lacks %s: %d %s", c, status, body)
		}
	}
}

// collections is TestOGCFeatures's subtest "collections".
func (fx *ogcFixture) collections(t *testing.T) {
	status, _, body := call(t, "GET", fx.ogc+"/collections", "", "")
	var cs struct {
		Collections []struct {
			ID     string `json:"id"`
			Extent struct {
				Spatial struct {
					BBox [][]float64 `json:"bbox"`
				} `json:"spatial"`
			} `json:"extent"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(body, &cs); status != 200 || err != nil {
		t.Fatalf("%d %s", status, body)
	}
	var ids []string
	for _, c := range cs.Collections {
		ids = append(ids, c.ID)
		if !slices.Contains(demoLayers, c.ID) && !strings.HasPrefix(c.ID, "plan-") {
			continue // loaded by other means, empty here
		}
		if b := c.Extent.Spatial.BBox; len(b) != 1 || b[0][0] < 113.9 || b[0][2] > 114.5 || b[0][1] < 26.4 || b[0][3] > 26.9 {
			t.Errorf("%s: extent %v is not the demo county's", c.ID, b)
		}
	}
	want := append(layer.Names(), "plan-"+fx.planID)
	if !slices.Equal(ids, want) {
		t.Fatalf("collections %v, want %v (no unfinished plan %s)", ids, want, fx.running)
	}
	status, _, body = call(t, "GET", fx.ogc+"/collections/plan-"+fx.planID, "", "")
	if status != 200 || !strings.Contains(string(body), `"id":"plan-`+fx.planID+`"`) {
		t.Errorf("plan collection: %d %s", status, body)
	}
}

// pagingReadsEveryFeatureOnce is TestOGCFeatures's subtest "paging reads every feature once".
func (fx *ogcFixture) pagingReadsEveryFeatureOnce(t *testing.T) {
	cases := []struct {
		name  string
		query string
		want  int
	}{
		{"producers", "?limit=250", fx.producers},
		{"producers, default page", "", fx.producers},
		{"a class", "?limit=37&product_class=citrus", count(t, fx.pool, `SELECT count(*) FROM producer WHERE product_class = 'citrus'`)},
		{"a bbox", "?limit=100&bbox=114.1,26.5,114.25,26.7", count(t, fx.pool, `SELECT count(*) FROM producer WHERE geom && ST_MakeEnvelope(114.1, 26.5, 114.25, 26.7, 4326)`)},
		{"a township", "?region=369901101", count(t, fx.pool, `SELECT count(*) FROM producer WHERE region_code LIKE '369901101%'`)},
		{"datetime is ignored", "?limit=1000&datetime=2024-01-01T00:00:00Z", fx.producers},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == 0 {
				t.Fatalf("no producers match %s: the case tests nothing", tc.query)
			}
			first := getPage(t, fx.ogc+"/collections/producers/items"+tc.query)
			if first.NumberMatched != tc.want {
				t.Errorf("numberMatched %d, want %d", first.NumberMatched, tc.want)
			}
			if first.link("prev") != "" || first.link("self") == "" {
				t.Errorf("first page links %+v", first.Links)
			}
			ids, pages := readAll(t, fx.ogc+"/collections/producers/items"+tc.query)
			if len(ids) != tc.want {
				t.Errorf("read %d features in %d pages, want %d", len(ids), pages, tc.want)
			}
			slices.Sort(ids)
			if len(slices.Compact(ids)) != len(ids) {
				t.Error("a feature came twice")
			}
		})
	}
}

// limits is TestOGCFeatures's subtest "limits".
func (fx *ogcFixture) limits(t *testing.T) {
	p := getPage(t, fx.ogc+"/collections/producers/items?limit=20000")
	if p.NumberReturned != min(fx.producers, layer.MaxLimit) {
		t.Errorf("limit above the maximum: %d features", p.NumberReturned)
	}
	p = getPage(t, fx.ogc+"/collections/producers/items")
	if p.NumberReturned != 100 {
		t.Errorf("default page: %d features", p.NumberReturned)
	}
	p = getPage(t, fx.ogc+"/collections/producers/items?limit=10&offset=20")
	prev, _ := url.Parse(p.link("prev"))
	if prev == nil || prev.Query().Get("offset") != "10" || prev.Query().Get("limit") != "10" {
		t.Errorf("prev link %q", p.link("prev"))
	}
}

// planSites is TestOGCFeatures's subtest "plan sites".
func (fx *ogcFixture) planSites(t *testing.T) {
	items := fx.ogc + "/collections/plan-" + fx.planID + "/items"
	ids, _ := readAll(t, items+"?limit=2")
	if !slices.Equal(ids, []string{"site-1", "site-2", "site-3"}) {
		t.Errorf("sites %v", ids)
	}
	p := getPage(t, items+"?bbox=114.15,26.65,114.25,26.75")
	if p.NumberMatched != 1 || p.Features[0].ID != "site-2" || p.Features[0].Properties["name"] != "Site 2" {
		t.Errorf("bbox: %+v", p)
	}
	status, _, body := call(t, "GET", items+"/site-3", "", "")
	if status != 200 || !strings.Contains(string(body), `"rel":"collection"`) || !strings.Contains(string(body), "serves cluster 3") {
		t.Errorf("one site: %d %s", status, body)
	}
}

// oneFeature is TestOGCFeatures's subtest "one feature".
func (fx *ogcFixture) oneFeature(t *testing.T) {
	var id string
	if err := fx.pool.QueryRow(context.Background(), `SELECT id FROM producer ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	status, h, body := call(t, "GET", fx.ogc+"/collections/producers/items/"+id, "", "")
	var f struct {
		ID    string `json:"id"`
		Links []struct{ Href, Rel string }
	}
	if err := json.Unmarshal(body, &f); status != 200 || err != nil || f.ID != id || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("%d %s", status, body)
	}
	if len(f.Links) != 2 || f.Links[0].Href != fx.ts.URL+"/ogc/collections/producers/items/"+id {
		t.Errorf("links %+v", f.Links)
	}
}

// errors is TestOGCFeatures's subtest "errors".
func (fx *ogcFixture) errors(t *testing.T) {
	cases := []struct {
		path   string
		status int
		detail string
	}{
		{"/collections/rivers", 404, "no collection"},
		{"/collections/rivers/items", 404, "no collection"},
		{"/collections/plan-" + fx.running + "/items", 404, "no finished plan"},
		{"/collections/plan-nope/items", 404, "no collection"},
		{"/collections/producers/items/nope", 404, "not found"},
		{"/collections/plan-" + fx.planID + "/items/site-9", 404, "not found"},
		{"/collections/producers/items?limit=0", 400, "limit"},
		{"/collections/producers/items?offset=-1", 400, "offset"},
		{"/collections/producers/items?bbox=1,2,3", 400, "bbox"},
		{"/collections/producers/items?colour=red", 400, "unknown query parameter"},
		{"/collections/producers/items?operator_type=farm", 400, "unknown value"},
		{"/collections/producers/items?crs=EPSG:2000", 400, "unsupported CRS"},
		{"/collections/plan-" + fx.planID + "/items?crs=EPSG:3857", 400, "only"},
		{"/collections/plan-" + fx.planID + "/items?tier=field", 400, "unknown query parameter"},
	}
	// A layer keyed by integers (roads) has no feature with a text key.
	for _, l := range layer.All {
		for _, f := range l.Fields {
			if f.Name == l.Key && f.Kind == layer.Integer {
				cases = append(cases, struct {
					path   string
					status int
					detail string
				}{"/collections/" + l.Name + "/items/abc", 404, "no feature"})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			status, h, body := call(t, "GET", fx.ogc+tc.path, "", "")
			wantProblem(t, status, h, body, tc.status, tc.detail)
		})
	}
}

// TestOGCWithGDAL has GDAL's OAPIF driver list the collections and read
// every producer, following the next links.
func TestOGCWithGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo (Debian gdal-bin) is needed in CI")
		}
		t.Skip("ogrinfo (gdal-bin) not installed")
	}
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	planID := insertPlan(t, pool, "done", [][2]float64{{114.1, 26.6}, {114.2, 26.7}})
	var itemPages atomic.Int64
	ts, _ := gisServer(t, pool, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/ogc/collections/producers/items" {
				itemPages.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	ogrinfo := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "ogrinfo", args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %v: %v\n%.2000s", args, err, out)
		}
		return string(out)
	}
	src := "OAPIF:" + ts.URL + "/ogc"

	out := ogrinfo("-ro", "-q", src)
	for _, want := range append(layer.Names(), "plan-"+planID) {
		if !regexp.MustCompile(`(?m)^\d+: ` + regexp.QuoteMeta(want) + `\b`).MatchString(out) {
			t.Errorf("ogrinfo does not list %s:\n%s", want, out)
		}
	}

	want := count(t, pool, `SELECT count(*) FROM producer`)
	out = ogrinfo("-ro", "-al", "-oo", "PAGE_SIZE=300", src, "producers")
	got := strings.Count(out, "OGRFeature(producers):")
	if got != want {
		t.Errorf("GDAL read %d producers, the database holds %d", got, want)
	}
	if pages := itemPages.Load(); pages < int64(want/300) {
		t.Errorf("GDAL asked for %d pages of 300; paging was not followed", pages)
	}
	t.Logf("GDAL read %d producers in %d requests", got, itemPages.Load())
}
