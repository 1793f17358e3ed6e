package locate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// blocksGap is how far apart the blocks of CPMPBlocks lie: more than any
// of their solutions costs (CPMPBlocks checks it), so that no arc between
// two blocks can be in an optimal solution.
const blocksGap = 1e6

// blocksMaxSize bounds a block's points: its 2^size sets of medians are
// enumerated. blocksMax bounds the blocks.
const (
	blocksMaxSize = 16
	blocksMax     = 1000
)

// CPMPBlocks returns a capacitated p-median instance of known optimum,
// with that optimum: blocks blocks of size points (every point a customer
// of integer demand 1..100 and a candidate median), each laid out like the
// p3038 board (a jittered grid 40 units apart), as one Gaussian cluster or
// as two, the blocks 10^6 units apart; one capacity for every median, so
// that p medians hold ratio times the total demand. Costs are Euclidean.
//
// The optimum is exact: a block's least cost with at most k medians comes
// from enumerating its sets of medians and assigning each set by branch
// and bound, for every k; the split of p among the blocks is then a
// dynamic program. No arc between blocks can pay, since one costs more
// than the whole optimum (checked). The same arguments always give the
// same instance.
func CPMPBlocks(blocks, size, p int, ratio float64, seed int64) (*Instance, float64, error) {
	switch {
	case blocks < 1 || blocks > blocksMax || size < 1 || size > blocksMaxSize:
		return nil, 0, fmt.Errorf("blocks: %d blocks of %d points: want 1 to %d blocks of 1 to %d points", blocks, size, blocksMax, blocksMaxSize)
	case p < 1 || p > blocks*size:
		return nil, 0, fmt.Errorf("blocks: p = %d: want 1 to %d (the points)", p, blocks*size)
	case !(ratio >= 1) || math.IsInf(ratio, 1):
		return nil, 0, fmt.Errorf("blocks: capacity ratio %v: want at least 1", ratio)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x626c6b73)) // "blks"
	in := &Instance{Name: fmt.Sprintf("cpmp-blocks-%d-%d-%d-%g-%d", blocks, size, p, ratio, seed), P: p}
	side := int(math.Ceil(math.Sqrt(float64(blocks))))
	for b := range blocks {
		x0, y0 := float64(b%side)*blocksGap, float64(b/side)*blocksGap
		kind := rng.IntN(3)
		sd := 40 + 160*rng.Float64()
		for h := range size {
			x, y := x0, y0
			switch {
			case kind == 0: // board: rows of four holes
				x += float64(h%4)*40 + 4*rng.Float64()
				y += float64(h/4)*40 + 4*rng.Float64()
			case kind == 2 && h%2 == 1: // second cluster of two
				x += 300 + sd*rng.NormFloat64()
				y += sd * rng.NormFloat64()
			default:
				x += sd * rng.NormFloat64()
				y += sd * rng.NormFloat64()
			}
			addMedianPoint(in, x, y, float64(1+rng.IntN(100)), 0)
		}
	}
	if err := setMedianCapacity(in, ratio); err != nil {
		return nil, 0, err
	}
	opt := blocksOptimum(in, blocks, size)
	switch {
	case math.IsInf(opt, 1):
		return nil, 0, fmt.Errorf("blocks: %d medians of capacity %v cannot serve every block from its own points: raise p or the ratio", p, in.Sites[0].Capacity)
	case opt >= blocksGap:
		return nil, 0, fmt.Errorf("blocks: the optimum %v reaches the blocks' gap %v, so arcs between blocks could pay: use fewer blocks", opt, blocksGap)
	}
	return in, opt, nil
}

// setMedianCapacity gives every median of in the capacity that makes in.P
// of them hold ratio times the total demand, and builds the Euclidean
// costs.
func setMedianCapacity(in *Instance, ratio float64) error {
	if in.P < 1 {
		return errors.New("median capacity: the instance has no p")
	}
	total := 0.0
	for _, d := range in.Demand {
		total += d.Weight
	}
	capa := math.Ceil(ratio * total / float64(in.P))
	for j := range in.Sites {
		in.Sites[j].Capacity = capa
	}
	return BuildCosts(in, Euclidean, 0, 0)
}

// blocksOptimum returns the optimum of a CPMPBlocks instance (+Inf when
// the blocks cannot be served on their own): each block's least cost with
// at most k medians, then the best split of in.P among the blocks.
func blocksOptimum(in *Instance, blocks, size int) float64 {
	p := in.P
	inf := math.Inf(1)
	best := make([]float64, p+1) // best[q]: least cost of the blocks so far with q medians
	next := make([]float64, p+1)
	for q := range best {
		best[q] = inf
	}
	best[0] = 0
	for b := range blocks {
		f := blockCosts(in.Demand[b*size:(b+1)*size], in.Sites[0].Capacity)
		for q := range next {
			next[q] = inf
			for k := 0; k <= min(q, size); k++ {
				next[q] = math.Min(next[q], best[q-k]+f[k])
			}
		}
		best, next = next, best
	}
	return best[p]
}

// blockCosts returns f[k], the least cost of serving pts from at most k
// of them as medians of capacity capa (+Inf where none is feasible), for
// k = 0..len(pts).
func blockCosts(pts []Demand, capa float64) []float64 {
	n := len(pts)
	f := make([]float64, n+1)
	for k := range f {
		f[k] = math.Inf(1)
	}
	total := 0.0
	for _, d := range pts {
		total += d.Weight
	}
	as := newBlockAssigner(pts, capa)
	for set := uint32(1); set < 1<<n; set++ {
		k := bits.OnesCount32(set)
		if float64(k)*capa < total {
			continue
		}
		f[k] = math.Min(f[k], as.solve(set, f[k]))
	}
	for k := 1; k <= n; k++ {
		f[k] = math.Min(f[k], f[k-1])
	}
	return f
}

// blockAssigner finds the least-cost single-source assignment of a
// block's points to a set of its points as medians, by depth-first search
// over the points, heaviest first.
type blockAssigner struct {
	pts     []Demand
	capa    float64
	order   []int // points, heaviest first
	sites   []int
	load    []float64
	minRest []float64 // least cost of order[x:], each at its nearest median
	best    float64
}

func newBlockAssigner(pts []Demand, capa float64) *blockAssigner {
	n := len(pts)
	a := &blockAssigner{pts: pts, capa: capa, order: make([]int, n), load: make([]float64, n), minRest: make([]float64, n+1)}
	for i := range a.order {
		a.order[i] = i
	}
	slices.SortStableFunc(a.order, func(x, y int) int { return -cmp.Compare(pts[x].Weight, pts[y].Weight) })
	return a
}

// solve returns the least cost of assigning every point to a median of set
// (a bit per point) if it is below bound, otherwise bound.
func (a *blockAssigner) solve(set uint32, bound float64) float64 {
	n := len(a.pts)
	a.sites = a.sites[:0]
	for j := range n {
		if set&(1<<j) != 0 {
			a.sites = append(a.sites, j)
		}
	}
	a.minRest[n] = 0
	for x := n - 1; x >= 0; x-- {
		c := math.Inf(1)
		for _, j := range a.sites {
			c = math.Min(c, a.dist(a.order[x], j))
		}
		a.minRest[x] = a.minRest[x+1] + c
	}
	if a.minRest[0] >= bound {
		return bound
	}
	clear(a.load)
	a.best = bound
	a.dfs(0, 0)
	return a.best
}

func (a *blockAssigner) dfs(x int, cost float64) {
	if cost+a.minRest[x] >= a.best {
		return
	}
	if x == len(a.order) {
		a.best = cost
		return
	}
	i := a.order[x]
	for _, j := range a.sites {
		if a.load[j]+a.pts[i].Weight <= a.capa {
			a.load[j] += a.pts[i].Weight
			a.dfs(x+1, cost+a.dist(i, j))
			a.load[j] -= a.pts[i].Weight
		}
	}
}

func (a *blockAssigner) dist(i, j int) float64 {
	return math.Hypot(a.pts[i].X-a.pts[j].X, a.pts[i].Y-a.pts[j].Y)
}
