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

// However small its blocks, pairsOf returns the pairs one block would
// hold, in the same order (sorted or not), with no origin split between
// two blocks and no empty block.
func TestPairsOfBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	g := NewGeodesic(1.3, 40)
	to := make([]Point, 200)
	for j := range to {
		to[j] = Point{Lon: 104 + r.Float64(), Lat: 24 + r.Float64()}
	}
	from := make([]Point, 120)
	limits := make([]float64, len(from))
	for i := range from {
		from[i] = Point{Lon: 104 + r.Float64(), Lat: 24 + r.Float64()}
		limits[i] = r.Float64() * 90 // some reach nothing
	}
	idx := newLatIndex(to)
	for _, sorted := range []bool{false, true} {
		want := g.pairsOf(idx, from, limits, 10, 110, sorted, 1<<20)
		if len(want) != 1 || len(want[0]) == 0 {
			t.Fatalf("one large block: %d blocks", len(want))
		}
		for _, block := range []int{1, 2, 3, 7, 50} {
			var got []Pair
			seen := map[int32]int{}
			for b, ps := range g.pairsOf(idx, from, limits, 10, 110, sorted, block) {
				if len(ps) == 0 {
					t.Fatalf("block %d: block %d is empty", block, b)
				}
				for _, p := range ps {
					if at, ok := seen[p.From]; ok && at != b {
						t.Fatalf("block %d: origin %d in blocks %d and %d", block, p.From, at, b)
					}
					seen[p.From] = b
				}
				got = append(got, ps...)
			}
			if len(got) != len(want[0]) {
				t.Fatalf("sorted %v block %d: %d pairs, want %d", sorted, block, len(got), len(want[0]))
			}
			for k := range got {
				if got[k] != want[0][k] {
					t.Fatalf("sorted %v block %d: pair %d is %+v, want %+v", sorted, block, k, got[k], want[0][k])
				}
			}
		}
	}
}
