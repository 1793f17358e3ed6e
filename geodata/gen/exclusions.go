package main

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

var (
	allTiers      = []string{"field", "township", "county", "prefecture", "national"}
	farmlandTiers = []string{"township", "county", "prefecture", "national"}
)

type exclusion struct {
	id, name, kind string
	tiers          []string
	ring           []ipt
	km             orb.Ring
	areaKM2        float64
}

// seatPoints are the places no exclusion zone may cover.
func (w *world) seatPoints() []orb.Point {
	pts := []orb.Point{w.seat.p}
	for _, t := range w.townships {
		pts = append(pts, t.town.p)
	}
	return pts
}

// acceptZone checks a candidate zone ring (km): valid after rounding, inside
// the county with a margin, clear of the seats and disjoint from earlier zones.
func (w *world) acceptZone(ring orb.Ring, seatClear float64) ([]ipt, bool) {
	q := ringToIPT(ring)
	if validRing(q) != nil || ringArea2(q) <= 0 {
		return nil, false
	}
	for _, p := range ring {
		if !insideBy(w.countyKM, p, 0.25) {
			return nil, false
		}
	}
	if !ringWithin(q, w.countyRing) {
		return nil, false
	}
	for _, s := range w.seatPoints() {
		if inRing(ring, s) || ringDist(ring, s) < seatClear {
			return nil, false
		}
	}
	for _, z := range w.exclusions {
		if !ringsDisjoint(q, z.ring) {
			return nil, false
		}
	}
	return q, true
}

func (w *world) addZone(kind, name string, tiers []string, q []ipt) {
	w.exclusions = append(w.exclusions, &exclusion{
		id: fmt.Sprintf("X%02d", len(w.exclusions)+1), name: name, kind: kind, tiers: tiers,
		ring: q, km: ringKM(q), areaKM2: polygonAreaKM2(q),
	})
}

// buildExclusions creates the ecological red line over the massif core, a
// drinking-water source zone around a reservoir, a flood zone along the main
// river and basic-farmland blocks in the valleys.
func (w *world) buildExclusions() error {
	r := rand.New(rand.NewPCG(w.seed, 0xe1))
	if err := w.redLine(); err != nil {
		return err
	}
	if err := w.waterSource(r); err != nil {
		return err
	}
	if err := w.floodZone(); err != nil {
		return err
	}
	return w.farmland(r)
}

// redLine marches rays out of the massif summit until the ground drops below
// a contour, the county edge or a seat comes near; the ring is smoothed and
// the contour is bisected until the zone covers 9–13 % of the county.
func (w *world) redLine() error {
	seats := w.seatPoints()
	top, topE := w.summit(seats)
	if math.IsInf(topE, -1) {
		return errors.New("red line: no summit clear of the seats")
	}
	build := func(contour float64) orb.Ring { return w.contourRing(top, contour, seats) }
	// Bisect the contour so the zone covers about 11 % of the county.
	lo, hi := 250.0, 1500.0
	for range 30 {
		contour := (lo + hi) / 2
		ring := build(contour)
		frac := math.Abs(signedArea(ring)) / w.countyArea
		switch {
		case frac < 0.09:
			hi = contour
			continue
		case frac > 0.13:
			lo = contour
			continue
		}
		q, ok := w.acceptZone(ring, 1.0)
		if !ok {
			return errors.New("red line ring rejected")
		}
		w.addZone("ecological_redline", "Demo Massif Ecological Red Line (demo)", allTiers, q)
		return nil
	}
	return errors.New("red line: no contour gives a plausible area")
}

// summit is the highest point near the massif centre, away from the edge
// and the seats, and its elevation (-Inf if there is none).
func (w *world) summit(seats []orb.Point) (orb.Point, float64) {
	t := w.ter
	top, topE := t.massif, math.Inf(-1)
	for dy := -4.0; dy <= 4; dy += 0.25 {
		for dx := -4.0; dx <= 4; dx += 0.25 {
			p := add(t.massif, orb.Point{dx, dy})
			e := t.elev(p)
			if e <= topE || !insideBy(w.countyKM, p, 3) {
				continue
			}
			clear := true
			for _, s := range seats {
				clear = clear && dist(s, p) > 3.5
			}
			if clear {
				top, topE = p, e
			}
		}
	}
	return top, topE
}

// contourRing marches rays out of top until the ground drops below
// contour, the county edge or a seat comes near, and smooths the ring.
func (w *world) contourRing(top orb.Point, contour float64, seats []orb.Point) orb.Ring {
	t := w.ter
	const n = 144
	rad := make([]float64, n)
	for i := range n {
		th := 2 * math.Pi * float64(i) / n
		dir := polar(1, th)
		d := 0.0
		for d < 25 {
			p := add(top, scale(dir, d+0.1))
			if t.elev(p) < contour || !insideBy(w.countyKM, p, 1.0) {
				break
			}
			near := false
			for _, s := range seats {
				if dist(s, p) < 1.5 {
					near = true
				}
			}
			if near {
				break
			}
			d += 0.1
		}
		rad[i] = math.Max(d, 0.3)
	}
	// Circular smoothing, but never beyond the raw radius (which respects the limits).
	sm := make([]float64, n)
	for i := range n {
		s := 0.0
		for k := -3; k <= 3; k++ {
			s += rad[(i+k+n)%n]
		}
		sm[i] = math.Min(s/7, rad[i]+0.4)
		sm[i] = math.Min(sm[i], rad[i]*1.15)
	}
	ring := make(orb.Ring, n)
	for i := range n {
		ring[i] = add(top, polar(sm[i], 2*math.Pi*float64(i)/n))
	}
	return ring
}

// waterSource puts a reservoir on the upper Qing Creek and protects it.
func (w *world) waterSource(r *rand.Rand) error {
	rv := w.ter.rivers[1]
	for k := range 60 {
		s := rv.length() * (0.3 + 0.01*float64(k))
		c, tan := rv.at(s)
		if !insideBy(w.countyKM, c, 3) {
			continue
		}
		ph := 2 * math.Pi * r.Float64()
		ring := starRing(c, 48, func(th float64) float64 {
			// Elongated along the valley.
			a := math.Atan2(tan[1], tan[0])
			e := 1.5 / math.Hypot(math.Cos(th-a)/1.35, math.Sin(th-a))
			return e * (1 + 0.12*math.Sin(3*th+ph))
		})
		if q, ok := w.acceptZone(ring, 2.0); ok {
			w.addZone("water_source", "Qingshi Reservoir Water Source Protection Zone (demo)", allTiers, q)
			return nil
		}
	}
	return errors.New("no room for the water source zone")
}

// floodZone buffers a 7 km stretch of the main river upstream of the
// county seat that stays clear of the seats.
func (w *world) floodZone() error {
	rv := w.ter.rivers[0]
	_, sSeat, _ := rv.nearest(w.seat.p, math.Inf(1))
	for back := 2.0; back < 30; back += 0.5 {
		s1 := sSeat - back
		s0 := s1 - 7
		if s0 < 0 {
			break
		}
		var left, right []orb.Point
		ok := true
		for s := s0; s <= s1+1e-9; s += 0.2 {
			c, tan := rv.at(s)
			f := (s - s0) / (s1 - s0)
			wid := 0.3 + 0.15*math.Sin(math.Pi*f)
			for _, sp := range w.seatPoints() {
				if dist(sp, c) < wid+0.8 {
					ok = false
				}
			}
			nrm := perp(tan)
			left = append(left, add(c, scale(nrm, wid)))
			right = append(right, add(c, scale(nrm, -wid)))
		}
		if !ok {
			continue
		}
		// Counter-clockwise: along the right bank downstream, back along the left bank.
		ring := orb.Ring{}
		ring = append(ring, right...)
		for i := len(left) - 1; i >= 0; i-- {
			ring = append(ring, left[i])
		}
		if q, ok := w.acceptZone(ring, 0.5); ok {
			w.addZone("flood", "Demo River Flood Storage Stretch (demo)", allTiers, q)
			return nil
		}
	}
	return errors.New("no room for the flood zone")
}

// farmland places 7 blocks of basic farmland on valley floors beside the rivers.
func (w *world) farmland(r *rand.Rand) error {
	const want = 7
	// Candidate centres: flat, low valley floor beside any river, inside the county.
	type spot struct{ c, tan orb.Point }
	var spots []spot
	for _, rv := range w.ter.rivers {
		for s := 0.0; s < rv.length(); s += 0.3 {
			p, tan := rv.at(s)
			for _, off := range []float64{-1.0, -0.6, 0.6, 1.0} {
				c := add(p, scale(perp(tan), off))
				if insideBy(w.countyKM, c, 2) && w.ter.slope(c) <= 5 && w.ter.elev(c) <= 280 {
					spots = append(spots, spot{c, tan})
				}
			}
		}
	}
	got := 0
	for try := 0; try < 3000 && got < want && len(spots) > 0; try++ {
		sp := spots[r.IntN(len(spots))]
		c, tan := sp.c, sp.tan
		along, across := 1.0+1.2*r.Float64(), 0.45+0.4*r.Float64()
		a := math.Atan2(tan[1], tan[0])
		ph1, ph2 := 2*math.Pi*r.Float64(), 2*math.Pi*r.Float64()
		ring := starRing(c, 40, func(th float64) float64 {
			e := 1 / math.Hypot(math.Cos(th-a)/along, math.Sin(th-a)/across)
			return e * (1 + 0.1*math.Sin(2*th+ph1) + 0.06*math.Sin(5*th+ph2))
		})
		// Flat: the whole block within a few tens of metres of its centre's elevation.
		ce, flat := w.ter.elev(c), true
		for _, p := range ring {
			if math.Abs(w.ter.elev(p)-ce) > 45 {
				flat = false
				break
			}
		}
		if !flat {
			continue
		}
		if q, ok := w.acceptZone(ring, 0.6); ok {
			got++
			w.addZone("basic_farmland", fmt.Sprintf("Basic Farmland Block %d (demo)", got), farmlandTiers, q)
		}
	}
	if got < 5 {
		return fmt.Errorf("only %d basic farmland blocks fit", got)
	}
	return nil
}
