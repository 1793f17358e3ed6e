package province

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// zone is an exclusion zone: a disc-like polygon around (u, v) in lattice
// units, with radius r.
type zone struct {
	kind    string
	u, v, r float64
}

func (z zone) covers(u, v, pad float64) bool { return math.Hypot(u-z.u, v-z.v) < z.r*1.25+pad }

var zoneNames = map[string]string{
	"ecological_redline": "Ecological Red Line", "basic_farmland": "Basic Farmland",
	"water_source": "Water Source Protection Zone", "flood": "Flood Storage Area",
}

// fillCounty places the county's exclusion zones, villages, facilities and
// candidate sites.
func (g *builder) fillCounty(c *county) {
	g.placeZones(c)
	for _, t := range c.townships {
		g.placeVillages(c, t)
	}
	seatTown := c.townships[c.rng.IntN(len(c.townships))]
	c.seat = seatTown.villages[0]
	c.seat.settlement = "county_seat"
	c.seat.name = c.name[:len(c.name)-len(" County (demo)")] + " County Seat (demo)"
	c.seat.pop = 20000 + c.rng.IntN(40000)
	g.placeFacilities(c)
	g.placeCandidates(c)
}

// placeZones draws one ecological red line, 2–3 basic-farmland blocks and
// sometimes a water-source or flood zone, each in a township of its own.
func (g *builder) placeZones(c *county) {
	kinds := []string{"ecological_redline", "basic_farmland", "basic_farmland"}
	if c.rng.Float64() < 0.5 {
		kinds = append(kinds, "basic_farmland")
	}
	if c.rng.Float64() < 0.4 {
		kinds = append(kinds, "water_source")
	}
	if c.rng.Float64() < 0.3 {
		kinds = append(kinds, "flood")
	}
	order := c.rng.Perm(len(c.townships))
	for i, kind := range kinds {
		if i >= len(order) {
			break
		}
		t := c.townships[order[i]]
		w, h := float64(t.box.x1-t.box.x0), float64(t.box.y1-t.box.y0)
		r := 0.25 + 0.2*c.rng.Float64()
		if kind == "ecological_redline" {
			r = 0.3 * min(w, h)
		}
		z := zone{kind: kind, r: r,
			u: float64(t.box.x0) + r*1.3 + 0.3 + (w-2*r*1.3-0.6)*c.rng.Float64(),
			v: float64(t.box.y0) + r*1.3 + 0.3 + (h-2*r*1.3-0.6)*c.rng.Float64()}
		t.zones = append(t.zones, z)
		tiers := []string{"field", "township", "county", "prefecture", "national"}
		if kind == "basic_farmland" {
			tiers = tiers[1:]
		}
		id := fmt.Sprintf("X%s-%02d", c.code, len(g.exclusions)+1)
		f := geojson.NewFeature(orb.Polygon{g.warp.polygonRing(c.rng, z.u, z.v, z.r, 0.2, 16)})
		f.ID = id
		f.Properties = geojson.Properties{"id": id, "name": fmt.Sprintf("%s %s %d (demo)", t.name[:len(t.name)-len(" (demo)")], zoneNames[kind], i+1),
			"kind": kind, "applies_to_tiers": tiers}
		g.exclusions = append(g.exclusions, f)
	}
}

// placeVillages puts 8–16 villages (more in larger townships) at least 0.4
// cells apart, outside the zones: the first is the town seat, the next two
// central villages.
func (g *builder) placeVillages(c *county, t *township) {
	area := float64((t.box.x1 - t.box.x0) * (t.box.y1 - t.box.y0))
	want := min(16, max(8, int(area/2.5)))
	for tries := 0; len(t.villages) < want && tries < 4000; tries++ {
		u := float64(t.box.x0) + 0.3 + (float64(t.box.x1-t.box.x0)-0.6)*c.rng.Float64()
		v := float64(t.box.y0) + 0.3 + (float64(t.box.y1-t.box.y0)-0.6)*c.rng.Float64()
		if !t.free(u, v, 0.15) || t.near(u, v, 0.4) {
			continue
		}
		n := len(t.villages) + 1
		vl := &village{code: fmt.Sprintf("%s%03d", t.code, 200+n), u: u, v: v, settlement: "village", pop: 300 + c.rng.IntN(2700)}
		vl.name = fmt.Sprintf("Village %s-%02d (demo)", t.code[len(t.code)-3:], n)
		switch {
		case n == 1:
			vl.settlement, vl.pop = "town", 2000+c.rng.IntN(4000)
			vl.name = t.name[:len(t.name)-len(" (demo)")] + " Centre (demo)"
		case n <= 3:
			vl.settlement = "central_village"
		}
		pov := 0.1
		if c.key == "national" {
			pov = 0.4
		}
		vl.poverty = n > 1 && c.rng.Float64() < pov
		t.villages = append(t.villages, vl)
	}
}

// free says whether (u, v) is outside every zone of t by pad.
func (t *township) free(u, v, pad float64) bool {
	for _, z := range t.zones {
		if z.covers(u, v, pad) {
			return false
		}
	}
	return true
}

func (t *township) near(u, v, d float64) bool {
	for _, o := range t.villages {
		if math.Hypot(u-o.u, v-o.v) < d {
			return true
		}
	}
	return false
}

// inZone returns the kind of the zone holding (u, v), or "".
func (t *township) inZone(u, v float64) string {
	for _, z := range t.zones {
		if z.covers(u, v, 0.05) {
			return z.kind
		}
	}
	return ""
}

// nearby returns a position 0.05–0.2 cells from v inside t and outside
// its red line and water-source zone.
func nearby(rng *rand.Rand, t *township, v *village) (float64, float64) {
	for tries := 0; tries < 50; tries++ {
		a, d := 2*math.Pi*rng.Float64(), 0.05+0.15*rng.Float64()
		u, w := v.u+d*math.Cos(a), v.v+d*math.Sin(a)
		if k := t.inZone(u, w); k != "ecological_redline" && k != "water_source" && t.box.contains(u, w, 0.1) {
			return u, w
		}
	}
	return v.u, v.v
}
