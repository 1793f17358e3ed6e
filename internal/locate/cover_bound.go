package locate

import (
	"math"
	"runtime"
	"sync"
)

// Lagrangian relaxation of the maximal covering model
//
//	max  Σ_g w_g y_g
//	s.t. y_g <= Σ_{j covers g} x_j   (multiplier λ_g >= 0)
//	     Σ_j x_j <= p,  Σ_j c_j x_j <= B,  x, y binary
//
// Relaxing the coverage constraints leaves
//
//	L(λ) = Σ_g max(0, w_g - λ_g) + max{ Σ_j s_j x_j : Σ x_j <= p, Σ c_j x_j <= B },
//	s_j  = Σ_{g covered by j} λ_g,
//
// an upper bound on the optimum for every λ >= 0; λ_g may be kept in [0, w_g]
// without loss. The site problem is solved exactly without a budget (the p
// largest s_j) and bounded from above with one (a second multiplier μ on the
// budget, minimised by golden-section search). Subgradient optimisation with
// Polyak steps lowers L towards the linear-programming bound.

// lagrangeOut is the outcome of a subgradient run.
type lagrangeOut struct {
	ub        float64 // best (lowest) valid upper bound on covered group weight
	primal    []int32 // best feasible site set seen among the relaxed solutions
	primalVal float64 // its covered group weight
	iters     int
	lam       []float64 // multipliers of the best bound
	sel       []int32   // relaxed site selection at the best bound
}

// lagrangeBound bounds the group weight that at most p sites within budget
// (<= 0: none) can cover. level is the best known covered weight (it steers
// the step size); the run stops early once the floored bound drops below
// stopBelow, after maxIter iterations, when the step size has shrunk to
// nothing, or when stop says so. The returned bound is valid whenever the
// run stops.
func (m *coverModel) lagrangeBound(p int, budget, level, stopBelow float64, maxIter int, stop *coverStop) lagrangeOut {
	return m.lagrange(lagrangeIn{p: p, budget: budget, level: level, stopBelow: stopBelow, maxIter: maxIter, pi: 2}, stop)
}

// lagrangeIn are the settings of a subgradient run.
type lagrangeIn struct {
	p         int
	budget    float64
	level     float64   // best known covered weight
	stopBelow float64   // stop once the floored bound is below this
	maxIter   int       // iterations at most
	pi        float64   // initial step factor
	fix       []int8    // per site: 1 forced open, -1 forced closed, 0 free (nil: all free)
	lam       []float64 // initial multipliers (nil: 0.2 w)
}

// lagrange runs subgradient optimisation for the relaxation with the sites
// in in.fix forced open or closed; out.lam are the best multipliers found.
func (m *coverModel) lagrange(in lagrangeIn, stop *coverStop) lagrangeOut {
	out := lagrangeOut{ub: math.Inf(1), primalVal: -1}
	if len(m.w) == 0 || in.p <= 0 {
		out.ub = 0
		return out
	}
	if in.p >= len(m.site) && in.budget <= 0 && in.fix == nil {
		out.ub = m.coverable()
		return out // every group can be covered
	}
	// Start at 0.2 w, deflect with β = 0.9 when successive directions
	// disagree, halve the step after 50 iterations without progress and
	// return to the best multipliers.
	sg := m.newCoverSubgrad(in)
	out.lam = sg.bestLam
	level, pi, stale := in.level, in.pi, 0
	const patience = 50
	for it := 0; it < in.maxIter; it++ {
		if stop != nil && stop.done() {
			break
		}
		out.iters++
		L, chosen := sg.relaxed()
		if improved := out.ub - L; improved > 1e-9*math.Max(1, L) || math.IsInf(out.ub, 1) {
			out.ub = L
			copy(sg.bestLam, sg.lam)
			out.sel = append(out.sel[:0], chosen...)
			stale = 0
		} else if stale++; stale >= patience {
			// Shrink the step and go back to the best multipliers.
			pi /= 2
			stale = 0
			copy(sg.lam, sg.bestLam)
			clear(sg.dir)
			continue
		}
		cov, spent, dot := sg.cover(chosen)
		if (in.budget <= 0 || spent <= in.budget*(1+1e-12)) && cov > out.primalVal {
			out.primalVal = cov
			out.primal = append(out.primal[:0], chosen...)
		}
		level = max(level, out.primalVal)
		norm := sg.deflect(dot < 0)
		if m.floorBound(out.ub) < in.stopBelow || pi < 1e-4 || norm == 0 {
			break
		}
		sg.move(pi, L, level, norm)
	}
	out.ub = min(out.ub, m.coverable())
	return out
}

// coverSubgrad is the working state of one subgradient run: multipliers,
// direction and scratch space, allocated once per run.
type coverSubgrad struct {
	m       *coverModel
	lam     []float64 // current multipliers, one per group
	bestLam []float64 // multipliers of the best bound
	dir     []float64 // deflected direction (Camerini–Fratta–Maffioli)
	s       []float64 // per site: sum of lam over the groups it covers
	idx     []int32   // scratch for the site selector
	hx      []int32   // per group: chosen sites covering it (0 between steps)
	sel     *siteSelector
}

// newCoverSubgrad starts a run from in.lam, or from 0.2 w (tuned on the São
// José dos Campos instances and a generated 100k x 5k one).
func (m *coverModel) newCoverSubgrad(in lagrangeIn) *coverSubgrad {
	ns, ng := len(m.site), len(m.w)
	sg := &coverSubgrad{
		m:       m,
		lam:     make([]float64, ng),
		bestLam: make([]float64, ng),
		dir:     make([]float64, ng),
		s:       make([]float64, ns),
		idx:     make([]int32, 0, ns),
		hx:      make([]int32, ng),
		sel:     newSiteSelector(m, in.p, in.budget),
	}
	sg.sel.fix = in.fix
	if in.lam != nil {
		copy(sg.lam, in.lam)
	} else {
		for g := range sg.lam {
			sg.lam[g] = 0.2 * m.w[g]
		}
	}
	copy(sg.bestLam, sg.lam)
	return sg
}

// relaxed solves the relaxation at the current multipliers: it returns
// L(λ) and the sites of the relaxed solution.
func (sg *coverSubgrad) relaxed() (float64, []int32) {
	var first float64
	for g, l := range sg.lam {
		first += sg.m.w[g] - l
	}
	sg.m.siteSums(sg.lam, sg.s)
	val, chosen := sg.sel.solve(sg.s, sg.idx)
	return first + val, chosen
}

// cover counts in hx how many chosen sites cover each group and returns
// the chosen sites' value as a primal solution (covered weight and fixed
// cost) and the dot product of the subgradient
// h_g = Σ_{j chosen covers g} 1 - y_g with the previous direction.
func (sg *coverSubgrad) cover(chosen []int32) (cov, spent, dot float64) {
	m := sg.m
	for _, j := range chosen {
		spent += m.fixed[j]
		for _, g := range m.col(j) {
			sg.hx[g]++
		}
	}
	for g, l := range sg.lam {
		if sg.hx[g] > 0 {
			cov += m.w[g]
		}
		dot += m.subgrad(g, l, sg.hx[g]) * sg.dir[g]
	}
	return cov, spent, dot
}

// deflect sets the direction to the subgradient plus 0.9 times the previous
// direction when deflected (successive directions disagree), projected so
// that λ stays in [0, w]; it clears hx and returns the direction's squared
// norm.
func (sg *coverSubgrad) deflect(deflected bool) float64 {
	m := sg.m
	beta := 0.0
	if deflected {
		beta = 0.9
	}
	var norm float64
	for g, l := range sg.lam {
		d := m.subgrad(g, l, sg.hx[g])
		sg.hx[g] = 0
		d += beta * sg.dir[g]
		if (l <= 0 && d > 0) || (l >= m.w[g] && d < 0) {
			d = 0
		}
		sg.dir[g] = d
		norm += d * d
	}
	return norm
}

// move takes a Polyak step of factor pi along the direction, aiming from
// bound L at the best known covered weight level.
func (sg *coverSubgrad) move(pi, L, level, norm float64) {
	gapL := L - level
	if gapL <= 0 {
		gapL = 1e-6 * math.Max(1, L)
	}
	t := pi * gapL / norm
	for g, d := range sg.dir {
		if d != 0 {
			sg.lam[g] = min(sg.m.w[g], max(0, sg.lam[g]-t*d))
		}
	}
}

// siteSums sets s_j to the sum of lam over the groups site j covers. Large
// models are split over the available processors by site; every s_j is
// summed in the same order either way, so results do not depend on the
// split.
func (m *coverModel) siteSums(lam, s []float64) {
	sum := func(lo, hi int) {
		for j := lo; j < hi; j++ {
			var v float64
			for _, g := range m.colDem[m.colStart[j]:m.colStart[j+1]] {
				v += lam[g]
			}
			s[j] = v
		}
	}
	ns := len(s)
	workers := min(runtime.GOMAXPROCS(0), 8)
	if workers < 2 || len(m.colDem) < 1<<18 {
		sum(0, ns)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { sum(w*ns/workers, (w+1)*ns/workers) })
	}
	wg.Wait()
}

// subgrad is the component of the subgradient of L for group g with
// multiplier l, covered by cnt of the relaxed solution's sites.
func (m *coverModel) subgrad(g int, l float64, cnt int32) float64 {
	h := float64(cnt)
	if l < m.w[g] {
		h-- // y_g = 1
	}
	return h
}

// siteSelector solves (or bounds, with a budget) the site part of the
// Lagrangian problem: choose at most p sites maximising Σ s_j.
type siteSelector struct {
	m      *coverModel
	p      int
	budget float64
	key    []float64
	chosen []int32
	fix    []int8 // per site: 1 forced open, -1 forced closed (nil: all free)
}

func newSiteSelector(m *coverModel, p int, budget float64) *siteSelector {
	return &siteSelector{m: m, p: p, budget: budget, key: make([]float64, len(m.site))}
}

// solve returns an upper bound on the best site value (exact without a
// budget) and the sites of the relaxed solution. idx is scratch space.
func (ss *siteSelector) solve(s []float64, idx []int32) (float64, []int32) {
	if ss.budget <= 0 {
		v := ss.top(s, 0, idx)
		return v, ss.chosen
	}
	// f(μ) = μB + top-p Σ max(0, s_j - μ c_j) is convex in μ >= 0.
	hi := 0.0
	for j, v := range s {
		if c := ss.m.fixed[j]; c > 0 && v/c > hi {
			hi = v / c
		}
	}
	f := func(mu float64) float64 { return mu*ss.budget + ss.top(s, mu, idx) }
	lo := 0.0
	best, bestMu := f(0), 0.0
	if hi > 0 {
		const phi = 0.6180339887498949
		a, b := lo, hi
		x1, x2 := b-phi*(b-a), a+phi*(b-a)
		f1, f2 := f(x1), f(x2)
		for range 40 {
			if f1 <= f2 {
				b, x2, f2 = x2, x1, f1
				x1 = b - phi*(b-a)
				f1 = f(x1)
			} else {
				a, x1, f1 = x1, x2, f2
				x2 = a + phi*(b-a)
				f2 = f(x2)
			}
		}
		for _, c := range [...]struct{ mu, v float64 }{{x1, f1}, {x2, f2}, {hi, f(hi)}} {
			if c.v < best {
				best, bestMu = c.v, c.mu
			}
		}
	}
	ss.top(s, bestMu, idx)
	return best, ss.chosen
}

// top sums the p largest positive values of s_j - mu c_j (forced-open sites
// always count, forced-closed ones never) and leaves their sites in
// ss.chosen.
func (ss *siteSelector) top(s []float64, mu float64, idx []int32) float64 {
	idx = idx[:0]
	ss.chosen = ss.chosen[:0]
	k := ss.p
	var sum float64
	for j, v := range s {
		key := v - mu*ss.m.fixed[j]
		ss.key[j] = key
		switch {
		case ss.fix != nil && ss.fix[j] > 0:
			sum += key
			ss.chosen = append(ss.chosen, int32(j))
			k--
		case ss.fix != nil && ss.fix[j] < 0:
		case key > 0:
			idx = append(idx, int32(j))
		}
	}
	k = max(k, 0)
	if len(idx) > k {
		selectTop(idx, ss.key, k)
		idx = idx[:k]
	}
	for _, j := range idx {
		sum += ss.key[j]
	}
	ss.chosen = append(ss.chosen, idx...)
	return sum
}

// selectTop reorders idx so that its first k entries have the largest keys
// (ties by lower index, so the result is deterministic).
func selectTop(idx []int32, key []float64, k int) {
	less := func(a, b int32) bool { // a before b
		if key[a] != key[b] {
			return key[a] > key[b]
		}
		return a < b
	}
	lo, hi := 0, len(idx)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three as pivot, moved to hi.
		if less(idx[mid], idx[lo]) {
			idx[mid], idx[lo] = idx[lo], idx[mid]
		}
		if less(idx[hi], idx[lo]) {
			idx[hi], idx[lo] = idx[lo], idx[hi]
		}
		if less(idx[mid], idx[hi]) {
			idx[mid], idx[hi] = idx[hi], idx[mid]
		}
		pv := idx[hi]
		st := lo
		for i := lo; i < hi; i++ {
			if less(idx[i], pv) {
				idx[i], idx[st] = idx[st], idx[i]
				st++
			}
		}
		idx[st], idx[hi] = idx[hi], idx[st]
		switch {
		case st == k || st == k-1:
			return
		case st < k:
			lo = st + 1
		default:
			hi = st - 1
		}
	}
}
