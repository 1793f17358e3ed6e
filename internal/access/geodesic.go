package access

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// EarthRadius is the mean radius of the WGS84 ellipsoid (m), the sphere on
// which Geodesic measures great-circle distance.
const EarthRadius = 6371008.8

// pairChunk is how many origins one goroutine handles at a time.
const pairChunk = 2048

// Pairs implements Model: for each origin, every destination within its
// reach (maxMinutes at SpeedKmh, divided by the detour factor) by
// great-circle distance, found through the destinations sorted by
// latitude. Origins are split into chunks over the cores; the output is
// the same for any number of cores.
func (g *Geodesic) Pairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([]Pair, error) {
	return g.pairs(ctx, from, to, maxMinutes, true)
}

// UnsortedPairs is Pairs without sorting each origin's pairs by time,
// for callers that need only each origin's set of pairs and least times,
// and in pieces: the pairs of consecutive origins, pieces in origin
// order, no origin's pairs split between two. Joining the pieces into
// one slice, as Pairs does, took 11 of the 75 CPU seconds of a province's
// coverage (1,000,000 producers: copying a few hundred million pairs).
func (g *Geodesic) UnsortedPairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([][]Pair, error) {
	return g.pieces(ctx, from, to, maxMinutes, false)
}

func (g *Geodesic) pairs(ctx context.Context, from, to []Point, maxMinutes []float64, sorted bool) ([]Pair, error) {
	chunks, err := g.pieces(ctx, from, to, maxMinutes, sorted)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, c := range chunks {
		n += len(c)
	}
	out := make([]Pair, 0, n)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// pieces returns the pairs in blocks of consecutive origins, in origin
// order (an origin's pairs in one block).
func (g *Geodesic) pieces(ctx context.Context, from, to []Point, maxMinutes []float64, sorted bool) ([][]Pair, error) {
	if len(from) != len(maxMinutes) {
		return nil, fmt.Errorf("access: %d origins but %d limits", len(from), len(maxMinutes))
	}
	if len(from) == 0 || len(to) == 0 {
		return nil, nil
	}
	idx := newLatIndex(to)
	chunks := make([][][]Pair, (len(from)+pairChunk-1)/pairChunk)
	next := make(chan int, len(chunks))
	for c := range chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	var found, done atomic.Int64 // pairs and origins so far, to size the next chunk
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(chunks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				if ctx.Err() != nil {
					return
				}
				lo, hi := c*pairChunk, min((c+1)*pairChunk, len(from))
				block := (hi - lo) * firstPerOrigin
				if o := done.Load(); o > 0 {
					block = max(minBlock, int(float64(found.Load())/float64(o)*float64(hi-lo)*1.1))
				}
				chunks[c] = g.pairsOf(idx, from, maxMinutes, lo, hi, sorted, block)
				for _, b := range chunks[c] {
					found.Add(int64(len(b)))
				}
				done.Add(int64(hi - lo))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out [][]Pair
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// The pairs of a chunk of origins go into blocks: of firstPerOrigin
// pairs per origin before any chunk has been counted (a full chunk: 65,536;
// a call for a few origins allocates a few hundred, not a full chunk's),
// then of the pairs the chunk is expected to have (at least minBlock).
const firstPerOrigin, minBlock = 32, 1 << 10

// pairsOf returns the pairs of origins lo..hi-1, by origin (then, when
// sorted, by time then destination), in blocks of block pairs or more. A
// full block is not grown: a new one takes the pairs that follow, with
// those of the origin being read moved over, so that an origin's pairs
// stay in one block. Growing one slice copied each chunk's pairs a few
// times over (9 of the 75 CPU seconds of a province's coverage).
func (g *Geodesic) pairsOf(idx *latIndex, from []Point, maxMinutes []float64, lo, hi int, sorted bool, block int) [][]Pair {
	var out [][]Pair
	cur := make([]Pair, 0, block)
	for i := lo; i < hi; i++ {
		reach := math.Max(0, maxMinutes[i]) / 60 * g.SpeedKmh * 1000 / g.Detour
		start := len(cur)
		idx.within(from[i], reach, func(j int, metres float64) {
			if len(cur) == cap(cur) {
				own := cur[start:]
				next := make([]Pair, 0, max(block, 2*len(own)))
				if start > 0 {
					out = append(out, cur[:start])
				}
				cur, start = append(next, own...), 0
			}
			cur = append(cur, Pair{From: int32(i), To: int32(j), Minutes: g.Minutes(metres), Km: metres / 1000 * g.Detour})
		})
		if !sorted {
			continue
		}
		own := cur[start:]
		slices.SortFunc(own, func(a, b Pair) int {
			if a.Minutes != b.Minutes {
				if a.Minutes < b.Minutes {
					return -1
				}
				return 1
			}
			return int(a.To - b.To)
		})
	}
	return append(out, cur)
}

// latIndex holds destinations sorted by latitude, with the sines and
// cosines the haversine formula needs: of each latitude, and of half of
// each latitude and longitude, so that the sines of half the differences
// come from products (sin(a−b) = sin a cos b − cos a sin b) instead of a
// sine per pair.
type latIndex struct {
	order      []int
	lat        []float64 // radians, in order
	cos        []float64
	sphi, cphi []float64 // sine and cosine of half the latitude
	slam, clam []float64 // of half the longitude
}

func newLatIndex(ps []Point) *latIndex {
	x := &latIndex{order: make([]int, len(ps))}
	for i := range ps {
		x.order[i] = i
	}
	sort.SliceStable(x.order, func(a, b int) bool { return ps[x.order[a]].Lat < ps[x.order[b]].Lat })
	for _, j := range x.order {
		phi, lam := ps[j].Lat*math.Pi/180, ps[j].Lon*math.Pi/180
		x.lat = append(x.lat, phi)
		x.cos = append(x.cos, math.Cos(phi))
		x.sphi, x.cphi = append(x.sphi, math.Sin(phi/2)), append(x.cphi, math.Cos(phi/2))
		x.slam, x.clam = append(x.slam, math.Sin(lam/2)), append(x.clam, math.Cos(lam/2))
	}
	return x
}

// within calls fn with every destination at most reach metres from p and
// its distance. Only destinations within reach in latitude are tried.
func (x *latIndex) within(p Point, reach float64, fn func(j int, metres float64)) {
	phi, lam := p.Lat*math.Pi/180, p.Lon*math.Pi/180
	dphi := reach / EarthRadius
	a := sort.SearchFloat64s(x.lat, phi-dphi)
	b := sort.SearchFloat64s(x.lat, phi+dphi+1e-12)
	cphi := math.Cos(phi)
	sp, cp := math.Sin(phi/2), math.Cos(phi/2)
	sl, cl := math.Sin(lam/2), math.Cos(lam/2)
	// The haversine h grows with distance: compare it with the reach's
	// before taking the arcsine, which only the pairs within need.
	hmax := 1.0
	if half := reach / EarthRadius / 2; half < math.Pi/2 {
		hmax = math.Sin(half) * math.Sin(half)
	}
	for k := a; k < b; k++ {
		s1 := x.sphi[k]*cp - x.cphi[k]*sp // sin((φ2 − φ1) / 2)
		s2 := x.slam[k]*cl - x.clam[k]*sl // sin((λ2 − λ1) / 2)
		h := s1*s1 + cphi*x.cos[k]*s2*s2
		if h > hmax*(1+1e-12) {
			continue
		}
		if d := 2 * EarthRadius * asinSqrt(h); d <= reach {
			fn(x.order[k], d)
		}
	}
}

// asinSqrt is asin(√h) for h in [0, 1]: for the small angles of travel
// within a province (√h < 0.1, under 1,270 km), the arcsine's series to
// the x⁹ term, whose remainder is below 1e-11 of the result; else
// math.Asin.
func asinSqrt(h float64) float64 {
	x := math.Sqrt(math.Min(1, h))
	if x >= 0.1 {
		return math.Asin(x)
	}
	x2 := x * x
	return x * (1 + x2*(1.0/6+x2*(3.0/40+x2*(15.0/336+x2*(105.0/3456)))))
}
