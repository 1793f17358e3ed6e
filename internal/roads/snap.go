package roads

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// DefaultSnapMetres is how far from the nearest road a point may be and
// still be reached by road: farms, stores and sites usually sit on a
// short field or village path off the nearest mapped road.
const DefaultSnapMetres = 2000

// DefaultOffRoadKmh is the speed on that path, between the point and the
// road (tricycles, tractors, carts).
const DefaultOffRoadKmh = 15

// gridCellDeg is the snapping grid's cell height in degrees (about 450 m).
const gridCellDeg = 0.004

// grid buckets edge segments by the cells their bounding boxes touch.
type grid struct {
	cellLon, cellLat float64
	cells            map[int64][]int32 // cell -> indices into pts of segment starts
	owner            []int32           // edge of each segment start (pts index)
}

func newGrid(g *Graph) grid {
	gr := grid{cellLat: gridCellDeg, cells: map[int64][]int32{}, owner: make([]int32, len(g.pts))}
	lat0 := 0.0
	if len(g.pts) > 0 {
		b := orb.MultiPoint(g.pts).Bound()
		lat0 = (b.Min[1] + b.Max[1]) / 2
	}
	gr.cellLon = gridCellDeg / math.Max(0.1, math.Cos(lat0*math.Pi/180))
	for ei, e := range g.edges {
		for k := e.first; k < e.end; k++ {
			gr.owner[k] = int32(ei)
		}
		for k := e.first; k+1 < e.end; k++ {
			a, b := g.pts[k], g.pts[k+1]
			x0, y0 := gr.cell(math.Min(a[0], b[0]), math.Min(a[1], b[1]))
			x1, y1 := gr.cell(math.Max(a[0], b[0]), math.Max(a[1], b[1]))
			for x := x0; x <= x1; x++ {
				for y := y0; y <= y1; y++ {
					key := x<<32 | int64(uint32(y))
					gr.cells[key] = append(gr.cells[key], k)
				}
			}
		}
	}
	return gr
}

func (gr *grid) cell(lon, lat float64) (int64, int64) {
	return int64(math.Floor(lon / gr.cellLon)), int64(math.Floor(lat / gr.cellLat))
}

// Snap is where a point joins the network.
type Snap struct {
	Edge   int32     // index of the edge in the graph
	Frac   float64   // position along the edge, 0 at its source, 1 at its target
	At     orb.Point // the nearest point of the edge
	Metres float64   // from the point to At (geodesic)
	// Fragment says no edge of the network's largest connected component
	// is within the limit, so the point joins a smaller, isolated piece
	// of road (FragmentVertices vertices) and reaches only what is on it.
	Fragment         bool
	FragmentVertices int
}

// Snap joins p to the network within limit metres: to the nearest edge of
// the largest connected component, else (only isolated pieces of road are
// that near) to the nearest edge of any component, flagged Fragment. A
// stray track a few metres nearer than the main network thus does not cut
// a point off from everything else.
func (g *Graph) Snap(p orb.Point, limit float64) (Snap, bool) {
	seg, t, ok := g.nearestSegment(p, limit, true)
	if !ok {
		if seg, t, ok = g.nearestSegment(p, limit, false); !ok {
			return Snap{}, false
		}
	}
	s, ok := g.snapAt(p, seg, t, limit)
	if ok {
		if c := g.comp[g.edges[s.Edge].u]; c != g.main {
			s.Fragment, s.FragmentVertices = true, int(g.compSize[c])
		}
	}
	return s, ok
}

// nearestSegment finds the segment nearest to p within limit metres (only
// the largest component's when mainOnly) and the position t along it.
func (g *Graph) nearestSegment(p orb.Point, limit float64, mainOnly bool) (int32, float64, bool) {
	if len(g.edges) == 0 || !(limit >= 0) {
		return -1, 0, false
	}
	gr := &g.grid
	kx := metresPerDegLon * math.Max(1e-3, math.Cos(p[1]*math.Pi/180))
	dLon, dLat := limit/kx, limit/metresPerDegLat
	x0, y0 := gr.cell(p[0]-dLon, p[1]-dLat)
	x1, y1 := gr.cell(p[0]+dLon, p[1]+dLat)
	if (x1-x0+1)*(y1-y0+1) > 1<<20 {
		return -1, 0, false // a limit of hundreds of kilometres is no snapping limit
	}
	// Search rings of cells around p's cell, nearest first, until the next
	// ring is farther than the best segment found or than the limit.
	cx, cy := gr.cell(p[0], p[1])
	cellM := math.Min(gr.cellLon*kx, gr.cellLat*metresPerDegLat)
	best2 := math.Inf(1)
	bestSeg, bestT := int32(-1), 0.0
	visit := func(x, y int64) {
		if x < x0 || x > x1 || y < y0 || y > y1 {
			return
		}
		for _, k := range gr.cells[x<<32|int64(uint32(y))] {
			if mainOnly && g.comp[g.edges[gr.owner[k]].u] != g.main {
				continue
			}
			a, b := g.pts[k], g.pts[k+1]
			ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*metresPerDegLat
			bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*metresPerDegLat
			dx, dy := bx-ax, by-ay
			t := 0.0
			if l2 := dx*dx + dy*dy; l2 > 0 {
				t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
			}
			ex, ey := ax+t*dx, ay+t*dy
			if d2 := ex*ex + ey*ey; d2 < best2 || (d2 == best2 && k < bestSeg) {
				best2, bestSeg, bestT = d2, k, t
			}
		}
	}
	maxRing := max(cx-x0, x1-cx, cy-y0, y1-cy)
	for r := int64(0); r <= maxRing; r++ {
		if r > 0 {
			// Everything in ring r is at least (r-1) cells away.
			if reach := float64(r-1) * cellM; reach*reach > best2 || reach > limit {
				break
			}
		}
		if r == 0 {
			visit(cx, cy)
			continue
		}
		for x := cx - r; x <= cx+r; x++ {
			visit(x, cy-r)
			visit(x, cy+r)
		}
		for y := cy - r + 1; y <= cy+r-1; y++ {
			visit(cx-r, y)
			visit(cx+r, y)
		}
	}
	if bestSeg < 0 || math.Sqrt(best2) > limit {
		return -1, 0, false
	}
	return bestSeg, bestT, true
}

// snapAt is the snap of p to position bestT along segment bestSeg.
func (g *Graph) snapAt(p orb.Point, bestSeg int32, bestT, limit float64) (Snap, bool) {
	gr := &g.grid
	ei := gr.owner[bestSeg]
	e := &g.edges[ei]
	a, b := g.pts[bestSeg], g.pts[bestSeg+1]
	at := orb.Point{a[0] + bestT*(b[0]-a[0]), a[1] + bestT*(b[1]-a[1])}
	total := g.cum[e.end-1]
	frac := 0.0
	if total > 0 {
		frac = (g.cum[bestSeg] + bestT*(g.cum[bestSeg+1]-g.cum[bestSeg])) / total
	}
	// Within a metre of an end is at that end (the vertex), whatever the
	// edge's direction.
	switch metres := total * frac; {
	case metres < 1:
		frac = 0
	case total-metres < 1:
		frac = 1
	}
	d := geo.Distance(p, at)
	if d > limit { // the local plane was a little optimistic
		return Snap{}, false
	}
	return Snap{Edge: ei, Frac: math.Max(0, math.Min(1, frac)), At: at, Metres: d}, true
}

// NearestRoad returns the distance in metres from p to the nearest road
// within limit, or -1.
func (g *Graph) NearestRoad(p orb.Point, limit float64) float64 {
	seg, t, ok := g.nearestSegment(p, limit, false)
	if !ok {
		return -1
	}
	s, ok := g.snapAt(p, seg, t, limit)
	if !ok {
		return -1
	}
	return s.Metres
}
