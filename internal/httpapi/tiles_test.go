package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"

	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// demoTile is the zoom-9 tile holding the whole demo county.
var demoTile = maptile.New(418, 216, 9)

func fetchTile(t *testing.T, url string) ([]byte, mvt.Layers) {
	t.Helper()
	status, h, body := call(t, "GET", url, "", "")
	if status != 200 || h.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Fatalf("GET %s: %d %s %.300s", url, status, h.Get("Content-Type"), body)
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatalf("GET %s: not a vector tile: %v", url, err)
	}
	return body, layers
}

func layerCounts(ls mvt.Layers) map[string]int {
	out := map[string]int{}
	for _, l := range ls {
		out[l.Name] = len(l.Features)
	}
	return out
}

// mercatorBound is a tile's bound in Web Mercator metres, grown by the
// MVT buffer (64 of 4096 units).
func mercatorBound(tile maptile.Tile) orb.Bound {
	b := tile.Bound()
	min, max := project.WGS84.ToMercator(b.Min), project.WGS84.ToMercator(b.Max)
	pad := (max[0] - min[0]) * 64 / 4096
	return orb.Bound{Min: orb.Point{min[0] - pad, min[1] - pad}, Max: orb.Point{max[0] + pad, max[1] + pad}}
}

// tilesFixture is what TestTiles's subtests share.
type tilesFixture struct {
	pool     *pgxpool.Pool
	ts       *httptest.Server
	small    *httptest.Server
	want     map[string]int
	names    []string
	tilePath string
	planID   string
}

func TestTiles(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	planID := insertPlan(t, pool, "done", [][2]float64{{114.1, 26.6}, {114.2, 26.7}, {114.3, 26.55}})
	ts, _ := gisServer(t, pool, nil, nil)
	small, _ := gisServer(t, pool, func(s *httpapi.Server) { s.TileLimit = 50 }, nil)

	want := map[string]int{
		"producers":  count(t, pool, `SELECT count(*) FROM producer`),
		"facilities": count(t, pool, `SELECT count(*) FROM facility`),
		"candidates": count(t, pool, `SELECT count(*) FROM candidate_site`),
		"exclusions": count(t, pool, `SELECT count(*) FROM exclusion_zone`),
		// Regions with an area: given polygons and the villages' derived areas.
		"regions": count(t, pool, `SELECT count(*) FROM region WHERE GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON'`),
	}
	names := []string{"producers", "facilities", "candidates", "exclusions", "regions"}
	tilePath := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", strings.Join(names, ","), demoTile.Z, demoTile.X, demoTile.Y)

	f := &tilesFixture{pool: pool, ts: ts, small: small, want: want, names: names, tilePath: tilePath, planID: planID}
	t.Run("the county tile holds every feature", f.theCountyTileHoldsEveryFeature)

	t.Run("a zoom-11 tile holds the producers inside it", f.aZoom11TileHoldsTheProducersInsideIt)

	t.Run("a zoom-10 tile keeps every producer or its cluster", f.aZoom10TileClustersEveryProducer)

	t.Run("per-tile limit keeps the largest", f.perTileLimitKeepsTheLargest)

	t.Run("plan sites", f.planSites)

	t.Run("ETag", f.etag)

	t.Run("empty tile", f.emptyTile)

	t.Run("bad requests", f.badRequests)

	t.Run("TileJSON", f.tilejson)
}

// theCountyTileHoldsEveryFeature is TestTiles's subtest "the county tile holds every feature".
func (f *tilesFixture) theCountyTileHoldsEveryFeature(t *testing.T) {
	body, layers := fetchTile(t, f.ts.URL+f.tilePath)
	got := layerCounts(layers)
	// Producers are clustered at this zoom: their members count.
	got["producers"], _ = clusterTotals(t, layers[0])
	if !mapsEqual(got, f.want) {
		t.Fatalf("layers %v, want %v", got, f.want)
	}
	var order []string
	for _, l := range layers {
		order = append(order, l.Name)
	}
	if !slices.Equal(order, f.names) {
		t.Errorf("layer order %v", order)
	}
	layers.ProjectToWGS84(demoTile)
	bound := demoTile.Bound()
	for _, l := range layers {
		for _, f := range l.Features {
			if c := f.Geometry.Bound().Center(); !bound.Pad(0.05).Contains(c) {
				t.Fatalf("%s feature at %v is outside the tile %v", l.Name, c, bound)
			}
		}
	}
	// Attributes come from the registry's fields.
	p := layers[0].Features[0].Properties
	if _, ok := p["annual_output_t"].(float64); !ok || p["product_class"] == nil || p["id"] == nil {
		t.Errorf("producer attributes %v", p)
	}
	if p := layers[1].Features[0].Properties; p["capacity_total_t"] == nil || p["facility_type"] == nil {
		t.Errorf("facility attributes %v", p)
	}
	if p := layers[4].Features[0].Properties; p["level"] != "county" {
		t.Errorf("regions start with the county: %v", p)
	}
	want := maps.Clone(f.want)
	want["producers"] = len(layers[0].Features)
	checkWithGDAL(t, body, demoTile, want)
}

func abs(x int) int { return max(x, -x) }

// clusterTotals sums the point_count and annual_output_t of a producers
// tile layer.
func clusterTotals(t *testing.T, l *mvt.Layer) (members int, output float64) {
	t.Helper()
	for _, f := range l.Features {
		n, ok := f.Properties["point_count"].(float64)
		if !ok || n < 1 || n != math.Trunc(n) {
			t.Fatalf("producer feature without a point_count: %v", f.Properties)
		}
		members += int(n)
		output += f.Properties["annual_output_t"].(float64)
	}
	return members, output
}

// aZoom11TileHoldsTheProducersInsideIt is TestTiles's subtest "a zoom-11 tile holds the producers inside it".
func (f *tilesFixture) aZoom11TileHoldsTheProducersInsideIt(t *testing.T) {
	// The tile of the county's busiest point: producers both in it and
	// around it.
	var lon, lat float64
	if err := f.pool.QueryRow(context.Background(), `SELECT ST_X(ST_Centroid(ST_Collect(geom))), ST_Y(ST_Centroid(ST_Collect(geom))) FROM producer`).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	tile := maptile.At(orb.Point{lon, lat}, 11)
	rows, err := f.pool.Query(context.Background(), `SELECT ST_X(geom), ST_Y(geom) FROM producer`)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (orb.Point, error) {
		var p orb.Point
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		t.Fatal(err)
	}
	mb := mercatorBound(tile)
	inside := 0
	for _, p := range pts {
		if mb.Contains(project.WGS84.ToMercator(p)) {
			inside++
		}
	}
	if inside == 0 || inside == len(pts) {
		t.Fatalf("%d of %d producers in tile %v: the case tests nothing", inside, len(pts), tile)
	}
	_, layers := fetchTile(t, fmt.Sprintf("%s/tiles/producers/%d/%d/%d.mvt", f.ts.URL, tile.Z, tile.X, tile.Y))
	if got, _ := clusterTotals(t, layers[0]); got != inside {
		t.Errorf("tile %v holds %d producers, want %d", tile, got, inside)
	}
}

// aZoom10TileClustersEveryProducer: the zoom-10 tile over the county's
// producers holds clusters whose member counts and summed outputs are the
// database's, inside the tile exactly, and a zoom-13 tile is unclustered.
func (f *tilesFixture) aZoom10TileClustersEveryProducer(t *testing.T) {
	var lon, lat float64
	if err := f.pool.QueryRow(context.Background(), `SELECT ST_X(ST_Centroid(ST_Collect(geom))), ST_Y(ST_Centroid(ST_Collect(geom))) FROM producer`).Scan(&lon, &lat); err != nil {
		t.Fatal(err)
	}
	for _, z := range []maptile.Zoom{10, 13} {
		tile := maptile.At(orb.Point{lon, lat}, z)
		var n, buffered int
		var output, bufOutput float64
		err := f.pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE ST_Intersects(geom, e)), count(*),
			coalesce(sum(annual_output_t) FILTER (WHERE ST_Intersects(geom, e)), 0), coalesce(sum(annual_output_t), 0)
			FROM producer, ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) e
			WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)`,
			int(tile.Z), int(tile.X), int(tile.Y)).Scan(&n, &buffered, &output, &bufOutput)
		if err != nil {
			t.Fatal(err)
		}
		_, layers := fetchTile(t, fmt.Sprintf("%s/tiles/producers/%d/%d/%d.mvt", f.ts.URL, tile.Z, tile.X, tile.Y))
		l := layers[0]
		// The tile with its margin: exactly the database's producers.
		total, totalOutput := clusterTotals(t, l)
		if total != buffered || math.Abs(totalOutput-bufOutput) > 1e-6*bufOutput {
			t.Errorf("z%d: %d producers of %.1f t in the tile with its margin, the database has %d of %.1f t", z, total, totalOutput, buffered, bufOutput)
		}
		// The tile proper (cells nest in tiles): the same up to features
		// within one MVT unit of its edge, which rounding may move across.
		inside, edge := &mvt.Layer{Name: l.Name}, &mvt.Layer{Name: l.Name}
		for _, ft := range l.Features {
			p := ft.Geometry.(orb.Point)
			if p[0] >= 0 && p[0] <= 4096 && p[1] >= 0 && p[1] <= 4096 {
				inside.Features = append(inside.Features, ft)
			}
			if min(math.Abs(p[0]), math.Abs(p[0]-4096), math.Abs(p[1]), math.Abs(p[1]-4096)) <= 1 {
				edge.Features = append(edge.Features, ft)
			}
		}
		members, sum := clusterTotals(t, inside)
		slack, slackOutput := clusterTotals(t, edge)
		if n == 0 || abs(members-n) > slack || math.Abs(sum-output) > slackOutput+1e-6*output {
			t.Errorf("z%d tile %v: %d producers of %.1f t inside, the database has %d of %.1f t (%d on the edge)", z, tile, members, sum, n, output, slack)
		}
		t.Logf("z%d: %d features stand for %d producers (%d in the tile proper)", z, len(l.Features), total, n)
		if z == 10 && len(l.Features) >= total {
			t.Errorf("z10: %d features for %d producers: nothing was clustered", len(l.Features), total)
		}
		if z == 13 && len(l.Features) != total {
			t.Errorf("z13: %d features for %d producers: clustered above zoom 12", len(l.Features), total)
		}
	}
}

// perTileLimitKeepsTheLargest is TestTiles's subtest "per-tile limit keeps the largest".
func (f *tilesFixture) perTileLimitKeepsTheLargest(t *testing.T) {
	_, layers := fetchTile(t, f.small.URL+f.tilePath)
	_, all := fetchTile(t, f.ts.URL+f.tilePath)
	got := layerCounts(layers)
	for name, n := range f.want {
		if name == "producers" {
			n = len(all[0].Features) // clusters
		}
		if got[name] != min(n, 50) {
			t.Errorf("%s: %d features, want %d", name, got[name], min(n, 50))
		}
	}
	// The 50 kept are the 50 largest of the whole tile's features (its
	// clusters at this zoom).
	var outputs []float64
	for _, f := range all[0].Features {
		outputs = append(outputs, f.Properties["annual_output_t"].(float64))
	}
	slices.Sort(outputs)
	slices.Reverse(outputs)
	fiftieth := outputs[49]
	for _, f := range layers[0].Features {
		if out := f.Properties["annual_output_t"].(float64); out < fiftieth {
			t.Fatalf("kept a producer of %v t; the 50 largest make at least %v t", out, fiftieth)
		}
	}
}

// planSites is TestTiles's subtest "plan sites".
func (f *tilesFixture) planSites(t *testing.T) {
	status, h, body := call(t, "GET", fmt.Sprintf("%s/tiles/plan_sites,regions/9/418/216.mvt?plan=%s&level=township", f.ts.URL, f.planID), "", "")
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	layers, err := mvt.Unmarshal(body)
	if err != nil {
		t.Fatal(err)
	}
	if got := layerCounts(layers); got["plan_sites"] != 3 || got["regions"] != count(t, f.pool, `SELECT count(*) FROM region WHERE level = 'township'`) {
		t.Errorf("layers %v", got)
	}
	if s := layers[0].Features[0].Properties["summary"]; s != "serves cluster 1" {
		t.Errorf("site summary %v", s)
	}
	if cc := h.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("a tile mixing plan sites and editable layers: Cache-Control %q", cc)
	}
	_, h, _ = call(t, "GET", fmt.Sprintf("%s/tiles/plan_sites/0/0/0.mvt?plan=%s", f.ts.URL, f.planID), "", "")
	if cc := h.Get("Cache-Control"); cc != "public, max-age=86400" {
		t.Errorf("plan sites: Cache-Control %q", cc)
	}
}

// etag is TestTiles's subtest "ETag".
func (f *tilesFixture) etag(t *testing.T) {
	status, h, _ := call(t, "GET", f.ts.URL+f.tilePath, "", "")
	etag := h.Get("ETag")
	if status != 200 || !regexp.MustCompile(`^"[0-9a-f]{32}"$`).MatchString(etag) {
		t.Fatalf("ETag %q", etag)
	}
	for _, inm := range []string{etag, `"x", ` + etag, "W/" + etag, "*"} {
		if status, _, body := call(t, "GET", f.ts.URL+f.tilePath, "", "", "If-None-Match", inm); status != 304 || len(body) != 0 {
			t.Errorf("If-None-Match %s: %d", inm, status)
		}
	}
	if status, _, _ := call(t, "GET", f.ts.URL+f.tilePath, "", "", "If-None-Match", `"stale"`); status != 200 {
		t.Errorf("stale ETag: %d", status)
	}
	// Editing the data changes the tile and its ETag.
	if _, err := f.pool.Exec(context.Background(), `UPDATE producer SET annual_output_t = annual_output_t + 1 WHERE id = (SELECT min(id) FROM producer)`); err != nil {
		t.Fatal(err)
	}
	if status, h, _ := call(t, "GET", f.ts.URL+f.tilePath, "", "", "If-None-Match", etag); status != 200 || h.Get("ETag") == etag {
		t.Errorf("after an edit: %d %s", status, h.Get("ETag"))
	}
}

// emptyTile is TestTiles's subtest "empty tile".
func (f *tilesFixture) emptyTile(t *testing.T) {
	status, _, body := call(t, "GET", f.ts.URL+"/tiles/producers,regions/9/0/0.mvt", "", "")
	if status != 200 || len(body) != 0 {
		t.Errorf("%d, %d bytes", status, len(body))
	}
}

// badRequests is TestTiles's subtest "bad requests".
func (f *tilesFixture) badRequests(t *testing.T) {
	cases := []struct {
		path   string
		status int
		detail string
	}{
		{"/tiles/producers/23/0/0.mvt", 400, "z:"},
		{"/tiles/producers/-1/0/0.mvt", 400, "z:"},
		{"/tiles/producers/9/512/0.mvt", 400, "x:"},
		{"/tiles/producers/9/0/512.mvt", 400, "y:"},
		{"/tiles/producers/9/1.5/0.mvt", 400, "x:"},
		{"/tiles/producers/09/1/0.mvt", 400, "z:"},
		{"/tiles/producers/0/0/zero.mvt", 400, "y:"},
		{"/tiles/producers/1/0/0.mvt?colour=red", 400, "unknown query parameter"},
		{"/tiles/producers,producers/1/0/0.mvt", 400, "twice"},
		{"/tiles/regions/1/0/0.mvt?level=city", 400, "unknown value"},
		{"/tiles/plan_sites/1/0/0.mvt", 400, "plan: required"},
		{"/tiles/plan_sites/1/0/0.mvt?plan=1%27%3B%20DROP%20TABLE%20plan", 400, "not a plan id"},
		{"/tiles/rivers/1/0/0.mvt", 404, "no tile layer"},
		{"/tiles/producers,rivers.json", 404, "no tile layer"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			status, h, body := call(t, "GET", f.ts.URL+tc.path, "", "")
			wantProblem(t, status, h, body, tc.status, tc.detail)
		})
	}
}

// tilejson is TestTiles's subtest "TileJSON".
func (f *tilesFixture) tilejson(t *testing.T) {
	status, _, body := call(t, "GET", f.ts.URL+"/tiles/producers,facilities.json", "", "")
	var tj struct {
		TileJSON     string    `json:"tilejson"`
		Tiles        []string  `json:"tiles"`
		Bounds       []float64 `json:"bounds"`
		Center       []float64 `json:"center"`
		MinZoom      int       `json:"minzoom"`
		MaxZoom      int       `json:"maxzoom"`
		VectorLayers []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"vector_layers"`
	}
	if err := json.Unmarshal(body, &tj); status != 200 || err != nil {
		t.Fatalf("%d %s", status, body)
	}
	var b [4]float64
	if err := f.pool.QueryRow(context.Background(), `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM (SELECT geom FROM producer UNION ALL SELECT geom FROM facility) g) x`).Scan(&b[0], &b[1], &b[2], &b[3]); err != nil {
		t.Fatal(err)
	}
	if tj.TileJSON != "3.0.0" || len(tj.Tiles) != 1 || tj.Tiles[0] != f.ts.URL+"/tiles/producers,facilities/{z}/{x}/{y}.mvt" {
		t.Errorf("tilejson %+v", tj)
	}
	for i := range b {
		if math.Abs(tj.Bounds[i]-b[i]) > 1e-6 {
			t.Errorf("bounds %v, want %v", tj.Bounds, b)
			break
		}
	}
	if len(tj.Center) != 3 || tj.Center[2] < 8 || tj.Center[2] > 11 || tj.MinZoom != 0 || tj.MaxZoom != 22 {
		t.Errorf("center %v zooms %d-%d", tj.Center, tj.MinZoom, tj.MaxZoom)
	}
	if len(tj.VectorLayers) != 2 || tj.VectorLayers[0].ID != "producers" || tj.VectorLayers[0].Fields["annual_output_t"] != "Number" {
		t.Errorf("vector_layers %+v", tj.VectorLayers)
	}
	status, _, body = call(t, "GET", f.ts.URL+"/tiles/plan_sites.json?plan="+f.planID, "", "")
	if status != 200 || !strings.Contains(string(body), `/tiles/plan_sites/{z}/{x}/{y}.mvt?plan=`+f.planID) {
		t.Errorf("plan sites TileJSON: %d %s", status, body)
	}
	status, _, body = call(t, "GET", f.ts.URL+"/tiles", "", "")
	for _, n := range append(f.names, "plan_sites") {
		if status != 200 || !strings.Contains(string(body), `"name":"`+n+`"`) {
			t.Errorf("tile index lacks %s: %s", n, body)
		}
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// checkWithGDAL opens the tile with GDAL's MVT driver and compares its
// layers' feature counts.
func checkWithGDAL(t *testing.T, body []byte, tile maptile.Tile, want map[string]int) {
	t.Helper()
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo (Debian gdal-bin) is needed in CI")
		}
		t.Log("ogrinfo (gdal-bin) not installed; skipping the GDAL check")
		return
	}
	path := filepath.Join(t.TempDir(), "tile.mvt")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ogrinfo", "-ro", "-so", "-al",
		"-oo", fmt.Sprintf("Z=%d", tile.Z), "-oo", fmt.Sprintf("X=%d", tile.X), "-oo", fmt.Sprintf("Y=%d", tile.Y), "MVT:"+path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	got := map[string]int{}
	re := regexp.MustCompile(`(?s)Layer name: (\w+)\n.*?Feature Count: (\d+)`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[2])
		got[m[1]] = n
	}
	if !mapsEqual(got, want) {
		t.Errorf("GDAL reads %v, want %v:\n%s", got, want, out)
	}
}
