package province

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// Lattice geometry. Positions are in fine-cell units (u east, v north) from
// the province's south-west corner; a node of the lattice sits at every
// half unit. A position maps to WGS84 through warp, a smooth displacement
// whose partial derivatives stay below 0.3 in sum, so the map is one-to-one
// and keeps every lattice cell a convex, counter-clockwise quadrilateral.

const (
	cellKM = 3.6   // side of a fine cell
	lon0   = 104.0 // south-west corner of the province
	lat0   = 23.0
)

// wave is one term of the displacement: a·sin(k·(u cos θ + v sin θ) + φ).
type wave struct{ a, k, cos, sin, phi float64 }

// warper displaces lattice positions.
type warper struct{ du, dv []wave }

// newWarper draws the displacement: per axis three waves of wavelengths
// 24, 7 and 3 cells whose a·k sum to at most 0.29.
func newWarper(rng *rand.Rand) *warper {
	terms := func() []wave {
		var ws []wave
		for _, t := range []struct{ lambda, a float64 }{{24, 0.55}, {7, 0.12}, {3, 0.02}} {
			th := rng.Float64() * 2 * math.Pi
			ws = append(ws, wave{a: t.a, k: 2 * math.Pi / t.lambda, cos: math.Cos(th), sin: math.Sin(th), phi: rng.Float64() * 2 * math.Pi})
		}
		return ws
	}
	return &warper{du: terms(), dv: terms()}
}

func displace(ws []wave, u, v float64) float64 {
	d := 0.0
	for _, w := range ws {
		d += w.a * math.Sin(w.k*(u*w.cos+v*w.sin)+w.phi)
	}
	return d
}

// point maps a lattice position to longitude/latitude rounded to
// micro-degrees (so that equal positions give equal coordinates).
func (w *warper) point(u, v float64) orb.Point {
	x := (u + displace(w.du, u, v)) * cellKM
	y := (v + displace(w.dv, u, v)) * cellKM
	lat := lat0 + y/110.574
	lon := lon0 + x/(111.320*math.Cos(lat0*math.Pi/180))
	return orb.Point{math.Round(lon*1e6) / 1e6, math.Round(lat*1e6) / 1e6}
}

// row is one horizontal band of a staircase region: fine rows [y0, y1)
// from the region's common west edge to fine column x1.
type row struct{ y0, y1, x1 int }

// rect is a lattice rectangle of fine cells [x0, x1) × [y0, y1).
type rect struct{ x0, y0, x1, y1 int }

func (r rect) rows() []row { return []row{{r.y0, r.y1, r.x1}} }

// contains says whether lattice position (u, v) lies in r at least margin
// from its edges.
func (r rect) contains(u, v, margin float64) bool {
	return u >= float64(r.x0)+margin && u <= float64(r.x1)-margin &&
		v >= float64(r.y0)+margin && v <= float64(r.y1)-margin
}

// stairRing returns the counter-clockwise ring (closed) of a region made of
// contiguous rows that all start at fine column x0, through every half-unit
// lattice node on its boundary.
func (w *warper) stairRing(x0 int, rows []row) orb.Ring {
	var nodes [][2]int                         // half units
	walk := func(fromU, fromV, toU, toV int) { // excludes the end node
		du, dv := sign(toU-fromU), sign(toV-fromV)
		for u, v := fromU, fromV; u != toU || v != toV; u, v = u+du, v+dv {
			nodes = append(nodes, [2]int{u, v})
		}
	}
	first, last := rows[0], rows[len(rows)-1]
	walk(2*x0, 2*first.y0, 2*first.x1, 2*first.y0)
	for i, r := range rows {
		walk(2*r.x1, 2*r.y0, 2*r.x1, 2*r.y1)
		if i+1 < len(rows) {
			walk(2*r.x1, 2*r.y1, 2*rows[i+1].x1, 2*r.y1)
		}
	}
	walk(2*last.x1, 2*last.y1, 2*x0, 2*last.y1)
	walk(2*x0, 2*last.y1, 2*x0, 2*first.y0)
	ring := make(orb.Ring, 0, len(nodes)+1)
	for _, n := range nodes {
		ring = append(ring, w.point(float64(n[0])/2, float64(n[1])/2))
	}
	return append(ring, ring[0])
}

// polygonRing returns the closed counter-clockwise ring of an n-gon of
// radius r (cells) around lattice position (u, v), its radius varied by
// ±wobble.
func (w *warper) polygonRing(rng *rand.Rand, u, v, r, wobble float64, n int) orb.Ring {
	ring := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		th := 2 * math.Pi * float64(i) / float64(n)
		rr := r * (1 + wobble*(2*rng.Float64()-1))
		ring = append(ring, w.point(u+rr*math.Cos(th), v+rr*math.Sin(th)))
	}
	return append(ring, ring[0])
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
