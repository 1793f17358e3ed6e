package roads_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// andorraPath returns the shared Andorra extract; without it the test
// fails in CI and is skipped elsewhere.
func andorraPath(t testing.TB) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "osm", "andorra.osm.pbf")
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the OpenStreetMap extract is missing: %v", err)
		}
		t.Skipf("the OpenStreetMap extract is missing: %v", err)
	}
	return p
}

// edgeKey names an edge by its end positions and direction.
func edgeKey(e roads.Edge) string {
	a, b := e.Geom[0], e.Geom[len(e.Geom)-1]
	dir := "<->"
	if e.Oneway {
		dir = "->"
	}
	return fmt.Sprintf("%.2f,%.2f%s%.2f,%.2f", a[0]-114, a[1]-26.5, dir, b[0]-114, b[1]-26.5)
}

func TestReadOSMXML(t *testing.T) {
	n, err := roads.ReadOSM(context.Background(), "testdata/small.osm", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := n.Stats
	if st.Ways != 7 || st.Drivable != 5 || st.NotDrivable["footway"] != 1 || st.NoAccess != 1 || st.Cut != 1 {
		t.Errorf("stats %+v", st)
	}
	if len(n.Vertices) != 8 || st.Vertices != 8 {
		t.Errorf("%d vertices, want 8 (way ends and shared nodes)", len(n.Vertices))
	}
	want := map[string]struct {
		class string
		speed float64
	}{
		"0.00,0.00->0.01,0.00":  {"motorway", 80}, // oneway implied; maxspeed 120 does not raise it
		"0.01,0.00->0.02,0.00":  {"motorway", 80},
		"0.02,0.00->0.03,0.00":  {"motorway", 80},
		"0.01,0.02->0.01,0.00":  {"residential", 20}, // oneway=-1: stored in the direction of travel
		"0.02,0.00<->0.02,0.02": {"track", 10},       // access=no but motor_vehicle=agricultural
		"0.00,0.02<->0.01,0.02": {"secondary", 30},   // maxspeed 30 caps the class speed 40
		"0.01,0.02<->0.02,0.02": {"secondary", 30},   // cut at the missing node 99
		"0.03,0.01->0.03,0.00":  {"unclassified", 25},
		"0.03,0.00->0.03,0.01":  {"unclassified", 25}, // the roundabout, split at the motorway
	}
	var got []string
	for _, e := range n.Edges {
		k := edgeKey(e)
		got = append(got, k)
		w, ok := want[k]
		if !ok {
			continue
		}
		if e.Highway != w.class || e.Speed != w.speed {
			t.Errorf("%s: %s at %v km/h, want %s at %v", k, e.Highway, e.Speed, w.class, w.speed)
		}
		if math.Abs(e.Minutes()-e.Length/1000/e.Speed*60) > 1e-9 || e.Length < 900 || e.Length > 3500 {
			t.Errorf("%s: %.0f m, %.2f min", k, e.Length, e.Minutes())
		}
	}
	slices.Sort(got)
	if len(got) != len(want) {
		t.Errorf("edges %v, want the %d of the test's table", got, len(want))
	}
	for k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("edge %s missing (got %v)", k, got)
		}
	}
	for _, e := range n.Edges {
		if e.Highway == "residential" && (e.Name != "Back Lane" || e.Way != "way/101") {
			t.Errorf("residential edge %+v", e)
		}
		if e.Highway == "motorway" && e.Ref != "G1" {
			t.Errorf("motorway ref %q", e.Ref)
		}
	}

	// A bounding box cuts roads at the last node inside.
	b := orb.Bound{Min: orb.Point{113.99, 26.49}, Max: orb.Point{114.015, 26.515}}
	n, err = roads.ReadOSM(context.Background(), "testdata/small.osm", roads.ReadOptions{BBox: &b})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Edges) != 2 { // 1-2 of the motorway, 6-2 of the lane
		t.Errorf("bbox: %d edges, want 2", len(n.Edges))
	}
}

func TestReadOSMErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.osm.pbf")
	if err := os.WriteFile(bad, []byte("not an extract"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := roads.ReadOSM(context.Background(), bad, roads.ReadOptions{}); !errors.Is(err, derrors.ErrInvalid) {
		t.Errorf("garbage: %v, want ErrInvalid", err)
	}
	if _, err := roads.ReadOSM(context.Background(), filepath.Join(dir, "missing.osm.pbf"), roads.ReadOptions{}); err == nil {
		t.Error("missing file: no error")
	}
}

// geojsonLine is a GeoJSON LineString feature with the given properties and
// coordinates (both JSON).
func geojsonLine(props string, coords string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":{"type":"LineString","coordinates":` + coords + `}}`
}

// geojsonFC is a FeatureCollection of the given features (JSON).
func geojsonFC(fs ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
}

// readGeoJSONCase is one file for ReadGeoJSON and what it should give:
// edges (their classes, directions and speeds in order) or row errors.
type readGeoJSONCase struct {
	name    string
	in      string
	speeds  roads.Speeds
	edges   int
	classes []string // of the edges, in order
	oneway  []bool
	speed   []float64
	errs    []string // "row N: field" prefixes
}

// readGeoJSONCases are TestReadGeoJSON's files.
func readGeoJSONCases() []readGeoJSONCase {
	line, fc := geojsonLine, geojsonFC
	return []readGeoJSONCase{
		{
			name: "junction in the middle of a road splits it",
			in: fc(line(`{"highway":"primary","maxspeed_kmh":80}`, `[[114,26.5],[114.01,26.5],[114.02,26.5]]`),
				line(`{"highway":"县道"}`, `[[114.01,26.5],[114.01,26.51]]`)),
			edges: 3, classes: []string{"primary", "primary", "tertiary"}, oneway: []bool{false, false, false}, speed: []float64{50, 50, 30},
		},
		{
			name:  "oneway -1 is reversed, posted maxspeed caps",
			in:    fc(line(`{"highway":"secondary","oneway":"-1","maxspeed":"25"}`, `[[114,26.5],[114.01,26.5]]`)),
			edges: 1, classes: []string{"secondary"}, oneway: []bool{true}, speed: []float64{25},
		},
		{
			name:   "non-drivable classes are dropped, custom speeds apply",
			in:     fc(line(`{"highway":"footway"}`, `[[114,26.5],[114.01,26.5]]`), line(`{"highway":"track","oneway":true}`, `[[114,26.5],[114,26.51]]`)),
			speeds: roads.Speeds{"track": 8},
			edges:  1, classes: []string{"track"}, oneway: []bool{true}, speed: []float64{8},
		},
		{
			name: "bad rows are all reported",
			in: fc(line(`{"name":"no class"}`, `[[114,26.5],[114.01,26.5]]`),
				line(`{"highway":"primary","oneway":"sometimes"}`, `[[114,26.5],[114.01,26.5]]`),
				line(`{"highway":"primary"}`, `[[114,26.5]]`),
				`{"type":"Feature","properties":{"highway":"primary"},"geometry":{"type":"Point","coordinates":[114,26.5]}}`,
				line(`{"highway":"primary","maxspeed_kmh":-5}`, `[[114,26.5],[114.01,26.5]]`),
				line(`{"highway":"primary"}`, `[[214,26.5],[114.01,26.5]]`)),
			errs: []string{"row 1: highway", "row 2: oneway", "row 3: geometry", "row 4: geometry", "row 5: maxspeed_kmh", "row 6: geometry"},
		},
	}
}

func TestReadGeoJSON(t *testing.T) {
	for _, tc := range readGeoJSONCases() {
		t.Run(tc.name, func(t *testing.T) {
			n, err := roads.ReadGeoJSON(strings.NewReader(tc.in), "test.geojson", roads.ReadOptions{Speeds: tc.speeds})
			if tc.errs != nil {
				checkRowErrors(t, err, tc.errs)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkEdges(t, n, tc)
			if tc.name == "oneway -1 is reversed, posted maxspeed caps" && n.Edges[0].Geom[0][0] != 114.01 {
				t.Errorf("oneway=-1 not reversed: %v", n.Edges[0].Geom)
			}
		})
	}
	for _, in := range []string{``, `[]`, `{"type":"Feature"}`, `{"type":"FeatureCollection","features":{}}`, `{"features":[{"type":`} {
		if _, err := roads.ReadGeoJSON(strings.NewReader(in), "x", roads.ReadOptions{}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", in, err)
		}
	}
}

// checkRowErrors checks that err lists row errors starting with want, in
// order.
func checkRowErrors(t *testing.T, err error, want []string) {
	t.Helper()
	var rows derrors.RowErrors
	if !errors.As(err, &rows) {
		t.Fatalf("err %v, want row errors", err)
	}
	if len(rows) != len(want) {
		t.Fatalf("errors %v, want %v", rows, want)
	}
	for i, w := range want {
		if !strings.HasPrefix(rows[i].String(), w) {
			t.Errorf("error %d: %s, want %s...", i, rows[i], w)
		}
	}
}

// checkEdges checks n's edges against tc's count, classes, directions and
// speeds.
func checkEdges(t *testing.T, n *roads.Network, tc readGeoJSONCase) {
	t.Helper()
	if len(n.Edges) != tc.edges {
		t.Fatalf("%d edges, want %d", len(n.Edges), tc.edges)
	}
	for i, e := range n.Edges {
		if e.Highway != tc.classes[i] || e.Oneway != tc.oneway[i] || e.Speed != tc.speed[i] {
			t.Errorf("edge %d: %s oneway %v %v km/h, want %s %v %v", i, e.Highway, e.Oneway, e.Speed, tc.classes[i], tc.oneway[i], tc.speed[i])
		}
	}
}

func TestReadGeoJSONDatum(t *testing.T) {
	// A road drawn in GCJ-02 lands about 500 m away in WGS84.
	in := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"tertiary"},
		"geometry":{"type":"LineString","coordinates":[[114.0,26.5],[114.01,26.5]]}}]}`
	n, err := roads.ReadGeoJSON(strings.NewReader(in), "gcj.geojson", roads.ReadOptions{Datum: datum.GCJ02})
	if err != nil {
		t.Fatal(err)
	}
	x, y := datum.GCJ02.ToWGS84(114.0, 26.5)
	if p := n.Edges[0].Geom[0]; math.Abs(p[0]-x) > 1e-6 || math.Abs(p[1]-y) > 1e-6 {
		t.Errorf("start %v, want %v,%v", p, x, y)
	}
}

func TestDemoRoads(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "geodata", "roads.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := roads.ReadGeoJSON(f, "roads.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The demo network is a tree: one edge fewer than vertices.
	if len(n.Edges) < 100 || len(n.Edges) != len(n.Vertices)-1 || n.Stats.Km < 300 {
		t.Errorf("demo roads: %s", n.Stats.Summary())
	}
}

func TestSpeeds(t *testing.T) {
	s := roads.DefaultSpeeds.Clone()
	if err := s.Set(map[string]string{"track": "8", "service": "0", "county": "35"}); err != nil {
		t.Fatal(err)
	}
	if s["track"] != 8 || s.Drivable("service") || s["tertiary"] != 35 || roads.DefaultSpeeds["track"] != 10 {
		t.Errorf("speeds %v", s)
	}
	for _, bad := range []string{"fast", "-1", "500"} {
		if err := s.Set(map[string]string{"track": bad}); err == nil {
			t.Errorf("speed %q accepted", bad)
		}
	}
	if got := roads.Classes(); got[0] != "motorway" || got[len(got)-1] != "track" {
		t.Errorf("classes %v", got)
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"primary","oneway":"-1"},"geometry":{"type":"LineString","coordinates":[[114,26.5],[114.01,26.5]]}}]}`)
	f.Add(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"highway":"track"},"geometry":{"type":"MultiLineString","coordinates":[[[1,2],[1,2]],[[0,0],[1,1],[0,0]]]}}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		n, err := roads.ReadGeoJSON(strings.NewReader(in), "fuzz", roads.ReadOptions{})
		if err != nil {
			return
		}
		for _, e := range n.Edges {
			if len(e.Geom) < 2 || !(e.Length > 0) || e.Source < 1 || e.Target < 1 || int(e.Source) > len(n.Vertices) || int(e.Target) > len(n.Vertices) {
				t.Fatalf("bad edge %+v", e)
			}
		}
	})
}
