package locate

import (
	"math"
	"slices"
	"time"
)

// The lower bound of the complete geometric p-median is the Lagrangian
// relaxation of the assignment constraints over all sites:
//
//	L(lambda) = sum_i lambda_i + sum_{j open} rho_j,
//	rho_j = sum_i min(0, w_i d_ij - lambda_i),
//
// where the open sites are the existing ones plus the p candidates of least
// rho. It is a lower bound for every lambda >= 0. Only the pairs with
// w_i d_ij < lambda_i count, so each point keeps a row of every site within
// a radius r_i of it (found with the k-d tree; r_i a little beyond its
// distance in the best solution found) and its multiplier is held at most
// w_i r_i: every site missing from the row is then at least r_i away and
// adds nothing, so L computed on the rows is L of the complete problem.
// Row costs are stored as float32 rounded down, which can only lower L.

// A point's row reaches pmGeoRadius times its distance to the best solution
// found plus a third of the mean distance (multipliers at the relaxation's
// optimum often exceed a point's own distance), with at most pmGeoMaxRow
// sites; grow widens it where that is too little.
const (
	pmGeoRadius = 2.2
	pmGeoMaxRow = 224
)

// The rows are stored in blocks of pmGeoBlockLen points, each allocated at
// its exact size, and processed by pmGeoWorkers goroutines, block b always
// by worker b % pmGeoWorkers (fixed, for machine-independent sums).
const (
	pmGeoBlockLen = 4096
	pmGeoWorkers  = 16
)

// pmGeoBlock holds the rows of demand points [lo, hi).
type pmGeoBlock struct {
	lo, hi int
	start  []int32 // row of point i: arcs [start[i-lo], start[i-lo+1])
	site   []int32
	cost   []float32
}

// exact returns a copy of bl in storage of exactly its size.
func (bl *pmGeoBlock) exact() pmGeoBlock {
	return pmGeoBlock{lo: bl.lo, hi: bl.hi, start: slices.Clone(bl.start), site: slices.Clone(bl.site), cost: slices.Clone(bl.cost)}
}

// forBlocks calls f(w, b) for every block b on worker w = b % pmGeoWorkers,
// the workers all at once.
func (lr *pmGeoLR) forBlocks(f func(w, b int)) {
	forRanges(pmGeoWorkers, pmGeoWorkers, func(w, _, _ int) {
		for b := w; b < len(lr.blocks); b += pmGeoWorkers {
			f(w, b)
		}
	})
}

// pmGeoLR is the Lagrangian relaxation of the complete problem.
type pmGeoLR struct {
	w        []float64 // per point (0: no demand, ignored)
	capW     []float64 // per point: the largest multiplier, w_i r_i
	lambda   []float64
	want     []bool    // per point: at its cap while the subgradient is positive
	below    []uint16  // per point: its row's arcs cheaper than its multiplier (after eval)
	tree     *kdTree   // all sites that may be open
	best     []float64 // the multipliers of the best L so far
	sub      []float64 // subgradient per point
	blocks   []pmGeoBlock
	part     [][]float64 // per worker: its share of rho
	rho      []float64   // per site
	on       []bool      // per site: open in the relaxed solution
	free     []int32     // candidates, least rho first after eval
	existing []int32
	p        int
	arcs     int       // stored arcs
	dir      []float64 // per point: the last step's direction
	beta     float64   // the share of dir in the next direction
}

// pmGeoDeflect is gamma in the deflection of the subgradient by the last
// direction, d = g + beta d', beta = max(0, -gamma g.d' / |d'|^2).
const pmGeoDeflect = 1.5

// newPMGeoLR builds the rows around the best solution, each reaching at
// least floor(i) when floor is not nil, and starts the multipliers at each
// point's weighted distance to the best solution.
func (g *pmGeo) newPMGeoLR(floor func(i int) float64) *pmGeoLR {
	in := g.in
	n := len(in.Demand)
	lr := &pmGeoLR{
		w: make([]float64, n), capW: make([]float64, n), lambda: make([]float64, n), sub: make([]float64, n), want: make([]bool, n), below: make([]uint16, n),
		blocks: make([]pmGeoBlock, (n+pmGeoBlockLen-1)/pmGeoBlockLen), part: make([][]float64, pmGeoWorkers), rho: make([]float64, len(in.Sites)), on: make([]bool, len(in.Sites)),
		free: slices.Clone(g.cands), existing: g.existing, p: g.p,
	}
	var ids []int32
	for j, s := range in.Sites {
		if s.Status != Forbidden {
			ids = append(ids, int32(j))
		}
	}
	lr.tree = newKDTree(in.Sites, ids, g.metric)
	lr.dir = make([]float64, n)
	scratch := make([]pmGeoBlock, pmGeoWorkers)
	lr.forBlocks(func(w, b int) {
		lo := b * pmGeoBlockLen
		lr.blocks[b] = lr.buildBlock(g, floor, &scratch[w], lo, min(n, lo+pmGeoBlockLen))
	})
	for w := range lr.part {
		lr.part[w] = make([]float64, len(lr.rho))
	}
	for b := range lr.blocks {
		lr.arcs += len(lr.blocks[b].site)
	}
	return lr
}

// buildBlock fills the rows of points [lo, hi) and their multipliers,
// building in the storage of bl.
func (lr *pmGeoLR) buildBlock(g *pmGeo, floor func(int) float64, bl *pmGeoBlock, lo, hi int) pmGeoBlock {
	*bl = pmGeoBlock{lo: lo, hi: hi, start: append(bl.start[:0], 0), site: bl.site[:0], cost: bl.cost[:0]}
	var q kdQuery
	mean := g.best / g.weight()
	late := false
	for i := lo; i < hi; i++ {
		if (i-lo)%1024 == 0 && !late {
			late = g.done()
		}
		d := &g.in.Demand[i]
		// Past the deadline a point gets an empty row and a zero cap: it
		// adds nothing to the bound, which stays valid.
		if d.Weight > 0 && !late {
			r := pmGeoRadius*g.bestDist[i] + mean/3
			if floor != nil {
				r = max(r, floor(i))
			}
			r = lr.row(bl, &q, d, r)
			lr.w[i] = d.Weight
			lr.capW[i] = d.Weight * r
			lr.lambda[i] = min(lr.capW[i], d.Weight*g.bestDist[i])
		}
		bl.start = append(bl.start, int32(len(bl.site)))
	}
	return bl.exact()
}

// row appends to bl the row of point d: every site within r of it, nearest
// first, at most pmGeoMaxRow of them. It returns the radius within which
// the row holds every site (r, or the last cost of a full row).
func (lr *pmGeoLR) row(bl *pmGeoBlock, q *kdQuery, d *Demand, r float64) float64 {
	q.nearest(lr.tree, d.X, d.Y, pmGeoMaxRow, r)
	if len(q.heap) == pmGeoMaxRow {
		// Sites beyond the row may be as near as its last one.
		r = q.heap[len(q.heap)-1].dist
	}
	for _, h := range q.heap {
		c := float32(h.dist)
		if float64(c) > h.dist {
			c = math.Nextafter32(c, 0)
		}
		bl.site = append(bl.site, h.site)
		bl.cost = append(bl.cost, c)
	}
	return r
}

// pmGeoGrow is the factor by which grow widens a row.
const pmGeoGrow = 1.6

// grow widens by pmGeoGrow the rows of the points whose multiplier is held
// at its cap while the subgradient would raise it (the adaptive part of the
// neighbourhoods), and returns how many rows grew. Rows left when until
// passes keep their width.
func (lr *pmGeoLR) grow(in *Instance, until time.Time) int {
	grown := make([]int, pmGeoWorkers)
	scratch := make([]pmGeoBlock, pmGeoWorkers)
	lr.forBlocks(func(w, b int) {
		old := &lr.blocks[b]
		// A block without a row to widen, or reached late, stays as it
		// is: copying a million rows costs seconds.
		if !lr.wants(old) || !time.Now().Before(until) {
			return
		}
		bl := &scratch[w]
		*bl = pmGeoBlock{lo: old.lo, hi: old.hi, start: append(bl.start[:0], 0), site: bl.site[:0], cost: bl.cost[:0]}
		var q kdQuery
		late := false
		for i := old.lo; i < old.hi; i++ {
			if (i-old.lo)%1024 == 0 && !late {
				late = !time.Now().Before(until)
			}
			a, z := old.start[i-old.lo], old.start[i-old.lo+1]
			if lr.want[i] && z-a < pmGeoMaxRow && lr.capW[i] > 0 && !late {
				r := lr.row(bl, &q, &in.Demand[i], pmGeoGrow*lr.capW[i]/lr.w[i])
				lr.capW[i] = lr.w[i] * r
				grown[w]++
			} else {
				bl.site = append(bl.site, old.site[a:z]...)
				bl.cost = append(bl.cost, old.cost[a:z]...)
			}
			bl.start = append(bl.start, int32(len(bl.site)))
		}
		*old = bl.exact()
	})
	lr.arcs = 0
	for b := range lr.blocks {
		lr.arcs += len(lr.blocks[b].site)
	}
	n := 0
	for _, k := range grown {
		n += k
	}
	return n
}

// wants reports whether a point of block bl has a row grow would widen.
func (lr *pmGeoLR) wants(bl *pmGeoBlock) bool {
	for i := bl.lo; i < bl.hi; i++ {
		if lr.want[i] && bl.start[i-bl.lo+1]-bl.start[i-bl.lo] < pmGeoMaxRow && lr.capW[i] > 0 {
			return true
		}
	}
	return false
}

// wanting returns the share of the weight whose multiplier is held at its
// cap while the subgradient would raise it.
func (lr *pmGeoLR) wanting() float64 {
	at, all := 0.0, 0.0
	for i, w := range lr.w {
		all += w
		if lr.want[i] {
			at += w
		}
	}
	return at / max(all, 1e-300)
}

// eval returns L(lambda), a bound on its rounding error, and the squared
// norm of the next step's direction: the subgradient (projected on the
// multipliers' box), deflected by the last step (see deflect). When until
// passes before L is complete, ok is false and nothing else counts: at a
// million points one evaluation takes seconds on a loaded machine.
func (lr *pmGeoLR) eval(until time.Time) (L, slack, norm float64, ok bool) {
	type sums struct {
		L, abs, norm, dot, dd float64
		late                  bool
	}
	res := make([]sums, pmGeoWorkers)
	for w := range lr.part {
		clear(lr.part[w])
	}
	lr.forBlocks(func(w, b int) {
		bl := &lr.blocks[b]
		rho := lr.part[w]
		s := &res[w]
		if s.late = s.late || !time.Now().Before(until); s.late {
			return
		}
		for i := bl.lo; i < bl.hi; i++ {
			lam, w := lr.lambda[i], lr.w[i]
			lr.below[i] = 0
			if lam <= 0 {
				continue
			}
			s.L += lam
			s.abs += lam
			a, k := bl.start[i-bl.lo], bl.start[i-bl.lo]
			for ; k < bl.start[i-bl.lo+1]; k++ {
				v := w*float64(bl.cost[k]) - lam
				if v >= 0 {
					break
				}
				rho[bl.site[k]] += v
			}
			lr.below[i] = uint16(k - a)
		}
	})
	clear(lr.rho)
	for w := range res {
		if res[w].late {
			return 0, 0, 0, false
		}
		L += res[w].L
		slack += res[w].abs
		for j, v := range lr.part[w] {
			lr.rho[j] += v
		}
	}
	open := lr.choose()
	L += open
	slack -= open
	lr.forBlocks(func(w, b int) {
		if !time.Now().Before(until) {
			return // L counts; the loop ends before the next step
		}
		n, dot, dd := lr.subgradient(&lr.blocks[b])
		res[w].norm += n
		res[w].dot += dot
		res[w].dd += dd
	})
	var dot, dd float64
	for w := range res {
		norm += res[w].norm
		dot += res[w].dot
		dd += res[w].dd
	}
	norm = lr.deflect(norm, dot, dd)
	// slack is the sum of the terms' sizes; 1e-9 of it covers the rounding
	// of the sums many times over.
	return L, 1e-9 * slack, norm, true
}

// deflect sets beta, the share of the last step's direction d' in the next
// one, d = g + beta d', and returns |d|^2 from |g|^2 = norm, g.d' = dot
// and |d'|^2 = dd. Deflection (Camerini, Fratta and Maffioli's rule, beta =
// -gamma g.d'/|d'|^2 when g turns against d') damps the zigzag of plain
// subgradient steps across the ridges of L, which on a million multipliers
// is most of what slows the bound.
func (lr *pmGeoLR) deflect(norm, dot, dd float64) float64 {
	lr.beta = 0
	if dd > 0 && dot < 0 {
		lr.beta = -pmGeoDeflect * dot / dd
		norm += 2*lr.beta*dot + lr.beta*lr.beta*dd
	}
	return norm
}

// choose opens the existing sites and the p candidates of least rho, and
// returns the sum of their rho.
func (lr *pmGeoLR) choose() float64 {
	clear(lr.on)
	sum := 0.0
	for _, j := range lr.existing {
		lr.on[j] = true
		sum += lr.rho[j]
	}
	sortByRho(lr.free, lr.rho)
	for _, j := range lr.free[:lr.p] {
		lr.on[j] = true
		sum += lr.rho[j]
	}
	return sum
}

// subgradient fills the subgradient of block bl's points and returns its
// squared norm, its dot product with the last direction and that
// direction's squared norm. A point at its cap whose multiplier would rise
// gets 0.
func (lr *pmGeoLR) subgradient(bl *pmGeoBlock) (norm, dot, dd float64) {
	for i := bl.lo; i < bl.hi; i++ {
		lam, w := lr.lambda[i], lr.w[i]
		if w <= 0 {
			lr.sub[i], lr.dir[i] = 0, 0
			continue
		}
		gi := 1.0
		a := bl.start[i-bl.lo]
		for _, j := range bl.site[a : a+int32(lr.below[i])] {
			if lr.on[j] {
				gi--
			}
		}
		lr.want[i] = gi > 0 && lam >= lr.capW[i]
		if lr.want[i] {
			gi = 0
		}
		lr.sub[i] = gi
		norm += gi * gi
		dot += gi * lr.dir[i]
		dd += lr.dir[i] * lr.dir[i]
	}
	return norm, dot, dd
}

// step moves the multipliers by t along the direction d = sub + beta dir
// within [0, capW], and keeps the move made as the next dir.
func (lr *pmGeoLR) step(t float64) {
	for i, gi := range lr.sub {
		d := gi + lr.beta*lr.dir[i]
		if d == 0 {
			lr.dir[i] = 0
			continue
		}
		old := lr.lambda[i]
		lr.lambda[i] = min(lr.capW[i], max(0, old+t*d))
		lr.dir[i] = (lr.lambda[i] - old) / t
	}
}

// chosen returns the candidates open in the last relaxed solution.
func (lr *pmGeoLR) chosen() []int32 { return slices.Clone(lr.free[:lr.p]) }

// Every pmGeoGrowEvery evaluations, the rows of the points held at their
// caps grow when they carry more than pmGeoGrowShare of the weight.
const (
	pmGeoGrowEvery = 50
	pmGeoGrowShare = 0.002
)

// pmGeoHeurEvery is how many evaluations pass between two runs of the
// Lagrangian heuristic.
const pmGeoHeurEvery = 40

// The multipliers of the aggregated instance are optimised until its gap is
// pmGeoAggGap percent: closer than that, the aggregation error (a few tenths
// of a percent to a few percent) is what keeps the bound of the points from
// theirs, and the time is better spent on the points.
const pmGeoAggGap = 0.1

// lowerBound proves the bound in two levels: the multipliers are first
// optimised on the aggregated instance (cheap evaluations, until 55 % of the
// time or pmGeoAggGap), then carried over to the points (see warmStart) and optimised
// further on the complete problem, whose relaxation alone gives the bound.
func (g *pmGeo) lowerBound() {
	ga := &pmGeo{in: g.aggIn, metric: g.metric, p: g.p, start: g.start, deadline: g.deadline, ctx: g.ctx,
		existing: g.existing, cands: g.cands, best: math.Inf(1), params: Params{StopGap: pmGeoAggGap}}
	heur := func(sites []int32) {
		if !time.Now().Before(g.lastCall()) {
			return
		}
		if loc := g.improve(sites); loc != nil && ga.offer(loc) && g.offer(loc) {
			g.refine(g.lastCall())
		}
	}
	ga.offer(g.bestSites)
	pi := 2.0
	if len(g.aggIn.Demand) < len(g.in.Demand) {
		lra := ga.newPMGeoLR(nil)
		mid := g.start.Add(g.deadline.Sub(g.start) * 11 / 20)
		pi = ga.subgradient(lra, pi, mid, heur)
		shift := g.warmShift()
		// Rows reach at least a little beyond the multiplier carried over.
		g.lr = g.newPMGeoLR(func(i int) float64 {
			if k := g.groupOf[i]; k >= 0 && lra.best != nil {
				return 1.2 * max(0, lra.best[k]/lra.w[k]+shift[i])
			}
			return 0
		})
		g.lr.warmStart(lra, g.groupOf, shift)
		pi = max(pi, 0.05)
	} else {
		g.lr = g.newPMGeoLR(nil)
	}
	g.subgradient(g.lr, pi, g.deadline, heur)
}

// warmStart sets each point's multiplier from its cell's in the aggregated
// relaxation: the cell's multiplier per unit weight plus the point's shift
// (see warmShift), within the point's cap.
func (lr *pmGeoLR) warmStart(agg *pmGeoLR, groupOf []int32, shift []float64) {
	if agg.best == nil {
		return
	}
	for i, w := range lr.w {
		if k := groupOf[i]; k >= 0 && w > 0 {
			lr.lambda[i] = min(lr.capW[i], w*max(0, agg.best[k]/agg.w[k]+shift[i]))
		}
	}
}

// warmShift returns, per point, how much farther it is from the best
// solution than its cell's centroid is. The cell's multiplier fits the
// centroid; a point farther out (or nearer in) than the centroid needs a
// larger (or smaller) one, by about that difference. Carried over without
// it, the multipliers start below the centroid's optimum by the whole
// aggregation error.
func (g *pmGeo) warmShift() []float64 {
	_, cell, _ := pmGeoEvaluate(g.aggIn, g.metric, slices.Concat(g.existing, g.bestSites), time.Time{})
	shift := make([]float64, len(g.in.Demand))
	for i, k := range g.groupOf {
		if k >= 0 {
			shift[i] = g.bestDist[i] - cell[k]
		}
	}
	return shift
}

// subgradient optimises lr's multipliers for g (g.best is the upper bound
// in the step size) from step factor pi until the time until, a closed
// gap (restarting from the best multipliers when the steps vanish), calling heur with the relaxed solution every
// pmGeoHeurEvery evaluations. It keeps the best multipliers in lr.best and
// returns the last step factor.
func (g *pmGeo) subgradient(lr *pmGeoLR, pi float64, until time.Time, heur func([]int32)) float64 {
	since, lbest := 0, math.Inf(-1)
	for time.Now().Before(until) && g.ctx.Err() == nil && !g.proven() {
		L, slack, norm, ok := lr.eval(until)
		if !ok {
			break
		}
		g.evals++
		if lb := L - slack; lb > g.bound {
			g.bound = lb
		}
		if !time.Now().Before(until) {
			break // the subgradient may be incomplete
		}
		if L > lbest+1e-9*math.Abs(L) {
			lbest, since = L, 0
			lr.best = append(lr.best[:0], lr.lambda...)
		} else if since++; since >= 30 {
			pi, since = pi/2, 0
		}
		if g.evals%pmGeoHeurEvery == 0 && !g.proven() {
			heur(lr.chosen())
		}
		t := pi * (g.best - L) / norm
		if norm == 0 || pi < 1e-4 || !(t > 0) {
			// The relaxed solution serves every point (norm 0, with points
			// at their caps) or the steps stalled with the gap open:
			// try it, and restart from the best multipliers with a
			// larger step.
			heur(lr.chosen())
			copy(lr.lambda, lr.best)
			clear(lr.dir)
			pi, since = 0.25, 0
			lr.grow(g.in, until)
			continue
		}
		if g.evals%pmGeoGrowEvery == 0 && lr.wanting() > pmGeoGrowShare {
			lr.grow(g.in, until)
		}
		lr.step(t)
	}
	return pi
}
