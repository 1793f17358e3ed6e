package httpapi_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// filterFixture is what TestOGCFilter's subtests share.
type filterFixture struct {
	pool  *pgxpool.Pool
	ts    *httptest.Server
	items string
}

// sqlIDs returns the ids an SQL query selects, sorted.
func (fx *filterFixture) sqlIDs(t *testing.T, sql string) []string {
	t.Helper()
	rows, err := fx.pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// readIDs follows the next links of the producers read with q and returns
// every id, sorted.
func (fx *filterFixture) readIDs(t *testing.T, q url.Values) []string {
	t.Helper()
	q.Set("limit", "70")
	ids, _ := readAll(t, fx.items+"?"+q.Encode())
	sort.Strings(ids)
	return ids
}

// TestOGCFilter: CQL2 filters (text and JSON), sortby, properties,
// queryables and schema on the demo county, checked against SQL.
func TestOGCFilter(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	ts, _ := gisServer(t, pool, nil, nil)
	fx := &filterFixture{pool: pool, ts: ts, items: ts.URL + "/ogc/collections/producers/items"}
	t.Run("text and JSON filters select what SQL counts", fx.textAndJSONFiltersSelectWhatSQLCounts)
	t.Run("every operator", fx.everyOperator)
	t.Run("injection attempts and bad filters are 400", fx.injectionAttemptsAndBadFiltersAre400)
	t.Run("sortby", fx.sortBy)
	t.Run("properties", fx.properties)
	t.Run("queryables and schema", fx.queryablesAndSchema)
	t.Run("every layer's queryables are columns", fx.everyLayersQueryablesAreColumns)
}

// textAndJSONFiltersSelectWhatSQLCounts is TestOGCFilter's subtest "text and JSON filters select what SQL counts".
func (fx *filterFixture) textAndJSONFiltersSelectWhatSQLCounts(t *testing.T) {
	want := fx.sqlIDs(t, `SELECT id FROM producer WHERE product_class = 'citrus' AND annual_output_t > 100`)
	if len(want) < 10 {
		t.Fatalf("the demo county has only %d large citrus producers", len(want))
	}
	for _, q := range []url.Values{
		{"filter": {"product_class='citrus' AND annual_output_t>100"}, "filter-lang": {"cql2-text"}},
		{"filter": {`{"op":"and","args":[{"op":"=","args":[{"property":"product_class"},"citrus"]},{"op":">","args":[{"property":"annual_output_t"},100]}]}`},
			"filter-lang": {"cql2-json"}},
	} {
		p := getPage(t, fx.items+"?"+q.Encode())
		if p.NumberMatched != len(want) {
			t.Errorf("%s: numberMatched %d, the database counts %d", q.Get("filter-lang"), p.NumberMatched, len(want))
		}
		if got := fx.readIDs(t, q); !slices.Equal(got, want) {
			t.Errorf("%s: %d ids, want the database's %d", q.Get("filter-lang"), len(got), len(want))
		}
	}
}

// everyOperator is TestOGCFilter's subtest "every operator".
func (fx *filterFixture) everyOperator(t *testing.T) {
	for _, tc := range []struct{ filter, sql string }{
		{"product_class IN ('tea','berry') OR annual_output_t BETWEEN 50 AND 60", `product_class IN ('tea','berry') OR annual_output_t BETWEEN 50 AND 60`},
		{"NOT (operator_type = 'cooperative') AND name LIKE '%Farm%'", `NOT (operator_type = 'cooperative') AND name LIKE '%Farm%'`},
		{"region_code IS NULL OR region_code NOT LIKE '36%'", `region_code IS NULL OR region_code NOT LIKE '36%'`},
		{"S_INTERSECTS(geometry, POLYGON((114.1 26.5, 114.3 26.5, 114.3 26.7, 114.1 26.7, 114.1 26.5)))",
			`ST_Intersects(geom, ST_MakeEnvelope(114.1, 26.5, 114.3, 26.7, 4326))`},
		{"S_WITHIN(geometry, BBOX(114.1, 26.5, 114.3, 26.7)) AND annual_output_t >= 20", `ST_Within(geom, ST_MakeEnvelope(114.1, 26.5, 114.3, 26.7, 4326)) AND annual_output_t >= 20`},
	} {
		want := fx.sqlIDs(t, `SELECT id FROM producer WHERE `+tc.sql)
		if got := fx.readIDs(t, url.Values{"filter": {tc.filter}}); !slices.Equal(got, want) {
			t.Errorf("%s: %d features, the database selects %d", tc.filter, len(got), len(want))
		}
	}
	// filter-crs: the same box in EPSG:4326 (latitude first) and Web Mercator.
	want := fx.sqlIDs(t, `SELECT id FROM producer WHERE ST_Intersects(geom, ST_MakeEnvelope(114.1, 26.5, 114.3, 26.7, 4326))`)
	for crs, box := range map[string]string{
		"http://www.opengis.net/def/crs/EPSG/0/4326": "BBOX(26.5, 114.1, 26.7, 114.3)",
		"EPSG:3857": mercatorBox(114.1, 26.5, 114.3, 26.7),
	} {
		got := fx.readIDs(t, url.Values{"filter": {"S_INTERSECTS(geometry, " + box + ")"}, "filter-crs": {crs}})
		if d := len(got) - len(want); d < -1 || d > 1 || len(want) == 0 {
			t.Errorf("filter-crs %s: %d features, want %d", crs, len(got), len(want))
		}
	}
}

// injectionAttemptsAndBadFiltersAre400 is TestOGCFilter's subtest "injection attempts and bad filters are 400".
func (fx *filterFixture) injectionAttemptsAndBadFiltersAre400(t *testing.T) {
	before := count(t, fx.pool, `SELECT count(*) FROM producer`)
	for _, tc := range []struct{ filter, lang, detail string }{
		{"product_class='citrus'; DROP TABLE producer", "", "';'"},
		{"product_class='citrus'' OR ''1''=''1'", "", ""},
		{"product_class='x' OR 1=1 --", "", "unexpected"},
		{`"product_class; DROP TABLE producer"='a'`, "", "unknown property"},
		{"secret_column = 1", "", `unknown property "secret_column"`},
		{"pg_sleep(5) = 1", "", "function pg_sleep"},
		{"lower(name) = 'a'", "", "function lower"},
		{"annual_output_t > 'a'", "", "annual_output_t is a number"},
		{strings.Repeat("(", 40) + "name='a'" + strings.Repeat(")", 40), "", "nested more than"},
		{strings.Repeat("name='a' OR ", 900) + "name='b'", "", "characters"},
		{`{"op":"=","args":[{"property":"name"},{"op":"pg_read_file","args":["/etc/passwd"]}]}`, "cql2-json", "not supported"},
		{"name='a'", "sql", "filter-lang"},
	} {
		q := url.Values{"filter": {tc.filter}}
		if tc.lang != "" {
			q.Set("filter-lang", tc.lang)
		}
		status, h, body := call(t, "GET", fx.items+"?"+q.Encode(), "", "")
		if tc.detail == "" {
			// A well-formed filter whose quotes are data: no match, no harm.
			if status != 200 || getPage(t, fx.items+"?"+q.Encode()).NumberMatched != 0 {
				t.Errorf("%s: %d %.200s", tc.filter, status, body)
			}
			continue
		}
		wantProblem(t, status, h, body, 400, tc.detail)
	}
	if after := count(t, fx.pool, `SELECT count(*) FROM producer`); after != before {
		t.Fatalf("producers %d before, %d after", before, after)
	}
}

// sortBy is TestOGCFilter's subtest "sortby".
func (fx *filterFixture) sortBy(t *testing.T) {
	p := getPage(t, fx.items+"?sortby=-annual_output_t&limit=500")
	last := math.Inf(1)
	for _, f := range p.Features {
		x := f.Properties["annual_output_t"].(float64)
		if x > last {
			t.Fatalf("sortby=-annual_output_t: %v after %v", x, last)
		}
		last = x
	}
	var top string
	if err := fx.pool.QueryRow(context.Background(), `SELECT id FROM producer ORDER BY annual_output_t DESC, id LIMIT 1`).Scan(&top); err != nil {
		t.Fatal(err)
	}
	if p.Features[0].ID != top {
		t.Errorf("first feature %s, want the largest producer %s", p.Features[0].ID, top)
	}
	p = getPage(t, fx.items+"?sortby=product_class,-annual_output_t&limit=500")
	for i := 1; i < len(p.Features); i++ {
		a, b := p.Features[i-1].Properties, p.Features[i].Properties
		if a["product_class"].(string) > b["product_class"].(string) ||
			a["product_class"] == b["product_class"] && a["annual_output_t"].(float64) < b["annual_output_t"].(float64) {
			t.Fatalf("sortby=product_class,-annual_output_t: %v before %v", a, b)
		}
	}
	status, h, body := call(t, "GET", fx.items+"?sortby=geometry", "", "")
	wantProblem(t, status, h, body, 400, "sortby: unknown property")
}

// properties is TestOGCFilter's subtest "properties".
func (fx *filterFixture) properties(t *testing.T) {
	p := getPage(t, fx.items+"?properties=name,annual_output_t&limit=5")
	for _, f := range p.Features {
		if len(f.Properties) != 2 || f.Properties["name"] == nil || f.Properties["annual_output_t"] == nil || f.ID == "" {
			t.Fatalf("properties=name,annual_output_t: %v (id %q)", f.Properties, f.ID)
		}
	}
	status, h, body := call(t, "GET", fx.items+"?properties=password", "", "")
	wantProblem(t, status, h, body, 400, "properties: unknown property")
}

// queryablesAndSchema is TestOGCFilter's subtest "queryables and schema".
func (fx *filterFixture) queryablesAndSchema(t *testing.T) {
	for _, path := range []string{"queryables", "schema"} {
		status, h, body := call(t, "GET", fx.ts.URL+"/ogc/collections/producers/"+path, "", "")
		if status != 200 || h.Get("Content-Type") != "application/schema+json" {
			t.Fatalf("%s: %d %s %s", path, status, h.Get("Content-Type"), body)
		}
		var s struct {
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatal(err)
		}
		if s.Properties["annual_output_t"]["type"] != "number" || s.Properties["product_class"]["type"] != "string" ||
			s.Properties["geometry"]["format"] != "geometry-point" {
			t.Errorf("%s: %s", path, body)
		}
		_, hasMonths := s.Properties["harvest_months"]
		if hasMonths != (path == "schema") {
			t.Errorf("%s: harvest_months listed %v", path, hasMonths)
		}
	}
	_, _, body := call(t, "GET", fx.ts.URL+"/ogc/conformance", "", "")
	for _, c := range []string{"ogcapi-features-3/1.0/conf/filter", "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/cql2-json", "ogcapi-features-2/1.0/conf/crs"} {
		if !strings.Contains(string(body), c) {
			t.Errorf("conformance does not declare %s", c)
		}
	}
}

// everyLayersQueryablesAreColumns filters, sorts and selects on every
// queryable of every layer: each must be a column of the layer's view.
func (fx *filterFixture) everyLayersQueryablesAreColumns(t *testing.T) {
	for _, l := range layer.All {
		var conds, names []string
		for _, q := range l.Queryables() {
			if q.Type != "geometry" {
				conds = append(conds, q.Name+" IS NULL")
				names = append(names, q.Name)
			}
		}
		q := url.Values{"filter": {strings.Join(conds, " OR ") + " OR S_INTERSECTS(geometry, BBOX(-180,-90,180,90))"},
			"sortby": {strings.Join(names[:min(len(names), layer.MaxSortKeys)], ",")}, "properties": {strings.Join(names, ",")}}
		p := getPage(t, fx.ts.URL+"/ogc/collections/"+l.Name+"/items?"+q.Encode())
		if n := count(t, fx.pool, "SELECT count(*) FROM "+l.View); p.NumberMatched != n {
			t.Errorf("%s: %d matched, the view has %d", l.Name, p.NumberMatched, n)
		}
	}
}

// mercatorBox is BBOX(...) of a lon/lat box in Web Mercator metres.
func mercatorBox(x0, y0, x1, y1 float64) string {
	m := func(lon, lat float64) (float64, float64) {
		return lon * 20037508.342789244 / 180, math.Log(math.Tan((90+lat)*math.Pi/360)) * 6378137
	}
	a, b := m(x0, y0)
	c, d := m(x1, y1)
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	return "BBOX(" + f(a) + "," + f(b) + "," + f(c) + "," + f(d) + ")"
}

// TestOGCFilterWithGDAL: GDAL's OAPIF driver turns an OGR -where into a
// CQL2 filter the server runs: the same count as the database's.
func TestOGCFilterWithGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo (Debian gdal-bin) is needed in CI")
		}
		t.Skip("ogrinfo (gdal-bin) not installed")
	}
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	var filters []string
	ts, _ := gisServer(t, pool, nil, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if f := r.URL.Query().Get("filter"); f != "" {
				filters = append(filters, f)
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ogrinfo", "-ro", "-so", "-oo", "PAGE_SIZE=1000", "OAPIF:"+ts.URL+"/ogc", "producers",
		"-where", "product_class = 'citrus' AND annual_output_t > 100")
	// GDAL 3.6 finds CQL support only through this switch (it looks for
	// the filter-lang parameter under an OpenAPI path without /ogc);
	// later versions read the conformance classes.
	cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF", "OGR_OAPIF_ALLOW_CQL_TEXT=YES")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out))
	want := count(t, pool, `SELECT count(*) FROM producer WHERE product_class = 'citrus' AND annual_output_t > 100`)
	if m == nil || m[1] != strconv.Itoa(want) {
		t.Fatalf("ogrinfo -where counted %v, the database %d:\n%s", m, want, out)
	}
	if len(filters) == 0 {
		t.Errorf("GDAL filtered on its side: no filter reached the server")
	}
	t.Logf("GDAL sent filter %q in %d requests", filters[0], len(filters))
}

// TestOGCCRSAndETags: Part 2 output and bbox CRSs checked against
// PostGIS, and ETags with If-None-Match on pages and features.
func TestOGCCRSAndETags(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	ts, _ := gisServer(t, pool, nil, nil)
	coll := ts.URL + "/ogc/collections/producers"
	var id string
	var lon, lat, mx, my float64
	err := pool.QueryRow(context.Background(), `SELECT id, ST_X(geom), ST_Y(geom), ST_X(ST_Transform(geom, 3857)), ST_Y(ST_Transform(geom, 3857))
		FROM producer ORDER BY id LIMIT 1`).Scan(&id, &lon, &lat, &mx, &my)
	if err != nil {
		t.Fatal(err)
	}
	item := func(crs string) ([]float64, http.Header) {
		t.Helper()
		status, h, body := call(t, "GET", coll+"/items/"+id+"?crs="+url.QueryEscape(crs), "", "")
		var f struct {
			Geometry struct{ Coordinates []float64 } `json:"geometry"`
		}
		if status != 200 || json.Unmarshal(body, &f) != nil || len(f.Geometry.Coordinates) != 2 {
			t.Fatalf("crs %s: %d %s", crs, status, body)
		}
		return f.Geometry.Coordinates, h
	}
	for _, tc := range []struct {
		crs  string
		want [2]float64
		tol  float64
	}{
		{"http://www.opengis.net/def/crs/OGC/1.3/CRS84", [2]float64{lon, lat}, 1e-7},
		{"http://www.opengis.net/def/crs/EPSG/0/4326", [2]float64{lat, lon}, 1e-7},
		{"http://www.opengis.net/def/crs/EPSG/0/4490", [2]float64{lat, lon}, 1e-5},
		{"http://www.opengis.net/def/crs/EPSG/0/3857", [2]float64{mx, my}, 0.01},
	} {
		got, h := item(tc.crs)
		if math.Abs(got[0]-tc.want[0]) > tc.tol || math.Abs(got[1]-tc.want[1]) > tc.tol {
			t.Errorf("crs %s: %v, want %v", tc.crs, got, tc.want)
		}
		if h.Get("Content-Crs") != "<"+tc.crs+">" {
			t.Errorf("crs %s: Content-Crs %q", tc.crs, h.Get("Content-Crs"))
		}
	}
	p := getPage(t, coll+"/items?crs=EPSG:3857&limit=3")
	if len(p.Features) != 3 {
		t.Fatalf("crs=EPSG:3857 page: %d features", len(p.Features))
	}

	want := count(t, pool, `SELECT count(*) FROM producer WHERE geom && ST_MakeEnvelope(114.1, 26.5, 114.3, 26.7, 4326)`)
	wantM := count(t, pool, `SELECT count(*) FROM producer WHERE geom && ST_Transform(ST_MakeEnvelope(`+strings.Trim(mercatorBox(114.1, 26.5, 114.3, 26.7), "BOX()")+`, 3857), 4326)`)
	for _, q := range []string{
		"bbox=114.1,26.5,114.3,26.7",
		"bbox=26.5,114.1,26.7,114.3&bbox-crs=" + url.QueryEscape("http://www.opengis.net/def/crs/EPSG/0/4326"),
		"bbox=" + strings.Trim(mercatorBox(114.1, 26.5, 114.3, 26.7), "BOX()") + "&bbox-crs=EPSG:3857",
	} {
		n := getPage(t, coll+"/items?"+q).NumberMatched
		if n != want && !(strings.Contains(q, "3857") && n == wantM) || want == 0 {
			t.Errorf("%s: numberMatched %d, want %d", q, n, want)
		}
	}
	for q, detail := range map[string]string{
		"crs=EPSG:9999":                         "unsupported CRS",
		"bbox=1,2,3,4&bbox-crs=EPSG:2000":       "unsupported CRS",
		"bbox=100,10,120,20&bbox-crs=EPSG:4326": "outside the ranges",
		"crs=EPSG:3857&datum=gcj02":             "cannot be combined",
	} {
		status, h, body := call(t, "GET", coll+"/items?"+q, "", "")
		wantProblem(t, status, h, body, 400, detail)
	}

	t.Run("ETags", func(t *testing.T) { checkETags(t, pool, coll, id) })
}

// checkETags: pages and features carry ETags; If-None-Match with the
// current one answers 304, and an edit changes them.
func checkETags(t *testing.T, pool *pgxpool.Pool, coll, id string) {
	for _, u := range []string{coll + "/items?limit=5&sortby=name", coll + "/items/" + id} {
		status, h, _ := call(t, "GET", u, "", "")
		etag := h.Get("ETag")
		if status != 200 || etag == "" {
			t.Fatalf("%s: %d, ETag %q", u, status, etag)
		}
		status, _, body2 := call(t, "GET", u, "", "", "If-None-Match", etag)
		if status != 304 || len(body2) != 0 {
			t.Errorf("%s with If-None-Match %s: %d %s", u, etag, status, body2)
		}
		if status, _, _ := call(t, "GET", u, "", "", "If-None-Match", `"other"`); status != 200 {
			t.Errorf("%s with another ETag: %d", u, status)
		}
	}
	// A change to the data changes the ETag.
	for _, u := range []string{coll + "/items?limit=5", coll + "/items/" + id} {
		_, h, _ := call(t, "GET", u, "", "")
		etag := h.Get("ETag")
		if _, err := pool.Exec(context.Background(), `UPDATE producer SET annual_output_t = annual_output_t + 1`); err != nil {
			t.Fatal(err)
		}
		if status, h2, _ := call(t, "GET", u, "", "", "If-None-Match", etag); status != 200 || h2.Get("ETag") == etag {
			t.Errorf("%s after an edit: %d, ETag %s (was %s)", u, status, h2.Get("ETag"), etag)
		}
	}
}
