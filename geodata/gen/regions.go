package main

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

const (
	countyCode      = "369901"
	countyName      = "Demo County"
	targetAreaKM2   = 960.0
	countyPopTarget = 300000
)

type township struct {
	index    int
	code     string
	name     string // e.g. "Hekou Town (demo)"
	short    string // e.g. "Hekou"
	site     orb.Point
	ring     []ipt    // final boundary, counter-clockwise, open
	km       orb.Ring // ring in km
	areaKM2  float64  // geodesic
	pop      int
	villages []*village
	town     *village
}

type village struct {
	code       string
	name       string
	p          orb.Point // km
	q          ipt
	township   *township
	settlement string // county_seat|town|central_village|village
	pop        int
	poverty    bool
	elev       float64
}

var townshipNames = []string{"Chengguan", "Hekou", "Shangping", "Baisha", "Yunling", "Qingshi", "Beixi", "Dongfeng", "Nanfu", "Taoxi"}

// Anchors of the township seats (km from the county centre). Index 0 is the
// county seat in the main valley in the east; index 4 is the mountain township.
var seatAnchors = []orb.Point{
	{12.5, 2.2}, {3, -1.5}, {-3.5, -9}, {-12, -8.5}, {-14, 5.5},
	{-5.5, 9}, {5.5, 10}, {13, 10.5}, {13.5, -8}, {5, -11},
}

// countyOutline returns a counter-clockwise star-shaped outline (km) whose
// geodesic area, after rounding, is about targetAreaKM2.
func countyOutline(seed uint64) orb.Ring {
	r := rand.New(rand.NewPCG(seed, 0xc0a17))
	type harm struct{ k, amp, ph float64 }
	var hs []harm
	for k := 2; k <= 6; k++ {
		hs = append(hs, harm{float64(k), 0.16 / float64(k) * (0.4 + 0.6*r.Float64()), 2 * math.Pi * r.Float64()})
	}
	// Finer irregularity from fractal noise sampled around a circle, so the
	// edge has no regular scallops.
	edge := newNoise(r)
	const a, b = 19.5, 16.0
	c := orb.Point{0.3, -0.2}
	radius := func(th float64) float64 {
		base := a * b / math.Hypot(b*math.Cos(th), a*math.Sin(th))
		f := 1.0
		for _, h := range hs {
			f += h.amp * math.Sin(h.k*th+h.ph)
		}
		f += 0.075 * edge.fbm(4*math.Cos(th), 4*math.Sin(th), 5)
		return base * f
	}
	ring := starRing(c, 360, radius)
	area := geo.Area(lonLatPolygon(ringToIPT(ring))) / 1e6
	s := math.Sqrt(targetAreaKM2 / area)
	return starRing(c, 360, func(th float64) float64 { return radius(th) * s })
}

// placeSeats snaps each anchor to the lowest nearby ground near (not on) a river.
func placeSeats(t *terrain, county orb.Ring, r *rand.Rand, jitter float64) []orb.Point {
	seats := make([]orb.Point, len(seatAnchors))
	for i, a := range seatAnchors {
		a = add(a, orb.Point{jitter * (2*r.Float64() - 1), jitter * (2*r.Float64() - 1)})
		// Pull an anchor that the outline left outside (or too near the edge) towards the centre.
		for k := 0; k < 40 && !insideBy(county, a, 3.5); k++ {
			a = scale(a, 0.97)
		}
		best, bestScore := a, math.Inf(1)
		for dy := -2.5; dy <= 2.5; dy += 0.25 {
			for dx := -2.5; dx <= 2.5; dx += 0.25 {
				p := add(a, orb.Point{dx, dy})
				if dist(p, a) > 2.5 || !insideBy(county, p, 2.0) {
					continue
				}
				rd, ri := t.riverDist(p, 3)
				score := t.elev(p)/60 + 0.6*dist(p, a)
				switch {
				case rd < 0.35:
					score += 5
				case rd > 1.2:
					score += 0.8 * (rd - 1.2)
				}
				if i == 0 && ri != 0 {
					score += 3 // the county seat sits on the main river
				}
				for _, s := range seats[:i] {
					if dist(s, p) < 6 {
						score += 10
					}
				}
				if score < bestScore {
					best, bestScore = p, score
				}
			}
		}
		seats[i] = best
	}
	return seats
}

// buildTownships partitions the county by Voronoi cells of the seats. Each
// cell is the box clipped by the bisector half-planes (Sutherland–Hodgman);
// the concave county is then clipped by each convex cell. Vertices are
// rounded to micro-degrees and merged so that neighbours share them exactly,
// shared edges are given a gentle meander (the same points for both sides),
// and the county ring is rebuilt as the union boundary.
func buildTownships(county orb.Ring, seats []orb.Point, r *rand.Rand) ([]*township, []ipt, error) {
	g, rings, err := voronoiRings(county, seats)
	if err != nil {
		return nil, nil, err
	}
	// Directed edge use counts, for lookups only.
	edges := map[[2]int]bool{}
	for _, ids := range rings {
		for k := range ids {
			edges[[2]int{ids[k], ids[(k+1)%len(ids)]}] = true
		}
	}
	// Meander shared edges; halve the amplitude of a township's edges while it is invalid.
	amp := map[[2]int]float64{}
	for attempt := 0; ; attempt++ {
		rr := rand.New(rand.NewPCG(r.Uint64(), 1))
		out, bad := meanderRings(g, rings, edges, amp, rr)
		if len(bad) == 0 {
			county := unionBoundary(out)
			if county == nil {
				return nil, nil, errors.New("townships do not form a single ring")
			}
			if err := validRing(county); err != nil {
				return nil, nil, fmt.Errorf("county ring: %w", err)
			}
			ts := make([]*township, len(out))
			for i, ring := range out {
				ts[i] = &township{index: i, site: seats[i], ring: ring, km: ringKM(ring)}
			}
			return ts, county, nil
		}
		if attempt >= 5 {
			return nil, nil, fmt.Errorf("township %d invalid: %v", bad[0], validRing(out[bad[0]]))
		}
		for _, ti := range bad {
			ids := rings[ti]
			for k := range ids {
				a, c := ids[k], ids[(k+1)%len(ids)]
				key := [2]int{min(a, c), max(a, c)}
				if attempt >= 4 {
					amp[key] = 0
				} else {
					amp[key] *= 0.5
				}
			}
		}
	}
}

// voronoiRings clips the county by each seat's Voronoi cell and returns
// the cells as rings of merged vertex ids.
func voronoiRings(county orb.Ring, seats []orb.Point) (*vgraph, [][]int, error) {
	b := county.Bound().Pad(5)
	box := []orb.Point{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}}
	g := &vgraph{index: map[ipt]int{}}
	var rings [][]int
	for i := range seats {
		cell := voronoiCell(seats, i, box)
		piece := clipConvex(county, cell)
		if len(piece) < 3 {
			return nil, nil, fmt.Errorf("township %d: empty cell", i)
		}
		var ids []int
		for _, p := range piece {
			id := g.add(toIPT(p))
			if len(ids) > 0 && ids[len(ids)-1] == id {
				continue
			}
			ids = append(ids, id)
		}
		for len(ids) > 1 && ids[0] == ids[len(ids)-1] {
			ids = ids[:len(ids)-1]
		}
		rings = append(rings, ids)
	}
	return g, rings, nil
}

// meanderRings draws every township ring with its shared edges meandering
// (amplitude factor amp per edge, default 1; the same points for both
// sides), and returns the rings and the townships whose ring is invalid.
func meanderRings(g *vgraph, rings [][]int, edges map[[2]int]bool, amp map[[2]int]float64, rr *rand.Rand) ([][]ipt, []int) {
	chains := map[[2]int][]ipt{}
	out := make([][]ipt, len(rings))
	var bad []int
	for ti, ids := range rings {
		var ring []ipt
		for k := range ids {
			a, c := ids[k], ids[(k+1)%len(ids)]
			ring = append(ring, g.pts[a])
			if !edges[[2]int{c, a}] {
				continue // county boundary edge
			}
			key := [2]int{min(a, c), max(a, c)}
			ch, ok := chains[key]
			if !ok {
				f, seen := amp[key]
				if !seen {
					f = 1
					amp[key] = 1
				}
				ch = meander(g.pts[key[0]], g.pts[key[1]], f, rr)
				chains[key] = ch
			}
			if a < c {
				ring = append(ring, ch...)
			} else {
				for i := len(ch) - 1; i >= 0; i-- {
					ring = append(ring, ch[i])
				}
			}
		}
		out[ti] = ring
		if validRing(ring) != nil || ringArea2(ring) <= 0 {
			bad = append(bad, ti)
		}
	}
	return out, bad
}

// vgraph merges rounded vertices that differ by a few micro-degrees, so the
// same Voronoi vertex computed in two cells becomes one vertex.
type vgraph struct {
	pts   []ipt
	index map[ipt]int
}

func (g *vgraph) add(q ipt) int {
	for dy := int64(-2); dy <= 2; dy++ {
		for dx := int64(-2); dx <= 2; dx++ {
			if id, ok := g.index[ipt{q.X + dx, q.Y + dy}]; ok {
				return id
			}
		}
	}
	g.pts = append(g.pts, q)
	g.index[q] = len(g.pts) - 1
	return len(g.pts) - 1
}

// meander returns the interior points of a gently curved version of the edge
// a→b: a sum of sines, tapered to zero at both ends, at most ~16 % of the
// edge length (usually well under 10 %) off the straight line.
func meander(a, b ipt, f float64, r *rand.Rand) []ipt {
	pa, pb := a.km(), b.km()
	L := dist(pa, pb)
	// Draw the random numbers whether or not they are used, so that the
	// stream does not depend on the amplitudes.
	c1, c2 := 0.5+0.5*r.Float64(), 2*r.Float64()-1
	if r.Float64() < 0.5 {
		c1 = -c1
	}
	ph := 2 * math.Pi * r.Float64()
	if L < 0.5 || f == 0 {
		return nil
	}
	n := int(L / 0.25)
	nrm := perp(unit(sub(pb, pa)))
	var out []ipt
	for k := 1; k < n; k++ {
		t := float64(k) / float64(n)
		wave := 0.6*c1*math.Sin(math.Pi*t) + 0.25*c2*math.Sin(3*math.Pi*t+ph) +
			0.1*math.Sin(7*math.Pi*t+2*ph) + 0.05*math.Sin(13*math.Pi*t+3*ph)
		off := 0.16 * f * L * math.Sin(math.Pi*t) * wave
		q := toIPT(add(lerp(pa, pb, t), scale(nrm, off)))
		if q == a || q == b || (len(out) > 0 && out[len(out)-1] == q) {
			continue
		}
		out = append(out, q)
	}
	return out
}

// unionBoundary chains the directed edges that no other ring uses in reverse.
func unionBoundary(rings [][]ipt) []ipt {
	used := map[[2]ipt]bool{}
	for _, r := range rings {
		for k := range r {
			used[[2]ipt{r[k], r[(k+1)%len(r)]}] = true
		}
	}
	next := map[ipt]ipt{}
	var start ipt
	n := 0
	for _, r := range rings {
		for k := range r {
			a, b := r[k], r[(k+1)%len(r)]
			if used[[2]ipt{b, a}] {
				continue
			}
			if _, dup := next[a]; dup {
				return nil // boundary touches itself
			}
			if n == 0 {
				start = a
			}
			next[a] = b
			n++
		}
	}
	out := []ipt{start}
	for cur := next[start]; cur != start; cur = next[cur] {
		out = append(out, cur)
		if len(out) > n {
			return nil
		}
	}
	if len(out) != n {
		return nil // more than one boundary ring
	}
	return out
}

// buildRegions creates the county, the townships and their seats.
func (w *world) buildRegions() error {
	outline := countyOutline(w.seed)
	r := rand.New(rand.NewPCG(w.seed, 0x70))
	var err error
	for attempt := range 30 {
		jit := 0.0
		if attempt > 0 {
			jit = 0.4 + 0.05*float64(attempt)
		}
		seats := placeSeats(w.ter, outline, r, jit)
		w.townships, w.countyRing, err = buildTownships(outline, seats, r)
		if err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	w.countyKM = ringKM(w.countyRing)
	w.countyArea = geo.Area(lonLatPolygon(w.countyRing)) / 1e6
	for i, t := range w.townships {
		t.code = fmt.Sprintf("%s%d", countyCode, 101+i)
		t.short = townshipNames[i]
		kind := "Township"
		if i < 3 {
			kind = "Town"
		}
		t.name = fmt.Sprintf("%s %s (demo)", t.short, kind)
		t.areaKM2 = geo.Area(lonLatPolygon(t.ring)) / 1e6
	}
	// Seats: the county seat is the Voronoi site of township 101; every
	// township's own seat (its "town") is its site, except in 101 where the
	// town sits a few km up the main valley from the county seat.
	for i, t := range w.townships {
		v := &village{township: t, p: t.site, settlement: "town"}
		if i == 0 {
			w.seat = &village{township: t, p: t.site, settlement: "county_seat", name: "Demo County Seat (demo)"}
			v.p = w.townTwin(t)
		}
		v.name = fmt.Sprintf("%s Town Centre (demo)", t.short)
		t.town = v
	}
	return nil
}

// townTwin finds a low valley point 3–6 km from the county seat inside its township.
func (w *world) townTwin(t *township) orb.Point {
	best, bestScore := t.site, math.Inf(1)
	for dy := -6.0; dy <= 6; dy += 0.2 {
		for dx := -6.0; dx <= 6; dx += 0.2 {
			p := add(t.site, orb.Point{dx, dy})
			d := dist(p, t.site)
			if d < 3 || d > 6 || !insideBy(t.km, p, 1.0) {
				continue
			}
			rd, _ := w.ter.riverDist(p, 3)
			score := w.ter.elev(p)/40 + math.Abs(rd-0.7)*3 + math.Abs(d-4)
			if score < bestScore {
				best, bestScore = p, score
			}
		}
	}
	return best
}

// townshipAt returns the township containing p (km), or nil.
func (w *world) townshipAt(p orb.Point) *township {
	for _, t := range w.townships {
		if inRing(t.km, p) {
			return t
		}
	}
	return nil
}

// habitability in (0, 1]: valleys and gentle slopes attract settlement.
func (w *world) habitability(p orb.Point) float64 {
	e, s := w.ter.elev(p), w.ter.slope(p)
	return 0.04 + math.Exp(-math.Max(0, e-140)/260)*math.Exp(-s/14)
}

// placeVillages fills every township with villages, denser in the valleys.
func (w *world) placeVillages() {
	r := rand.New(rand.NewPCG(w.seed, 0x71))
	const total = 150
	var settled []orb.Point
	for _, t := range w.townships {
		settled = append(settled, t.town.p)
	}
	settled = append(settled, w.seat.p)
	// Quotas proportional to integrated habitability, at least 8 per township.
	hab := make([]float64, len(w.townships))
	sum := 0.0
	b := w.countyKM.Bound()
	for y := b.Min[1]; y <= b.Max[1]; y += 0.5 {
		for x := b.Min[0]; x <= b.Max[0]; x += 0.5 {
			p := orb.Point{x, y}
			if t := w.townshipAt(p); t != nil && w.freeForSettlement(p) {
				h := w.habitability(p)
				hab[t.index] += h
				sum += h
			}
		}
	}
	free := total - len(settled)
	quota := make([]int, len(w.townships))
	assigned := 0
	for i := range quota {
		quota[i] = max(8, int(math.Round(float64(free)*hab[i]/sum)))
		assigned += quota[i]
	}
	for assigned != free {
		// Adjust the largest quota (ties by index) until the total matches.
		i := 0
		for k := range quota {
			if quota[k] > quota[i] {
				i = k
			}
		}
		if assigned > free {
			quota[i]--
			assigned--
		} else {
			quota[i]++
			assigned++
		}
	}
	for _, t := range w.townships {
		tb := t.km.Bound()
		spacing := 1.3
		placed, tries := 0, 0
		for placed < quota[t.index] {
			tries++
			if tries%4000 == 0 {
				spacing *= 0.9
			}
			p := orb.Point{tb.Min[0] + r.Float64()*(tb.Max[0]-tb.Min[0]), tb.Min[1] + r.Float64()*(tb.Max[1]-tb.Min[1])}
			if !insideBy(t.km, p, 0.15) || !insideBy(w.countyKM, p, 0.3) || !w.freeForSettlement(p) {
				continue
			}
			if r.Float64() > w.habitability(p) {
				continue
			}
			tooClose := false
			for _, s := range settled {
				if dist(s, p) < spacing {
					tooClose = true
					break
				}
			}
			if tooClose {
				continue
			}
			settled = append(settled, p)
			t.villages = append(t.villages, &village{township: t, p: p, settlement: "village"})
			placed++
		}
	}
	w.finishVillages(r)
}

// freeForSettlement: outside the exclusion zones where nobody lives or builds.
func (w *world) freeForSettlement(p orb.Point) bool {
	for _, z := range w.exclusions {
		if z.kind != "flood" && inRing(z.km, p) {
			return false
		}
	}
	d, _ := w.ter.riverDist(p, 0.3)
	return d >= 0.3
}

// finishVillages orders, codes and names villages and sets population,
// central villages and poverty-exit flags.
func (w *world) finishVillages(r *rand.Rand) {
	var all []*village
	for _, t := range w.townships {
		// Seats first, then villages by distance to the seat (ties by position).
		vs := t.villages
		slices.SortStableFunc(vs, func(a, b *village) int {
			return cmp.Compare(dist(a.p, t.town.p), dist(b.p, t.town.p))
		})
		for _, v := range vs {
			v.elev = w.ter.elev(v.p)
			h := w.habitability(v.p)
			v.pop = int(math.Round(math.Exp(math.Log(1100)+0.45*r.NormFloat64()) * (0.6 + 0.9*h)))
			v.pop = min(3000, max(300, v.pop))
		}
		// Two most populous villages become central villages.
		idx := make([]int, len(vs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(vs[b].pop, vs[a].pop) })
		for _, i := range idx[:2] {
			vs[i].settlement = "central_village"
			vs[i].pop = max(vs[i].pop, 1800+r.IntN(1000))
		}
		t.town.pop = 2500 + r.IntN(501)
		head := []*village{t.town}
		if t.index == 0 {
			w.seat.pop = 3000
			head = []*village{w.seat, t.town}
		}
		t.villages = append(head, vs...)
		for i, v := range t.villages {
			v.code = fmt.Sprintf("%s%03d", t.code, 201+i)
			if v.name == "" {
				v.name = fmt.Sprintf("Village %s-%02d (demo)", t.code[6:], i+1)
			}
			v.q = toIPT(v.p)
			v.elev = w.ter.elev(v.p)
			all = append(all, v)
		}
	}
	// Poverty exit: ~30 % of all villages, chosen among ordinary and central
	// villages by a score that favours the mountains and remoteness.
	type sc struct {
		v *village
		s float64
	}
	var cands []sc
	for _, v := range all {
		if v.settlement == "village" || v.settlement == "central_village" {
			s := v.elev/400 + dist(v.p, w.seat.p)/25 + 0.35*r.Float64()
			cands = append(cands, sc{v, s})
		}
	}
	slices.SortStableFunc(cands, func(a, b sc) int { return cmp.Compare(b.s, a.s) })
	for _, c := range cands[:int(math.Round(0.3*float64(len(all))))] {
		c.v.poverty = true
	}
	w.villages = all
	// Township population: its villages plus town residents; township 101
	// takes the county-seat urban population so that the county sums to 300,000.
	total := 0
	for _, t := range w.townships[1:] {
		s := 0
		for _, v := range t.villages {
			s += v.pop
		}
		t.pop = s + 3000 + r.IntN(4000)
		total += t.pop
	}
	w.townships[0].pop = countyPopTarget - total
	w.countyPop = countyPopTarget
}
