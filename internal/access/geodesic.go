package access

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
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

// UnsortedPairs implements UnsortedModel: Pairs without sorting each
// origin's pairs by time.
func (g *Geodesic) UnsortedPairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([]Pair, error) {
	return g.pairs(ctx, from, to, maxMinutes, false)
}

func (g *Geodesic) pairs(ctx context.Context, from, to []Point, maxMinutes []float64, sorted bool) ([]Pair, error) {
	if len(from) != len(maxMinutes) {
		return nil, fmt.Errorf("access: %d origins but %d limits", len(from), len(maxMinutes))
	}
	if len(from) == 0 || len(to) == 0 {
		return nil, nil
	}
	idx := newLatIndex(to)
	chunks := make([][]Pair, (len(from)+pairChunk-1)/pairChunk)
	next := make(chan int, len(chunks))
	for c := range chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(chunks)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				if ctx.Err() != nil {
					return
				}
				lo, hi := c*pairChunk, min((c+1)*pairChunk, len(from))
				chunks[c] = g.pairsOf(idx, from, maxMinutes, lo, hi, sorted)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
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

// pairsOf returns the pairs of origins lo..hi-1, by origin (then, when
// sorted, by time then destination).
func (g *Geodesic) pairsOf(idx *latIndex, from []Point, maxMinutes []float64, lo, hi int, sorted bool) []Pair {
	var out []Pair
	for i := lo; i < hi; i++ {
		reach := math.Max(0, maxMinutes[i]) / 60 * g.SpeedKmh * 1000 / g.Detour
		start := len(out)
		idx.within(from[i], reach, func(j int, metres float64) {
			out = append(out, Pair{From: int32(i), To: int32(j), Minutes: g.Minutes(metres), Km: metres / 1000 * g.Detour})
		})
		if !sorted {
			continue
		}
		own := out[start:]
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
	return out
}

// latIndex holds destinations sorted by latitude, with the sines and
// cosines the haversine formula needs.
type latIndex struct {
	order    []int
	lat, lon []float64 // radians, in order
	cos      []float64
}

func newLatIndex(ps []Point) *latIndex {
	x := &latIndex{order: make([]int, len(ps))}
	for i := range ps {
		x.order[i] = i
	}
	sort.SliceStable(x.order, func(a, b int) bool { return ps[x.order[a]].Lat < ps[x.order[b]].Lat })
	for _, j := range x.order {
		phi := ps[j].Lat * math.Pi / 180
		x.lat = append(x.lat, phi)
		x.lon = append(x.lon, ps[j].Lon*math.Pi/180)
		x.cos = append(x.cos, math.Cos(phi))
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
	// The haversine h grows with distance: compare it with the reach's
	// before taking the arcsine, which only the pairs within need.
	hmax := 1.0
	if half := reach / EarthRadius / 2; half < math.Pi/2 {
		hmax = math.Sin(half) * math.Sin(half)
	}
	for k := a; k < b; k++ {
		h := haversineH(phi, lam, cphi, x.lat[k], x.lon[k], x.cos[k])
		if h > hmax*(1+1e-12) {
			continue
		}
		if d := 2 * EarthRadius * math.Asin(math.Sqrt(math.Min(1, h))); d <= reach {
			fn(x.order[k], d)
		}
	}
}

// haversineH is the haversine of the central angle between two points
// given in radians with the cosines of their latitudes: the distance is
// 2 R asin(√h).
func haversineH(phi1, lam1, cos1, phi2, lam2, cos2 float64) float64 {
	s1 := math.Sin((phi2 - phi1) / 2)
	s2 := math.Sin((lam2 - lam1) / 2)
	return s1*s1 + cos1*cos2*s2*s2
}
