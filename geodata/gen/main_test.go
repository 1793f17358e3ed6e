package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// The checks read the generated GeoJSON back, as a consumer would, and use
// exact integer geometry on the micro-degree coordinates.

type gjFeature struct {
	Type     string          `json:"type"`
	ID       json.RawMessage `json:"id"`
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties map[string]any `json:"properties"`

	id    string
	point ipt
	line  []ipt
	rings [][]ipt // polygons: exterior rings, open (closing vertex checked and dropped)
}

type layers map[string][]*gjFeature

// Other seeds can be checked with: go test ./geodata/gen -args -gen.seed=7
var genSeed = flag.Uint64("gen.seed", 1, "seed whose output the layer checks inspect")

var (
	once      sync.Once
	genFiles  []file
	genLayers layers
	genErr    error
)

// seed1 generates seed 1 (or -gen.seed) once per test binary and parses every layer.
func seed1(t *testing.T) ([]file, layers) {
	t.Helper()
	once.Do(func() {
		w, err := generate(*genSeed)
		if err != nil {
			genErr = err
			return
		}
		genFiles, genErr = w.files()
		if genErr != nil {
			return
		}
		genLayers = layers{}
		for _, f := range genFiles {
			// orb's decoder must read every file as well.
			if _, err := geojson.UnmarshalFeatureCollection(f.data); err != nil {
				genErr = fmt.Errorf("%s: orb/geojson: %w", f.name, err)
				return
			}
			fs, err := parseLayer(f.data)
			if err != nil {
				genErr = fmt.Errorf("%s: %w", f.name, err)
				return
			}
			genLayers[strings.TrimSuffix(f.name, ".geojson")] = fs
		}
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genFiles, genLayers
}

func generateFiles(seed uint64) ([]file, error) {
	w, err := generate(seed)
	if err != nil {
		return nil, err
	}
	return w.files()
}

func parseLayer(b []byte) ([]*gjFeature, error) {
	var fc struct {
		Type     string       `json:"type"`
		Features []*gjFeature `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, err
	}
	if fc.Type != "FeatureCollection" {
		return nil, fmt.Errorf("type %q", fc.Type)
	}
	for i, f := range fc.Features {
		if f.Type != "Feature" {
			return nil, fmt.Errorf("feature %d: type %q", i, f.Type)
		}
		if err := json.Unmarshal(f.ID, &f.id); err != nil {
			return nil, fmt.Errorf("feature %d: id is not a string: %s", i, f.ID)
		}
		if err := f.parseGeometry(); err != nil {
			return nil, fmt.Errorf("feature %s: %w", f.id, err)
		}
	}
	return fc.Features, nil
}

func toI(c []float64) (ipt, error) {
	if len(c) != 2 {
		return ipt{}, fmt.Errorf("position has %d numbers", len(c))
	}
	q := ipt{int64(math.Round(c[0] * 1e6)), int64(math.Round(c[1] * 1e6))}
	if math.Abs(float64(q.X)/1e6-c[0]) > 1e-9 || math.Abs(float64(q.Y)/1e6-c[1]) > 1e-9 {
		return q, fmt.Errorf("position %v has more than 6 decimals", c)
	}
	return q, nil
}

func toRing(cs [][]float64) ([]ipt, error) {
	var r []ipt
	for _, c := range cs {
		q, err := toI(c)
		if err != nil {
			return nil, err
		}
		r = append(r, q)
	}
	if len(r) < 4 || r[0] != r[len(r)-1] {
		return nil, fmt.Errorf("ring not closed or too short (%d positions)", len(r))
	}
	return r[:len(r)-1], nil
}

func (f *gjFeature) parseGeometry() error {
	raw := f.Geometry.Coordinates
	switch f.Geometry.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(raw, &c); err != nil {
			return err
		}
		q, err := toI(c)
		f.point = q
		return err
	case "LineString":
		var cs [][]float64
		if err := json.Unmarshal(raw, &cs); err != nil {
			return err
		}
		for _, c := range cs {
			q, err := toI(c)
			if err != nil {
				return err
			}
			f.line = append(f.line, q)
		}
		if len(f.line) < 2 {
			return fmt.Errorf("line has %d positions", len(f.line))
		}
		return nil
	case "Polygon", "MultiPolygon":
		var polys [][][][]float64
		if f.Geometry.Type == "Polygon" {
			var p [][][]float64
			if err := json.Unmarshal(raw, &p); err != nil {
				return err
			}
			polys = [][][][]float64{p}
		} else if err := json.Unmarshal(raw, &polys); err != nil {
			return err
		}
		for _, p := range polys {
			if len(p) != 1 {
				return fmt.Errorf("polygon with %d rings (holes are not expected here)", len(p))
			}
			r, err := toRing(p[0])
			if err != nil {
				return err
			}
			f.rings = append(f.rings, r)
		}
		return nil
	}
	return fmt.Errorf("unexpected geometry %q", f.Geometry.Type)
}

func (f *gjFeature) str(k string) string { s, _ := f.Properties[k].(string); return s }
func (f *gjFeature) num(k string) float64 {
	v, _ := f.Properties[k].(float64)
	return v
}
func (f *gjFeature) strs(k string) []string {
	var out []string
	xs, _ := f.Properties[k].([]any)
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func byLevel(fs []*gjFeature, level string) []*gjFeature {
	var out []*gjFeature
	for _, f := range fs {
		if f.str("level") == level {
			out = append(out, f)
		}
	}
	return out
}

func areaKM2(rings [][]ipt) float64 {
	a := 0.0
	for _, r := range rings {
		a += geo.Area(lonLatPolygon(r)) / 1e6
	}
	return a
}

func TestDeterministic(t *testing.T) {
	a, _ := seed1(t)
	// Generate the same seed again and the next seed, concurrently.
	var b, c []file
	var errB, errC error
	var wg sync.WaitGroup
	wg.Go(func() { b, errB = generateFiles(*genSeed) })
	wg.Go(func() { c, errC = generateFiles(*genSeed + 1) })
	wg.Wait()
	if errB != nil || errC != nil {
		t.Fatal(errB, errC)
	}
	for i := range a {
		if !bytes.Equal(a[i].data, b[i].data) {
			t.Errorf("%s differs between two runs with the same seed", a[i].name)
		}
	}
	if bytes.Equal(a[1].data, c[1].data) {
		t.Error("two seeds give the same producers")
	}
}

// TestCommittedFiles checks that the committed geodata/*.geojson are the
// output of seed 1. Floating-point contraction (FMA) on other architectures
// may move a few decisions, so the byte comparison runs on amd64 only.
func TestCommittedFiles(t *testing.T) {
	fs, _ := seed1(t)
	if *genSeed != 1 {
		t.Skip("the committed files are seed 1")
	}
	if runtime.GOARCH != "amd64" {
		t.Skipf("byte-exact output is only pinned on amd64, not %s", runtime.GOARCH)
	}
	for _, f := range fs {
		got, err := os.ReadFile(filepath.Join("..", f.name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("geodata/%s is stale: run go run ./geodata/gen", f.name)
		}
	}
}

func TestIDs(t *testing.T) {
	_, ls := seed1(t)
	for name, fs := range ls {
		seen := map[string]bool{}
		for _, f := range fs {
			if f.id == "" || seen[f.id] {
				t.Errorf("%s: empty or duplicate id %q", name, f.id)
			}
			seen[f.id] = true
			want := f.str("id")
			if name == "regions" {
				want = f.str("code")
				if _, ok := f.Properties["id"]; ok {
					t.Errorf("regions %s: has properties.id; its id is the code", f.id)
				}
			}
			if f.id != want {
				t.Errorf("%s: feature id %q, property %q", name, f.id, want)
			}
		}
	}
}

func TestRegions(t *testing.T) {
	_, ls := seed1(t)
	regions := ls["regions"]
	counties := byLevel(regions, "county")
	towns := byLevel(regions, "township")
	villages := byLevel(regions, "village")
	if len(counties) != 1 || len(towns) < 8 || len(towns) > 12 || len(villages) < 130 || len(villages) > 170 {
		t.Fatalf("counts: %d counties, %d townships, %d villages", len(counties), len(towns), len(villages))
	}
	c := counties[0]
	if a := areaKM2(c.rings); a < 900 || a > 1020 {
		t.Errorf("county area %.1f km², want 900–1020", a)
	}
	if c.id != countyCode || c.Properties["parent_code"] != nil || c.str("key_county") != "national" {
		t.Errorf("county properties: %v", c.Properties)
	}
	bb := c.bound()
	if bb.Min[0] < 113.9 || bb.Max[0] > 114.5 || bb.Min[1] < 26.4 || bb.Max[1] > 26.9 {
		t.Errorf("county bound %v outside the intended area", bb)
	}
	popSum := 0.0
	townCodes := map[string]bool{}
	for i, tw := range towns {
		if want := fmt.Sprintf("%s%d", countyCode, 101+i); tw.id != want || tw.str("parent_code") != countyCode {
			t.Errorf("township %d: code %s parent %s", i, tw.id, tw.str("parent_code"))
		}
		if tw.str("key_county") != "none" {
			t.Errorf("township %s: key_county %q", tw.id, tw.str("key_county"))
		}
		townCodes[tw.id] = true
		popSum += tw.num("population")
	}
	if popSum != c.num("population") || popSum < 250000 || popSum > 350000 {
		t.Errorf("township populations sum to %.0f, county %.0f", popSum, c.num("population"))
	}
	checkVillages(t, towns, villages, townCodes)
}

// checkVillages checks the villages' codes, populations and poverty-exit
// share (more remote than the others), and each township's settlements.
func checkVillages(t *testing.T, towns, villages []*gjFeature, townCodes map[string]bool) {
	t.Helper()
	settle := map[string]map[string]int{}
	pov := 0
	var povD, otherD []float64
	seat := ipt{}
	for _, v := range villages {
		if v.str("settlement") == "county_seat" {
			seat = v.point
		}
	}
	for _, v := range villages {
		pc := v.str("parent_code")
		if !townCodes[pc] || len(v.id) != 12 || !strings.HasPrefix(v.id, pc) {
			t.Errorf("village %s: parent %s", v.id, pc)
		}
		if p := v.num("population"); p < 300 || p > 3000 || p != math.Trunc(p) {
			t.Errorf("village %s: population %v", v.id, p)
		}
		if settle[pc] == nil {
			settle[pc] = map[string]int{}
		}
		settle[pc][v.str("settlement")]++
		b, ok := v.Properties["poverty_exit"].(bool)
		if !ok {
			t.Errorf("village %s: poverty_exit not a bool", v.id)
		}
		d := geo.Distance(v.point.lonLat(), seat.lonLat())
		if b {
			pov++
			povD = append(povD, d)
		} else {
			otherD = append(otherD, d)
		}
	}
	if share := float64(pov) / float64(len(villages)); share < 0.25 || share > 0.35 {
		t.Errorf("poverty-exit share %.2f, want ~0.30", share)
	}
	if median(povD) <= median(otherD) {
		t.Error("poverty-exit villages are not more remote than the others")
	}
	seats, central := 0, 0
	for _, tw := range towns {
		s := settle[tw.id]
		if s["town"] != 1 {
			t.Errorf("township %s has %d towns", tw.id, s["town"])
		}
		seats += s["county_seat"]
		central += s["central_village"]
		if s["central_village"] < 1 || s["central_village"] > 3 {
			t.Errorf("township %s has %d central villages", tw.id, s["central_village"])
		}
	}
	if seats != 1 {
		t.Errorf("%d county seats", seats)
	}
}

func (f *gjFeature) bound() orb.Bound {
	b := orb.Bound{Min: orb.Point{180, 90}, Max: orb.Point{-180, -90}}
	for _, r := range f.rings {
		for _, q := range r {
			b = b.Extend(q.lonLat())
		}
	}
	return b
}

// TestPolygonsValid: every polygon in every layer has closed (checked while
// parsing), simple, counter-clockwise exterior rings.
func TestPolygonsValid(t *testing.T) {
	_, ls := seed1(t)
	for name, fs := range ls {
		for _, f := range fs {
			for _, r := range f.rings {
				if err := validRing(r); err != nil {
					t.Errorf("%s %s: %v", name, f.id, err)
				}
				if ringArea2(r) <= 0 {
					t.Errorf("%s %s: exterior ring is not counter-clockwise", name, f.id)
				}
			}
		}
	}
}

// TestTownshipsTileCounty checks the partition three ways: exact edge
// matching (every township edge is either used in reverse by exactly one
// other township or is an edge of the county ring, and every county edge is
// used once; with simple counter-clockwise rings this means the townships
// tile the county exactly), no two partition edges cross, the areas add up,
// and random points fall in exactly one township.
func TestTownshipsTileCounty(t *testing.T) {
	_, ls := seed1(t)
	county := byLevel(ls["regions"], "county")[0].rings[0]
	towns := byLevel(ls["regions"], "township")
	type edge [2]ipt
	countyEdges := map[edge]int{}
	for k := range county {
		countyEdges[edge{county[k], county[(k+1)%len(county)]}] = 0
	}
	owner := map[edge]int{}
	for i, tw := range towns {
		if len(tw.rings) != 1 {
			t.Fatalf("township %s has %d polygons", tw.id, len(tw.rings))
		}
		r := tw.rings[0]
		for k := range r {
			e := edge{r[k], r[(k+1)%len(r)]}
			if _, dup := owner[e]; dup {
				t.Fatalf("edge %v used twice in the same direction", e)
			}
			owner[e] = i
		}
	}
	var undirected []edge
	for _, tw := range towns {
		r := tw.rings[0]
		for k := range r {
			a, b := r[k], r[(k+1)%len(r)]
			if _, ok := owner[edge{b, a}]; ok {
				if a.X < b.X || (a.X == b.X && a.Y < b.Y) {
					undirected = append(undirected, edge{a, b})
				}
				continue
			}
			n, ok := countyEdges[edge{a, b}]
			if !ok {
				t.Fatalf("township %s edge %v is neither shared nor on the county boundary", tw.id, edge{a, b})
			}
			countyEdges[edge{a, b}] = n + 1
			undirected = append(undirected, edge{a, b})
		}
	}
	for e, n := range countyEdges {
		if n != 1 {
			t.Fatalf("county edge %v used by %d townships", e, n)
		}
	}
	// No two distinct partition edges may touch except at shared end points.
	for i := range undirected {
		for j := i + 1; j < len(undirected); j++ {
			a, b := undirected[i], undirected[j]
			if max(a[0].X, a[1].X) < min(b[0].X, b[1].X) || max(b[0].X, b[1].X) < min(a[0].X, a[1].X) ||
				max(a[0].Y, a[1].Y) < min(b[0].Y, b[1].Y) || max(b[0].Y, b[1].Y) < min(a[0].Y, a[1].Y) {
				continue
			}
			if segmentsIntersect(a[0], a[1], b[0], b[1]) && !touchAtEnd(a, b) {
				t.Fatalf("partition edges %v and %v cross", a, b)
			}
		}
	}
	checkTownshipAreas(t, county, towns)
}

// checkTownshipAreas checks that the township areas add up to the county's
// and that random points fall in exactly one township (none outside the
// county).
func checkTownshipAreas(t *testing.T, county []ipt, towns []*gjFeature) {
	t.Helper()
	ca := areaKM2([][]ipt{county})
	sum := 0.0
	for _, tw := range towns {
		sum += areaKM2(tw.rings)
	}
	if math.Abs(sum-ca)/ca > 0.001 {
		t.Errorf("township areas sum to %.3f km², county %.3f km²", sum, ca)
	}
	r := rand.New(rand.NewPCG(7, 7))
	cr := lonLatPolygon(county)[0]
	var trs []orb.Ring
	var tbs []orb.Bound
	for _, tw := range towns {
		trs = append(trs, lonLatPolygon(tw.rings[0])[0])
		tbs = append(tbs, trs[len(trs)-1].Bound())
	}
	b := cr.Bound()
	inside := 0
	for range 20000 {
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		n := 0
		for i := range trs {
			if tbs[i].Contains(p) && planar.RingContains(trs[i], p) {
				n++
			}
		}
		in := planar.RingContains(cr, p)
		if in {
			inside++
		}
		if (in && n != 1) || (!in && n != 0) {
			t.Fatalf("point %v: in county %v, in %d townships", p, in, n)
		}
	}
	if inside < 10000 {
		t.Errorf("only %d sample points inside the county", inside)
	}
}

func strictlyInside(q ipt, ring []ipt) bool {
	for i := range ring {
		if orient(ring[i], ring[(i+1)%len(ring)], q) == 0 && onSegment(ring[i], ring[(i+1)%len(ring)], q) {
			return false
		}
	}
	return pointInRingI(q, ring)
}

func TestEverythingInsideCounty(t *testing.T) {
	_, ls := seed1(t)
	county := byLevel(ls["regions"], "county")[0].rings[0]
	for _, name := range []string{"producers", "facilities", "candidates"} {
		for _, f := range ls[name] {
			if f.rings != nil {
				for _, r := range f.rings {
					if !ringWithin(r, county) {
						t.Errorf("%s %s: polygon not inside the county", name, f.id)
					}
				}
				continue
			}
			if !strictlyInside(f.point, county) {
				t.Errorf("%s %s: %v outside the county", name, f.id, f.point)
			}
		}
	}
	for _, v := range byLevel(ls["regions"], "village") {
		if !strictlyInside(v.point, county) {
			t.Errorf("village %s outside the county", v.id)
		}
	}
	for _, z := range ls["exclusions"] {
		if !ringWithin(z.rings[0], county) {
			t.Errorf("exclusion %s not inside the county", z.id)
		}
	}
	for _, r := range ls["roads"] {
		for _, q := range r.line {
			if !pointInRingI(q, county) {
				t.Errorf("road %s leaves the county at %v", r.id, q)
				break
			}
		}
	}
}

func TestExclusions(t *testing.T) {
	_, ls := seed1(t)
	kinds := map[string]int{}
	for _, z := range ls["exclusions"] {
		kinds[z.str("kind")]++
		tiers := z.strs("applies_to_tiers")
		switch z.str("kind") {
		case "basic_farmland":
			if slices.Contains(tiers, "field") || len(tiers) != 4 {
				t.Errorf("%s: farmland tiers %v", z.id, tiers)
			}
		case "ecological_redline", "water_source", "flood":
			if len(tiers) != 5 {
				t.Errorf("%s: tiers %v", z.id, tiers)
			}
		default:
			t.Errorf("%s: kind %q", z.id, z.str("kind"))
		}
	}
	if kinds["ecological_redline"] != 1 || kinds["water_source"] != 1 || kinds["flood"] != 1 ||
		kinds["basic_farmland"] < 5 || kinds["basic_farmland"] > 10 {
		t.Errorf("zone counts %v", kinds)
	}
}

func TestCandidates(t *testing.T) {
	_, ls := seed1(t)
	cands := ls["candidates"]
	if n := len(cands); n < 30 || n > 40 {
		t.Errorf("%d candidates, want 30–40", n)
	}
	for _, c := range cands {
		for _, z := range ls["exclusions"] {
			in := pointInRingI(c.point, z.rings[0])
			switch z.str("kind") {
			case "ecological_redline", "water_source", "flood":
				if in {
					t.Errorf("candidate %s inside %s %s", c.id, z.str("kind"), z.id)
				}
			case "basic_farmland":
				if in && (c.str("land_use") != "farmland" || !slices.Equal(c.strs("allowed_tiers"), []string{"field"})) {
					t.Errorf("candidate %s in basic farmland but allows %v on %s land", c.id, c.strs("allowed_tiers"), c.str("land_use"))
				}
			}
		}
		if cost := c.num("build_cost"); cost < 30 || cost > 8000 {
			t.Errorf("candidate %s: build_cost %v", c.id, cost)
		}
		if c.str("source") != "user" || len(c.strs("allowed_types")) == 0 || len(c.strs("allowed_tiers")) == 0 {
			t.Errorf("candidate %s: %v", c.id, c.Properties)
		}
		switch c.str("land_use") {
		case "farmland", "construction", "other":
		default:
			t.Errorf("candidate %s: land_use %q", c.id, c.str("land_use"))
		}
	}
}

func TestProducers(t *testing.T) {
	_, ls := seed1(t)
	ps := ls["producers"]
	if len(ps) < 1800 || len(ps) > 2200 {
		t.Errorf("%d producers", len(ps))
	}
	count := map[string]int{}
	for _, p := range ps {
		class := p.str("product_class")
		if _, ok := classZones[class]; !ok {
			t.Errorf("%s: class %q", p.id, class)
		}
		if !slices.Contains(operators, p.str("operator_type")) {
			t.Errorf("%s: operator %q", p.id, p.str("operator_type"))
		}
		count[class]++
		if o := p.num("annual_output_t"); o <= 0 || o > 10000 {
			t.Errorf("%s: output %v", p.id, o)
		}
		ms, _ := p.Properties["harvest_months"].([]any)
		if len(ms) != 12 {
			t.Fatalf("%s: %d months", p.id, len(ms))
		}
		sum := 0.0
		for _, m := range ms {
			v, _ := m.(float64)
			if v < 0 || math.Abs(math.Round(v*1000)-v*1000) > 1e-6 {
				t.Errorf("%s: share %v", p.id, v)
			}
			sum += v
		}
		if math.Abs(sum-1) > 0.001 {
			t.Errorf("%s: shares sum to %v", p.id, sum)
		}
	}
	share := func(cs ...string) float64 {
		n := 0
		for _, c := range cs {
			n += count[c]
		}
		return float64(n) / float64(len(ps))
	}
	for _, tc := range []struct {
		classes []string
		lo, hi  float64
	}{
		{[]string{"leafy_vegetable", "hardy_vegetable"}, 0.40, 0.50},
		{[]string{"citrus", "fruit"}, 0.16, 0.24},
		{[]string{"tea"}, 0.08, 0.12},
		{[]string{"mushroom"}, 0.05, 0.09},
		{[]string{"meat"}, 0.06, 0.10},
		{[]string{"aquatic"}, 0.04, 0.08},
	} {
		if s := share(tc.classes...); s < tc.lo || s > tc.hi {
			t.Errorf("%v share %.3f, want %.2f–%.2f", tc.classes, s, tc.lo, tc.hi)
		}
	}
}

func TestFacilities(t *testing.T) {
	_, ls := seed1(t)
	fs := ls["facilities"]
	if len(fs) < 20 || len(fs) > 30 {
		t.Errorf("%d facilities", len(fs))
	}
	var seat ipt
	for _, v := range byLevel(ls["regions"], "village") {
		if v.str("settlement") == "county_seat" {
			seat = v.point
		}
	}
	under := 0
	var fd, pd []float64
	for _, f := range fs {
		switch f.str("status") {
		case "existing":
		case "under_construction":
			under++
		default:
			t.Errorf("%s: status %q", f.id, f.str("status"))
		}
		if !slices.Contains(allTiers, f.str("tier")) {
			t.Errorf("%s: tier %q", f.id, f.str("tier"))
		}
		caps, _ := f.Properties["capacity_t"].(map[string]any)
		if len(caps) == 0 {
			t.Errorf("%s: no capacity", f.id)
		}
		have := map[string]bool{}
		for z, v := range caps {
			if !slices.Contains(zones, z) {
				t.Errorf("%s: zone %q", f.id, z)
			}
			if x, _ := v.(float64); x <= 0 {
				t.Errorf("%s: capacity %v", f.id, v)
			}
			have[z] = true
		}
		for _, c := range f.strs("product_classes") {
			ok := false
			for _, z := range classZones[c] {
				ok = ok || have[z]
			}
			if !ok {
				t.Errorf("%s: accepts %s but has no %v zone", f.id, c, classZones[c])
			}
		}
		p := f.point
		if f.rings != nil {
			if a := areaKM2(f.rings); f.str("facility_type") != "processing_park" || a < 0.3 || a > 1 {
				t.Errorf("%s: polygon of %.2f km²", f.id, a)
			}
			p = f.rings[0][0]
		}
		fd = append(fd, geo.Distance(p.lonLat(), seat.lonLat()))
	}
	for _, p := range ls["producers"] {
		pd = append(pd, geo.Distance(p.point.lonLat(), seat.lonLat()))
	}
	if under < 1 || under > 2 {
		t.Errorf("%d facilities under construction", under)
	}
	if median(fd) >= median(pd) {
		t.Errorf("facilities are not concentrated near the seat: median %.0f m vs producers %.0f m", median(fd), median(pd))
	}
}

func TestRoads(t *testing.T) {
	_, ls := seed1(t)
	roads := ls["roads"]
	speeds := map[string]bool{}
	adj := map[ipt][]ipt{}
	type seg struct {
		a, b ipt
		road int
	}
	var segs []seg
	for i, r := range roads {
		switch r.str("highway") {
		case "primary", "secondary", "tertiary", "unclassified", "track":
		default:
			t.Errorf("%s: highway %q", r.id, r.str("highway"))
		}
		if r.Properties["oneway"] != false {
			t.Errorf("%s: oneway %v", r.id, r.Properties["oneway"])
		}
		if v, ok := r.Properties["maxspeed_kmh"]; !ok || (v != nil && v.(float64) <= 0) {
			t.Errorf("%s: maxspeed_kmh %v", r.id, v)
		}
		speeds[r.str("highway")] = true
		for k := 0; k+1 < len(r.line); k++ {
			a, b := r.line[k], r.line[k+1]
			if a == b {
				t.Errorf("%s: repeated vertex", r.id)
			}
			adj[a] = append(adj[a], b)
			adj[b] = append(adj[b], a)
			segs = append(segs, seg{a, b, i})
		}
	}
	for _, h := range []string{"primary", "secondary", "tertiary", "unclassified", "track"} {
		if !speeds[h] {
			t.Errorf("no %s road", h)
		}
	}
	checkReachable(t, byLevel(ls["regions"], "village"), adj)
	// Roads meet only at shared vertices: segments may touch at a common end point only.
	slices.SortFunc(segs, func(x, y seg) int { return int(min(x.a.X, x.b.X) - min(y.a.X, y.b.X)) })
	for i := range segs {
		xi := max(segs[i].a.X, segs[i].b.X)
		for j := i + 1; j < len(segs) && min(segs[j].a.X, segs[j].b.X) <= xi; j++ {
			a, b := segs[i], segs[j]
			if segmentsIntersect(a.a, a.b, b.a, b.b) && !touchAtEnd([2]ipt{a.a, a.b}, [2]ipt{b.a, b.b}) {
				t.Errorf("roads %s and %s cross without a shared vertex near %v", roads[a.road].id, roads[b.road].id, a.a.lonLat())
			}
		}
	}
}

// checkReachable checks that the roads (adjacency adj) reach the county
// seat from most villages, and form one network.
func checkReachable(t *testing.T, villages []*gjFeature, adj map[ipt][]ipt) {
	t.Helper()
	var seat ipt
	for _, v := range villages {
		if v.str("settlement") == "county_seat" {
			seat = v.point
		}
	}
	if adj[seat] == nil {
		t.Fatal("no road at the county seat")
	}
	seen := map[ipt]bool{seat: true}
	queue := []ipt{seat}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		for _, n := range adj[q] {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	withRoad := 0
	for _, v := range villages {
		if adj[v.point] == nil {
			continue
		}
		withRoad++
		if !seen[v.point] {
			t.Errorf("village %s has a road but is not reachable from the county seat", v.id)
		}
	}
	if withRoad < len(villages)*9/10 {
		t.Errorf("only %d of %d villages have a road", withRoad, len(villages))
	}
	for q := range adj {
		if !seen[q] {
			t.Errorf("road vertex %v not connected to the network", q)
			break
		}
	}
}
