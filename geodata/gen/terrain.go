package main

import (
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
)

// noise2 is 2-D gradient (Perlin) noise with a seeded permutation.
type noise2 struct {
	perm [256]uint8
	grad [256]orb.Point
}

func newNoise(r *rand.Rand) *noise2 {
	n := &noise2{}
	for i, v := range r.Perm(256) {
		n.perm[i] = uint8(v)
	}
	for i := range n.grad {
		n.grad[i] = polar(1, 2*math.Pi*r.Float64())
	}
	return n
}

func fade(t float64) float64 { return t * t * t * (t*(t*6-15) + 10) }

// at returns noise in about [-0.7, 0.7], smooth, zero on integer lattice points.
func (n *noise2) at(x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0)&255, int(y0)&255
	g := func(i, j int, dx, dy float64) float64 {
		h := n.perm[(int(n.perm[(ix+i)&255])+iy+j)&255]
		gr := n.grad[h]
		return gr[0]*dx + gr[1]*dy
	}
	u, v := fade(fx), fade(fy)
	a := g(0, 0, fx, fy) + u*(g(1, 0, fx-1, fy)-g(0, 0, fx, fy))
	b := g(0, 1, fx, fy-1) + u*(g(1, 1, fx-1, fy-1)-g(0, 1, fx, fy-1))
	return a + v*(b-a)
}

// fbm is fractal noise in about [-1, 1].
func (n *noise2) fbm(x, y float64, octaves int) float64 {
	sum, amp, norm, f := 0.0, 1.0, 0.0, 1.0
	for o := range octaves {
		// Offsetting each octave avoids the lattice zero at the origin lining up.
		sum += amp * n.at(x*f+float64(o)*17.3, y*f-float64(o)*9.1)
		norm += amp
		amp *= 0.5
		f *= 2.03
	}
	return sum / norm / 0.6
}

// ridged is ridged multifractal noise in [0, 1]: sharp crests, rounded troughs.
func (n *noise2) ridged(x, y float64) float64 {
	sum, amp, norm, f := 0.0, 1.0, 0.0, 1.0
	for o := range 4 {
		v := 1 - math.Abs(n.at(x*f+float64(o)*31.7, y*f+float64(o)*4.3))/0.7
		sum += amp * v * v
		norm += amp
		amp *= 0.5
		f *= 2.1
	}
	return sum / norm
}

// river is a polyline in km with its valley parameters.
type river struct {
	name   string
	main   bool
	pts    []orb.Point
	cum    []float64 // cumulative length at each vertex, km
	width  float64   // valley half-width at the mouth, km
	bedUp  float64   // bed elevation at the source, m
	bedLow float64   // bed elevation at the mouth, m
	chunks []chunk
	bound  orb.Bound
}

// chunk groups consecutive segments under one bounding box to prune nearest-point queries.
type chunk struct {
	i0, i1 int
	bound  orb.Bound
}

func (rv *river) length() float64 { return rv.cum[len(rv.cum)-1] }

func (rv *river) index() {
	rv.cum = make([]float64, len(rv.pts))
	for i := 1; i < len(rv.pts); i++ {
		rv.cum[i] = rv.cum[i-1] + dist(rv.pts[i-1], rv.pts[i])
	}
	rv.chunks = nil
	rv.bound = orb.MultiPoint(rv.pts).Bound()
	for i0 := 0; i0 < len(rv.pts)-1; i0 += 8 {
		i1 := min(i0+8, len(rv.pts)-1)
		b := orb.Bound{Min: rv.pts[i0], Max: rv.pts[i0]}
		for k := i0; k <= i1; k++ {
			b = b.Extend(rv.pts[k])
		}
		rv.chunks = append(rv.chunks, chunk{i0, i1, b})
	}
}

// nearest returns the distance from p to the river and the arc length of the
// nearest point; ok is false when the river is farther than cutoff.
func (rv *river) nearest(p orb.Point, cutoff float64) (d, s float64, ok bool) {
	d = cutoff
	if bx, by := max(rv.bound.Min[0]-p[0], 0, p[0]-rv.bound.Max[0]), max(rv.bound.Min[1]-p[1], 0, p[1]-rv.bound.Max[1]); bx > d || by > d {
		return d, 0, false
	}
	for _, c := range rv.chunks {
		dx := max(c.bound.Min[0]-p[0], 0, p[0]-c.bound.Max[0])
		dy := max(c.bound.Min[1]-p[1], 0, p[1]-c.bound.Max[1])
		if dx > d || dy > d || dx*dx+dy*dy > d*d {
			continue
		}
		for i := c.i0; i < c.i1; i++ {
			a, b := rv.pts[i], rv.pts[i+1]
			ab := sub(b, a)
			l2 := dot(ab, ab)
			t := 0.0
			if l2 > 0 {
				t = math.Max(0, math.Min(1, dot(sub(p, a), ab)/l2))
			}
			if dd := dist(p, lerp(a, b, t)); dd < d {
				d, s, ok = dd, rv.cum[i]+t*math.Sqrt(l2), true
			}
		}
	}
	return d, s, ok
}

// at returns the point at arc length s and the unit tangent there.
func (rv *river) at(s float64) (orb.Point, orb.Point) {
	for i := 1; i < len(rv.pts); i++ {
		if rv.cum[i] >= s || i == len(rv.pts)-1 {
			seg := rv.cum[i] - rv.cum[i-1]
			t := 0.0
			if seg > 0 {
				t = math.Max(0, math.Min(1, (s-rv.cum[i-1])/seg))
			}
			return lerp(rv.pts[i-1], rv.pts[i], t), unit(sub(rv.pts[i], rv.pts[i-1]))
		}
	}
	return rv.pts[0], orb.Point{1, 0}
}

func (rv *river) bedAt(s float64) float64 {
	return rv.bedUp + (rv.bedLow-rv.bedUp)*math.Pow(s/rv.length(), 0.6)
}

// newRiver threads a Catmull–Rom spline through the control points, resamples
// it every ~0.2 km and adds a tapered meander. The last point stays exactly at
// the last control point so that a tributary ends on its confluence.
func newRiver(r *rand.Rand, name string, ctrl []orb.Point, amp, wavelength float64) *river {
	var pts []orb.Point
	for i := 0; i+1 < len(ctrl); i++ {
		p0, p1, p2 := ctrl[max(i-1, 0)], ctrl[i], ctrl[i+1]
		p3 := ctrl[min(i+2, len(ctrl)-1)]
		n := max(2, int(math.Ceil(dist(p1, p2)/0.2)))
		for k := range n {
			t := float64(k) / float64(n)
			t2, t3 := t*t, t*t*t
			x := 0.5 * (2*p1[0] + (-p0[0]+p2[0])*t + (2*p0[0]-5*p1[0]+4*p2[0]-p3[0])*t2 + (-p0[0]+3*p1[0]-3*p2[0]+p3[0])*t3)
			y := 0.5 * (2*p1[1] + (-p0[1]+p2[1])*t + (2*p0[1]-5*p1[1]+4*p2[1]-p3[1])*t2 + (-p0[1]+3*p1[1]-3*p2[1]+p3[1])*t3)
			pts = append(pts, orb.Point{x, y})
		}
	}
	pts = append(pts, ctrl[len(ctrl)-1])
	rv := &river{name: name, pts: pts}
	rv.index()
	ph1, ph2 := 2*math.Pi*r.Float64(), 2*math.Pi*r.Float64()
	L := rv.length()
	out := make([]orb.Point, len(pts))
	for i, p := range pts {
		s := rv.cum[i]
		tan := unit(sub(pts[min(i+1, len(pts)-1)], pts[max(i-1, 0)]))
		taper := math.Min(1, math.Min(s/2, (L-s)/2))
		off := amp * taper * (math.Sin(2*math.Pi*s/wavelength+ph1) + 0.45*math.Sin(2*math.Pi*s/(0.41*wavelength)+ph2)) / 1.45
		out[i] = add(p, scale(perp(tan), off))
	}
	out[len(out)-1] = ctrl[len(ctrl)-1]
	rv.pts = out
	rv.index()
	return rv
}

// terrain is the synthetic elevation model: smooth hills, a western massif and
// river valleys carved into both.
type terrain struct {
	hills, detail, ridge *noise2
	massif               orb.Point
	massifR, massifH     float64
	rivers               []*river // rivers[0] is the main river
}

func newTerrain(seed uint64) *terrain {
	r := rand.New(rand.NewPCG(seed, 0x7e77a1))
	t := &terrain{
		hills:   newNoise(r),
		detail:  newNoise(r),
		ridge:   newNoise(r),
		massif:  orb.Point{-12.5 + 2*r.Float64() - 1, 3 + 3*r.Float64() - 1.5},
		massifR: 7.5,
		massifH: 1050 + 150*r.Float64(),
	}
	j := func(x, y, s float64) orb.Point { return orb.Point{x + s*(2*r.Float64()-1), y + s*(2*r.Float64()-1)} }
	// The main river enters from the south-west, runs north-east through the
	// centre and leaves to the east past the county seat.
	main := newRiver(r, "Demo River", []orb.Point{
		j(-7, -23, 0), j(-5, -14, 1), j(-2, -6.5, 1), j(3, -2.5, 1), j(8, 0, 0.8), j(12, 1, 0.5), j(17, 2.5, 0.5), j(26, 5, 0),
	}, 0.35, 3.6)
	main.main, main.width, main.bedUp, main.bedLow = true, 1.9, 190, 95
	t.rivers = []*river{main}
	tribs := []struct {
		name       string
		ctrl       []orb.Point
		join       orb.Point
		width, top float64
	}{
		{"Qing Creek", []orb.Point{j(-16, 9.5, 0.5), j(-11, 7.5, 0.8), j(-6, 5.5, 0.8), j(-2, 2, 0.8)}, orb.Point{1, -3}, 1.0, 620},
		{"Bei Creek", []orb.Point{j(5, 19, 0), j(6, 12, 0.8), j(7.5, 6, 0.8)}, orb.Point{8.5, 0.3}, 1.0, 320},
		{"Nan Creek", []orb.Point{j(17, -17, 0), j(15, -10, 0.8), j(15, -4, 0.8)}, orb.Point{15.5, 2}, 0.9, 300},
		{"Shan Creek", []orb.Point{j(-15, -3, 0.5), j(-10.5, -6, 0.6)}, orb.Point{-4.5, -10}, 0.8, 520},
	}
	for _, tb := range tribs {
		// End exactly on a vertex of the main river so the confluence is shared.
		_, s, _ := main.nearest(tb.join, math.Inf(1))
		jp, _ := main.at(s)
		ctrl := append(tb.ctrl, jp)
		rv := newRiver(r, tb.name, ctrl, 0.2, 2.6)
		rv.width, rv.bedUp, rv.bedLow = tb.width, tb.top, main.bedAt(s)+2
		t.rivers = append(t.rivers, rv)
	}
	return t
}

// elev is the ground elevation in metres at p (km).
func (t *terrain) elev(p orb.Point) float64 {
	h := 270 + 150*t.hills.fbm(p[0]/8, p[1]/8, 3) + 240*(t.detail.ridged(p[0]/2.3, p[1]/2.3)-0.45)
	dm := dist(p, t.massif) / t.massifR
	if dm < 3 {
		// Elongated north–south, with ridged crests.
		d := sub(p, t.massif)
		e := math.Hypot(d[0], d[1]*0.75) / t.massifR
		h += t.massifH * math.Exp(-e*e*1.2) * (0.55 + 0.6*t.ridge.ridged(p[0]/3.2, p[1]/3.2))
	}
	for _, rv := range t.rivers {
		cut := 2.5 * rv.width * 1.1
		d, s, ok := rv.nearest(p, cut)
		if !ok {
			continue
		}
		frac := s / rv.length()
		w := rv.width * (0.55 + 0.55*frac)
		bed := rv.bedAt(s)
		v := math.Exp(-math.Pow(d/w, 3.2))
		if h > bed {
			h = bed + (h-bed)*(1-v)
		}
	}
	return h
}

// slope is the terrain slope in degrees at p.
func (t *terrain) slope(p orb.Point) float64 {
	const e = 0.06 // km
	dx := (t.elev(orb.Point{p[0] + e, p[1]}) - t.elev(orb.Point{p[0] - e, p[1]})) / (2 * e * 1000)
	dy := (t.elev(orb.Point{p[0], p[1] + e}) - t.elev(orb.Point{p[0], p[1] - e})) / (2 * e * 1000)
	return math.Atan(math.Hypot(dx, dy)) * 180 / math.Pi
}

// riverDist is the distance in km to the nearest river (capped at cutoff).
func (t *terrain) riverDist(p orb.Point, cutoff float64) (float64, int) {
	best, bi := cutoff, -1
	for i, rv := range t.rivers {
		if d, _, ok := rv.nearest(p, best); ok && d < best {
			best, bi = d, i
		}
	}
	return best, bi
}

// inRing is an even-odd containment test on an open or closed km ring
// (planar.RingContains recomputes the ring's bound on every call).
func inRing(r orb.Ring, p orb.Point) bool {
	in := false
	for i := range r {
		a, b := r[i], r[(i+1)%len(r)]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])/(b[1]-a[1])*(b[0]-a[0]) {
			in = !in
		}
	}
	return in
}
