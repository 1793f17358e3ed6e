package locate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// pcDefaultLimit is the p-center time limit when Params.TimeLimit is 0.
const pcDefaultLimit = 30 * time.Second

// solvePCenter minimises the largest cost from a demand point of positive
// weight to its nearest open site, opening p new sites (params.P, or in.P
// when that is 0) besides the existing ones; forbidden sites never open and
// params.Budget > 0 caps the new sites' fixed costs.
//
// The optimum is one of the distinct arc costs, so the search is over
// radii: a radius r is feasible when p sites cover every demand point
// within r. From a p-median start, the search covers the radius just below
// the best found while that succeeds quickly: a covering view (the sites
// within r of each point) is searched by greedy, swap local search and then
// a weighted swap local search in the spirit of configuration-weighting
// heuristics for set covering, on the fast interchange bookkeeping. A
// binary search then raises the bound with a Lagrangian (LP-strength)
// upper bound on the weight p sites can cover, which proves radii
// infeasible. The remaining time goes to the radius just below the best:
// a fuller Lagrangian proof, an exact branch and bound on the reduced
// covering problem (small views, growing node budgets) and longer covering
// searches. The bound is the smallest radius not proven infeasible; the
// budget is relaxed in the Lagrangian proofs but respected by the exact
// search. Deterministic for a seed unless the time limit or ctx cuts it.
//
// A demand point whose row has no site that may open makes the problem
// infeasible (error wrapping ErrInfeasible). If no solution found covers
// every demand point the Result (Assign -1 where unserved) is returned with
// an error wrapping ErrUnserved.
func solvePCenter(ctx context.Context, in *Instance, params Params) (*Result, error) {
	start := time.Now()
	p, d, err := pmPrepare(in, params)
	if err != nil {
		return nil, err
	}
	for u := range d.n {
		if d.rowStart[u] == d.rowStart[u+1] {
			dm := in.Demand[d.dem[u]]
			return nil, fmt.Errorf("pcenter: demand %q reaches no site that may open: %w", dm.ID, ErrInfeasible)
		}
	}
	s := newPMSearch(ctx, d, p, params, start, pcDefaultLimit)
	pc := &pcSearch{pm: s, d: d, p: p, rng: rand.New(rand.NewPCG(uint64(params.Seed), 0x7063656e746572))} // "pcenter"
	pc.run()
	s.bestSites = pc.bestSites
	s.bound = pc.bound()
	s.moves = pc.moves
	res, err := s.result(in, PCenter, start)
	if res != nil {
		res.Bound = min(res.Bound, res.Objective)
		res.Gap = GapPercent(res.Objective, res.Bound)
	}
	return res, err
}

// pcSearch is one p-center solve.
type pcSearch struct {
	pm    *pmSearch // clock, greedy and evaluation state on the real costs
	d     *fiData
	p     int
	rng   *rand.Rand
	radii []float64 // distinct arc costs, ascending

	hi        int     // index of the best radius found (len(radii) = none yet)
	bestSites []int32 // its sites
	bestObj   float64
	lo        int // radii below radii[lo] are proven infeasible
	failed    int // the least radius a full Lagrangian proof failed at
	moves     int
}

// bound returns the proven lower bound on the optimal radius.
func (pc *pcSearch) bound() float64 {
	if pc.lo >= len(pc.radii) {
		return pc.bestObj
	}
	return pc.radii[pc.lo]
}

func (pc *pcSearch) run() {
	d := pc.d
	pc.radii = slices.Clone(d.rowCost)
	slices.Sort(pc.radii)
	pc.radii = slices.Compact(pc.radii)
	// Every user needs its nearest allowed site at least.
	lb := 0.0
	for u := range d.n {
		lb = max(lb, d.rowCost[d.rowStart[u]])
	}
	pc.lo, _ = slices.BinarySearch(pc.radii, lb)
	pc.hi = len(pc.radii)
	pc.bestObj = math.Inf(1)

	// A start: greedy p-median sites, improved by p-median local search.
	s := pc.pm
	s.st.set(s.gr.run(pc.p, nil, 0))
	s.st.localSearch(s.clock.done)
	pc.offer(s.st.sites())
	if pc.hi == len(pc.radii) {
		// Some demand is unserved even so: try covering at the largest
		// radius.
		pc.cover(len(pc.radii)-1, 2000)
	}

	// Descend: cover the radius just below the best while that is quick
	// (each success usually jumps several radii down).
	for pc.lo < pc.hi && !s.clock.done() && pc.cover(pc.hi-1, 3000) {
	}
	// Raise the bound as far as Lagrangian proofs go (binary search: a
	// proof at r holds for every smaller radius).
	pc.failed = pc.hi
	for a, b := pc.lo, pc.hi-1; a <= b && !s.clock.done(); {
		mid := (a + b) / 2
		if pc.prove(mid, 300) {
			pc.lo = max(pc.lo, mid+1)
			a = mid + 1
		} else {
			pc.failed = min(pc.failed, mid)
			b = mid - 1
		}
	}
	// Then push on the radius just below the best with growing effort.
	pc.push(400_000, s.clock.deadline)
}

// push works on the radius just below the best: a Lagrangian proof, the
// exact search (small views) and the covering search, with effort doubling
// up to maxEffort covering moves per try (the exact search nodes keep
// doubling), and reset whenever a better radius is found. It stops at until,
// when the gap closes or when the stopping gap is met.
func (pc *pcSearch) push(maxEffort int, until time.Time) {
	s := pc.pm
	tried := -1
	var ex *pcExact
	effort, nodes := 6000, 20000
	for pc.lo < pc.hi && !s.clock.done() && time.Now().Before(until) && !gapMet(s.stopGap, pc.bestObj, pc.bound()) {
		r := pc.hi - 1
		if r != tried {
			tried = r
			if r < pc.failed && pc.prove(r, 1000) {
				pc.lo = pc.hi
				break
			}
			pc.failed = min(pc.failed, r)
			ex = newPCExact(pc.coverData(r), s.clock.done)
		}
		if ex != nil {
			switch ex.solve(pc.p, nodes) {
			case pcInfeasible:
				pc.lo = pc.hi
				continue
			case pcFeasible:
				pc.offer(ex.found)
				effort, nodes = 6000, 20000
				continue
			}
		}
		if pc.cover(r, effort) {
			effort, nodes = 6000, 20000
			continue
		}
		// Past the largest covering effort only the exact search grows;
		// the covering search goes on from fresh random choices.
		if effort < maxEffort {
			effort = 2 * effort
		}
		nodes = min(2*nodes, 1<<40)
	}
}

// offer evaluates sites on the real costs and keeps them if they are the
// best; it returns the objective.
func (pc *pcSearch) offer(sites []int32) float64 {
	st := pc.pm.st
	st.set(sites)
	obj := 0.0
	for u := range pc.d.n {
		obj = max(obj, st.d1[u])
	}
	if obj < pc.bestObj {
		pc.bestObj = obj
		pc.bestSites = st.sites()
		if obj < pc.d.penalty {
			pc.hi, _ = slices.BinarySearch(pc.radii, obj)
		}
	}
	return obj
}

// coverData returns the covering view at radius radii[r]: the users not
// already within r of an existing site, each with the candidates within r
// at cost 0 and an uncovered penalty of 1 (so the engine's objective is the
// uncovered weight).
func (pc *pcSearch) coverData(r int) *fiData {
	base := pc.d
	rad := pc.radii[r]
	cd := &fiData{
		m:        base.m,
		status:   base.status,
		fixed:    base.fixed,
		budget:   base.budget,
		cands:    base.cands,
		existing: base.existing,
		penalty:  1,
		maxW:     1,
		rowStart: []int{0},
	}
	for u := range base.n {
		a, b := base.rowStart[u], base.rowStart[u+1]
		covered := false
		k := a
		for ; k < b && base.rowCost[k] <= rad; k++ {
			if base.status[base.rowSite[k]] == Existing {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		cd.dem = append(cd.dem, int32(u))
		cd.w = append(cd.w, 1)
		cd.rowSite = append(cd.rowSite, base.rowSite[a:k]...)
		cd.rowStart = append(cd.rowStart, len(cd.rowSite))
	}
	cd.n = len(cd.dem)
	cd.rowCost = make([]float64, len(cd.rowSite))
	cd.buildColumns()
	return cd
}

// cover looks for p sites covering every user within radii[r], starting from
// the best solution and from greedy, with a weighted swap search of up to
// effort moves; on success it records the solution.
func (pc *pcSearch) cover(r int, effort int) bool {
	cd := pc.coverData(r)
	if cd.n == 0 {
		pc.offer(pc.bestSites)
		return true
	}
	st := newFIState(cd, pc.p)
	gr := newFIGreedy(cd)
	st.set(gr.run(pc.p, nil, 0))
	if pc.bestSites != nil {
		greedyObj := st.obj
		st.set(pc.bestSites)
		if st.obj > greedyObj {
			st.set(gr.run(pc.p, nil, 0))
		}
	}
	st.localSearch(pc.pm.clock.done)
	if st.obj > 0 && !pc.weighted(st, effort) {
		return false
	}
	pc.offer(st.sites())
	return true
}

// weighted runs a configuration-weighting local search on a covering state:
// each move picks a random uncovered user and makes the best swap that
// brings in one of its sites, then raises the weight of every uncovered
// user, so that users left out for long pull harder. Recently moved sites
// are tabu for a few moves. It reports whether all users got covered; the
// state then holds the covering solution.
func (pc *pcSearch) weighted(st *fiState, effort int) bool {
	ws := newPCWeighting(pc, st)
	bestUncov := len(ws.uncov)
	bestSites := st.sites()
	clock := pc.pm.clock
	for it := 1; it <= effort; it++ {
		if len(ws.uncov) == 0 {
			return true
		}
		if it%64 == 0 && clock.done() {
			break
		}
		u := ws.uncov[pc.rng.IntN(len(ws.uncov))]
		mv := ws.bestMove(u, it)
		if mv.in < 0 {
			// Every option is tabu: let time pass.
			continue
		}
		ws.apply(mv, it)
		if len(ws.uncov) < bestUncov {
			bestUncov = len(ws.uncov)
			bestSites = st.sites()
		}
		ws.raiseUncovered()
	}
	if len(ws.uncov) == 0 {
		return true
	}
	st.set(bestSites)
	return false
}

// pcWeighting is the state of one weighted covering search: the uncovered
// users and the tabu lists.
type pcWeighting struct {
	pc       *pcSearch
	st       *fiState
	pos      []int32 // per user: index in uncov, -1 when covered
	uncov    []int32 // the uncovered users
	tabuAdd  []int   // per site: move number until which it may not open
	tabuDrop []int   // per site: move number until which it may not close
}

// newPCWeighting starts a weighted search from st's solution.
func newPCWeighting(pc *pcSearch, st *fiState) *pcWeighting {
	cd := st.d
	ws := &pcWeighting{pc: pc, st: st, pos: make([]int32, cd.n), tabuAdd: make([]int, cd.m), tabuDrop: make([]int, cd.m)}
	for u := range int32(cd.n) {
		ws.pos[u] = -1
		if st.phi1[u] < 0 {
			ws.pos[u] = int32(len(ws.uncov))
			ws.uncov = append(ws.uncov, u)
		}
	}
	return ws
}

// bestMove returns the most profitable move at move number it that opens
// one of user u's sites (ties broken uniformly at random), or a move with
// in -1 when every option is tabu.
func (ws *pcWeighting) bestMove(u int32, it int) fiMove {
	st, cd, rng := ws.st, ws.st.d, ws.pc.rng
	mv := fiMove{in: -1, out: -1, profit: math.Inf(-1)}
	ties := 0
	for k := cd.rowStart[u]; k < cd.rowStart[u+1]; k++ {
		f := cd.rowSite[k]
		if st.open[f] || ws.tabuAdd[f] > it {
			continue
		}
		if len(st.slots) < st.pNew && st.affordable(f, -1) {
			if p := st.gain[f]; p > mv.profit {
				mv, ties = fiMove{f, -1, p}, 1
			}
		}
		for x, g := range st.slots {
			if ws.tabuDrop[g] > it || !st.affordable(f, g) {
				continue
			}
			p := st.gain[f] - st.loss[x] + st.extra[x].get(f)
			switch {
			case p > mv.profit:
				mv, ties = fiMove{f, g, p}, 1
			case p == mv.profit:
				// Break ties at random, uniformly (reservoir).
				ties++
				if rng.IntN(ties) == 0 {
					mv = fiMove{f, g, p}
				}
			}
		}
	}
	return mv
}

// apply makes move mv (move number it), makes its sites tabu for a few
// moves and updates the uncovered users.
func (ws *pcWeighting) apply(mv fiMove, it int) {
	st, rng := ws.st, ws.pc.rng
	st.apply(mv)
	ws.pc.moves++
	ws.tabuDrop[mv.in] = it + 1 + rng.IntN(2)
	if mv.out >= 0 {
		ws.tabuAdd[mv.out] = it + 2 + rng.IntN(3)
	}
	for _, v := range st.aff {
		switch in := ws.pos[v] >= 0; {
		case in && st.phi1[v] >= 0:
			last := ws.uncov[len(ws.uncov)-1]
			ws.uncov[ws.pos[v]] = last
			ws.pos[last] = ws.pos[v]
			ws.uncov = ws.uncov[:len(ws.uncov)-1]
			ws.pos[v] = -1
		case !in && st.phi1[v] < 0:
			ws.pos[v] = int32(len(ws.uncov))
			ws.uncov = append(ws.uncov, v)
		}
	}
}

// raiseUncovered adds 1 to the weight of every uncovered user.
func (ws *pcWeighting) raiseUncovered() {
	st := ws.st
	for _, v := range ws.uncov {
		st.contrib(v, -1)
		st.d.w[v]++
		st.contrib(v, 1)
	}
}

// prove tries to show that no p sites cover every user within radii[r],
// by subgradient optimisation of a Lagrangian upper bound on the number of
// users p sites can cover: for multipliers mu >= 0 (one per user),
//
//	U(mu) = sum_u max(0, 1 - mu_u) + (sum of the p largest sigma_j),
//	sigma_j = sum of mu_u over the users j covers,
//
// bounds the coverage (it is the LP bound of maximal covering). U < n
// proves r infeasible. It reports whether it succeeded.
func (pc *pcSearch) prove(r int, iters int) bool {
	if r < pc.lo {
		return true
	}
	cd := pc.coverData(r)
	n := cd.n
	if n == 0 {
		return false
	}
	pf, ok := newPCProof(cd, pc.p)
	if !ok {
		return true // a user has no site within r
	}
	target := float64(n) - 1
	pi, since := 1.0, 0
	best, mark := math.Inf(1), math.Inf(1)
	clock := pc.pm.clock
	for it := 0; it < iters; it++ {
		if clock.done() {
			return false
		}
		U := pf.bound()
		if U < float64(n)-1e-9*float64(n)-1e-9 {
			return true
		}
		if U < best-1e-6*float64(n) {
			best, since = U, 0
		} else if since++; since >= 20 {
			pi, since = pi/2, 0
			if pi < 1e-3 {
				return false
			}
		}
		if it%50 == 49 {
			// Give up when the last 50 steps closed less than 5% of
			// the distance to the target.
			if it > 50 && mark-best < 0.05*(best-target) {
				return false
			}
			mark = best
		}
		norm := pf.subgradient()
		if norm == 0 {
			return false
		}
		pf.step(pi * (U - target) / norm)
	}
	return false
}

// pcProof is the working state of one Lagrangian infeasibility proof on a
// covering view.
type pcProof struct {
	cd    *fiData
	p     int
	mu    []float64 // per user: multiplier
	sigma []float64 // per site: sum of mu over the users it covers
	order []int32   // candidates, the p largest sigma first after bound
	on    []bool    // per site: among the p largest sigma
	g     []float64 // per user: subgradient
}

// newPCProof starts from the fractional cover that splits each user's unit
// over its sites; it reports false if a user has no site.
func newPCProof(cd *fiData, p int) (*pcProof, bool) {
	pf := &pcProof{
		cd:    cd,
		p:     p,
		mu:    make([]float64, cd.n),
		sigma: make([]float64, cd.m),
		order: slices.Clone(cd.cands),
		on:    make([]bool, cd.m),
		g:     make([]float64, cd.n),
	}
	for u := range pf.mu {
		deg := cd.rowStart[u+1] - cd.rowStart[u]
		if deg == 0 {
			return nil, false
		}
		pf.mu[u] = 1 / float64(deg)
	}
	return pf, true
}

// bound returns U(mu) and marks the p sites of largest sigma in on.
func (pf *pcProof) bound() float64 {
	cd := pf.cd
	clear(pf.sigma)
	U := 0.0
	for u, m := range pf.mu {
		U += max(0, 1-m)
		for k := cd.rowStart[u]; k < cd.rowStart[u+1]; k++ {
			pf.sigma[cd.rowSite[k]] += m
		}
	}
	k := min(pf.p, len(pf.order))
	selectLargest(pf.order, pf.sigma, k)
	clear(pf.on)
	for _, j := range pf.order[:k] {
		pf.on[j] = true
		U += pf.sigma[j]
	}
	return U
}

// subgradient sets g to the subgradient of U at mu (the marked sites
// covering each user, less 1 where mu < 1) and returns its squared norm.
func (pf *pcProof) subgradient() float64 {
	cd := pf.cd
	norm := 0.0
	for u := range pf.g {
		c := 0.0
		for k := cd.rowStart[u]; k < cd.rowStart[u+1]; k++ {
			if pf.on[cd.rowSite[k]] {
				c++
			}
		}
		if pf.mu[u] < 1 {
			c--
		}
		pf.g[u] = c
		norm += c * c
	}
	return norm
}

// step moves mu by t against the subgradient, keeping it in [0, 1].
func (pf *pcProof) step(t float64) {
	for u, g := range pf.g {
		if g != 0 {
			pf.mu[u] = min(1, max(0, pf.mu[u]-t*g))
		}
	}
}

// selectLargest reorders idx so that its first k entries are those with the
// largest key (ties by smaller index), in no particular order beyond that.
func selectLargest(idx []int32, key []float64, k int) {
	if k <= 0 || k >= len(idx) {
		return
	}
	less := func(a, b int32) bool { // a ranks before b
		return key[a] > key[b] || (key[a] == key[b] && a < b)
	}
	lo, hi := 0, len(idx)-1
	for lo < hi {
		mid := (lo + hi) / 2
		pivot := idx[mid]
		idx[mid], idx[hi] = idx[hi], idx[mid]
		store := lo
		for i := lo; i < hi; i++ {
			if less(idx[i], pivot) {
				idx[i], idx[store] = idx[store], idx[i]
				store++
			}
		}
		idx[store], idx[hi] = idx[hi], idx[store]
		switch {
		case store == k-1 || store == k:
			return
		case store < k:
			lo = store + 1
		default:
			hi = store - 1
		}
	}
}
