package access

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The pair search's haversine (sines of half differences from products of
// precomputed half-angle sines, and the arcsine's series for small angles)
// gives the textbook formula's distances to 1e-9 (or a micrometre: the
// products lose digits when the points nearly coincide), from a few metres to
// across a country, and finds exactly the destinations within reach.
func TestWithinMatchesTextbookHaversine(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	textbook := func(a, b Point) float64 {
		p1, p2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
		dl := (b.Lon - a.Lon) * math.Pi / 180
		s1, s2 := math.Sin((p2-p1)/2), math.Sin(dl/2)
		return 2 * EarthRadius * math.Asin(math.Sqrt(s1*s1+math.Cos(p1)*math.Cos(p2)*s2*s2))
	}
	for _, spread := range []float64{0.0005, 0.05, 2, 25} {
		to := make([]Point, 300)
		for j := range to {
			to[j] = Point{Lon: 104 + r.Float64()*spread, Lat: 24 + r.Float64()*spread}
		}
		idx := newLatIndex(to)
		for i := 0; i < 50; i++ {
			p := Point{Lon: 104 + r.Float64()*spread, Lat: 24 + r.Float64()*spread}
			reach := spread * 111e3 * r.Float64()
			got := map[int]float64{}
			idx.within(p, reach, func(j int, m float64) { got[j] = m })
			for j, q := range to {
				want := textbook(p, q)
				m, ok := got[j]
				switch {
				case ok && math.Abs(m-want) > 1e-9*want+1e-6:
					t.Fatalf("spread %v: %v to %v: %.9f m, textbook %.9f m", spread, p, q, m, want)
				case !ok && want < reach*(1-1e-9):
					t.Fatalf("spread %v: %v to %v at %.3f m left out of reach %.3f m", spread, p, q, want, reach)
				case ok && want > reach*(1+1e-9):
					t.Fatalf("spread %v: %v to %v at %.3f m found beyond reach %.3f m", spread, p, q, want, reach)
				}
			}
		}
	}
}
