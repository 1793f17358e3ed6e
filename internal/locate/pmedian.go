package locate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"time"
)

// ErrUnserved reports that the best solution found leaves demand with
// positive weight without any open site in its cost row (p-median,
// p-center). The accompanying Result is still filled in: such demand has
// Assign -1 and the objective charges it a penalty (see solvePMedian).
var ErrUnserved = errors.New("demand left unserved")

// pmDefaultLimit is the p-median time limit when Params.TimeLimit is 0.
const pmDefaultLimit = 30 * time.Second

// solvePMedian minimises the weighted cost from every demand point to its
// nearest open site, opening p new sites (params.P, or in.P when that is 0)
// besides the existing ones; forbidden sites never open, and with
// params.Budget > 0 the new sites' fixed costs may not exceed it.
//
// Search, in order: greedy construction and Resende–Werneck fast swap
// local search; subgradient optimisation of the Lagrangian relaxation of
// the assignment constraints (Beasley 1993) with a Lagrangian heuristic
// (local search from the relaxed open sites) and reduced-cost fixing;
// multi-start from randomised greedy starts with path relinking between
// elite solutions until 60 starts in a row bring nothing; then, on
// instances of up to pmBBMaxArcs arcs, best-first branch and bound on the
// sites with Lagrangian bounds. It stops as soon as the gap is closed, or
// when the time limit (default 30 s) passes or ctx ends, returning the
// best solution found. The bound is rounded up when all weights and costs
// are integers; the budget is relaxed in it. The same seed gives the same
// result unless the time limit or ctx cuts the search short.
//
// Sparse rows: a demand whose row holds no open site is charged a penalty
// of 2 x (the largest cost from a positive-weight demand to a site that may
// open) + 1 per unit weight, in the search, in the objective and in the
// bound alike, so Bound <= Objective always holds. If the best solution
// leaves positive-weight demand unserved, the Result (Assign -1 for that
// demand) is returned together with an error wrapping ErrUnserved.
//
// Rows cut to each point's nearest sites (Costs.Implicit, from BuildCosts
// with k) on instances of at least pmGeoMinDemand points are instead solved
// as the complete problem over all sites by solvePMedianGeo: no point is
// unserved, and the bound holds for the complete problem.
func solvePMedian(ctx context.Context, in *Instance, params Params) (*Result, error) {
	if pmGeometric(in) {
		return solvePMedianGeo(ctx, in, params)
	}
	start := time.Now()
	p, d, err := pmPrepare(in, params)
	if err != nil {
		return nil, err
	}
	s := newPMSearch(ctx, d, p, params, start, pmDefaultLimit)
	s.run()
	return s.result(in, PMedian, start)
}

// pmPrepare checks p and builds the engine data.
func pmPrepare(in *Instance, params Params) (int, *fiData, error) {
	p := params.P
	if p == 0 {
		p = in.P
	}
	if p < 0 {
		return 0, nil, fmt.Errorf("%s: p = %d must not be negative", params.Problem, p)
	}
	if math.IsNaN(params.Budget) {
		return 0, nil, fmt.Errorf("%s: budget is NaN", params.Problem)
	}
	d := newFIData(in, params.Budget)
	if p > len(d.cands) {
		return 0, nil, fmt.Errorf("%s: p = %d new sites but only %d candidate sites: %w", params.Problem, p, len(d.cands), ErrInfeasible)
	}
	if p == 0 && len(d.existing) == 0 {
		return 0, nil, fmt.Errorf("%s: p must be positive (no existing sites to evaluate)", params.Problem)
	}
	if d.n == 0 {
		return 0, nil, fmt.Errorf("%s: no demand point has a positive weight", params.Problem)
	}
	return p, d, nil
}

// pmClock tells a search when to stop.
type pmClock struct {
	ctx      context.Context
	deadline time.Time
	stopped  bool
}

func (c *pmClock) done() bool {
	if !c.stopped && (c.ctx.Err() != nil || !time.Now().Before(c.deadline)) {
		c.stopped = true
	}
	return c.stopped
}

// pmSearch is one p-median solve.
type pmSearch struct {
	d     *fiData
	p     int
	st    *fiState
	gr    *fiGreedy
	rng   *rand.Rand
	clock *pmClock
	start time.Time
	limit time.Duration
	// stopGap is Params.StopGap.
	stopGap float64

	best      float64 // best objective (penalised), +Inf before the first
	bestSites []int32
	bound     float64
	integral  bool // all weights and costs are integers: bounds round up
	elite     []pmElite
	moves     int
	starts    int
	nodes     int             // branch-and-bound nodes bounded
	evals     int             // Lagrangian evaluations
	tried     map[uint64]bool // hashes of start sets already searched
	bbRows    pmRows          // branch and bound: rows at the root
	bbNode    pmRows          // and at the current node (storage reused)
}

type pmElite struct {
	obj   float64
	sites []int32 // ascending
}

func newPMSearch(ctx context.Context, d *fiData, p int, params Params, start time.Time, def time.Duration) *pmSearch {
	limit := params.TimeLimit
	if limit <= 0 {
		limit = def
	}
	s := &pmSearch{
		d:     d,
		p:     p,
		st:    newFIState(d, p),
		gr:    newFIGreedy(d),
		rng:   rand.New(rand.NewPCG(uint64(params.Seed), 0x706d656469616e)), // "pmedian"
		clock: &pmClock{ctx: ctx, deadline: start.Add(limit)},
		start: start,
		limit: limit,
		best:  math.Inf(1),
		bound: 0, // costs are not negative
		tried: map[uint64]bool{},

		stopGap: params.StopGap,
	}
	s.integral = isWhole(d.penalty)
	for _, w := range d.w {
		if !isWhole(w) {
			s.integral = false
			break
		}
	}
	for _, c := range d.rowCost {
		if !s.integral {
			break
		}
		s.integral = isWhole(c)
	}
	return s
}

func isWhole(x float64) bool { return x == math.Trunc(x) && math.Abs(x) < 1<<52 }

// proven reports whether the gap is closed, or down to the requested
// stopping gap.
func (s *pmSearch) proven() bool {
	return s.best-s.bound <= 1e-11*math.Abs(s.best) || gapMet(s.stopGap, s.best, s.bound)
}

func (s *pmSearch) stop() bool { return s.clock.done() || s.proven() }

// raise records a valid lower bound.
func (s *pmSearch) raise(lb float64, scale float64) {
	if s.integral {
		lb = math.Ceil(lb - 1e-9*max(1, scale))
	}
	if lb > s.bound {
		s.bound = lb
	}
}

// search runs local search from sites (once per distinct start set) and
// records the result; it reports whether the best improved.
func (s *pmSearch) search(sites []int32) bool {
	h := hashSites(sites)
	if s.tried[h] {
		return false
	}
	s.tried[h] = true
	s.st.set(sites)
	s.moves += s.st.localSearch(s.clock.done)
	s.starts++
	return s.record()
}

// record keeps the state's solution if it is the best so far, and offers it
// to the elite pool.
func (s *pmSearch) record() bool {
	obj := s.st.obj
	improved := s.bestSites == nil || obj < s.best-1e-12*math.Abs(s.best)
	if improved {
		s.best = obj
		s.bestSites = s.st.sites()
	}
	s.offerElite(obj)
	return improved
}

// offerElite adds the state's solution to the pool of up to 10 distinct
// good solutions.
func (s *pmSearch) offerElite(obj float64) {
	const size = 10
	if len(s.elite) == size && obj >= s.elite[size-1].obj {
		return
	}
	sites := s.st.sites()
	for _, e := range s.elite {
		if slices.Equal(e.sites, sites) {
			return
		}
	}
	at, _ := slices.BinarySearchFunc(s.elite, obj, func(e pmElite, o float64) int {
		if e.obj <= o {
			return -1
		}
		return 1
	})
	s.elite = slices.Insert(s.elite, at, pmElite{obj, sites})
	if len(s.elite) > size {
		s.elite = s.elite[:size]
	}
}

func hashSites(sites []int32) uint64 {
	sorted := slices.Clone(sites)
	slices.Sort(sorted)
	h := uint64(14695981039346656037)
	for _, j := range sorted {
		h ^= uint64(uint32(j))
		h *= 1099511628211
		h = bits.RotateLeft64(h, 17)
	}
	return h ^ uint64(len(sorted))
}

func (s *pmSearch) run() {
	d := s.d
	if s.p == 0 || (s.p == len(d.cands) && d.budget <= 0) {
		// Nothing to choose.
		s.search(slices.Clone(d.cands[:s.p]))
		s.bound = s.best
		return
	}
	s.search(s.gr.run(s.p, nil, 0))
	if s.stop() {
		return
	}
	lr := s.lagrange()
	if s.stop() {
		return
	}
	s.multistart()
	if !s.stop() {
		s.branch(lr)
	}
	s.evals = lr.evals
	s.diversify()
}

// multistart runs randomised greedy + local search + path relinking until
// the gap closes, time runs out or many starts in a row bring nothing.
func (s *pmSearch) multistart() {
	d := s.d
	sample := 2
	for r := len(d.cands) / s.p; r > 1; r >>= 1 {
		sample++
	}
	const stallStarts = 60
	stall := 0
	for !s.stop() && stall < stallStarts {
		sites := s.gr.run(s.p, s.rng, sample)
		if s.searchAndRelink(sites) {
			stall = 0
		} else {
			stall++
		}
	}
}

// searchAndRelink runs local search from sites, then path relinking
// towards a random elite solution; it reports whether the best improved.
func (s *pmSearch) searchAndRelink(sites []int32) bool {
	improved := s.search(sites)
	if len(s.elite) > 1 && !s.stop() {
		e := s.elite[s.rng.IntN(len(s.elite))]
		if s.relink(s.st.sites(), e.sites) {
			improved = true
		}
	}
	return improved
}

// relink walks from solution a towards b by the best swaps that bring in a
// site of b, then runs local search from the best intermediate solution. It
// reports whether the best improved.
func (s *pmSearch) relink(a, b []int32) bool {
	var ins, outs []int32
	for _, j := range b {
		if _, ok := slices.BinarySearch(a, j); !ok {
			ins = append(ins, j)
		}
	}
	for _, j := range a {
		if _, ok := slices.BinarySearch(b, j); !ok {
			outs = append(outs, j)
		}
	}
	if len(ins) < 2 || len(ins) != len(outs) {
		return false
	}
	st := s.st
	st.set(a)
	bestObj, bestSites := math.Inf(1), []int32(nil)
	for len(ins) > 1 && !s.clock.done() {
		mv := fiMove{in: -1, out: -1, profit: math.Inf(-1)}
		for _, f := range ins {
			for _, g := range outs {
				if !st.affordable(f, g) {
					continue
				}
				slot := st.slotOf[g]
				p := st.gain[f] - st.loss[slot] + st.extra[slot].get(f)
				if p > mv.profit {
					mv = fiMove{f, g, p}
				}
			}
		}
		if mv.in < 0 {
			break
		}
		st.apply(mv)
		ins = slices.DeleteFunc(ins, func(j int32) bool { return j == mv.in })
		outs = slices.DeleteFunc(outs, func(j int32) bool { return j == mv.out })
		if st.obj < bestObj {
			bestObj, bestSites = st.obj, st.sites()
		}
	}
	if bestSites == nil {
		return false
	}
	return s.search(bestSites)
}

// lagrange raises the bound by subgradient optimisation of the Lagrangian
// relaxation of the assignment constraints, and runs local search from the
// relaxed solutions (a Lagrangian heuristic).
//
// With multipliers lambda (one per user) the relaxation is
//
//	L = sum_u lambda_u + sum_u min(0, w_u M - lambda_u) + sum_{open j} rho_j,
//	rho_j = sum_u min(0, w_u c_uj - lambda_u),
//
// where the open sites are the existing ones plus the p candidates of
// least rho (M is the unserved penalty, a virtual site always open).
//
// Reduced-cost fixing (Beasley 1993): a candidate whose opening (or
// closing) forces the relaxation to at least the best objective cannot be
// open (closed) in any better solution, so it is fixed and the relaxation,
// now of a smaller problem, is optimised further. The bound stays valid
// because min(best, L of the restricted problem) bounds the optimum.
func (s *pmSearch) lagrange() *pmLagrange {
	d := s.d
	lr := newPMLagrange(d, s.p)
	// Start from the best solution's assignment costs.
	s.st.set(s.bestSites)
	for u := range d.n {
		lr.lambda[u] = d.w[u] * s.st.d1[u]
	}
	share := s.start.Add(s.limit * 2 / 5) // the bound gets at most 40% of the time
	pi, since := 2.0, 0
	lbest := math.Inf(-1)
	restricted := len(lr.free)
	t0, heur := time.Now(), time.Duration(0)
	for it := 0; it < 20000 && !s.stop() && time.Now().Before(share); it++ {
		L, norm := lr.eval()
		s.raise(L, lr.scale)
		improved := L > lbest+1e-12*math.Abs(L)
		if improved {
			lbest, since = L, 0
		} else if since++; since >= 50 {
			pi, since = pi/2, 0
		}
		if s.proven() {
			return lr
		}
		// The Lagrangian heuristic every 10 iterations, as long as it
		// takes no more time than the bound itself (it dominates on
		// large instances).
		if it%10 == 0 && heur <= time.Since(t0)-heur {
			h0 := time.Now()
			s.search(lr.chosen())
			heur += time.Since(h0)
			if s.proven() {
				return lr
			}
		}
		if lr.fix(L, s.cannotBeat) {
			// A smaller problem: its bound may rise again, and the rows
			// may be shortened when many sites were fixed closed.
			lbest, since = math.Inf(-1), 0
			pi = max(pi, 0.5)
			if 10*len(lr.free) < 9*restricted {
				lr.restrict()
				restricted = len(lr.free)
			}
			continue
		}
		if norm == 0 || pi < 1e-4 {
			return lr
		}
		step := pi * (s.best - L) / norm
		if !(step > 0) {
			return lr
		}
		lr.step(step)
	}
	return lr
}

// cannotBeat reports whether a lower bound lb on some solutions shows that
// none of them is better than the best found.
func (s *pmSearch) cannotBeat(lb float64) bool {
	if s.integral {
		lb = math.Ceil(lb - 1e-9*max(1, math.Abs(lb)))
	}
	return lb >= s.best-1e-11*math.Abs(s.best)
}

// pmLagrange evaluates the p-median Lagrangian relaxation.
type pmLagrange struct {
	d         *fiData
	rowStart  []int // the cost rows (d's, or d's restricted to the sites still allowed)
	rowSite   []int32
	rowCost   []float64
	p         int         // new sites chosen freely (p minus those fixed open)
	lambda    []float64   // per user
	rho       []float64   // per site
	on        []bool      // per site: open in the relaxed solution
	free      []int32     // candidates not fixed; least rho first after eval
	fixedOpen []int32     // candidates fixed open
	sub       []float64   // subgradient per user
	part      [][]float64 // per chunk: partial rho (large instances)
	keep      []bool      // scratch for restricted
	scale     float64     // sum of |terms| of the last L, for rounding
	evals     int         // evaluations made
}

func newPMLagrange(d *fiData, p int) *pmLagrange {
	return &pmLagrange{
		d:        d,
		rowStart: d.rowStart,
		rowSite:  d.rowSite,
		rowCost:  d.rowCost,
		p:        p,
		lambda:   make([]float64, d.n),
		rho:      make([]float64, d.m),
		on:       make([]bool, d.m),
		free:     slices.Clone(d.cands),
		sub:      make([]float64, d.n),
	}
}

// pmChunks is the number of user ranges eval splits its passes into on
// large instances. It is fixed, not the number of CPUs, so that the floating
// point sums, hence the results, do not depend on the machine.
const pmChunks = 8

// pmParallelArcs is the row size from which eval runs its chunks in
// parallel.
const pmParallelArcs = 1 << 20

// pmChunkSums are the sums one chunk of users contributes to an evaluation.
type pmChunkSums struct{ L, scale, norm float64 }

// eval returns L(lambda) and the squared norm of its subgradient. It runs
// in three phases: the per-user terms and rho, the relaxed open sites, then
// the subgradient.
func (lr *pmLagrange) eval() (float64, float64) {
	lr.evals++
	chunks := lr.chunks()
	res := make([]pmChunkSums, chunks)
	L, scale := lr.userTerms(chunks, res)
	L = lr.openRelaxed(L)
	lr.scale = scale
	return L, lr.subgradient(chunks, res)
}

// chunks returns how many user ranges eval splits its passes into, and
// makes the per-chunk rho storage when there is more than one.
func (lr *pmLagrange) chunks() int {
	if len(lr.rowSite) < pmParallelArcs {
		return 1
	}
	if lr.part == nil {
		lr.part = make([][]float64, pmChunks)
		for c := range lr.part {
			lr.part[c] = make([]float64, lr.d.m)
		}
	}
	return pmChunks
}

// userTerms is eval's first pass: it fills rho and returns the users' part
// of L, sum_u lambda_u + min(0, w_u M - lambda_u), and the scale of its
// terms, summed chunk by chunk in a fixed order.
func (lr *pmLagrange) userTerms(chunks int, res []pmChunkSums) (L, scale float64) {
	d := lr.d
	lr.forChunks(chunks, func(c, lo, hi int) {
		rho := lr.rho
		if chunks > 1 {
			rho = lr.part[c]
		}
		clear(rho)
		var cL, cScale float64
		for u := lo; u < hi; u++ {
			lam, w := lr.lambda[u], d.w[u]
			cL += lam
			cScale += lam
			if v := w*d.penalty - lam; v < 0 {
				cL += v
			}
			for k := lr.rowStart[u]; k < lr.rowStart[u+1]; k++ {
				v := w*lr.rowCost[k] - lam
				if v >= 0 {
					break
				}
				rho[lr.rowSite[k]] += v
			}
		}
		res[c] = pmChunkSums{L: cL, scale: cScale}
	})
	for c := range chunks {
		L += res[c].L
		scale += res[c].scale
	}
	if chunks > 1 {
		clear(lr.rho)
		for c := range chunks {
			for j, v := range lr.part[c] {
				lr.rho[j] += v
			}
		}
	}
	return L, scale
}

// openRelaxed marks in on the sites open in the relaxed solution (the
// existing ones, those fixed open and the p free candidates of least rho,
// leaving free sorted by rho) and returns L plus their rho.
func (lr *pmLagrange) openRelaxed(L float64) float64 {
	clear(lr.on)
	for _, j := range lr.d.existing {
		lr.on[j] = true
		L += lr.rho[j]
	}
	for _, j := range lr.fixedOpen {
		lr.on[j] = true
		L += lr.rho[j]
	}
	sortByRho(lr.free, lr.rho)
	for _, j := range lr.free[:min(lr.p, len(lr.free))] {
		lr.on[j] = true
		L += lr.rho[j]
	}
	return L
}

// subgradient is eval's last pass: it fills sub, one minus the number of
// relaxed open sites (the penalty site included) each user is assigned to,
// and returns its squared norm.
func (lr *pmLagrange) subgradient(chunks int, res []pmChunkSums) float64 {
	d := lr.d
	lr.forChunks(chunks, func(c, lo, hi int) {
		norm := 0.0
		for u := lo; u < hi; u++ {
			lam, w := lr.lambda[u], d.w[u]
			g := 1.0
			if w*d.penalty < lam {
				g--
			}
			for k := lr.rowStart[u]; k < lr.rowStart[u+1]; k++ {
				if w*lr.rowCost[k] >= lam {
					break
				}
				if lr.on[lr.rowSite[k]] {
					g--
				}
			}
			lr.sub[u] = g
			norm += g * g
		}
		res[c].norm = norm
	})
	norm := 0.0
	for c := range chunks {
		norm += res[c].norm
	}
	return norm
}

// forChunks calls f on chunks consecutive user ranges, in parallel when
// there is more than one.
func (lr *pmLagrange) forChunks(chunks int, f func(c, lo, hi int)) {
	if chunks == 1 {
		f(0, 0, lr.d.n)
		return
	}
	forRanges(lr.d.n, chunks, f)
}

// sortByRho sorts candidates by ascending rho, ties by index: the order
// in which the relaxation opens them.
func sortByRho(free []int32, rho []float64) {
	slices.SortFunc(free, func(a, b int32) int {
		if rho[a] != rho[b] {
			if rho[a] < rho[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
}

// fix applies reduced-cost fixing to the free candidates after eval gave L:
// forcing an unchosen candidate open costs at least rho_j - rho_last,
// forcing a chosen one closed at least rho_next - rho_j. It reports
// whether any candidate was fixed.
func (lr *pmLagrange) fix(L float64, cannotBeat func(float64) bool) bool {
	k := min(lr.p, len(lr.free))
	last, next := 0.0, 0.0
	if k > 0 {
		last = lr.rho[lr.free[k-1]]
	}
	if k < len(lr.free) {
		next = lr.rho[lr.free[k]]
	}
	var keep []int32
	changed := false
	for x, j := range lr.free {
		switch {
		case x < k && cannotBeat(L-lr.rho[j]+next):
			lr.fixedOpen = append(lr.fixedOpen, j)
			lr.p--
			changed = true
		case x >= k && k == lr.p && cannotBeat(L+lr.rho[j]-last):
			changed = true
		default:
			keep = append(keep, j)
		}
	}
	if changed {
		lr.free = keep
	}
	return changed
}

// restrict drops from the rows every site that is neither existing nor
// fixed open nor free: such sites can no longer open, so their arcs only
// slow eval down.
func (lr *pmLagrange) restrict() {
	lr.rowStart, lr.rowSite, lr.rowCost = lr.restricted(lr.rowStart, lr.rowSite, lr.rowCost, nil, nil, nil)
}

// restricted returns the rows (start, site, cost) without the sites that
// can no longer open, written into the given buffers' storage.
func (lr *pmLagrange) restricted(start []int, site []int32, cost []float64,
	bufStart []int, bufSite []int32, bufCost []float64) ([]int, []int32, []float64) {
	d := lr.d
	if lr.keep == nil {
		lr.keep = make([]bool, d.m)
	}
	keep := lr.keep
	clear(keep)
	for _, j := range d.existing {
		keep[j] = true
	}
	for _, j := range lr.fixedOpen {
		keep[j] = true
	}
	for _, j := range lr.free {
		keep[j] = true
	}
	outStart := append(bufStart[:0], 0)
	outSite, outCost := bufSite[:0], bufCost[:0]
	for u := range d.n {
		for k := start[u]; k < start[u+1]; k++ {
			if keep[site[k]] {
				outSite = append(outSite, site[k])
				outCost = append(outCost, cost[k])
			}
		}
		outStart = append(outStart, len(outSite))
	}
	return outStart, outSite, outCost
}

// step moves the multipliers along the subgradient, keeping them >= 0.
func (lr *pmLagrange) step(t float64) {
	for u, g := range lr.sub {
		if g != 0 {
			lr.lambda[u] = max(0, lr.lambda[u]+t*g)
		}
	}
}

// chosen returns the candidates open in the last relaxed solution.
func (lr *pmLagrange) chosen() []int32 {
	out := slices.Concat(lr.fixedOpen, lr.free[:min(lr.p, len(lr.free))])
	if lr.d.budget > 0 {
		// Keep the most attractive ones that fit the budget.
		spent := 0.0
		out = slices.DeleteFunc(out, func(j int32) bool {
			if spent+lr.d.fixedCost(j) > lr.d.budget*(1+1e-12) {
				return true
			}
			spent += lr.d.fixedCost(j)
			return false
		})
	}
	return out
}

// result turns the best solution into a Result, evaluated on the
// instance's own cost rows.
func (s *pmSearch) result(in *Instance, prob Problem, start time.Time) (*Result, error) {
	open := make([]bool, len(in.Sites))
	for j, st := range in.Sites {
		open[j] = st.Status == Existing
	}
	for _, j := range s.bestSites {
		open[j] = true
	}
	res := &Result{
		Problem:    prob,
		Sites:      sortSites(s.bestSites),
		Assign:     make([]int32, len(in.Demand)),
		Iterations: s.moves + s.starts,
	}
	unserved, unservedW := 0, 0.0
	obj := 0.0
	for i := range in.Demand {
		res.Assign[i] = -1
		sites, costs := in.Costs.Row(i)
		c := math.NaN()
		for k, j := range sites {
			if open[j] {
				res.Assign[i], c = j, costs[k]
				break
			}
		}
		w := in.Demand[i].Weight
		if w <= 0 {
			continue
		}
		if res.Assign[i] < 0 {
			unserved++
			unservedW += w
			c = s.d.penalty
		}
		if prob == PCenter {
			obj = max(obj, c)
		} else {
			obj += w * c
		}
	}
	res.Objective = obj
	res.Bound = min(s.bound, obj) // equal when proven; clamps rounding noise
	res.Gap = GapPercent(res.Objective, res.Bound)
	res.Seconds = time.Since(start).Seconds()
	if unserved > 0 {
		return res, fmt.Errorf("%s: %d demand points (total weight %g) have no open site in their cost rows; "+
			"each is charged %g per unit weight in the objective: %w", prob, unserved, unservedW, s.d.penalty, ErrUnserved)
	}
	return res, nil
}
