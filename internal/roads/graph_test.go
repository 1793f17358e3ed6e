package roads_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

var corner = orb.Point{114.0, 26.5}

func at(from orb.Point, bearing, km float64) orb.Point {
	return geo.PointAtBearingAndDistance(from, bearing, km*1000)
}

// square stores a 3 km square of tertiary roads (30 km/h: 6 min a side)
// whose south side A->B is oneway eastwards:
//
//	D ----- C
//	|       |
//	A ----> B
func square(t *testing.T) (*pgxpool.Pool, map[string]orb.Point) {
	t.Helper()
	pts := map[string]orb.Point{"A": corner, "B": at(corner, 90, 3), "D": at(corner, 0, 3)}
	pts["C"] = at(pts["B"], 0, 3)
	road := func(from, to string, oneway bool) string {
		return fmt.Sprintf(`{"type":"Feature","id":"%s%s","properties":{"highway":"tertiary","oneway":%v},
			"geometry":{"type":"LineString","coordinates":[[%.9f,%.9f],[%.9f,%.9f]]}}`,
			from, to, oneway, pts[from][0], pts[from][1], pts[to][0], pts[to][1])
	}
	fc := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
		road("A", "B", true), road("B", "C", false), road("C", "D", false), road("D", "A", false)}, ",") + `]}`
	n, err := roads.ReadGeoJSON(strings.NewReader(fc), "square.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.Pool(t)
	if err := roads.Store(context.Background(), pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	return pool, pts
}

func load(t testing.TB, pool *pgxpool.Pool) *roads.Graph {
	t.Helper()
	g, err := roads.Load(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestPairsOneway(t *testing.T) {
	pool, pts := square(t)
	g := load(t, pool)
	if g.Edges() != 4 || g.Vertices() != 4 || math.Abs(g.Km-12) > 0.01 {
		t.Fatalf("graph: %d edges, %d vertices, %.2f km", g.Edges(), g.Vertices(), g.Km)
	}
	mid := at(pts["A"], 90, 1.5) // on the oneway, halfway
	// 100 m south of A: 0.4 min off road at 15 km/h.
	offA := at(pts["A"], 180, 0.1)
	from := []orb.Point{pts["A"], pts["B"], mid, offA}
	to := []orb.Point{pts["A"], pts["B"], mid}
	limits := []float64{60, 60, 60, 10}
	want := []roads.Pair{
		{From: 0, To: 0, Minutes: 0, Km: 0},
		{From: 0, To: 2, Minutes: 3, Km: 1.5},
		{From: 0, To: 1, Minutes: 6, Km: 3},
		{From: 1, To: 1, Minutes: 0, Km: 0},
		{From: 1, To: 0, Minutes: 18, Km: 9}, // round the square: the oneway forbids B->A
		{From: 1, To: 2, Minutes: 21, Km: 10.5},
		{From: 2, To: 2, Minutes: 0, Km: 0},
		{From: 2, To: 1, Minutes: 3, Km: 1.5},
		{From: 2, To: 0, Minutes: 21, Km: 10.5},
		{From: 3, To: 0, Minutes: 0.4, Km: 0.1},
		{From: 3, To: 2, Minutes: 3.4, Km: 1.6},
		{From: 3, To: 1, Minutes: 6.4, Km: 3.1},
	}
	check := func(name string, got []roads.Pair, km bool) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d pairs %+v, want %d", name, len(got), got, len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.From != w.From || g.To != w.To || math.Abs(g.Minutes-w.Minutes) > 0.01 || (km && math.Abs(g.Km-w.Km) > 0.01) {
				t.Errorf("%s pair %d: %+v, want %+v", name, i, g, w)
			}
		}
	}
	ctx := context.Background()
	got, err := g.Pairs(ctx, from, to, limits, roads.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check("in process, from the destinations", got, true) // fewer destinations: reverse searches
	var fwd []roads.Pair
	for i := range from {
		ps, err := g.Pairs(ctx, from[i:i+1], to, limits[i:i+1], roads.PairOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			p.From = int32(i)
			fwd = append(fwd, p)
		}
	}
	check("in process, from each origin", fwd, true)
	pg, err := roads.PairsPgRouting(ctx, pool, g, from, to, limits, roads.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check("pgRouting", pg, false)

	// A limit and a snapping limit leave pairs out.
	got, err = g.Pairs(ctx, from[:2], to, []float64{5, 19}, roads.PairOptions{SnapMetres: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 { // A: A, mid; B: B, A
		t.Errorf("limited: %+v", got)
	}
	got, _ = g.Pairs(ctx, from[3:], to, []float64{60}, roads.PairOptions{SnapMetres: 50})
	if len(got) != 0 {
		t.Errorf("100 m off road with a 50 m snapping limit: %+v", got)
	}
}

// randomNear returns n points within maxM metres of random road points.
func randomNear(g *roads.Graph, rng *rand.Rand, n int, maxM float64) []orb.Point {
	out := make([]orb.Point, 0, n)
	for len(out) < n {
		p := g.RandomPoint(rng)
		out = append(out, geo.PointAtBearingAndDistance(p, rng.Float64()*360, rng.Float64()*maxM))
	}
	return out
}

// comparePairs checks that b has a's pairs with the same minutes (within
// tol), except those within tol of the limit, which either may miss; up to
// a share maxBad of the pairs may differ.
func comparePairs(t *testing.T, what string, a, b []roads.Pair, limits []float64, tol, maxBad float64) {
	t.Helper()
	key := func(p roads.Pair) [2]int32 { return [2]int32{p.From, p.To} }
	bm := map[[2]int32]roads.Pair{}
	for _, p := range b {
		bm[key(p)] = p
	}
	am := map[[2]int32]bool{}
	bad := 0
	for _, p := range a {
		am[key(p)] = true
		q, ok := bm[key(p)]
		switch {
		case !ok && p.Minutes < limits[p.From]-tol:
			bad++
			if bad < 5 && maxBad == 0 {
				t.Errorf("%s: pair %+v missing", what, p)
			}
		case ok && math.Abs(q.Minutes-p.Minutes) > tol:
			bad++
			if bad < 5 && maxBad == 0 {
				t.Errorf("%s: pair %+v vs %+v", what, p, q)
			}
		}
	}
	for _, q := range b {
		if !am[key(q)] && q.Minutes < limits[q.From]-tol {
			bad++
			if bad < 5 && maxBad == 0 {
				t.Errorf("%s: extra pair %+v", what, q)
			}
		}
	}
	if float64(bad) > maxBad*float64(len(a)) {
		t.Errorf("%s: %d of %d pairs differ", what, bad, len(a))
	} else if bad > 0 {
		t.Logf("%s: %d of %d pairs differ by more than %v min", what, bad, len(a), tol)
	}
}

func TestAndorra(t *testing.T) {
	path := andorraPath(t)
	ctx := context.Background()
	start := time.Now()
	n, err := roads.ReadOSM(ctx, path, roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	read := time.Since(start)
	st := n.Stats
	// About 1,180 drivable ways and 415 km without tracks (../shared/osm/README.md).
	noTracks := st.Km - st.KmByClass["track"]
	if st.Drivable < 1000 || noTracks < 380 || noTracks > 450 || st.Edges < 2000 {
		t.Errorf("Andorra: %d drivable ways, %.0f km without tracks: %s", st.Drivable, noTracks, st.Summary())
	}
	pool := pgtest.Pool(t)
	start = time.Now()
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	stored := time.Since(start)
	start = time.Now()
	g := load(t, pool)
	loaded := time.Since(start)
	t.Logf("Andorra: %d ways read, %d drivable; %s; read %v, stored %v, loaded %v", st.Ways, st.Drivable, st.Summary(), read, stored, loaded)
	if g.Edges() != len(n.Edges) {
		t.Errorf("loaded %d edges, stored %d", g.Edges(), len(n.Edges))
	}

	// In-process searches agree with pgRouting, and forward with reverse.
	rng := rand.New(rand.NewPCG(1, 2))
	from := randomNear(g, rng, 150, 300)
	to := randomNear(g, rng, 40, 300)
	limits := make([]float64, len(from))
	for i := range limits {
		limits[i] = 20 + float64(i%5)*10
	}
	rev, err := g.Pairs(ctx, from, to, limits, roads.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var fwd []roads.Pair
	for j := range to {
		ps, err := g.Pairs(ctx, from, to[j:j+1], limits, roads.PairOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			p.To = int32(j)
			fwd = append(fwd, p)
		}
	}
	if len(rev) < 300 {
		t.Fatalf("only %d pairs", len(rev))
	}
	comparePairs(t, "reverse vs forward", rev, fwd, limits, 1e-9, 0)
	pg, err := roads.PairsPgRouting(ctx, pool, g, from, to, limits, roads.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	comparePairs(t, "in process vs pgRouting", rev, pg, limits, 1e-6, 0)
	// Snapped by PostGIS, points sit at slightly different fractions of
	// their edges (degrees rather than metres: a few hundredths of a
	// minute), and a point nearly as close to two roads may take the other.
	pg, err = roads.PairsPgRouting(ctx, pool, nil, from, to, limits, roads.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	comparePairs(t, "in process vs pgRouting snapped by PostGIS", rev, pg, limits, 0.5, 0.01)
}

func TestServiceAreas(t *testing.T) {
	pool, pts := square(t)
	g := load(t, pool)
	ctx := context.Background()
	// The facility sits 200 m west of the road 200 m north of A: 0.8 min
	// off road at 15 km/h.
	f := at(at(pts["A"], 0, 0.2), 270, 0.2)
	far := at(pts["C"], 45, 20)
	sites := []roads.Site{{ID: "F1", Name: "At A", Type: "cold_room", At: f}, {ID: "F2", Name: "Far away", Type: "precooling", At: far}}
	feats, unreached, err := g.ServiceAreas(ctx, pool, sites, roads.AreaOptions{Minutes: []float64{20, 10}, BufferMetres: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(unreached) != 1 || unreached[0].ID != "F2" || math.Abs(unreached[0].NearestMetres-20000) > 200 {
		t.Errorf("unreached %+v, want F2 about 20 km from the nearest road", unreached)
	}
	var fs []struct {
		ID         string          `json:"id"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties struct {
			FacilityID string  `json:"facility_id"`
			Minutes    float64 `json:"minutes"`
			AreaKm2    float64 `json:"area_km2"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(feats, &fs); err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Properties.Minutes != 20 || fs[1].Properties.Minutes != 10 || fs[0].ID != "F1/20" || fs[0].Properties.AreaKm2 <= fs[1].Properties.AreaKm2 {
		t.Fatalf("features %+v", fs)
	}
	// F1's road point S is 0.2 km north of A on D-A. To reach it one drives
	// the square anticlockwise: from D 5.6 min, from C 11.6, from B 17.6;
	// the oneway A->B leads away. Within 10 min (9.2 by road): D-A, and C-D
	// up to 1.8 km from D. Within 20 (19.2): also B-C and the last 0.8 km
	// of A->B.
	mid := func(a, b string, frac float64) orb.Point {
		return orb.Point{pts[a][0] + frac*(pts[b][0]-pts[a][0]), pts[a][1] + frac*(pts[b][1]-pts[a][1])}
	}
	for _, tc := range []struct {
		name       string
		p          orb.Point
		in10, in20 bool
	}{
		{"F1", f, true, true},
		{"D-A middle", mid("D", "A", 0.5), true, true},
		{"C-D 1.2 km from D", mid("D", "C", 0.4), true, true},
		{"C-D 2.1 km from D", mid("D", "C", 0.7), false, true},
		{"B-C middle", mid("B", "C", 0.5), false, true},
		{"A->B middle: the oneway leads away", mid("A", "B", 0.5), false, false},
		{"A->B near B", mid("A", "B", 0.95), false, true},
		{"centre of the square", mid("A", "C", 0.5), false, false},
	} {
		var in10, in20, valid, nested bool
		err := pool.QueryRow(ctx, `
			WITH a AS (SELECT ST_GeomFromGeoJSON($1) AS g10, ST_GeomFromGeoJSON($2) AS g20), p AS (SELECT ST_SetSRID(ST_MakePoint($3, $4), 4326) AS p)
			SELECT ST_Covers(g10, p), ST_Covers(g20, p), ST_IsValid(g10) AND ST_IsValid(g20), ST_Covers(g20, g10) FROM a, p`,
			string(fs[1].Geometry), string(fs[0].Geometry), tc.p[0], tc.p[1]).Scan(&in10, &in20, &valid, &nested)
		if err != nil {
			t.Fatal(err)
		}
		if in10 != tc.in10 || in20 != tc.in20 {
			t.Errorf("%s: in 10-min area %v, in 20-min area %v; want %v, %v", tc.name, in10, in20, tc.in10, tc.in20)
		}
		if !valid || !nested {
			t.Fatalf("areas valid %v, nested %v", valid, nested)
		}
	}
}

func TestStoredServiceAreasAndReport(t *testing.T) {
	pool, pts := square(t)
	ctx := context.Background()
	exec := pgtest.Execer(t, pool)
	pAt := func(p orb.Point) (float64, float64) { return p[0], p[1] }
	x, y := pAt(at(pts["A"], 270, 0.2))
	exec(`INSERT INTO facility (id, name, facility_type, tier, capacity_chilled_t, geom) VALUES ('F1', 'At A', 'cold_room', 'township', 50, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, x, y)
	x, y = pAt(at(pts["C"], 45, 5))
	exec(`INSERT INTO producer (id, name, operator_type, product_class, annual_output_t, geom) VALUES ('P-far', 'Up the hill', 'family_farm', 'tea', 5, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, x, y)
	x, y = pAt(at(pts["B"], 0, 1))
	exec(`INSERT INTO producer (id, name, operator_type, product_class, annual_output_t, geom) VALUES ('P-near', 'By the road', 'family_farm', 'tea', 5, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, x, y)
	g := load(t, pool)

	rep, err := g.Report(ctx, pool, 1000)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Layers[0]
	if p.Layer != "producers" || p.Total != 2 || p.Snapped != 1 || p.Beyond != 1 || p.Unreachable[0].ID != "P-far" ||
		math.Abs(p.Unreachable[0].NearestMetres-5000) > 50 || p.MedianMetres > 1 {
		t.Errorf("producers %+v", p)
	}
	if f := rep.Layers[1]; f.Layer != "facilities" || f.Snapped != 1 || math.Abs(f.MedianMetres-200) > 2 {
		t.Errorf("facilities %+v", f)
	}

	done, err := g.RefreshServiceAreas(ctx, pool, roads.PairOptions{})
	if err != nil || !done {
		t.Fatalf("refresh: %v %v", done, err)
	}
	if done, _ := g.RefreshServiceAreas(ctx, pool, roads.PairOptions{}); done {
		t.Error("refreshed again with nothing changed")
	}
	feats, err := roads.StoredServiceAreas(ctx, pool, nil, "", []float64{30, 60})
	if err != nil {
		t.Fatal(err)
	}
	var fs []map[string]any
	if err := json.Unmarshal(feats, &fs); err != nil || len(fs) != 2 {
		t.Fatalf("stored: %d features %v", len(fs), err)
	}
	// A new facility makes the stored areas stale.
	exec(`INSERT INTO facility (id, facility_type, tier, capacity_chilled_t, geom) VALUES ('F2', 'precooling', 'field', 20, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, pts["C"][0], pts["C"][1])
	if done, err := g.RefreshServiceAreas(ctx, pool, roads.PairOptions{}); !done || err != nil {
		t.Errorf("after a new facility: refreshed %v, %v", done, err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM road_service_area WHERE ST_IsValid(geom)`).Scan(&n); err != nil || n != 6 {
		t.Errorf("%d valid stored areas, want 2 facilities x 3 thresholds (%v)", n, err)
	}
}

func TestRoadsLayer(t *testing.T) {
	pool, _ := square(t)
	ctx := context.Background()
	st := &layer.Store{Pool: pool}
	l, err := layer.ByName("roads")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := ingest.Export(ctx, st, l, &buf, ingest.GeoJSON)
	if err != nil || n != 4 {
		t.Fatalf("export: %d, %v", n, err)
	}
	// The export reads back as the same network.
	again, err := roads.ReadGeoJSON(&buf, "export.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Edges) != 4 || !again.Edges[0].Oneway || math.Abs(again.Stats.Km-12) > 0.01 {
		t.Errorf("re-read export: %s, first edge %+v", again.Stats.Summary(), again.Edges[0])
	}
	buf.Reset()
	if _, err := ingest.Export(ctx, st, l, &buf, ingest.CSV); err != nil || !strings.HasPrefix(buf.String(), "id,way,name,ref,highway,oneway") {
		t.Errorf("csv export: %v %.200s", err, buf.String())
	}
	f, err := st.Get(ctx, l, "1")
	if err != nil || !strings.Contains(string(f), `"highway": "tertiary"`) && !strings.Contains(string(f), `"highway":"tertiary"`) {
		t.Errorf("get road 1: %s %v", f, err)
	}
	// Another import replaces the network and changes its version.
	v1, _ := roads.Version(ctx, pool)
	one := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"track"},"geometry":{"type":"LineString","coordinates":[[114,26.5],[114.01,26.5]]}}]}`
	nw, err := roads.ReadGeoJSON(strings.NewReader(one), "one.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := roads.Store(ctx, pool, nw, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	v2, _ := roads.Version(ctx, pool)
	info, err := roads.Describe(ctx, pool)
	if err != nil || info.Edges != 1 || v2 == v1 || info.Source != "one.geojson" || info.Speeds["track"] != 10 {
		t.Errorf("after a second import: %+v (versions %d, %d) %v", info, v1, v2, err)
	}
}
