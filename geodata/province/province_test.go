package province_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/coldchain/coldchain/geodata/province"
)

func generate(t *testing.T, o province.Options) *province.Province {
	t.Helper()
	p, err := province.Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDeterministic: the same options give byte-identical layers, another
// seed gives other data.
func TestDeterministic(t *testing.T) {
	o := province.Options{Seed: 3, Counties: 5, Producers: 3000}
	a, b := generate(t, o), generate(t, o)
	o.Seed = 4
	c := generate(t, o)
	for _, name := range province.LayerNames {
		ja, _ := a.GeoJSON(name)
		jb, _ := b.GeoJSON(name)
		jc, _ := c.GeoJSON(name)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%s differs between two runs of the same seed", name)
		}
		if bytes.Equal(ja, jc) {
			t.Errorf("%s is the same for seeds 3 and 4", name)
		}
	}
}

// TestOptionsBounded: sizes out of range are refused with the range.
func TestOptionsBounded(t *testing.T) {
	for _, o := range []province.Options{{Counties: -1}, {Counties: province.MaxCounties + 1}, {Producers: -5},
		{Producers: province.MaxProducers + 1}, {Code: "3"}, {Code: "0a"}} {
		if _, err := province.Generate(o); err == nil || !strings.Contains(err.Error(), "must be") {
			t.Errorf("%+v: err %v, want a range message", o, err)
		}
	}
}

// regionIndex reads the regions layer.
type regionIndex struct {
	byCode map[string]*geojson.Feature
	levels map[string][]*geojson.Feature
}

func index(p *province.Province) regionIndex {
	ix := regionIndex{byCode: map[string]*geojson.Feature{}, levels: map[string][]*geojson.Feature{}}
	for _, f := range p.Layers["regions"] {
		ix.byCode[f.ID.(string)] = f
		lvl := f.Properties.MustString("level")
		ix.levels[lvl] = append(ix.levels[lvl], f)
	}
	return ix
}

// TestDefaultSize: the default province has 12 counties in nested levels
// with GB/T 2260-style code lengths, 25,000 producers, and some key
// counties and poverty-exit villages.
func TestDefaultSize(t *testing.T) {
	p := generate(t, province.Default())
	ix := index(p)
	want := map[string]int{"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}
	for lvl, n := range want {
		if len(ix.levels[lvl]) == 0 {
			t.Errorf("no %s", lvl)
		}
		for _, f := range ix.levels[lvl] {
			code := f.ID.(string)
			if len(code) != n {
				t.Errorf("%s %s: %d digits, want %d", lvl, code, len(code), n)
			}
			if parent, _ := f.Properties["parent_code"].(string); lvl != "province" && (!strings.HasPrefix(code, parent) || ix.byCode[parent] == nil) {
				t.Errorf("%s %s: parent %q is not a region prefixing it", lvl, code, parent)
			}
		}
	}
	if n := len(ix.levels["county"]); n != 12 {
		t.Errorf("%d counties, want 12", n)
	}
	if n := len(p.Layers["producers"]); n != 25000 {
		t.Errorf("%d producers, want 25000", n)
	}
	keys, poor := 0, 0
	for _, f := range ix.levels["county"] {
		if f.Properties.MustString("key_county") != "none" {
			keys++
		}
	}
	for _, f := range ix.levels["village"] {
		if f.Properties.MustBool("poverty_exit") {
			poor++
		}
	}
	if keys == 0 || keys == 12 || poor == 0 {
		t.Errorf("%d key counties of 12, %d poverty-exit villages", keys, poor)
	}
	for _, name := range []string{"facilities", "candidates", "exclusions"} {
		if len(p.Layers[name]) < 12 {
			t.Errorf("%d %s for 12 counties", len(p.Layers[name]), name)
		}
	}
}

func polygon(f *geojson.Feature) orb.Polygon {
	switch g := f.Geometry.(type) {
	case orb.MultiPolygon:
		return g[0]
	case orb.Polygon:
		return g
	}
	return nil
}

// TestNesting: every polygon is a simple counter-clockwise ring, children
// tile their parent (areas sum to it, random points of the parent fall in
// exactly one child) and every point feature lies in the township its code
// or id names.
func TestNesting(t *testing.T) {
	p := generate(t, province.Options{Seed: 2, Counties: 7, Producers: 4000})
	ix := index(p)
	kids := map[string][]*geojson.Feature{}
	for _, f := range p.Layers["regions"] {
		ring := polygon(f)
		if ring == nil {
			continue
		}
		checkRing(t, f.ID.(string), ring[0])
		if parent, ok := f.Properties["parent_code"].(string); ok {
			kids[parent] = append(kids[parent], f)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for code, ks := range kids {
		parent := polygon(ix.byCode[code])
		if parent == nil {
			continue // villages under a township
		}
		var sum float64
		for _, k := range ks {
			if pk := polygon(k); pk != nil {
				sum += geo.Area(pk)
			}
		}
		if pa := geo.Area(parent); ks[0].Properties.MustString("level") != "village" && (sum < pa*(1-1e-9) || sum > pa*(1+1e-9)) {
			t.Errorf("%s: children's areas sum to %.6g m², the region's is %.6g", code, sum, pa)
		}
		checkTiling(t, rng, code, parent, ks)
	}
	for _, f := range ix.levels["village"] {
		if !planar.PolygonContains(polygon(ix.byCode[f.Properties.MustString("parent_code")]), f.Geometry.(orb.Point)) {
			t.Errorf("village %s outside its township", f.ID)
		}
	}
	checkPoints(t, p, ix)
}

// checkTiling samples points in the parent's bounds: each one inside the
// parent lies in exactly one polygon child (villages, points, are skipped).
func checkTiling(t *testing.T, rng *rand.Rand, code string, parent orb.Polygon, kids []*geojson.Feature) {
	t.Helper()
	b := parent.Bound()
	for i := 0; i < 400; i++ {
		pt := orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
		in, polys := 0, 0
		for _, k := range kids {
			if pk := polygon(k); pk != nil {
				polys++
				if planar.PolygonContains(pk, pt) {
					in++
				}
			}
		}
		if polys == 0 {
			return
		}
		if want := map[bool]int{true: 1, false: 0}[planar.PolygonContains(parent, pt)]; in != want {
			t.Fatalf("%s: point %v in %d children, want %d", code, pt, in, want)
		}
	}
}

// checkPoints: producers, facilities and candidates lie in the township
// their id names; exclusion zones inside one.
func checkPoints(t *testing.T, p *province.Province, ix regionIndex) {
	t.Helper()
	var towns []*geojson.Feature
	towns = append(towns, ix.levels["township"]...)
	for _, name := range []string{"producers", "facilities", "candidates", "exclusions"} {
		for _, f := range p.Layers[name] {
			id := f.ID.(string)
			county := id[1:7]
			var pts []orb.Point
			switch g := f.Geometry.(type) {
			case orb.Point:
				pts = []orb.Point{g}
			case orb.Polygon:
				pts = g[0]
			}
			for _, pt := range pts {
				in := ""
				for _, tw := range towns {
					if planar.PolygonContains(polygon(tw), pt) {
						in = tw.ID.(string)
					}
				}
				if !strings.HasPrefix(in, county) {
					t.Fatalf("%s %s: point %v in township %q, not in county %s", name, id, pt, in, county)
				}
			}
		}
	}
}

// checkRing: closed, counter-clockwise, no two non-adjacent edges touching.
func checkRing(t *testing.T, code string, r orb.Ring) {
	t.Helper()
	if !r.Closed() || r.Orientation() != orb.CCW {
		t.Fatalf("%s: ring closed %v, orientation %v", code, r.Closed(), r.Orientation())
	}
	n := len(r) - 1
	for i := 0; i < n; i++ {
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue
			}
			if segmentsTouch(r[i], r[i+1], r[j], r[j+1]) {
				t.Fatalf("%s: edges %d and %d touch", code, i, j)
			}
		}
	}
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func onSegment(a, b, p orb.Point) bool {
	return min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
}

// segmentsTouch says whether segments ab and cd share a point.
func segmentsTouch(a, b, c, d orb.Point) bool {
	d1, d2, d3, d4 := cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
}
