package province

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// builder holds the province while it is generated.
type builder struct {
	o           Options
	rng         *rand.Rand // layout stream; each county has its own
	warp        *warper
	names       *namer
	cols, rows  int   // county grid; the top row may be shorter
	rowLen      []int // counties in each grid row
	colX, rowY  []int // fine-cell offsets of county columns and rows (len+1)
	prefectures []*prefecture
	counties    []*county
	regions     []*geojson.Feature
	producers   []*geojson.Feature
	facilities  []*geojson.Feature
	candidates  []*geojson.Feature
	exclusions  []*geojson.Feature
}

type prefecture struct {
	code, name string
	x0         int
	rows       []row
	counties   []*county
}

type county struct {
	code, name string
	rng        *rand.Rand
	box        rect
	key        string  // national | provincial | none
	dev        float64 // development 0..1: how many stores it already has
	weight     float64 // share of the province's producers (relative)
	lead       []int   // indexes into classes of its leading products
	townships  []*township
	seat       *village
}

type township struct {
	code, name string
	box        rect
	villages   []*village
	zones      []zone
	weight     float64
}

type village struct {
	code, name, settlement string
	u, v                   float64
	pop                    int
	poverty                bool
}

func newBuilder(o Options) *builder {
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	return &builder{o: o, rng: rng, warp: newWarper(rng), names: newNamer(o.Seed)}
}

// layout draws the county grid: about 4 columns for 3 rows, columns
// 9–13 fine cells wide and rows 8–12 high, the top row holding the rest.
func (g *builder) layout() {
	n := g.o.Counties
	g.cols = int(math.Ceil(math.Sqrt(float64(n) * 4 / 3)))
	g.rows = (n + g.cols - 1) / g.cols
	for r := 0; r < g.rows; r++ {
		g.rowLen = append(g.rowLen, min(g.cols, n-r*g.cols))
	}
	g.colX = []int{0}
	for c := 0; c < g.cols; c++ {
		g.colX = append(g.colX, g.colX[c]+9+g.rng.IntN(5))
	}
	g.rowY = []int{0}
	for r := 0; r < g.rows; r++ {
		g.rowY = append(g.rowY, g.rowY[r]+8+g.rng.IntN(5))
	}
}

// buildRegions lays out prefectures (blocks of the county grid, about √n
// of them), counties and townships, with their codes and polygons.
func (g *builder) buildRegions() {
	np := max(1, int(math.Round(math.Sqrt(float64(g.o.Counties)))))
	gr := min(g.rows, max(1, int(math.Ceil(math.Sqrt(float64(np*g.rows)/float64(g.cols))))))
	gc := min(g.cols, (np+gr-1)/gr)
	for br := 0; br < gr; br++ {
		r0, r1 := br*g.rows/gr, (br+1)*g.rows/gr
		for bc := 0; bc < gc; bc++ {
			c0, c1 := bc*g.cols/gc, (bc+1)*g.cols/gc
			g.addPrefecture(r0, r1, c0, c1)
		}
	}
	for _, c := range g.counties {
		g.splitCounty(c)
	}
}

// addPrefecture adds the prefecture of grid rows [r0, r1) and columns
// [c0, c1), unless no county falls there.
func (g *builder) addPrefecture(r0, r1, c0, c1 int) {
	p := &prefecture{x0: g.colX[c0]}
	for r := r0; r < r1; r++ {
		end := min(c1, g.rowLen[r])
		if end <= c0 {
			break
		}
		p.rows = append(p.rows, row{g.rowY[r], g.rowY[r+1], g.colX[end]})
		for c := c0; c < end; c++ {
			p.counties = append(p.counties, &county{box: rect{g.colX[c], g.rowY[r], g.colX[c+1], g.rowY[r+1]}})
		}
	}
	if len(p.counties) == 0 {
		return
	}
	p.code = fmt.Sprintf("%s%02d", g.o.Code, len(g.prefectures)+1)
	p.name = g.names.next() + " Prefecture (demo)"
	g.prefectures = append(g.prefectures, p)
	for i, c := range p.counties {
		c.code = fmt.Sprintf("%s%02d", p.code, 21+i)
		c.rng = rand.New(rand.NewPCG(g.o.Seed, uint64(len(g.counties)+1)))
		c.name = g.names.next() + " County (demo)"
		g.counties = append(g.counties, c)
	}
}

// splitCounty cuts a county into 2–4 columns × 2–3 rows of townships, each
// at least two fine cells wide and high, and draws its character.
func (g *builder) splitCounty(c *county) {
	rng := c.rng
	xs := cuts(rng, c.box.x0, c.box.x1, 2+rng.IntN(3))
	ys := cuts(rng, c.box.y0, c.box.y1, 2+rng.IntN(2))
	for j := 0; j+1 < len(ys); j++ {
		for i := 0; i+1 < len(xs); i++ {
			t := &township{box: rect{xs[i], ys[j], xs[i+1], ys[j+1]}, weight: 0.4 + rng.Float64()}
			n := len(c.townships) + 1
			kind := " Town (demo)"
			if n > 4 {
				kind = " Township (demo)"
			}
			t.code = fmt.Sprintf("%s%03d", c.code, 100+n)
			t.name = g.names.next() + kind
			c.townships = append(c.townships, t)
		}
	}
	switch x := rng.Float64(); {
	case x < 0.3:
		c.key = "national"
	case x < 0.45:
		c.key = "provincial"
	default:
		c.key = "none"
	}
	c.dev = 0.25 + 0.75*rng.Float64()
	if c.key == "national" {
		c.dev *= 0.5
	}
	c.weight = 0.6 + 0.8*rng.Float64()
	c.lead = []int{rng.IntN(len(classes)), rng.IntN(len(classes))}
}

// cuts splits [lo, hi) into n parts of at least 2 cells, returning the n+1
// boundaries; fewer parts when the span is too short.
func cuts(rng *rand.Rand, lo, hi, n int) []int {
	n = min(n, (hi-lo)/2)
	out := []int{lo}
	for i := 1; i < n; i++ {
		even := lo + (hi-lo)*i/n
		c := even + rng.IntN(3) - 1
		c = max(c, out[i-1]+2)
		c = min(c, hi-2*(n-i))
		out = append(out, c)
	}
	return append(out, hi)
}

// regionFeatures writes the region layer: province, prefectures,
// counties, townships (polygons) and villages (points), parents first.
func (g *builder) regionFeatures() {
	var provincePop int
	var provRows []row
	for r := 0; r < g.rows; r++ {
		provRows = append(provRows, row{g.rowY[r], g.rowY[r+1], g.colX[g.rowLen[r]]})
	}
	var pref, cnty, twn, vil []*geojson.Feature
	for _, p := range g.prefectures {
		prefPop := 0
		for _, c := range p.counties {
			countyPop := 0
			for _, t := range c.townships {
				pop := 0
				for _, v := range t.villages {
					pop += v.pop
					vil = append(vil, regionFeature(v.code, v.name, "village", t.code, "none", v.poverty, v.pop, v.settlement, orb.Point(g.warp.point(v.u, v.v))))
				}
				pop += 2000 + c.rng.IntN(8000) // town residents
				countyPop += pop
				twn = append(twn, regionFeature(t.code, t.name, "township", c.code, "none", false, pop, nil, orb.MultiPolygon{{g.warp.stairRing(t.box.x0, t.box.rows())}}))
			}
			prefPop += countyPop
			cnty = append(cnty, regionFeature(c.code, c.name, "county", p.code, c.key, c.key == "national", countyPop, nil, orb.MultiPolygon{{g.warp.stairRing(c.box.x0, c.box.rows())}}))
		}
		provincePop += prefPop
		pref = append(pref, regionFeature(p.code, p.name, "prefecture", g.o.Code, "none", false, prefPop, nil, orb.MultiPolygon{{g.warp.stairRing(p.x0, p.rows)}}))
	}
	prov := regionFeature(g.o.Code, provinceName, "province", nil, "none", false, provincePop, nil, orb.MultiPolygon{{g.warp.stairRing(0, provRows)}})
	g.regions = append([]*geojson.Feature{prov}, pref...)
	g.regions = append(g.regions, cnty...)
	g.regions = append(g.regions, twn...)
	g.regions = append(g.regions, vil...)
}

const provinceName = "Demo Province (demo)"

func regionFeature(code, name, level string, parent any, key string, poverty bool, pop int, settlement any, geom orb.Geometry) *geojson.Feature {
	f := geojson.NewFeature(geom)
	f.ID = code
	f.Properties = geojson.Properties{
		"code": code, "name": name, "level": level, "parent_code": parent, "key_county": key,
		"poverty_exit": poverty, "population": pop, "settlement": settlement,
	}
	return f
}

// province assembles the result.
func (g *builder) province() *Province {
	g.regionFeatures()
	p := &Province{Options: g.o, Code: g.o.Code, Name: provinceName, Layers: map[string][]*geojson.Feature{
		"regions": g.regions, "producers": g.producers, "facilities": g.facilities,
		"candidates": g.candidates, "exclusions": g.exclusions,
	}}
	for _, pr := range g.prefectures {
		p.Prefectures = append(p.Prefectures, pr.code)
	}
	for _, c := range g.counties {
		p.Counties = append(p.Counties, c.code)
		for _, t := range c.townships {
			p.Townships = append(p.Townships, t.code)
		}
	}
	return p
}

// namer makes unique two-syllable place names.
type namer struct {
	rng  *rand.Rand
	used map[string]bool
}

var syllables = []string{"An", "Bai", "Bei", "Chang", "Cheng", "Da", "Dong", "Feng", "Fu", "Gao", "Gu", "He", "Hong", "Hua",
	"Huang", "Jin", "Jing", "Kang", "Lan", "Li", "Lian", "Ling", "Long", "Lu", "Mei", "Nan", "Ning", "Ping", "Qing", "Quan",
	"Rong", "Sha", "Shan", "Shi", "Shui", "Song", "Tai", "Tao", "Tian", "Wu", "Xi", "Xia", "Xin", "Yang", "Yong", "Yun", "Ze", "Zhang"}

func newNamer(seed uint64) *namer {
	return &namer{rng: rand.New(rand.NewPCG(seed, 7)), used: map[string]bool{}}
}

func (n *namer) next() string {
	for tries := 0; ; tries++ {
		a, b := syllables[n.rng.IntN(len(syllables))], syllables[n.rng.IntN(len(syllables))]
		name := a + lower(b)
		if tries > 50 {
			name = fmt.Sprintf("%s%d", name, len(n.used))
		}
		if a != b && !n.used[name] {
			n.used[name] = true
			return name
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] >= 'A' && b[i] <= 'Z' {
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}
