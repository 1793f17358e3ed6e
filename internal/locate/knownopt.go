package locate

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
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
	if err := blocksOutOfRange(blocks, size); err != nil {
		return nil, 0, err
	}
	switch {
	case p < 1 || p > blocks*size:
		return nil, 0, fmt.Errorf("blocks: p = %d: want 1 to %d (the points)", p, blocks*size)
	case !(ratio >= 1) || math.IsInf(ratio, 1):
		return nil, 0, fmt.Errorf("blocks: capacity ratio %v: want at least 1", ratio)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x626c6b73)) // "blks"
	in := &Instance{Name: fmt.Sprintf("cpmp-blocks-%d-%d-%d-%g-%d", blocks, size, p, ratio, seed), P: p}
	for b := range blocks {
		at := newBlockLayout(rng, b, blocks)
		for h := range size {
			x, y := at.point(rng, h)
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
		return nil, 0, errBlocksGap(opt)
	}
	return in, opt, nil
}

// blocksOutOfRange refuses a number of blocks or points per block that
// CPMPBlocks and CFLPBlocks cannot make (nil when in range).
func blocksOutOfRange(blocks, size int) error {
	if blocks < 1 || blocks > blocksMax || size < 1 || size > blocksMaxSize {
		return fmt.Errorf("blocks: %d blocks of %d points: want 1 to %d blocks of 1 to %d points", blocks, size, blocksMax, blocksMaxSize)
	}
	return nil
}

// errBlocksGap refuses an optimum opt that reaches blocksGap, where an arc
// between blocks could be part of an optimal solution.
func errBlocksGap(opt float64) error {
	return fmt.Errorf("blocks: the optimum %v reaches the blocks' gap %v, so arcs between blocks could pay: use fewer blocks", opt, blocksGap)
}

// blockLayout is how a block of CPMPBlocks and CFLPBlocks lies: from its
// corner (x0, y0) on a square grid of blocks blocksGap apart, a board
// (rows of four holes 40 units apart, jittered), one Gaussian cluster or
// two, of spread sd.
type blockLayout struct {
	x0, y0 float64
	kind   int
	sd     float64
}

// newBlockLayout draws the layout of block b of blocks.
func newBlockLayout(rng *rand.Rand, b, blocks int) blockLayout {
	side := int(math.Ceil(math.Sqrt(float64(blocks))))
	kind := rng.IntN(3)
	return blockLayout{x0: float64(b%side) * blocksGap, y0: float64(b/side) * blocksGap, kind: kind, sd: 40 + 160*rng.Float64()}
}

// point returns the block's h-th point.
func (b blockLayout) point(rng *rand.Rand, h int) (x, y float64) {
	x, y = b.x0, b.y0
	switch {
	case b.kind == 0: // board: rows of four holes
		x += float64(h%4)*40 + 4*rng.Float64()
		y += float64(h/4)*40 + 4*rng.Float64()
	case b.kind == 2 && h%2 == 1: // second cluster of two
		x += 300 + b.sd*rng.NormFloat64()
		y += b.sd * rng.NormFloat64()
	default:
		x += b.sd * rng.NormFloat64()
		y += b.sd * rng.NormFloat64()
	}
	return x, y
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
		f := blockCosts(in.Demand[b*size:(b+1)*size], in.Sites[b*size:(b+1)*size])
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
// of sites as medians (+Inf where none is feasible), for k =
// 0..len(sites).
func blockCosts(pts []Demand, sites []Site) []float64 {
	n := len(sites)
	f := make([]float64, n+1)
	for k := range f {
		f[k] = math.Inf(1)
	}
	total := 0.0
	for _, d := range pts {
		total += d.Weight
	}
	as := newBlockAssigner(pts, sites)
	for set := uint32(1); set < 1<<n; set++ {
		k := bits.OnesCount32(set)
		if as.room(set) < total {
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
// block's points to a set of its sites, by depth-first search over the
// points, heaviest first.
type blockAssigner struct {
	pts     []Demand
	sites   []Site
	order   []int // points, heaviest first
	set     []int // the sites of the set
	load    []float64
	minRest []float64 // least cost of order[x:], each at its nearest median
	best    float64
}

func newBlockAssigner(pts []Demand, sites []Site) *blockAssigner {
	n := len(pts)
	a := &blockAssigner{pts: pts, sites: sites, order: make([]int, n), load: make([]float64, len(sites)), minRest: make([]float64, n+1)}
	for i := range a.order {
		a.order[i] = i
	}
	slices.SortStableFunc(a.order, func(x, y int) int { return -cmp.Compare(pts[x].Weight, pts[y].Weight) })
	return a
}

// room returns the capacity of set (a bit per site).
func (a *blockAssigner) room(set uint32) float64 {
	r := 0.0
	for j := range a.sites {
		if set&(1<<j) != 0 {
			r += a.sites[j].Capacity
		}
	}
	return r
}

// solve returns the least cost of assigning every point to a site of set
// (a bit per site) if it is below bound, otherwise bound.
func (a *blockAssigner) solve(set uint32, bound float64) float64 {
	n := len(a.pts)
	a.set = a.set[:0]
	for j := range a.sites {
		if set&(1<<j) != 0 {
			a.set = append(a.set, j)
		}
	}
	a.minRest[n] = 0
	for x := n - 1; x >= 0; x-- {
		c := math.Inf(1)
		for _, j := range a.set {
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
	for _, j := range a.set {
		if a.load[j]+a.pts[i].Weight <= a.sites[j].Capacity {
			a.load[j] += a.pts[i].Weight
			a.dfs(x+1, cost+a.dist(i, j))
			a.load[j] -= a.pts[i].Weight
		}
	}
}

func (a *blockAssigner) dist(i, j int) float64 {
	return math.Hypot(a.pts[i].X-a.sites[j].X, a.pts[i].Y-a.sites[j].Y)
}

// CFLPBlocks returns a single-source capacitated facility location
// instance with p free and of known optimum, with that optimum: blocks
// blocks of size points laid out as in CPMPBlocks, every point a customer
// of integer demand 1..100, the first sites points of each block also
// candidate sites. A site holds a quarter to three quarters of a block's
// mean demand (size × 50.5; more when a block has fewer than six sites,
// and a block's sites together always hold 1.2 times its demand) and
// costs 1 to 2 per unit it holds to open, so that a block needs a few
// sites and opening one more trades against the distances saved. Costs
// are Euclidean.
//
// The optimum is exact: each block's least fixed plus assignment cost over
// every set of its sites that can hold it (assigned by branch and bound),
// summed over the blocks; no arc between blocks can pay (checked). The
// same arguments always give the same instance.
func CFLPBlocks(blocks, size, sites int, seed int64) (*Instance, float64, error) {
	if err := blocksOutOfRange(blocks, size); err != nil {
		return nil, 0, err
	}
	if sites < 1 || sites > size {
		return nil, 0, fmt.Errorf("blocks: %d sites per block: want 1 to %d (the points)", sites, size)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x63666c70)) // "cflp"
	in := &Instance{Name: fmt.Sprintf("cflp-blocks-%d-%d-%d-%d", blocks, size, sites, seed)}
	mean := float64(size) * 50.5
	scale := max(1, 6/float64(sites))
	for b := range blocks {
		at := newBlockLayout(rng, b, blocks)
		total, room := 0.0, 0.0
		first := len(in.Sites)
		for h := range size {
			x, y := at.point(rng, h)
			q := float64(1 + rng.IntN(100))
			total += q
			in.Demand = append(in.Demand, Demand{ID: strconv.Itoa(len(in.Demand) + 1), X: x, Y: y, Weight: q})
			if h < sites {
				capa := math.Ceil(mean * scale * (0.25 + 0.5*rng.Float64()))
				room += capa
				in.Sites = append(in.Sites, Site{ID: "s" + strconv.Itoa(len(in.Sites)+1), X: x, Y: y, Capacity: capa})
			}
		}
		for j := first; j < len(in.Sites); j++ {
			if room < 1.2*total {
				in.Sites[j].Capacity = math.Ceil(in.Sites[j].Capacity * 1.2 * total / room)
			}
			in.Sites[j].FixedCost = math.Round(in.Sites[j].Capacity * (1 + rng.Float64()))
		}
	}
	if err := BuildCosts(in, Euclidean, 0, 0); err != nil {
		return nil, 0, err
	}
	opt := 0.0
	for b := range blocks {
		f := blockFacilityCost(in.Demand[b*size:(b+1)*size], in.Sites[b*sites:(b+1)*sites])
		if math.IsInf(f, 1) {
			return nil, 0, fmt.Errorf("blocks: block %d cannot be served by its own sites: use another seed or more sites", b+1)
		}
		opt += f
	}
	if opt >= blocksGap {
		return nil, 0, errBlocksGap(opt)
	}
	return in, opt, nil
}

// blockFacilityCost returns the least cost of serving pts from sites: over
// every set of sites that can hold the total demand, its fixed costs plus
// its least assignment cost.
func blockFacilityCost(pts []Demand, sites []Site) float64 {
	total := 0.0
	for _, d := range pts {
		total += d.Weight
	}
	as := newBlockAssigner(pts, sites)
	best := math.Inf(1)
	for set := uint32(1); set < 1<<len(sites); set++ {
		fixed := 0.0
		for j, s := range sites {
			if set&(1<<j) != 0 {
				fixed += s.FixedCost
			}
		}
		if fixed >= best || as.room(set) < total {
			continue
		}
		best = math.Min(best, fixed+as.solve(set, best-fixed))
	}
	return best
}
