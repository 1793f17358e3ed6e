package locate

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// cflpDefaultLimit is the time limit when Params.TimeLimit is 0.
const cflpDefaultLimit = 60 * time.Second

// solveCFLP solves the single-source capacitated facility location problem:
// every demand goes to exactly one open site over an arc of in.Costs, the
// weights assigned to a site stay within its capacity (0: unlimited), and
// the objective is the fixed cost of the opened candidate sites plus the
// assignment costs. A cost is the cost of serving the demand's whole weight
// from the site: it is used as is, not multiplied by the weight (scale the
// costs beforehand for tonne-weighted transport). Existing sites are always
// open, free and not counted in p; forbidden sites are never opened.
// params.P (else in.P) fixes the number of new sites when > 0;
// params.Budget caps their total fixed cost when > 0.
//
// The method is a Lagrangian heuristic. Subgradient optimisation of the
// relaxation of the assignment constraints (one exact 0-1 knapsack per
// site, see cflpLagr) gives the bound; every relaxed site selection becomes
// a solution by regret assignment, overload repair (shifts, swaps, ejection
// chains, randomised first-fit decreasing) and local search (shift, swap,
// ejection chains, moving a whole cluster to a better site). The best
// distinct solutions then get site-level local search (open, close, swap
// within a neighbourhood), a Lagrangian intensification of their assignment
// with the sites fixed, and an iterated local search kicks them with random
// site moves. With p fixed, ruin and recreate with cluster moves follows,
// and its results are finished by exact re-solves of three neighbouring
// clusters and by transfers of a site from where removing one costs least
// to where adding one gains most (cflp_parts.go). Instances of at most
// cflpExactMaxN customers are finally solved exactly by branch and bound,
// which also proves infeasibility. Large instances with p fixed
// (capacitated p-median at thousands of points) follow their own schedule
// instead (runLarge): locate-allocate over transportation assignments,
// Lagrangian intensification of the assignment and an iterated
// locate-allocate. The search stops early when the bound proves the best
// solution optimal; the result is deterministic for a seed as long as the
// time limit or ctx does not cut it short (default limit 60 s).
func solveCFLP(ctx context.Context, in *Instance, params Params) (*Result, error) {
	start := time.Now()
	pr, err := newCFLPProblem(in, params)
	if err != nil {
		return nil, err
	}
	limit := params.TimeLimit
	if limit <= 0 {
		limit = cflpDefaultLimit
	}
	sv := newCFLPSolver(pr, params.Seed, &cflpClock{ctx: ctx, deadline: start.Add(limit)})
	sv.stopGap = params.StopGap
	sv.run()
	if sv.best == nil {
		if sv.infeasible {
			return nil, fmt.Errorf("cflp: no assignment fits the capacities: %w", ErrInfeasible)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("cflp: stopped before a feasible solution was found: %w", err)
		}
		return nil, fmt.Errorf("cflp: no feasible solution found in %v, the time limit (%v) and the grace for a first solution (%v): raise the time limit, or the instance may be infeasible: %w",
			time.Since(start).Round(time.Millisecond), limit, cflpFirstGrace, ErrInfeasible)
	}
	return sv.result(start), nil
}

// cflpSolver holds the state of one CFLP solve.
type cflpSolver struct {
	pr    *cflpProblem
	clock *cflpClock
	rng   *rand.Rand

	lg   *cflpLagr
	flow *cflpFlow // transportation assignments (nil until needed)
	// alwaysDeep gives every completed solution the full local search
	// (the schedule for large instances: locate-allocate needs it).
	alwaysDeep bool
	lb         float64   // best valid lower bound
	lambda     []float64 // the subgradient's best multipliers
	// lambdaVal is the bound at lambda. It may be below lb, which
	// quickBound can set at other multipliers: the subgradient must then
	// still restart from its own best point, not from its first.
	lambdaVal float64
	best      *cflpSol // best feasible solution (nil: none yet)
	bestObj   float64
	pool      []*cflpSol // good distinct solutions, best first
	// elite holds distinct solutions of separate searches, best first,
	// for path relinking (large instances, p fixed).
	elite []*cflpSol
	seen  map[uint64]bool // site selections the Lagrangian heuristic tried
	// intensified holds the site sets whose assignment was intensified.
	intensified map[uint64]bool

	cur, tmp *cflpSol
	alt      *cflpSol // scratch of applyMove
	buf      cflpBuf
	moves    []cflpMove
	gains    []cflpItem
	relSum   []float64
	relCnt   []int32
	// siteSeen marks the sites a pass over sites has tried (centre,
	// pairSites, partSites): those whose mark is the pass's stamp (seen).
	siteSeen  []int32
	siteStamp int32
	// Scratch of the ruin-and-recreate search (ilsCluster).
	freed      []int32
	ruinK      int
	ruinBest   []float64
	queue      []int32
	queued     []bool
	near       []bool
	pair       cflpPair  // scratch of the pair moves
	parts      cflpParts // scratch of the part moves
	iters      int
	infeasible bool    // proven infeasible
	stopGap    float64 // Params.StopGap
}

const cflpPoolSize = 8

func newCFLPSolver(pr *cflpProblem, seed int64, clock *cflpClock) *cflpSolver {
	return &cflpSolver{
		pr:          pr,
		clock:       clock,
		rng:         rand.New(rand.NewPCG(uint64(seed), 0x636f6c64636861)),
		lb:          math.Inf(-1),
		lambdaVal:   math.Inf(-1),
		bestObj:     math.Inf(1),
		seen:        make(map[uint64]bool),
		intensified: make(map[uint64]bool),
		cur:         newCFLPSol(pr),
		tmp:         newCFLPSol(pr),
		alt:         newCFLPSol(pr),
		lg:          newCFLPLagr(pr),
	}
}

// bestCopy returns a copy of the best solution (which must exist), for a
// search to start from.
func (sv *cflpSolver) bestCopy() *cflpSol {
	s := newCFLPSol(sv.pr)
	s.copyFrom(sv.best)
	return s
}

// proven reports whether the search may stop: the best solution is
// proven optimal (closed) or its gap is down to Params.StopGap.
func (sv *cflpSolver) proven() bool {
	return sv.closed() || (sv.best != nil && gapMet(sv.stopGap, sv.bestObj, sv.lb))
}

// closed reports whether the best solution is proven optimal, up to
// rounding.
func (sv *cflpSolver) closed() bool {
	return sv.best != nil && sv.bestObj-sv.lb <= 1e-9*math.Max(1, math.Abs(sv.bestObj))
}

// run performs the search phases until done, proven or out of time.
func (sv *cflpSolver) run() {
	if sv.large() {
		sv.runLarge()
		return
	}
	sv.heuristics()
	if !sv.proven() && !sv.infeasible && !sv.clock.done() {
		sv.subgradient(cflpPolishIters, 0.25, false)
	}
	if !sv.proven() && !sv.infeasible && sv.pr.n <= cflpExactMaxN && !sv.clock.done() {
		sv.exact(cflpExactNodes)
	}
	sv.keepOn()
}

// keepOn spends the time left while the gap is open: rounds of iterated
// local search from the best solution (with p fixed, every other round
// starts with a separate search joined to the elite set by path
// relinking, relinkRound), each followed by the exact search
// with a node budget that doubles every round (small instances) or by more
// subgradient steps that tighten the bound.
func (sv *cflpSolver) keepOn() {
	for round := 1; !sv.proven() && !sv.infeasible && !sv.clock.done(); round++ {
		if sv.best == nil {
			sv.subgradient(cflpSubgradientIters, 2, true)
			continue
		}
		if round%2 == 0 {
			sv.relinkRound(cflpKeepOnRuins, max(4, sv.pr.p/cflpShakeShare))
		} else {
			sv.ilsCluster(cflpKeepOnRuins)
			sv.addElite(sv.best)
		}
		sv.ils(300, 60)
		if sv.clock.done() || sv.proven() {
			return
		}
		if sv.pr.n <= cflpExactMaxN {
			sv.exact(cflpExactNodes << min(round, 30))
		} else {
			sv.subgradient(cflpPolishIters, 0.25, false)
		}
	}
}

// cflpKeepOnRuins is how many ruin-and-recreate steps (p fixed) start each
// round of keepOn.
const cflpKeepOnRuins = 2000

// heuristics runs the heuristic phases: a greedy start (p fixed), the
// Lagrangian heuristic, site-level search from the best distinct
// solutions, intensification of their assignments and an iterated local
// search.
func (sv *cflpSolver) heuristics() {
	sv.greedyStart()
	sv.subgradient(cflpSubgradientIters, 2, true)
	if sv.proven() || sv.clock.done() {
		return
	}
	for _, s := range sv.poolCopy() {
		sv.siteSearch(s, 30)
		if sv.proven() || sv.clock.done() {
			return
		}
	}
	for x, s := range sv.poolCopy() {
		if x >= 3 {
			break
		}
		sv.intensify(s, 150)
	}
	sv.ils(300, 60)
}

// Iteration caps of the subgradient phases: the first, with the primal
// heuristic, and the last, which only tightens the bound.
const (
	cflpSubgradientIters = 600
	cflpPolishIters      = 100
)

// cflpSparsePrimalN is the number of customers above which the subgradient
// runs the primal heuristic only every n/100 iterations.
const cflpSparsePrimalN = 2000

// subgradient maximises the Lagrangian bound by subgradient optimisation
// from the best multipliers so far (the first call: from the best
// solution's assignment costs, when there is one; a worse solution's far
// arcs would make the first steps overshoot): Polyak steps of factor mu
// towards the best known objective, halving mu when the bound stalls. With
// primal, every new relaxed site selection is turned into a solution.
func (sv *cflpSolver) subgradient(maxIter int, mu float64, primal bool) {
	lg := sv.lg
	if sv.lambda == nil {
		if sv.best != nil {
			sv.lambdaFrom(sv.best)
		}
		sv.lambda = append([]float64(nil), lg.lambda...)
	} else {
		copy(lg.lambda, sv.lambda)
	}
	stall := 0
	local := math.Inf(-1) // best value of this call: stalls count against it
	const patience = 20
	// On large instances a primal solution costs many relaxations: try one
	// every n/1000 iterations, above cflpSparsePrimalN every n/100 (a
	// primal step then costs some 25 relaxations, and the bound needs the
	// iterations).
	stride := max(1, sv.pr.n/1000)
	if sv.pr.n > cflpSparsePrimalN {
		stride = sv.pr.n / 100
	}
	for it := 0; it < maxIter && !sv.clock.done(); it++ {
		lg.evaluate()
		sv.iters++
		if math.IsInf(lg.valid, 1) {
			sv.infeasible = true
			return
		}
		if math.IsInf(sv.lambdaVal, -1) || lg.valid > sv.lambdaVal+1e-9*math.Abs(sv.lambdaVal) {
			sv.lambdaVal = lg.valid
			copy(sv.lambda, lg.lambda)
		}
		sv.lb = math.Max(sv.lb, lg.valid)
		if math.IsInf(local, -1) || lg.valid > local+1e-9*math.Abs(local) {
			local, stall = lg.valid, 0
		} else if stall++; stall >= patience {
			mu /= 2
			stall = 0
		}
		if primal && it%stride == 0 {
			sv.primal(true)
		}
		if sv.proven() || mu < 1e-4 {
			return
		}
		if !sv.step(mu, sv.bestObj) {
			return
		}
	}
}

// lambdaFrom sets the multipliers to each customer's assignment cost in s,
// a level near the optimum's (as for the p-median), instead of the
// cheapest arc (0 when every point is a candidate that serves itself).
func (sv *cflpSolver) lambdaFrom(s *cflpSol) {
	for i, j := range s.assign {
		if j >= 0 {
			sv.lg.lambda[i] = sv.pr.cost(i, int(j))
		}
	}
}

// step moves the multipliers along the subgradient by a Polyak step of
// factor mu towards target (an estimate above the bound when target is
// +Inf). It returns false when the subgradient is zero: the relaxed
// solution is then feasible, hence optimal for the relaxation's fixings.
func (sv *cflpSolver) step(mu, target float64) bool {
	pr, lg := sv.pr, sv.lg
	norm := 0.0
	for i := range pr.n {
		g := 1 - float64(lg.cnt[i])
		norm += g * g
	}
	if norm == 0 {
		return false
	}
	if math.IsInf(target, 1) {
		target = lg.value + 0.1*math.Max(1, math.Abs(lg.value))
	}
	t := mu * math.Max(target-lg.value, 1e-6*math.Max(1, math.Abs(target))) / norm
	for i := range pr.n {
		lg.lambda[i] += t * (1 - float64(lg.cnt[i]))
	}
	return true
}

// openSetKey hashes the set of open sites of s.
func openSetKey(open []bool) uint64 {
	h := uint64(14695981039346656037)
	for j, o := range open {
		if o {
			h ^= uint64(j) + 1
			h *= 1099511628211
		}
	}
	return h
}

// primal turns the relaxed solution into a feasible one: the selected
// sites open, customers chosen by exactly one of them keep it, the others
// are assigned by regret, overload is repaired (with p free, by opening
// more sites if needed), and local search finishes. With once, a site
// selection already tried is skipped.
func (sv *cflpSolver) primal(once bool) {
	pr, lg, s := sv.pr, sv.lg, sv.cur
	key := openSetKey(lg.yp)
	if once && sv.seen[key] {
		return
	}
	sv.seen[key] = true
	s.reset()
	for _, j := range pr.cands {
		if lg.yp[j] {
			s.openSite(int(j))
		}
	}
	cnt := cflpGrowI32(sv.buf.cnt, pr.n)
	sv.buf.cnt = cnt
	clear(cnt)
	for _, j := range lg.sites {
		if lg.yp[j] {
			for _, i := range lg.sel[j] {
				cnt[i]++
			}
		}
	}
	for _, j := range lg.sites {
		if !lg.yp[j] {
			continue
		}
		for _, i := range lg.sel[j] {
			if cnt[i] == 1 {
				s.place(int(i), int(j))
			}
		}
	}
	if sv.complete(s) {
		sv.offer(s)
	}
}

// complete finishes a partial solution: regret assignment, overload repair,
// opening extra sites when p is free, local search. It returns whether s
// is feasible.
func (sv *cflpSolver) complete(s *cflpSol) bool {
	if !sv.fill(s) {
		return false
	}
	// Ejection chains only for solutions that look promising: they cost
	// more than the rest of the completion.
	s.quickSearch(sv.clock)
	sv.relocate(s, false)
	if sv.alwaysDeep || sv.best == nil || s.total() < sv.bestObj*(1+cflpPromising) {
		s.localSearch(sv.clock)
		sv.relocate(s, true)
	}
	if sv.alwaysDeep && sv.clusterSearch(s) > 0 {
		s.localSearch(sv.clock)
	}
	sv.closeEmpty(s)
	return s.feasible()
}

// fill assigns the unassigned customers of s and removes overload: regret
// assignment, repair, repacking, and opening extra sites (p free) or
// swapping sites when that fails. It returns whether s ended complete and
// without overload. While no feasible solution is known it runs in the
// grace of firstGrace.
func (sv *cflpSolver) fill(s *cflpSol) bool {
	defer sv.firstGrace()()
	for attempt := 0; ; attempt++ {
		ok := s.assignRest(&sv.buf, sv.clock)
		if ok && (s.repair(sv.clock) || sv.repack(s)) {
			return true
		}
		if attempt >= 20 || sv.clock.done() {
			return false
		}
		if !sv.openExtra(s) {
			return false
		}
	}
}

// firstGrace gives the construction of the first solution more time: while
// no feasible solution is known (and ctx is not cancelled), the clock
// allows cflpFirstGrace past the limit, so that a solve does not end
// without a solution because the limit fell inside its first
// construction. The grace counts from the limit, never from now: a solve
// never runs more than cflpFirstGrace past its limit, even when preparing
// the instance took longer than the limit. It returns the function that
// restores the clock.
func (sv *cflpSolver) firstGrace() (restore func()) {
	c := sv.clock
	if sv.best != nil || c.ctx.Err() != nil || c.grace {
		return func() {}
	}
	g := *c
	g.grace, g.stopped = true, false
	g.deadline = c.deadline.Add(cflpFirstGrace)
	sv.clock = &g
	if sv.flow != nil {
		sv.flow.clock = &g
	}
	return func() {
		sv.clock = c
		if sv.flow != nil {
			sv.flow.clock = c
		}
	}
}

// cflpFirstGrace is how long the construction of the first solution may
// run past the time limit. At 3,000 customers the lazy greedy choice, the regret
// assignment and the repair take some 0.1 s on an idle core; the grace
// covers a heavily loaded one, and caps the rare long repair.
const cflpFirstGrace = time.Second

// cflpPromising is how far above the best objective a completed solution
// may be and still get the full local search.
const cflpPromising = 0.01

// repack retries the assignment to the open sites from scratch a few times
// (2000/n times, at most 40), customers by randomly perturbed decreasing
// weight, each to its cheapest or its tightest-fitting open site with room
// (by a coin toss), followed by repair: randomised first-fit decreasing
// for the bin packing hidden in tight instances. It returns whether an
// assignment without overload was found.
func (sv *cflpSolver) repack(s *cflpSol) bool {
	pr := sv.pr
	capOpen := 0.0
	for j, o := range s.open {
		if o {
			capOpen += pr.capa[j]
		}
	}
	if capOpen < pr.totalQ {
		return false
	}
	tries := min(2000/pr.n, 40)
	order := make([]int32, pr.n)
	key := make([]float64, pr.n)
	for range tries {
		if sv.clock.done() {
			return false
		}
		for i := range pr.n {
			s.unplace(i)
			order[i] = int32(i)
			key[i] = pr.q[i] * (1 + 0.5*sv.rng.Float64())
		}
		sort.SliceStable(order, func(a, b int) bool { return key[order[a]] > key[order[b]] })
		for _, i := range order {
			tight := sv.rng.IntN(2) == 0
			best, bestRoom, first := -1, math.Inf(1), -1
			for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
				j := int(pr.rSite[k])
				if !s.open[j] {
					continue
				}
				if first < 0 {
					first = j
				}
				room := pr.limit[j] - s.load[j] - pr.q[i]
				if room < 0 {
					continue
				}
				if !tight {
					best = j
					break
				}
				if room < bestRoom {
					best, bestRoom = j, room
				}
			}
			if best < 0 {
				best = first
			}
			if best < 0 {
				return false // unreachable customer: open more sites
			}
			s.place(int(i), best)
		}
		if s.repair(sv.clock) {
			return true
		}
	}
	return false
}

// openExtra opens the closed candidate of least Lagrangian value v_j per
// unit of capacity that an unassigned or overloaded customer can reach and
// the budget allows, and unassigns the customers of overloaded sites it can
// serve. With p fixed, or when the budget allows no further site, it swaps
// instead: an open candidate closes (its customers unassigned) for a
// reachable one (larger, with p fixed), the pair of least change in
// Lagrangian value within the budget.
func (sv *cflpSolver) openExtra(s *cflpSol) bool {
	pr := sv.pr
	reach := make([]bool, pr.m)
	for i, j := range s.assign {
		if j >= 0 && s.over(int(j), s.load[j]) == 0 {
			continue
		}
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			reach[pr.rSite[k]] = true
		}
	}
	v := sv.lg.v
	out, in, best := -1, -1, math.Inf(1)
	if pr.p == 0 {
		for _, k := range pr.cands {
			if s.open[k] || !reach[k] || math.IsInf(v[k], 1) ||
				pr.budget > 0 && s.fixed+pr.fixed[k] > pr.budget*(1+1e-12) {
				continue
			}
			if score := v[k] / math.Min(pr.capa[k], pr.totalQ); in < 0 || score < best {
				in, best = int(k), score
			}
		}
	}
	if in < 0 {
		// Swap: with p fixed only for a larger site, with p free (over
		// the budget) for any reachable one.
		for _, k := range pr.cands {
			if s.open[k] || !reach[k] || math.IsInf(v[k], 1) {
				continue
			}
			for _, j := range pr.cands {
				if !s.open[j] || pr.p > 0 && pr.capa[k] <= pr.capa[j] ||
					pr.budget > 0 && s.fixed-pr.fixed[j]+pr.fixed[k] > pr.budget*(1+1e-12) {
					continue
				}
				if score := v[k] - v[j]; in < 0 || score < best {
					out, in, best = int(j), int(k), score
				}
			}
		}
	}
	if in < 0 {
		return false
	}
	if out >= 0 {
		for len(s.members[out]) > 0 {
			s.unplace(int(s.members[out][len(s.members[out])-1]))
		}
		s.closeSite(out)
	}
	s.openSite(in)
	for k := pr.cStart[in]; k < pr.cStart[in+1]; k++ {
		i := int(pr.cCust[k])
		if j := s.assign[i]; j >= 0 && s.over(int(j), s.load[j]) > 0 {
			s.unplace(i)
		}
	}
	return true
}

// offer records s if it is feasible and better than the best known, and
// keeps it in the pool of distinct good solutions.
func (sv *cflpSolver) offer(s *cflpSol) {
	obj := s.recompute()
	if !s.feasible() {
		return
	}
	if obj < sv.bestObj {
		if sv.best == nil {
			sv.best = newCFLPSol(sv.pr)
		}
		sv.best.copyFrom(s)
		sv.bestObj = obj
	}
	sv.pool, _ = sv.keepDistinct(sv.pool, cflpPoolSize, s, obj)
}

// keepDistinct keeps a copy of the feasible solution s, of objective obj,
// in set: best first, at most size members, one per site set. A member
// with s's site set is replaced when s is better; otherwise s joins when
// the set has room or s beats its worst member, which it replaces. It
// returns the set and whether s joined with a new site set.
func (sv *cflpSolver) keepDistinct(set []*cflpSol, size int, s *cflpSol, obj float64) ([]*cflpSol, bool) {
	byTotal := func(a, b *cflpSol) int { return cmp.Compare(a.total(), b.total()) }
	key := openSetKey(s.open)
	for _, o := range set {
		if openSetKey(o.open) == key {
			if obj < o.total() {
				o.copyFrom(s)
				slices.SortStableFunc(set, byTotal)
			}
			return set, false
		}
	}
	switch {
	case len(set) < size:
		n := newCFLPSol(sv.pr)
		n.copyFrom(s)
		set = append(set, n)
	case obj < set[len(set)-1].total():
		set[len(set)-1].copyFrom(s)
	default:
		return set, false
	}
	slices.SortStableFunc(set, byTotal)
	return set, true
}

// poolCopy returns copies of the pool's solutions, best first.
func (sv *cflpSolver) poolCopy() []*cflpSol {
	out := make([]*cflpSol, len(sv.pool))
	for x, o := range sv.pool {
		out[x] = newCFLPSol(sv.pr)
		out[x].copyFrom(o)
	}
	return out
}

// result builds the Result of the best solution.
func (sv *cflpSolver) result(start time.Time) *Result {
	b := sv.best
	obj := b.recompute()
	bound := math.Min(sv.lb, obj)
	if sv.closed() {
		bound = obj // optimal up to the rounding tolerance of closed
	}
	if math.IsInf(bound, -1) {
		bound = 0
	}
	r := &Result{
		Problem:    CFLP,
		Objective:  obj,
		Bound:      bound,
		Gap:        GapPercent(obj, bound),
		Assign:     append([]int32(nil), b.assign...),
		Iterations: sv.iters,
		Sites:      []int{},
	}
	for _, j := range sv.pr.cands {
		if b.open[j] {
			r.Sites = append(r.Sites, int(j))
		}
	}
	r.Seconds = time.Since(start).Seconds()
	return r
}
