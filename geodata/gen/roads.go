package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/pqueue"
)

// Roads are least-cost paths on a 150 m raster (cost grows with slope, river
// crossings cost extra), grown as a tree from the main road: each later road
// stops where it first meets the network, so every junction is a shared
// vertex. Paths are then simplified and smoothed between fixed vertices
// (junctions and settlements).

const cellKM = 0.15

type grid struct {
	nx, ny int
	origin orb.Point
	in     []bool
	slope  []float64 // tangent of the slope
	river  []bool
}

func (w *world) newGrid() *grid {
	b := w.countyKM.Bound()
	g := &grid{origin: b.Min}
	g.nx = int(math.Ceil((b.Max[0]-b.Min[0])/cellKM)) + 1
	g.ny = int(math.Ceil((b.Max[1]-b.Min[1])/cellKM)) + 1
	n := g.nx * g.ny
	g.in = make([]bool, n)
	g.slope = make([]float64, n)
	g.river = make([]bool, n)
	elev := make([]float64, n)
	// Inside mask by scanlines (crossings of the county ring per row), minus
	// the cells the boundary passes through.
	for j := range g.ny {
		y := g.origin[1] + float64(j)*cellKM
		var xs []float64
		r := w.countyKM
		for k := range r {
			a, b := r[k], r[(k+1)%len(r)]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])/(b[1]-a[1])*(b[0]-a[0]))
			}
		}
		slices.Sort(xs)
		for k := 0; k+1 < len(xs); k += 2 {
			i0 := int(math.Ceil((xs[k] - g.origin[0]) / cellKM))
			i1 := int(math.Floor((xs[k+1] - g.origin[0]) / cellKM))
			for i := max(i0, 0); i <= min(i1, g.nx-1); i++ {
				g.in[j*g.nx+i] = true
			}
		}
	}
	r := w.countyKM
	for k := range r {
		a, b := r[k], r[(k+1)%len(r)]
		steps := int(dist(a, b)/(cellKM/4)) + 1
		for s := 0; s <= steps; s++ {
			if c := g.cell(lerp(a, b, float64(s)/float64(steps))); c >= 0 {
				g.in[c] = false
			}
		}
	}
	for c := range n {
		if g.in[c] {
			elev[c] = w.ter.elev(g.center(c))
		}
	}
	for c := range n {
		if !g.in[c] {
			continue
		}
		i, j := c%g.nx, c/g.nx
		e := func(ii, jj int) float64 {
			ii, jj = min(max(ii, 0), g.nx-1), min(max(jj, 0), g.ny-1)
			k := jj*g.nx + ii
			if elev[k] == 0 {
				return elev[c]
			}
			return elev[k]
		}
		dx := (e(i+1, j) - e(i-1, j)) / (2 * cellKM * 1000)
		dy := (e(i, j+1) - e(i, j-1)) / (2 * cellKM * 1000)
		g.slope[c] = math.Hypot(dx, dy)
	}
	for _, rv := range w.ter.rivers {
		for k := 0; k+1 < len(rv.pts); k++ {
			a, b := rv.pts[k], rv.pts[k+1]
			steps := int(dist(a, b)/(cellKM/3)) + 1
			for s := 0; s <= steps; s++ {
				if c := g.cell(lerp(a, b, float64(s)/float64(steps))); c >= 0 {
					g.river[c] = true
				}
			}
		}
	}
	return g
}

func (g *grid) center(c int) orb.Point {
	return orb.Point{g.origin[0] + float64(c%g.nx)*cellKM, g.origin[1] + float64(c/g.nx)*cellKM}
}

func (g *grid) cell(p orb.Point) int {
	i := int(math.Round((p[0] - g.origin[0]) / cellKM))
	j := int(math.Round((p[1] - g.origin[1]) / cellKM))
	if i < 0 || j < 0 || i >= g.nx || j >= g.ny {
		return -1
	}
	return j*g.nx + i
}

// pqItem is an A* queue entry: a cell and its f = g + h.
type pqItem struct {
	f float64
	c int
}

// pqLess orders the A* queue by f, then by cell (deterministic ties).
func pqLess(a, b pqItem) bool {
	return a.f < b.f || (a.f == b.f && a.c < b.c)
}

// route finds a least-cost 8-connected path from src. With dst >= 0 it runs
// A* to dst and may not touch the network on the way; with dst < 0 it stops
// at the first network cell. Diagonal steps may not cut between two network
// cells, so a new road can never cross an old one without a junction.
func (g *grid) route(src, dst int, net []bool, slopeScale float64) []int {
	n := g.nx * g.ny
	gs := make([]float64, n)
	for i := range gs {
		gs[i] = math.Inf(1)
	}
	prev := make([]int32, n)
	done := make([]bool, n)
	goal := func(c int) bool {
		if dst >= 0 {
			return c == dst
		}
		return net[c]
	}
	h := func(c int) float64 {
		if dst < 0 {
			return 0
		}
		return dist(g.center(c), g.center(dst))
	}
	mult := func(c int) float64 {
		s := g.slope[c] / slopeScale
		return 1 + math.Min(s*s, 80)
	}
	gs[src] = 0
	prev[src] = -1
	q := pqueue.New(pqLess)
	q.Push(pqItem{h(src), src})
	for q.Len() > 0 {
		it := q.Pop()
		c := it.c
		if done[c] {
			continue
		}
		done[c] = true
		if goal(c) && c != src {
			var path []int
			for k := c; k >= 0; k = int(prev[k]) {
				path = append(path, k)
			}
			slices.Reverse(path)
			return path
		}
		i, j := c%g.nx, c/g.nx
		for dj := -1; dj <= 1; dj++ {
			for di := -1; di <= 1; di++ {
				if di == 0 && dj == 0 {
					continue
				}
				ii, jj := i+di, j+dj
				if ii < 0 || jj < 0 || ii >= g.nx || jj >= g.ny {
					continue
				}
				b := jj*g.nx + ii
				if !g.in[b] || done[b] {
					continue
				}
				if dst >= 0 && b != dst && (net[b] || (g.nearNet(b, net) && chebyshev(b, src, g.nx) > 2)) {
					continue // point-to-point roads keep a cell clear of the network
				}
				if di != 0 && dj != 0 && (net[j*g.nx+ii] || net[jj*g.nx+i]) {
					continue
				}
				step := math.Hypot(float64(di), float64(dj)) * cellKM
				cost := step * (mult(c) + mult(b)) / 2
				if g.river[b] && !g.river[c] {
					cost += 0.8
				}
				if v := gs[c] + cost; v < gs[b] {
					gs[b] = v
					prev[b] = int32(c)
					q.Push(pqItem{v + h(b), b})
				}
			}
		}
	}
	return nil
}

// nearNet reports whether any 8-neighbour of c is on the network.
func (g *grid) nearNet(c int, net []bool) bool {
	i, j := c%g.nx, c/g.nx
	for dj := -1; dj <= 1; dj++ {
		for di := -1; di <= 1; di++ {
			ii, jj := i+di, j+dj
			if ii >= 0 && jj >= 0 && ii < g.nx && jj < g.ny && net[jj*g.nx+ii] {
				return true
			}
		}
	}
	return false
}

func chebyshev(a, b, nx int) int {
	di, dj := a%nx-b%nx, a/nx-b/nx
	return max(di, -di, dj, -dj)
}

type road struct {
	id, name, highway string
	speed             int // km/h, 0 for null
	cells             []int
	line              []ipt
	lengthKM          float64
}

// buildRoads grows the network: primary along the main valley through the
// main-valley towns and the county seat, secondary roads from the other
// towns, tertiary roads to central villages, unclassified roads to the other
// villages and a few tracks up into the massif.
func (w *world) buildRoads() error {
	rb := &roadBuilder{w: w, g: w.newGrid(), override: map[int]orb.Point{}}
	rb.net = make([]bool, rb.g.nx*rb.g.ny)
	for _, v := range w.villages {
		if c := rb.g.cell(v.p); c >= 0 {
			rb.override[c] = v.p
		}
	}
	valleyTown, err := rb.primary()
	if err != nil {
		return err
	}
	rb.connectSettlements(valleyTown)
	rb.tracks()
	if err := rb.smooth(); err != nil {
		return err
	}
	w.roads = rb.roads
	return nil
}

// roadBuilder holds the network as it grows on the raster.
type roadBuilder struct {
	w        *world
	g        *grid
	net      []bool            // cells on the network
	override map[int]orb.Point // cell -> exact settlement position
	roads    []*road
}

func (rb *roadBuilder) mark(cells []int) {
	for _, c := range cells {
		rb.net[c] = true
	}
}

// primary routes the primary road: river entry -> main-valley towns in
// river order -> county seat -> exit. It returns the towns on it.
func (rb *roadBuilder) primary() (map[*village]bool, error) {
	// Primary: river entry -> main-valley towns in river order -> county seat -> exit.
	main := rb.w.ter.rivers[0]
	var inside []float64
	for s := 0.0; s <= main.length(); s += 0.2 {
		p, _ := main.at(s)
		if insideBy(rb.w.countyKM, p, 0.6) {
			inside = append(inside, s)
		}
	}
	if len(inside) == 0 {
		return nil, fmt.Errorf("main river misses the county")
	}
	type wp struct {
		s float64
		p orb.Point
	}
	entry, _ := main.at(inside[0])
	exit, _ := main.at(inside[len(inside)-1])
	wps := []wp{{inside[0], add(entry, orb.Point{0, 0.35})}, {inside[len(inside)-1], add(exit, orb.Point{0, 0.35})}}
	valleyTown := map[*village]bool{}
	for _, v := range append([]*village{rb.w.seat}, rb.w.townTowns()...) {
		d, s, ok := main.nearest(v.p, 2.2)
		if ok && d < 2.2 {
			wps = append(wps, wp{s, v.p})
			valleyTown[v] = true
		}
	}
	slices.SortStableFunc(wps, func(a, b wp) int { return cmp.Compare(a.s, b.s) })
	var primary []int
	for k := 0; k+1 < len(wps); k++ {
		a, b := rb.g.cell(wps[k].p), rb.g.cell(wps[k+1].p)
		leg := rb.g.route(a, b, rb.net, 0.07)
		if leg == nil {
			return nil, fmt.Errorf("primary leg %d has no path", k)
		}
		if len(primary) > 0 {
			leg = leg[1:]
		}
		primary = append(primary, leg...)
		rb.mark(leg)
		rb.net[a] = true
	}
	rb.roads = append(rb.roads, &road{name: "G-Demo Valley Highway (demo)", highway: "primary", speed: 80, cells: primary})
	return valleyTown, nil
}

// connect routes a road from v to the nearest point of the network, unless
// v is on it already.
func (rb *roadBuilder) connect(v *village, highway, name string, speed int) {
	c := rb.g.cell(v.p)
	if c < 0 || rb.net[c] {
		return
	}
	path := rb.g.route(c, -1, rb.net, 0.08)
	if path == nil {
		return
	}
	rb.mark(path)
	rb.roads = append(rb.roads, &road{name: name, highway: highway, speed: speed, cells: path})
}

// connectSettlements connects the towns off the valley (secondary), the
// central villages (tertiary) and the other villages (unclassified), each
// kind nearest first.
func (rb *roadBuilder) connectSettlements(valleyTown map[*village]bool) {
	towns := rb.w.townTowns()
	slices.SortStableFunc(towns, func(a, b *village) int { return cmp.Compare(dist(a.p, rb.w.seat.p), dist(b.p, rb.w.seat.p)) })
	nx := 1
	for _, v := range towns {
		if valleyTown[v] {
			continue
		}
		rb.connect(v, "secondary", fmt.Sprintf("County Road X%03d (demo)", nx), 60)
		nx++
	}
	var central, others []*village
	for _, v := range rb.w.villages {
		switch v.settlement {
		case "central_village":
			central = append(central, v)
		case "village":
			others = append(others, v)
		}
	}
	byDist := func(a, b *village) int {
		return cmp.Compare(dist(a.p, a.township.town.p), dist(b.p, b.township.town.p))
	}
	slices.SortStableFunc(central, byDist)
	slices.SortStableFunc(others, byDist)
	ny := 1
	for _, v := range central {
		rb.connect(v, "tertiary", fmt.Sprintf("Village Road Y%03d (demo)", ny), 40)
		ny++
	}
	for _, v := range others {
		rb.connect(v, "unclassified", fmt.Sprintf("Road to %s", v.name), 0)
	}
}

// tracks routes a few forest tracks from the highest villages of the
// massif up to a nearby crest.
func (rb *roadBuilder) tracks() {
	// Tracks: from the highest villages of the massif up to a nearby crest.
	var hill []*village
	for _, v := range rb.w.villages {
		if dist(v.p, rb.w.ter.massif) < 12 && v.settlement == "village" {
			hill = append(hill, v)
		}
	}
	slices.SortStableFunc(hill, func(a, b *village) int { return cmp.Compare(b.elev, a.elev) })
	nt := 1
	for _, v := range hill {
		if nt > 6 {
			break
		}
		src := rb.g.cell(v.p)
		if src < 0 || !rb.net[src] {
			continue
		}
		// Highest reachable cell 2–4.5 km away, not near other roads.
		best, bestE := -1, v.elev+150
		for a := 0; a < 24; a++ {
			for d := 2.0; d <= 4.5; d += 0.5 {
				p := add(v.p, polar(d, 2*math.Pi*float64(a)/24))
				c := rb.g.cell(p)
				if c < 0 || !rb.g.in[c] || rb.g.nearNet(c, rb.net) || !insideBy(rb.w.countyKM, p, 0.5) {
					continue
				}
				if e := rb.w.ter.elev(p); e > bestE {
					best, bestE = c, e
				}
			}
		}
		if best < 0 {
			continue
		}
		path := rb.g.route(src, best, rb.net, 0.2)
		if path == nil {
			continue
		}
		rb.mark(path)
		rb.roads = append(rb.roads, &road{name: fmt.Sprintf("Forest Track T%02d (demo)", nt), highway: "track", cells: path})
		nt++
	}
}

// smooth draws each road's line: smoothed between fixed vertices (road ends
// and settlements). Smoothing can make two nearby roads cross; such roads
// are redrawn with less smoothing and in the end on the raw cell centres,
// which cannot cross (see route).
func (rb *roadBuilder) smooth() error {
	roads := rb.roads
	// Fixed vertices: road ends (junctions) and settlements.
	fixed := map[int]bool{}
	for _, rd := range roads {
		fixed[rd.cells[0]] = true
		fixed[rd.cells[len(rd.cells)-1]] = true
	}
	for c := range rb.override {
		fixed[c] = true
	}
	coord := func(c int) orb.Point {
		if p, ok := rb.override[c]; ok {
			return p
		}
		return rb.g.center(c)
	}
	// Smooth each road between fixed vertices. Smoothing can make two
	// nearby roads cross; such roads are redrawn with less smoothing and in
	// the end on the raw cell centres, which cannot cross (see route).
	level := make([]int, len(roads))
	for i, rd := range roads {
		rd.id = fmt.Sprintf("R%03d", i+1)
	}
	for round := 0; ; round++ {
		for i, rd := range roads {
			rd.line, rd.lengthKM = nil, 0
			var line []orb.Point
			start := 0
			for k := 1; k < len(rd.cells); k++ {
				if !fixed[rd.cells[k]] && k != len(rd.cells)-1 {
					continue
				}
				var piece []orb.Point
				for _, c := range rd.cells[start : k+1] {
					piece = append(piece, coord(c))
				}
				switch level[i] {
				case 0:
					piece = chaikin(douglasPeucker(piece, 0.06), 2)
				case 1:
					piece = chaikin(douglasPeucker(piece, 0.02), 1)
				}
				if len(line) > 0 {
					piece = piece[1:]
				}
				line = append(line, piece...)
				start = k
			}
			for _, p := range line {
				q := toIPT(p)
				if n := len(rd.line); n > 0 && rd.line[n-1] == q {
					continue
				}
				rd.line = append(rd.line, q)
			}
			for k := 1; k < len(line); k++ {
				rd.lengthKM += dist(line[k-1], line[k])
			}
		}
		bad := crossingRoads(roads)
		if len(bad) == 0 {
			break
		}
		if round == 2 {
			return fmt.Errorf("roads %s still cross", roads[bad[0]].id)
		}
		for _, i := range bad {
			level[i]++
		}
	}
	return nil
}

// townTowns returns the town seat of every township, in township order.
func (w *world) townTowns() []*village {
	var out []*village
	for _, t := range w.townships {
		out = append(out, t.town)
	}
	return out
}

// crossingRoads returns the indices of roads that cross or touch another
// road (or themselves) anywhere but at a shared end point of two segments.
func crossingRoads(roads []*road) []int {
	type seg struct {
		a, b ipt
		road int
	}
	var segs []seg
	for i, rd := range roads {
		for k := 0; k+1 < len(rd.line); k++ {
			segs = append(segs, seg{rd.line[k], rd.line[k+1], i})
		}
	}
	slices.SortStableFunc(segs, func(x, y seg) int { return cmp.Compare(min(x.a.X, x.b.X), min(y.a.X, y.b.X)) })
	bad := make([]bool, len(roads))
	for i := range segs {
		xi := max(segs[i].a.X, segs[i].b.X)
		for j := i + 1; j < len(segs) && min(segs[j].a.X, segs[j].b.X) <= xi; j++ {
			a, b := segs[i], segs[j]
			if segmentsIntersect(a.a, a.b, b.a, b.b) && !touchAtEnd([2]ipt{a.a, a.b}, [2]ipt{b.a, b.b}) {
				bad[a.road], bad[b.road] = true, true
			}
		}
	}
	var out []int
	for i, b := range bad {
		if b {
			out = append(out, i)
		}
	}
	return out
}

// touchAtEnd reports whether two segments that intersect share an end point
// and meet only there (no collinear overlap).
func touchAtEnd(a, b [2]ipt) bool {
	for _, p := range a {
		for _, q := range b {
			if p != q {
				continue
			}
			o, u := a[0], b[0]
			if o == p {
				o = a[1]
			}
			if u == q {
				u = b[1]
			}
			return !(orient(p, o, u) == 0 && (o.X-p.X)*(u.X-p.X)+(o.Y-p.Y)*(u.Y-p.Y) > 0)
		}
	}
	return false
}
