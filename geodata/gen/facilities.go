package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
)

var zones = []string{"frozen", "chilled", "ca", "cool", "ambient"}

// classZones is the storage zone of each product class (docs/design.md#product-classes).
var classZones = map[string][]string{
	"leafy_vegetable": {"chilled"},
	"hardy_vegetable": {"cool"},
	"berry":           {"chilled"},
	"fruit":           {"chilled", "ca"},
	"citrus":          {"cool"},
	"meat":            {"chilled", "frozen"},
	"aquatic":         {"frozen"},
	"dairy":           {"chilled"},
	"flower":          {"chilled"},
	"tea":             {"cool"},
	"mushroom":        {"chilled"},
	"herbs":           {"chilled"},
}

type zoneRange struct {
	zone   string
	lo, hi float64
}

// facSpec is one existing facility to place. where: "seat" (along the main
// road within [dLo, dHi] km of the county seat), "valley" (along the main
// road, either side) or "town:N" (near the seat of the N-th nearest
// non-county-seat town that lies on the main road, or "town2:N" off it).
type facSpec struct {
	ftype, tier, status string
	caps                []zoneRange
	classes             []string
	where               string
	dLo, dHi            float64
}

var facilitySpecs = []facSpec{
	{"county_logistics_centre", "county", "existing", []zoneRange{{"frozen", 2000, 2000}, {"chilled", 3000, 3000}},
		[]string{"leafy_vegetable", "berry", "fruit", "meat", "aquatic", "mushroom", "herbs"}, "seat", 0.8, 2.5},
	{"processing_park", "county", "existing", []zoneRange{{"frozen", 3000, 3000}, {"chilled", 2000, 2000}, {"cool", 2000, 2000}, {"ambient", 5000, 5000}},
		[]string{"leafy_vegetable", "hardy_vegetable", "fruit", "citrus", "meat", "aquatic", "tea", "mushroom"}, "park", 2, 4.5},
	{"backbone_base", "prefecture", "under_construction", []zoneRange{{"frozen", 10000, 10000}, {"chilled", 6000, 6000}},
		[]string{"leafy_vegetable", "berry", "fruit", "meat", "aquatic"}, "seat", 1.5, 5},
	{"collection_centre", "county", "existing", []zoneRange{{"chilled", 500, 1500}, {"cool", 500, 2000}},
		[]string{"leafy_vegetable", "hardy_vegetable", "fruit", "citrus", "mushroom", "berry"}, "seat", 0.3, 2},
	{"collection_centre", "county", "existing", []zoneRange{{"chilled", 500, 1500}, {"cool", 500, 2000}},
		[]string{"leafy_vegetable", "hardy_vegetable", "fruit", "citrus"}, "town:1", 0, 0},
	{"cold_room", "township", "existing", []zoneRange{{"chilled", 200, 800}}, []string{"leafy_vegetable", "mushroom", "berry"}, "seat", 0, 3},
	{"cold_room", "township", "existing", []zoneRange{{"chilled", 200, 800}}, []string{"leafy_vegetable", "fruit", "mushroom"}, "town:0", 0, 0},
	{"cold_room", "township", "existing", []zoneRange{{"chilled", 200, 800}}, []string{"leafy_vegetable", "fruit", "herbs"}, "town:2", 0, 0},
	{"cold_room", "township", "under_construction", []zoneRange{{"chilled", 200, 800}}, []string{"leafy_vegetable", "mushroom"}, "town:3", 0, 0},
	{"cold_room", "township", "existing", []zoneRange{{"chilled", 200, 800}}, []string{"leafy_vegetable", "fruit", "meat"}, "seat", 3, 8},
	{"cold_room", "township", "existing", []zoneRange{{"chilled", 200, 600}}, []string{"leafy_vegetable", "mushroom"}, "town2:0", 0, 0},
	{"cold_room", "field", "existing", []zoneRange{{"chilled", 50, 200}}, []string{"leafy_vegetable", "berry"}, "valley", 2, 7},
	{"cold_room", "field", "existing", []zoneRange{{"chilled", 50, 200}}, []string{"leafy_vegetable", "fruit"}, "valley", 5, 10},
	{"ventilated_store", "township", "existing", []zoneRange{{"cool", 300, 1500}}, []string{"hardy_vegetable", "citrus"}, "seat", 1, 5},
	{"ventilated_store", "township", "existing", []zoneRange{{"cool", 300, 1500}}, []string{"hardy_vegetable", "citrus"}, "town:1", 0, 0},
	{"ventilated_store", "field", "existing", []zoneRange{{"cool", 300, 800}}, []string{"hardy_vegetable"}, "valley", 4, 10},
	{"ca_store", "county", "existing", []zoneRange{{"ca", 500, 2000}, {"cool", 300, 800}}, []string{"fruit", "citrus"}, "seat", 1, 4},
	{"ca_store", "township", "existing", []zoneRange{{"ca", 500, 1200}}, []string{"fruit"}, "valley", 3, 9},
	{"precooling", "field", "existing", []zoneRange{{"chilled", 20, 100}}, []string{"leafy_vegetable", "berry", "mushroom"}, "valley", 1, 5},
	{"precooling", "field", "existing", []zoneRange{{"chilled", 20, 100}}, []string{"leafy_vegetable", "fruit"}, "valley", 3, 8},
	{"precooling", "field", "existing", []zoneRange{{"chilled", 20, 100}}, []string{"leafy_vegetable"}, "valley", 5, 12},
	{"precooling", "field", "existing", []zoneRange{{"chilled", 20, 100}}, []string{"leafy_vegetable", "berry"}, "valley", 2, 6},
	{"quick_freeze", "township", "existing", []zoneRange{{"frozen", 300, 1500}}, []string{"meat", "aquatic"}, "seat", 1, 4},
	{"mobile_cold_room", "field", "existing", []zoneRange{{"chilled", 10, 30}}, []string{"leafy_vegetable", "berry", "mushroom"}, "seat", 0.5, 3},
	{"mobile_cold_room", "field", "existing", []zoneRange{{"chilled", 10, 30}}, []string{"leafy_vegetable", "fruit"}, "valley", 4, 9},
}

var typeLabel = map[string]string{
	"ventilated_store": "Ventilated Store", "cold_room": "Cold Room", "ca_store": "CA Store",
	"precooling": "Pre-cooling Station", "quick_freeze": "Quick-freeze Plant", "mobile_cold_room": "Mobile Cold Room",
	"collection_centre": "Collection Centre", "county_logistics_centre": "Cold-Chain Logistics Centre",
	"backbone_base": "Backbone Cold-Chain Base", "processing_park": "Agri-Processing Park",
}

type facility struct {
	id, name, ftype, tier, status string
	caps                          []zoneRange // lo holds the capacity
	classes                       []string
	p                             orb.Point
	q                             ipt
	park                          []ipt // polygon ring for a park
}

// mainRoad returns the primary road as km points with the signed distance
// along it from the county seat.
func (w *world) mainRoad() ([]orb.Point, []float64) {
	rd := w.roads[0]
	pts := make([]orb.Point, len(rd.line))
	for i, q := range rd.line {
		pts[i] = q.km()
	}
	at := make([]float64, len(pts))
	seatIdx := 0
	for i := range pts {
		if i > 0 {
			at[i] = at[i-1] + dist(pts[i-1], pts[i])
		}
		if rd.line[i] == w.seat.q {
			seatIdx = i
		}
	}
	s0 := at[seatIdx]
	for i := range at {
		at[i] -= s0
	}
	return pts, at
}

// okFacilitySite: inside the county, outside the zones that apply to the tier,
// not on a river, clear of other facilities.
func (w *world) okFacilitySite(p orb.Point, tier string) bool {
	if !insideBy(w.countyKM, p, 0.3) {
		return false
	}
	for _, z := range w.exclusions {
		if slices.Contains(z.tiers, tier) && (inRing(z.km, p) || ringDist(z.km, p) < 0.1) {
			return false
		}
	}
	if d, _ := w.ter.riverDist(p, 0.15); d < 0.15 {
		return false
	}
	for _, f := range w.facilities {
		if dist(f.p, p) < 0.3 {
			return false
		}
	}
	return true
}

// buildFacilities places the existing facilities, concentrated around the
// county seat and along the main valley road.
func (w *world) buildFacilities() error {
	r := rand.New(rand.NewPCG(w.seed, 0xfa))
	pts, at := w.mainRoad()
	// Towns on the main road (other than the county seat) by distance to the seat, and towns off it.
	var onRoad, offRoad []*village
	for _, t := range w.townships {
		v := t.town
		if slices.Contains(w.roads[0].line, v.q) {
			onRoad = append(onRoad, v)
		} else {
			offRoad = append(offRoad, v)
		}
	}
	bySeat := func(a, b *village) int {
		return compareFloat(dist(a.p, w.seat.p), dist(b.p, w.seat.p))
	}
	slices.SortStableFunc(onRoad, bySeat)
	slices.SortStableFunc(offRoad, bySeat)
	count := map[string]int{}
	for _, sp := range facilitySpecs {
		f := newFacility(sp, r)
		if err := w.placeFacility(f, sp, r, siteBand{pts, at, onRoad, offRoad}); err != nil {
			return err
		}
		f.q = toIPT(f.p)
		f.id = fmt.Sprintf("F%03d", len(w.facilities)+1)
		count[sp.ftype]++
		w.nameFacility(f, sp, count[sp.ftype])
		w.facilities = append(w.facilities, f)
	}
	return nil
}

// siteBand is where facilities go: points along the main road with their
// signed distance from the county seat, and the towns on and off it.
type siteBand struct {
	pts             []orb.Point
	at              []float64
	onRoad, offRoad []*village
}

// newFacility draws the capacities of a facility of spec sp; it accepts
// only the classes one of its zones can hold.
func newFacility(sp facSpec, r *rand.Rand) *facility {
	f := &facility{ftype: sp.ftype, tier: sp.tier, status: sp.status}
	for _, z := range sp.caps {
		v := z.lo + r.Float64()*(z.hi-z.lo)
		if z.hi > z.lo {
			v = math.Round(v/10) * 10
		}
		f.caps = append(f.caps, zoneRange{z.zone, v, v})
	}
	// Accept only the classes one of the facility's zones can hold.
	for _, c := range sp.classes {
		if slices.ContainsFunc(classZones[c], func(z string) bool {
			return slices.ContainsFunc(f.caps, func(zr zoneRange) bool { return zr.zone == z })
		}) {
			f.classes = append(f.classes, c)
		}
	}
	return f
}

// placeFacility finds a site for f (and a park's outline) where spec sp
// wants it.
func (w *world) placeFacility(f *facility, sp facSpec, r *rand.Rand, band siteBand) error {
	pts, at, onRoad, offRoad := band.pts, band.at, band.onRoad, band.offRoad
	placed := false
	for try := 0; try < 3000 && !placed; try++ {
		var p orb.Point
		switch {
		case sp.where == "seat" || sp.where == "valley" || sp.where == "park":
			var idx []int
			widen := float64(try/300) * 0.5 // widen the band when the preferred one is full
			for i := range pts {
				d := at[i]
				if sp.where != "valley" || r.Float64() < 0.5 {
					d = math.Abs(d)
				} else {
					d = -d
				}
				if d >= sp.dLo && d <= sp.dHi+widen {
					idx = append(idx, i)
				}
			}
			if len(idx) == 0 {
				continue
			}
			i := idx[r.IntN(len(idx))]
			j := min(i+1, len(pts)-1)
			if j == i {
				j = i - 1
			}
			side := 1.0
			if r.Float64() < 0.5 {
				side = -1
			}
			off := 0.1 + 0.2*r.Float64()
			if sp.where == "park" {
				off = 0.75
			}
			p = add(pts[i], scale(perp(unit(sub(pts[j], pts[i]))), side*off))
			if sp.where == "park" {
				ring := parkRing(p, sub(pts[j], pts[i]), r)
				if !w.okPark(ring) {
					continue
				}
				f.park = ring
			}
		default:
			var n int
			var list []*village
			if _, err := fmt.Sscanf(sp.where, "town:%d", &n); err == nil {
				list = onRoad
			} else if _, err := fmt.Sscanf(sp.where, "town2:%d", &n); err == nil {
				list = offRoad
			}
			if len(list) == 0 {
				list = append(onRoad, offRoad...)
			}
			// Fall back to the next town when the preferred one has no room.
			v := list[(n+try/300)%len(list)]
			p = add(v.p, polar(0.2+0.35*r.Float64(), 2*math.Pi*r.Float64()))
		}
		if !w.okFacilitySite(p, sp.tier) {
			continue
		}
		f.p = p
		placed = true
	}
	if !placed {
		return fmt.Errorf("no site for %s (%s)", sp.ftype, sp.where)
	}
	return nil
}

// nameFacility names f, the n-th of its type.
func (w *world) nameFacility(f *facility, sp facSpec, n int) {
	tw := w.townshipAt(f.p)
	switch sp.ftype {
	case "county_logistics_centre", "processing_park":
		f.name = fmt.Sprintf("Demo County %s (demo)", typeLabel[sp.ftype])
	case "backbone_base":
		f.name = fmt.Sprintf("Demo Prefecture %s (demo)", typeLabel[sp.ftype])
	default:
		f.name = fmt.Sprintf("%s %s %02d (demo)", tw.short, typeLabel[sp.ftype], n)
	}
}

// parkRing is a chamfered rectangle (about 1.0 × 0.65 km) aligned with the road.
func parkRing(c, dir orb.Point, r *rand.Rand) []ipt {
	u := unit(dir)
	v := perp(u)
	a, b := 0.45+0.1*r.Float64(), 0.3+0.06*r.Float64()
	corner := func(x, y float64) orb.Point { return add(c, add(scale(u, x), scale(v, y))) }
	ring := orb.Ring{corner(-a, -b), corner(a, -b), corner(a, b*0.4), corner(a*0.6, b), corner(-a, b)}
	return ringToIPT(ring)
}

// okPark: valid, inside the county, outside every zone, crossed by no road
// and no river.
func (w *world) okPark(q []ipt) bool {
	if validRing(q) != nil || ringArea2(q) <= 0 || !ringWithin(q, w.countyRing) {
		return false
	}
	for _, z := range w.exclusions {
		if !ringsDisjoint(q, z.ring) {
			return false
		}
	}
	for _, rd := range w.roads {
		for k := 0; k+1 < len(rd.line); k++ {
			for i := range q {
				if segmentsIntersect(q[i], q[(i+1)%len(q)], rd.line[k], rd.line[k+1]) {
					return false
				}
			}
		}
	}
	km := ringKM(q)
	for _, rv := range w.ter.rivers {
		for _, p := range rv.pts {
			if inRing(km, p) || ringDist(km, p) < 0.1 {
				return false
			}
		}
	}
	for _, v := range w.villages {
		if inRing(km, v.p) {
			return false
		}
	}
	return true
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
