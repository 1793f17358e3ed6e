package province

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// store is a kind of facility the generator builds: its type and tier,
// its zones with capacity ranges (t) and the classes it accepts.
type store struct {
	ftype, tier, label string
	caps               []zoneCap
	classes            []string
}

type zoneCap struct {
	zone   string
	lo, hi float64
}

var (
	collectionCentre = store{"collection_centre", "county", "Collection Centre",
		[]zoneCap{{"chilled", 500, 1500}, {"cool", 500, 2000}}, []string{"leafy_vegetable", "hardy_vegetable", "fruit", "citrus", "mushroom", "berry"}}
	logisticsCentre = store{"county_logistics_centre", "county", "Cold-Chain Logistics Centre",
		[]zoneCap{{"frozen", 2000, 2000}, {"chilled", 3000, 3000}}, []string{"leafy_vegetable", "berry", "fruit", "meat", "aquatic", "mushroom", "herbs"}}
	backboneBase = store{"backbone_base", "prefecture", "Backbone Cold-Chain Base",
		[]zoneCap{{"frozen", 6000, 10000}, {"chilled", 4000, 6000}}, []string{"leafy_vegetable", "berry", "fruit", "meat", "aquatic"}}
	coldRoom = store{"cold_room", "township", "Cold Room",
		[]zoneCap{{"chilled", 200, 800}}, []string{"leafy_vegetable", "berry", "fruit", "mushroom", "flower", "herbs"}}
	ventilatedStore = store{"ventilated_store", "township", "Ventilated Store",
		[]zoneCap{{"cool", 300, 1500}}, []string{"hardy_vegetable", "citrus", "tea"}}
	quickFreeze = store{"quick_freeze", "township", "Quick-Freeze Store",
		[]zoneCap{{"frozen", 300, 1500}}, []string{"meat", "aquatic"}}
	precooling = store{"precooling", "field", "Pre-cooling Station",
		[]zoneCap{{"chilled", 20, 100}}, []string{"leafy_vegetable", "berry", "fruit"}}
	mobileRoom = store{"mobile_cold_room", "field", "Mobile Cold Room",
		[]zoneCap{{"chilled", 10, 30}}, []string{"leafy_vegetable", "berry", "mushroom"}}
)

// placeFacilities builds the county's existing stores: more where the
// county is developed (dev), centred on the county seat and town seats,
// so that remote townships and key counties show gaps. The first county of
// each prefecture hosts its backbone base.
func (g *builder) placeFacilities(c *county) {
	seatT := c.townshipOf(c.seat)
	if c.rng.Float64() < 0.5+0.5*c.dev {
		g.addFacility(c, seatT, c.seat, collectionCentre, "existing")
	}
	if c.rng.Float64() < c.dev {
		g.addFacility(c, seatT, c.seat, logisticsCentre, "existing")
	}
	if c.code[4:] == "21" {
		status := "existing"
		if c.rng.Float64() < 0.4 {
			status = "under_construction"
		}
		g.addFacility(c, seatT, c.seat, backboneBase, status)
	}
	for _, t := range c.townships {
		town := t.villages[0]
		for _, s := range []struct {
			kind store
			p    float64
		}{{coldRoom, 0.8 * c.dev}, {ventilatedStore, 0.5 * c.dev}, {quickFreeze, 0.15}} {
			if c.rng.Float64() < s.p {
				g.addFacility(c, t, town, s.kind, "existing")
			}
		}
		for _, v := range t.villages[1:min(3, len(t.villages))] {
			if c.rng.Float64() < 0.3*c.dev {
				g.addFacility(c, t, v, precooling, "existing")
			} else if c.rng.Float64() < 0.1 {
				g.addFacility(c, t, v, mobileRoom, "existing")
			}
		}
	}
}

func (c *county) townshipOf(v *village) *township {
	for _, t := range c.townships {
		for _, o := range t.villages {
			if o == v {
				return t
			}
		}
	}
	return c.townships[0]
}

func (g *builder) addFacility(c *county, t *township, at *village, s store, status string) {
	u, v := nearby(c.rng, t, at)
	caps := map[string]float64{}
	for _, z := range s.caps {
		caps[z.zone] = math.Round((z.lo+(z.hi-z.lo)*c.rng.Float64())/10) * 10
	}
	id := fmt.Sprintf("F%s-%03d", c.code, len(g.facilities)+1)
	f := geojson.NewFeature(g.warp.point(u, v))
	f.ID = id
	f.Properties = geojson.Properties{"id": id, "name": fmt.Sprintf("%s %s (demo)", trimDemo(at.name), s.label),
		"facility_type": s.ftype, "tier": s.tier, "status": status, "capacity_t": caps, "product_classes": s.classes}
	g.facilities = append(g.facilities, f)
}

func trimDemo(name string) string {
	const suffix = " (demo)"
	if len(name) > len(suffix) && name[len(name)-len(suffix):] == suffix {
		return name[:len(name)-len(suffix)]
	}
	return name
}

var (
	townTypes   = []string{"precooling", "cold_room", "ventilated_store", "ca_store", "quick_freeze", "mobile_cold_room"}
	fieldTypes  = []string{"precooling", "mobile_cold_room", "cold_room"}
	countyTypes = []string{"collection_centre", "county_logistics_centre", "cold_room", "ca_store", "quick_freeze"}
)

// placeCandidates offers a site near every town seat and central village
// and one county site near the county seat; a site on basic farmland is
// farmland and allows the field tier only.
func (g *builder) placeCandidates(c *county) {
	for _, t := range c.townships {
		for i, v := range t.villages[:min(3, len(t.villages))] {
			if i == 0 {
				g.addCandidate(c, t, v, "town cold store site", []string{"field", "township"}, townTypes, "construction", 150, 400)
			} else if c.rng.Float64() < 0.5 {
				g.addCandidate(c, t, v, "pre-cooling site", []string{"field"}, fieldTypes, "farmland", 30, 80)
			} else {
				g.addCandidate(c, t, v, "cold store site", []string{"field", "township"}, townTypes, "construction", 60, 150)
			}
		}
	}
	g.addCandidate(c, c.townshipOf(c.seat), c.seat, "county logistics site", []string{"township", "county"}, countyTypes, "construction", 500, 1500)
}

func (g *builder) addCandidate(c *county, t *township, at *village, label string, tiers, types []string, land string, lo, hi float64) {
	u, v := nearby(c.rng, t, at)
	if t.inZone(u, v) == "basic_farmland" {
		tiers, types, land = []string{"field"}, fieldTypes, "farmland"
	}
	id := fmt.Sprintf("C%s-%03d", c.code, len(g.candidates)+1)
	f := geojson.NewFeature(g.warp.point(u, v))
	f.ID = id
	f.Properties = geojson.Properties{"id": id, "name": fmt.Sprintf("%s %s (demo)", trimDemo(at.name), label),
		"allowed_tiers": tiers, "allowed_types": types, "build_cost": math.Round(lo + (hi-lo)*c.rng.Float64()),
		"land_use": land, "source": "user"}
	g.candidates = append(g.candidates, f)
}

// class is a product class with its share of producers and the output
// range (t/year, log-uniform) of a family farm.
type class struct {
	code   string
	share  float64
	lo, hi float64
}

var classes = []class{
	{"leafy_vegetable", 500, 20, 200}, {"hardy_vegetable", 400, 30, 300}, {"citrus", 240, 50, 400},
	{"fruit", 160, 20, 200}, {"tea", 200, 2, 12}, {"mushroom", 140, 20, 150}, {"meat", 160, 50, 300},
	{"aquatic", 120, 10, 80}, {"berry", 40, 5, 40}, {"herbs", 20, 5, 50}, {"flower", 12, 5, 40}, {"dairy", 8, 100, 500},
}

// operators: share of producers and output multiple of a family farm.
var operators = []struct {
	code  string
	share float64
	mult  float64
}{{"family_farm", 0.40, 1}, {"smallholders", 0.25, 1.5}, {"cooperative", 0.20, 8}, {"village_collective", 0.10, 4}, {"enterprise", 0.05, 15}}

// allocateProducers shares the province's producers among counties (by
// weight), townships (by weight) and villages (by population), then places
// them.
func (g *builder) allocateProducers() {
	cw := make([]float64, len(g.counties))
	for i, c := range g.counties {
		cw[i] = c.weight
	}
	perCounty := apportion(g.o.Producers, cw)
	for i, c := range g.counties {
		tw := make([]float64, len(c.townships))
		for j, t := range c.townships {
			tw[j] = t.weight
		}
		for j, n := range apportion(perCounty[i], tw) {
			g.placeProducers(c, c.townships[j], n)
		}
	}
}

// apportion splits n into parts proportional to w (largest remainders,
// ties to the first).
func apportion(n int, w []float64) []int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	out := make([]int, len(w))
	rest := n
	for i, x := range w {
		out[i] = int(float64(n) * x / sum)
		rest -= out[i]
	}
	for i := 0; rest > 0; i = (i + 1) % len(w) {
		out[i]++
		rest--
	}
	return out
}

// placeProducers puts n producers around t's villages (by population),
// scattered about 0.3 cells, outside the red line and water-source zone.
func (g *builder) placeProducers(c *county, t *township, n int) {
	vw := make([]float64, len(t.villages))
	for i, v := range t.villages {
		vw[i] = float64(v.pop)
	}
	cls := make([]float64, len(classes))
	for i, k := range classes {
		cls[i] = k.share
	}
	for _, l := range c.lead {
		cls[l] *= 3
	}
	for i, k := range apportion(n, vw) {
		for j := 0; j < k; j++ {
			g.addProducer(c, t, t.villages[i], cls)
		}
	}
}

func (g *builder) addProducer(c *county, t *township, at *village, cls []float64) {
	u, v := at.u, at.v
	for tries := 0; tries < 10; tries++ {
		pu, pv := at.u+0.3*c.rng.NormFloat64(), at.v+0.3*c.rng.NormFloat64()
		if k := t.inZone(pu, pv); k != "ecological_redline" && k != "water_source" && t.box.contains(pu, pv, 0.05) {
			u, v = pu, pv
			break
		}
	}
	k := classes[pick(c.rng, cls)]
	op := operators[pickOp(c.rng)]
	out := k.lo * math.Exp(math.Log(k.hi/k.lo)*c.rng.Float64()) * op.mult
	id := fmt.Sprintf("P%s-%05d", c.code, len(g.producers)+1)
	f := geojson.NewFeature(orb.Point(g.warp.point(u, v)))
	f.ID = id
	f.Properties = geojson.Properties{"id": id, "name": fmt.Sprintf("%s %s %s %05d (demo)", trimDemo(at.name), k.code, op.code, len(g.producers)+1),
		"operator_type": op.code, "product_class": k.code, "annual_output_t": math.Round(out*10) / 10}
	g.producers = append(g.producers, f)
}

func pick(rng *rand.Rand, w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	x := rng.Float64() * sum
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

func pickOp(rng *rand.Rand) int {
	x := rng.Float64()
	for i, o := range operators {
		if x < o.share {
			return i
		}
		x -= o.share
	}
	return len(operators) - 1
}
