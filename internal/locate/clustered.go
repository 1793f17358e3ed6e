package locate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// Clustered returns a generated instance for benchmarks at scale: nDemand
// demand points in Gaussian clusters on a plane (coordinates in km, for the
// Euclidean metric) with skewed (log-normal) weights, and nSites candidate
// sites of which a quarter sit near cluster centres, a quarter near demand
// points (villages) and half anywhere in the region. The same arguments
// always give the same instance. Costs are not built: call BuildCosts.
//
// The region is a square whose area grows with the number of clusters
// (about one cluster per 2,000 demand points, each 1–8 km across), so
// density stays realistic at every size.
func Clustered(nDemand, nSites int, seed int64) *Instance {
	nDemand, nSites = max(nDemand, 0), max(nSites, 0)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x636c757374657265)) // "clustere"
	nc := max(1, (nDemand+1999)/2000)
	side := 15 * math.Sqrt(float64(nc)) // km; about 225 km² per cluster
	type cluster struct{ x, y, sd, share float64 }
	cs := make([]cluster, nc)
	total := 0.0
	for c := range cs {
		cs[c] = cluster{
			x:     rng.Float64() * side,
			y:     rng.Float64() * side,
			sd:    1 + 7*rng.Float64()*rng.Float64(),
			share: math.Exp(rng.NormFloat64()), // cluster sizes vary too
		}
		total += cs[c].share
	}
	// Cumulative shares for drawing a cluster per point.
	cum := make([]float64, nc)
	acc := 0.0
	for c := range cs {
		acc += cs[c].share / total
		cum[c] = acc
	}
	pick := func() *cluster {
		u := rng.Float64()
		lo, hi := 0, nc-1
		for lo < hi {
			mid := (lo + hi) / 2
			if cum[mid] < u {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		return &cs[lo]
	}
	in := &Instance{
		Name:   fmt.Sprintf("clustered-%d-%d-%d", nDemand, nSites, seed),
		Demand: make([]Demand, nDemand),
		Sites:  make([]Site, nSites),
	}
	for i := range in.Demand {
		c := pick()
		in.Demand[i] = Demand{
			ID:     "d" + strconv.Itoa(i+1),
			X:      c.x + c.sd*rng.NormFloat64(),
			Y:      c.y + c.sd*rng.NormFloat64(),
			Weight: math.Round(10*math.Exp(0.5+1.2*rng.NormFloat64())) / 10, // tonnes, log-normal
		}
		if in.Demand[i].Weight == 0 {
			in.Demand[i].Weight = 0.1
		}
	}
	for j := range in.Sites {
		var x, y float64
		switch {
		case j%4 == 0: // near a cluster centre
			c := &cs[(j/4)%nc]
			x, y = c.x+0.5*rng.NormFloat64(), c.y+0.5*rng.NormFloat64()
		case j%4 == 1 && nDemand > 0: // near a village
			d := &in.Demand[rng.IntN(nDemand)]
			x, y = d.X+0.3*rng.NormFloat64(), d.Y+0.3*rng.NormFloat64()
		default: // anywhere
			x, y = rng.Float64()*side, rng.Float64()*side
		}
		in.Sites[j] = Site{ID: "s" + strconv.Itoa(j+1), X: x, Y: y, Status: Candidate}
	}
	return in
}
