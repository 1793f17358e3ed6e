package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The generator works in a local plane in kilometres (x east, y north) around
// (lon0, lat0) and converts to WGS84 only when it writes. Output coordinates
// are integer micro-degrees (ipt), so that vertices shared between features are
// bit-identical and every validity test is exact integer arithmetic.
const (
	lon0 = 114.2
	lat0 = 26.65
	// Lengths of one degree at lat0 on the WGS84 ellipsoid, in km.
	kmPerDegLon = 99.559
	kmPerDegLat = 110.798
)

// ipt is a WGS84 position in micro-degrees (6 decimals).
type ipt struct{ X, Y int64 }

func toIPT(p orb.Point) ipt {
	lon := lon0 + p[0]/kmPerDegLon
	lat := lat0 + p[1]/kmPerDegLat
	return ipt{int64(math.Round(lon * 1e6)), int64(math.Round(lat * 1e6))}
}

func (q ipt) km() orb.Point {
	return orb.Point{(float64(q.X)/1e6 - lon0) * kmPerDegLon, (float64(q.Y)/1e6 - lat0) * kmPerDegLat}
}

func (q ipt) lonLat() orb.Point { return orb.Point{float64(q.X) / 1e6, float64(q.Y) / 1e6} }

func ringToIPT(r []orb.Point) []ipt {
	out := make([]ipt, 0, len(r))
	for _, p := range r {
		q := toIPT(p)
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}

func ringKM(r []ipt) orb.Ring {
	out := make(orb.Ring, len(r))
	for i, q := range r {
		out[i] = q.km()
	}
	return out
}

// lonLatPolygon returns a closed orb polygon in degrees, ready for geo.Area.
func lonLatPolygon(r []ipt) orb.Polygon {
	ring := make(orb.Ring, 0, len(r)+1)
	for _, q := range r {
		ring = append(ring, q.lonLat())
	}
	ring = append(ring, r[0].lonLat())
	return orb.Polygon{ring}
}

// Small vector helpers on orb.Point used as a km vector.

func add(a, b orb.Point) orb.Point           { return orb.Point{a[0] + b[0], a[1] + b[1]} }
func sub(a, b orb.Point) orb.Point           { return orb.Point{a[0] - b[0], a[1] - b[1]} }
func scale(a orb.Point, s float64) orb.Point { return orb.Point{a[0] * s, a[1] * s} }
func dot(a, b orb.Point) float64             { return a[0]*b[0] + a[1]*b[1] }
func cross(a, b orb.Point) float64           { return a[0]*b[1] - a[1]*b[0] }
func norm(a orb.Point) float64               { return math.Hypot(a[0], a[1]) }
func dist(a, b orb.Point) float64            { return math.Hypot(a[0]-b[0], a[1]-b[1]) }
func perp(a orb.Point) orb.Point             { return orb.Point{-a[1], a[0]} }
func lerp(a, b orb.Point, t float64) orb.Point {
	return orb.Point{a[0] + (b[0]-a[0])*t, a[1] + (b[1]-a[1])*t}
}
func unit(a orb.Point) orb.Point {
	n := norm(a)
	if n == 0 {
		return orb.Point{1, 0}
	}
	return scale(a, 1/n)
}
func polar(r, theta float64) orb.Point { return orb.Point{r * math.Cos(theta), r * math.Sin(theta)} }

// signedArea is the shoelace area of an open ring; positive when counter-clockwise.
func signedArea(r orb.Ring) float64 {
	s := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		s += cross(r[i], r[j])
	}
	return s / 2
}

// ringDist is the distance from p to the boundary of ring r (open or closed).
func ringDist(r orb.Ring, p orb.Point) float64 {
	best := math.Inf(1)
	for i := range r {
		j := (i + 1) % len(r)
		best = min(best, planar.DistanceFromSegment(r[i], r[j], p))
	}
	return best
}

// insideBy reports whether p lies inside ring r at least margin km from its boundary.
func insideBy(r orb.Ring, p orb.Point, margin float64) bool {
	return inRing(r, p) && (margin <= 0 || ringDist(r, p) >= margin)
}

// clipLeft is one Sutherland–Hodgman step: it keeps the part of the polygon
// on the left of the directed line a→b (the inside of a counter-clockwise
// convex clip polygon).
func clipLeft(poly []orb.Point, a, b orb.Point) []orb.Point {
	d := sub(b, a)
	side := func(p orb.Point) float64 { return cross(d, sub(p, a)) }
	var out []orb.Point
	for i := range poly {
		cur, nxt := poly[i], poly[(i+1)%len(poly)]
		sc, sn := side(cur), side(nxt)
		if sc >= 0 {
			out = append(out, cur)
		}
		if (sc >= 0) != (sn >= 0) {
			out = append(out, lerp(cur, nxt, sc/(sc-sn)))
		}
	}
	return out
}

// voronoiCell clips the convex counter-clockwise box by the bisector half-planes
// between site i and every other site.
func voronoiCell(sites []orb.Point, i int, box []orb.Point) []orb.Point {
	cell := append([]orb.Point(nil), box...)
	for j := range sites {
		if j == i || len(cell) < 3 {
			continue
		}
		v := sub(sites[j], sites[i])
		m := lerp(sites[i], sites[j], 0.5)
		// Left of m→m+perp(v) is the side where dot(p-m, v) <= 0: nearer to site i.
		cell = clipLeft(cell, m, add(m, perp(v)))
		cell = dedupe(cell, 1e-9)
	}
	return cell
}

// dedupe drops consecutive vertices closer than eps (also across the wrap).
func dedupe(r []orb.Point, eps float64) []orb.Point {
	var out []orb.Point
	for _, p := range r {
		if len(out) > 0 && dist(out[len(out)-1], p) <= eps {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && dist(out[0], out[len(out)-1]) <= eps {
		out = out[:len(out)-1]
	}
	return out
}

// clipConvex clips a (possibly concave) subject polygon by every edge of a
// convex counter-clockwise polygon. The caller validates the result: when the
// intersection is disconnected Sutherland–Hodgman joins the pieces with
// zero-width bridges, which the ring validation rejects.
func clipConvex(subject, convex []orb.Point) []orb.Point {
	out := subject
	for i := range convex {
		if len(out) < 3 {
			return nil
		}
		out = clipLeft(out, convex[i], convex[(i+1)%len(convex)])
	}
	return out
}

// Exact integer predicates on micro-degree coordinates.

func orient(a, b, c ipt) int {
	v := (b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func onSegment(a, b, p ipt) bool {
	return min(a.X, b.X) <= p.X && p.X <= max(a.X, b.X) && min(a.Y, b.Y) <= p.Y && p.Y <= max(a.Y, b.Y)
}

// segmentsIntersect reports whether closed segments ab and cd share any point.
func segmentsIntersect(a, b, c, d ipt) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if o1 != o2 && o3 != o4 {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}

// validRing checks an open ring (first vertex not repeated at the end) for
// the OGC simple-ring rules: at least three distinct vertices, no repeated
// vertex, no two edges touching except consecutive ones at their shared
// vertex, no zero-area spike, and a non-zero area.
func validRing(r []ipt) error {
	n := len(r)
	if n < 3 {
		return errors.New("ring has fewer than 3 vertices")
	}
	seen := make(map[ipt]int, n)
	for i, p := range r {
		if j, ok := seen[p]; ok {
			return fmt.Errorf("vertex %d repeats vertex %d", i, j)
		}
		seen[p] = i
	}
	type box struct{ x0, y0, x1, y1 int64 }
	boxes := make([]box, n)
	for i := range r {
		a, b := r[i], r[(i+1)%n]
		boxes[i] = box{min(a.X, b.X), min(a.Y, b.Y), max(a.X, b.X), max(a.Y, b.Y)}
	}
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		// Consecutive edge: must not fold back onto this one.
		c := r[(i+2)%n]
		if orient(a, b, c) == 0 && (c.X-b.X)*(a.X-b.X)+(c.Y-b.Y)*(a.Y-b.Y) > 0 {
			return fmt.Errorf("spike at vertex %d", (i+1)%n)
		}
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // adjacent across the wrap
			}
			bi, bj := boxes[i], boxes[j]
			if bj.x0 > bi.x1 || bj.x1 < bi.x0 || bj.y0 > bi.y1 || bj.y1 < bi.y0 {
				continue
			}
			if segmentsIntersect(a, b, r[j], r[(j+1)%n]) {
				return fmt.Errorf("edges %d and %d intersect", i, j)
			}
		}
	}
	if ringArea2(r) == 0 {
		return errors.New("ring has zero area")
	}
	return nil
}

// ringArea2 is twice the signed area in micro-degree units (exact).
func ringArea2(r []ipt) int64 {
	var s int64
	for i := range r {
		j := (i + 1) % len(r)
		s += r[i].X*r[j].Y - r[j].X*r[i].Y
	}
	return s
}

// ringsDisjoint reports whether two valid rings neither cross nor contain each other.
func ringsDisjoint(a, b []ipt) bool {
	for i := range a {
		for j := range b {
			if segmentsIntersect(a[i], a[(i+1)%len(a)], b[j], b[(j+1)%len(b)]) {
				return false
			}
		}
	}
	return !pointInRingI(a[0], b) && !pointInRingI(b[0], a)
}

// ringWithin reports whether ring a lies inside ring b without touching its boundary.
func ringWithin(a, b []ipt) bool {
	for i := range a {
		for j := range b {
			if segmentsIntersect(a[i], a[(i+1)%len(a)], b[j], b[(j+1)%len(b)]) {
				return false
			}
		}
	}
	return pointInRingI(a[0], b)
}

// pointInRingI is an exact crossing-number test; points on the boundary count as inside.
func pointInRingI(p ipt, r []ipt) bool {
	in := false
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		if orient(a, b, p) == 0 && onSegment(a, b, p) {
			return true
		}
		if (a.Y > p.Y) != (b.Y > p.Y) {
			// x of the edge at p.Y compared with p.X, exactly: sign of cross product.
			o := orient(a, b, p)
			if (b.Y > a.Y && o > 0) || (b.Y < a.Y && o < 0) {
				in = !in
			}
		}
	}
	return in
}

// douglasPeucker simplifies a polyline keeping both ends.
func douglasPeucker(pts []orb.Point, tol float64) []orb.Point {
	if len(pts) < 3 {
		return pts
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	var rec func(i, j int)
	rec = func(i, j int) {
		best, bi := -1.0, -1
		for k := i + 1; k < j; k++ {
			if d := planar.DistanceFromSegment(pts[i], pts[j], pts[k]); d > best {
				best, bi = d, k
			}
		}
		if bi >= 0 && best > tol {
			keep[bi] = true
			rec(i, bi)
			rec(bi, j)
		}
	}
	rec(0, len(pts)-1)
	var out []orb.Point
	for i, p := range pts {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// chaikin cuts corners of an open polyline, keeping both ends.
func chaikin(pts []orb.Point, rounds int) []orb.Point {
	for range rounds {
		if len(pts) < 3 {
			return pts
		}
		out := []orb.Point{pts[0]}
		for i := 0; i+1 < len(pts); i++ {
			if i > 0 {
				out = append(out, lerp(pts[i], pts[i+1], 0.25))
			}
			if i+2 < len(pts) {
				out = append(out, lerp(pts[i], pts[i+1], 0.75))
			}
		}
		pts = append(out, pts[len(pts)-1])
	}
	return pts
}

// starRing builds a counter-clockwise star-shaped ring around c from a radius function.
func starRing(c orb.Point, n int, radius func(theta float64) float64) orb.Ring {
	r := make(orb.Ring, n)
	for i := range n {
		th := 2 * math.Pi * float64(i) / float64(n)
		r[i] = add(c, polar(radius(th), th))
	}
	return r
}
