package cql2

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// bboxPolygon is the polygon of a 4- or 6-number bounding box.
func bboxPolygon(v []float64) (orb.Geometry, error) {
	if len(v) == 6 {
		v = []float64{v[0], v[1], v[3], v[4]}
	}
	if len(v) != 4 {
		return nil, fmt.Errorf("BBOX takes 4 numbers (minx, miny, maxx, maxy), got %d", len(v))
	}
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("BBOX: numbers must be finite")
		}
	}
	if v[0] > v[2] || v[1] > v[3] {
		return nil, fmt.Errorf("BBOX: want minx, miny, maxx, maxy with min <= max")
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}.ToPolygon(), nil
}

// countCoords counts the points of g.
func countCoords(g orb.Geometry) int {
	n := 0
	forPoints(g, func(orb.Point) { n++ })
	return n
}

// checkFinite refuses NaN and infinite coordinates and empty geometries.
func checkFinite(g orb.Geometry) error {
	if g == nil {
		return fmt.Errorf("no geometry")
	}
	var bad bool
	n := 0
	forPoints(g, func(p orb.Point) {
		n++
		bad = bad || math.IsNaN(p[0]) || math.IsInf(p[0], 0) || math.IsNaN(p[1]) || math.IsInf(p[1], 0)
	})
	if bad {
		return fmt.Errorf("coordinates must be finite numbers")
	}
	if n == 0 {
		return fmt.Errorf("empty geometry")
	}
	return nil
}

// forPoints calls f on every point of g.
func forPoints(g orb.Geometry, f func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		f(g)
	case orb.MultiPoint:
		for _, p := range g {
			f(p)
		}
	case orb.LineString:
		for _, p := range g {
			f(p)
		}
	case orb.Ring:
		for _, p := range g {
			f(p)
		}
	case orb.MultiLineString:
		for _, l := range g {
			forPoints(l, f)
		}
	case orb.Polygon:
		for _, r := range g {
			forPoints(r, f)
		}
	case orb.MultiPolygon:
		for _, pg := range g {
			forPoints(pg, f)
		}
	case orb.Collection:
		for _, x := range g {
			forPoints(x, f)
		}
	case orb.Bound:
		forPoints(g.ToPolygon(), f)
	}
}

// SwapXY returns g with every point's coordinates swapped (for CRSs whose
// first axis is latitude).
func SwapXY(g orb.Geometry) orb.Geometry {
	return mapPoints(g, func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
}

func mapPoints(g orb.Geometry, f func(orb.Point) orb.Point) orb.Geometry {
	pts := func(ps []orb.Point) []orb.Point {
		out := make([]orb.Point, len(ps))
		for i, p := range ps {
			out[i] = f(p)
		}
		return out
	}
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.MultiPoint:
		return orb.MultiPoint(pts(g))
	case orb.LineString:
		return orb.LineString(pts(g))
	case orb.Ring:
		return orb.Ring(pts(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = orb.LineString(pts(l))
		}
		return out
	case orb.Polygon:
		out := make(orb.Polygon, len(g))
		for i, r := range g {
			out[i] = orb.Ring(pts(r))
		}
		return out
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, pg := range g {
			out[i] = mapPoints(pg, f).(orb.Polygon)
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, x := range g {
			out[i] = mapPoints(x, f)
		}
		return out
	case orb.Bound:
		return mapPoints(g.ToPolygon(), f)
	}
	return g
}
