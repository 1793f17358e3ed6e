package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

type candidate struct {
	id, name, landUse string
	tiers, types      []string
	cost              float64 // 10,000 CNY
	p                 orb.Point
	q                 ipt
}

// inZone returns the first exclusion zone of the given kind containing p.
func (w *world) inZone(p orb.Point, kinds ...string) *exclusion {
	for _, z := range w.exclusions {
		for _, k := range kinds {
			if z.kind == k && inRing(z.km, p) {
				return z
			}
		}
	}
	return nil
}

// buildCandidates proposes a site at every town seat and central village and
// a few along the main road. Sites avoid the red line, the water-source and
// flood zones; a site inside basic farmland is marked farmland and only
// allows field-tier facilities.
func (w *world) buildCandidates() error {
	r := rand.New(rand.NewPCG(w.seed, 0xca))
	for _, t := range w.townships {
		p, ok := w.findSite(r, t.town.p, 0.15, 0.45, true)
		if !ok {
			return fmt.Errorf("no candidate site near %s", t.town.name)
		}
		w.addCandidate(&candidate{
			name: fmt.Sprintf("%s town cold store site (demo)", t.short), landUse: "construction",
			tiers: []string{"field", "township"},
			types: []string{"precooling", "cold_room", "ventilated_store", "ca_store", "quick_freeze", "mobile_cold_room"},
			cost:  math.Round(150 + 250*r.Float64()), p: p,
		})
	}
	if err := w.villageCandidates(r); err != nil {
		return err
	}
	w.roadCandidates(r)
	return nil
}

// findSite draws a site rMin..rMax km from c, inside the county, outside
// the red line, water-source and flood zones (and basic farmland when
// avoidFarmland), away from rivers.
func (w *world) findSite(r *rand.Rand, c orb.Point, rMin, rMax float64, avoidFarmland bool) (orb.Point, bool) {
	for range 500 {
		p := add(c, polar(rMin+(rMax-rMin)*r.Float64(), 2*math.Pi*r.Float64()))
		if !insideBy(w.countyKM, p, 0.3) || w.inZone(p, "ecological_redline", "water_source", "flood") != nil {
			continue
		}
		if avoidFarmland && w.inZone(p, "basic_farmland") != nil {
			continue
		}
		if d, _ := w.ter.riverDist(p, 0.15); d < 0.15 {
			continue
		}
		return p, true
	}
	return orb.Point{}, false
}

// addCandidate numbers c and adds it.
func (w *world) addCandidate(c *candidate) {
	c.id = fmt.Sprintf("C%03d", len(w.candidates)+1)
	c.q = toIPT(c.p)
	w.candidates = append(w.candidates, c)
}

// villageCandidates proposes a pre-cooling site at every central village.
func (w *world) villageCandidates(r *rand.Rand) error {
	for _, v := range w.villages {
		if v.settlement != "central_village" {
			continue
		}
		p, ok := w.findSite(r, v.p, 0.1, 0.4, false)
		if !ok {
			return fmt.Errorf("no candidate site near %s", v.name)
		}
		c := &candidate{name: fmt.Sprintf("%s pre-cooling site", v.name), p: p}
		switch {
		case w.inZone(p, "basic_farmland") != nil || r.Float64() < 0.35:
			c.landUse = "farmland"
			c.tiers = []string{"field"}
			c.types = []string{"precooling", "cold_room", "mobile_cold_room"}
			c.cost = math.Round(30 + 50*r.Float64())
		default:
			c.landUse = "construction"
			if r.Float64() < 0.3 {
				c.landUse = "other"
			}
			c.tiers = []string{"field", "township"}
			c.types = []string{"precooling", "cold_room", "ventilated_store", "mobile_cold_room"}
			c.cost = math.Round(60 + 90*r.Float64())
		}
		w.addCandidate(c)
	}
	return nil
}

// roadCandidates proposes one county-level site near the seat and three
// collection-centre sites along the main road.
func (w *world) roadCandidates(r *rand.Rand) {
	// Along the main road: one county-level site near the seat, three collection-centre sites.
	pts, at := w.mainRoad()
	roadSites := []struct {
		name         string
		dLo, dHi     float64
		tiers, types []string
		cLo, cHi     float64
	}{
		{"Demo County east logistics land (demo)", 2, 5, []string{"county", "prefecture"}, []string{"county_logistics_centre", "processing_park", "collection_centre", "backbone_base"}, 3000, 8000},
		{"Main road collection site A (demo)", -9, -5, []string{"township", "county"}, []string{"collection_centre", "cold_room", "quick_freeze"}, 500, 1500},
		{"Main road collection site B (demo)", -16, -11, []string{"township", "county"}, []string{"collection_centre", "cold_room", "ca_store"}, 500, 1500},
		{"Main road collection site C (demo)", -26, -18, []string{"township", "county"}, []string{"collection_centre", "cold_room", "ventilated_store"}, 500, 1500},
	}
	for _, rs := range roadSites {
		var idx []int
		for i := range pts {
			d := at[i]
			if rs.dLo >= 0 {
				d = math.Abs(d)
			}
			if d >= rs.dLo && d <= rs.dHi {
				idx = append(idx, i)
			}
		}
		placed := false
		for try := 0; try < 500 && len(idx) > 0 && !placed; try++ {
			i := idx[r.IntN(len(idx))]
			p, ok := w.findSite(r, pts[i], 0.1, 0.3, true)
			if !ok || w.tooCloseToCandidate(p, 1.0) {
				continue
			}
			landUse := "construction"
			if rs.dLo < 0 && r.Float64() < 0.4 {
				landUse = "other"
			}
			w.addCandidate(&candidate{name: rs.name, landUse: landUse, tiers: rs.tiers, types: rs.types,
				cost: math.Round(rs.cLo + (rs.cHi-rs.cLo)*r.Float64()), p: p})
			placed = true
		}
	}
}

func (w *world) tooCloseToCandidate(p orb.Point, d float64) bool {
	for _, c := range w.candidates {
		if dist(c.p, p) < d {
			return true
		}
	}
	return false
}
