package locate

import (
	"cmp"
	"math"
	"slices"
)

// cflpLagr is the Lagrangian relaxation of the assignment constraints
// (every customer served exactly once) with multipliers lambda. For fixed
// lambda it decomposes into one 0-1 knapsack per site (which customers the
// site would serve, profit lambda_i - c_ij, weight q_i, capacity of the
// site), solved exactly by branch and bound, and a small site-selection
// problem over the sites' values v_j = f_j - best profit:
//
//   - p fixed: the existing sites and the p candidates of least v_j;
//   - budget: the candidates of negative v_j form a knapsack on fixed cost;
//   - otherwise: every negative v_j, plus the cheapest set of further sites
//     whose capacity covers the total demand (a valid inequality that
//     strengthens the bound: a covering knapsack, solved exactly).
//
// Dropping constraints from the site-selection problem (the budget when p
// is fixed; the capacity cover when p or a budget is given) keeps the bound
// valid, only weaker. L(lambda) = sum(lambda) + selection value is a lower
// bound on the optimum for every lambda; subgradient optimisation raises it.
type cflpLagr struct {
	pr     *cflpProblem
	lambda []float64
	sites  []int32   // sites that may be open (candidates and existing)
	v      []float64 // v_j for the best knapsack solutions found
	vlb    []float64 // valid lower bounds on v_j (differ when a knapsack was cut short)
	sel    [][]int32 // customers chosen by each site's knapsack
	y      []bool    // selected sites
	yp     []bool    // the selection repaired for the primal heuristic (budget)
	cnt    []int32   // how many selected sites chose each customer
	value  float64   // L(lambda) for the selection (a bound when no knapsack was cut short)
	valid  float64   // valid lower bound at lambda
	knap   cflpKnap
	items  []cflpItem
	// cand holds every site's knapsack items, site j's at
	// candStart[j]:candStart[j+1] (see gather); candFill is scratch.
	cand      []cflpItem
	candStart []int
	candFill  []int
	order     []int32
	free      []int32
	fix       []int8 // per site: 1 forced open, -1 forced closed, 0 free
	nodes     int    // node limit per knapsack
}

func newCFLPLagr(pr *cflpProblem) *cflpLagr {
	lg := &cflpLagr{
		pr:     pr,
		lambda: make([]float64, pr.n),
		v:      make([]float64, pr.m),
		vlb:    make([]float64, pr.m),
		sel:    make([][]int32, pr.m),
		y:      make([]bool, pr.m),
		yp:     make([]bool, pr.m),
		cnt:    make([]int32, pr.n),
		fix:    make([]int8, pr.m),
		nodes:  20000,
	}
	lg.sites = append(append(lg.sites, pr.cands...), pr.exist...)
	slices.Sort(lg.sites)
	// Start from each customer's cheapest arc plus its share of the site's
	// fixed cost in proportion to the capacity it uses.
	for i := range pr.n {
		best := math.Inf(1)
		// Arcs come cheapest first and the fixed-cost share is not
		// negative: past an arc costing best, none is cheaper.
		for k := pr.rStart[i]; k < pr.rStart[i+1] && pr.rCost[k] < best; k++ {
			j := pr.rSite[k]
			c := pr.rCost[k]
			if !math.IsInf(pr.capa[j], 1) {
				c += pr.fixed[j] * pr.q[i] / pr.capa[j]
			}
			best = math.Min(best, c)
		}
		lg.lambda[i] = best
	}
	return lg
}

// evaluate solves the relaxation at the current multipliers, filling v, vlb,
// sel, y, cnt, value and valid.
func (lg *cflpLagr) evaluate() {
	pr := lg.pr
	exact := true
	lg.gather()
	for _, j := range lg.sites {
		if lg.fix[j] < 0 {
			lg.sel[j] = lg.sel[j][:0]
			lg.v[j], lg.vlb[j] = math.Inf(1), math.Inf(1)
			continue
		}
		lg.items = append(lg.items[:0], lg.cand[lg.candStart[j]:lg.candStart[j+1]]...)
		best, ub, chosen := lg.knap.solve(lg.items, pr.capa[j], lg.nodes, lg.sel[j][:0])
		lg.sel[j] = chosen
		lg.v[j] = pr.fixed[j] - best
		lg.vlb[j] = pr.fixed[j] - ub
		if ub != best {
			exact = false
		}
	}
	sum := 0.0
	for _, l := range lg.lambda {
		sum += l
	}
	val, lb := lg.selectSites(lg.v, lg.y)
	lg.value = sum + val
	lg.valid = sum + lb
	if !exact {
		_, lb = lg.selectSites(lg.vlb, nil)
		lg.valid = math.Min(lg.valid, sum+lb)
	}
	copy(lg.yp, lg.y)
	if pr.p > 0 && pr.budget > 0 {
		lg.fitBudget(lg.v, lg.yp)
	}
	clear(lg.cnt)
	for _, j := range lg.sites {
		if lg.y[j] {
			for _, i := range lg.sel[j] {
				lg.cnt[i]++
			}
		}
	}
}

// gather lists, for every site, the customers of positive reduced profit
// lambda_i - c_ij as knapsack items (in lg.cand, site j's at
// candStart[j]:candStart[j+1]). It walks each customer's arcs, cheapest
// first, only while they cost less than lambda_i: near the optimum's
// multipliers that is a few arcs per customer instead of all of them.
func (lg *cflpLagr) gather() {
	pr := lg.pr
	start := cflpGrowInt(lg.candStart, pr.m+1)
	clear(start)
	total := 0
	for i := range pr.n {
		lam := lg.lambda[i]
		for k := pr.rStart[i]; k < pr.rStart[i+1] && pr.rCost[k] < lam; k++ {
			start[pr.rSite[k]+1]++
			total++
		}
	}
	for j := range pr.m {
		start[j+1] += start[j]
	}
	if cap(lg.cand) < total {
		lg.cand = make([]cflpItem, total)
	}
	lg.cand = lg.cand[:total]
	fill := cflpGrowInt(lg.candFill, pr.m)
	copy(fill, start[:pr.m])
	for i := range pr.n {
		lam := lg.lambda[i]
		for k := pr.rStart[i]; k < pr.rStart[i+1] && pr.rCost[k] < lam; k++ {
			j := pr.rSite[k]
			lg.cand[fill[j]] = cflpItem{p: lam - pr.rCost[k], w: pr.q[i], id: int32(i)}
			fill[j]++
		}
	}
	lg.candStart, lg.candFill = start, fill
}

func cflpGrowInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

// cflpPick is a site selection being built by selectSites: its value under
// the site values v, the capacity it covers and whether a chosen site has
// no capacity limit; the chosen sites are marked in y when y is not nil.
type cflpPick struct {
	pr      *cflpProblem
	v       []float64
	y       []bool
	val     float64
	covered float64
	uncap   bool
}

// take adds site j to the selection.
func (pk *cflpPick) take(j int32) {
	if pk.y != nil {
		pk.y[j] = true
	}
	pk.val += pk.v[j]
	pk.covered += pk.pr.capa[j]
	pk.uncap = pk.uncap || math.IsInf(pk.pr.capa[j], 1)
}

// selectSites solves the site-selection problem for site values v, marking
// the choice in y when y is not nil and honouring the fixings in fix. It
// returns the value of the choice and a valid lower bound on the problem's
// optimum (equal up to rounding unless a knapsack was cut short); both are
// +Inf when the fixings leave no feasible choice.
func (lg *cflpLagr) selectSites(v []float64, y []bool) (val, lb float64) {
	pr := lg.pr
	if y != nil {
		clear(y)
	}
	pk := cflpPick{pr: pr, v: v, y: y}
	for _, j := range pr.exist {
		pk.take(j)
	}
	forced, forcedCost := lg.takeForced(&pk)
	switch {
	case pr.p > 0:
		return lg.selectP(&pk, pr.p-forced)
	case pr.budget > 0:
		return lg.selectBudget(&pk, pr.budget*(1+1e-12)-forcedCost)
	}
	return lg.selectCover(&pk)
}

// takeForced adds the candidates fixed open to the selection, lists those
// not fixed in lg.free and returns how many were forced and their fixed
// cost.
func (lg *cflpLagr) takeForced(pk *cflpPick) (forced int, forcedCost float64) {
	free := lg.free[:0]
	for _, j := range lg.pr.cands {
		switch lg.fix[j] {
		case 1:
			pk.take(j)
			forced++
			forcedCost += lg.pr.fixed[j]
		case 0:
			free = append(free, j)
		}
	}
	lg.free = free
	return forced, forcedCost
}

// selectP completes the selection with the need free candidates of least
// value (p fixed).
func (lg *cflpLagr) selectP(pk *cflpPick, need int) (val, lb float64) {
	free, v := lg.free, pk.v
	if need < 0 || need > len(free) {
		return math.Inf(1), math.Inf(1)
	}
	slices.SortFunc(free, func(a, b int32) int {
		if c := cmp.Compare(v[a], v[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	for _, j := range free[:need] {
		pk.take(j)
	}
	return pk.val, pk.val
}

// selectBudget completes the selection with the free candidates of
// negative value whose fixed costs fit room, the budget left, at the least
// total value (a knapsack).
func (lg *cflpLagr) selectBudget(pk *cflpPick, room float64) (val, lb float64) {
	if room < 0 {
		return math.Inf(1), math.Inf(1)
	}
	lg.items = lg.items[:0]
	for _, j := range lg.free {
		if pk.v[j] < 0 {
			lg.items = append(lg.items, cflpItem{p: -pk.v[j], w: lg.pr.fixed[j], id: j})
		}
	}
	best, ub, chosen := lg.knap.solve(lg.items, room, 1<<20, lg.order[:0])
	lg.order = chosen
	for _, j := range chosen {
		pk.take(j)
	}
	return pk.val, pk.val + best - ub
}

// selectCover completes the selection when p is free: every free site of
// negative value, then the cheapest further sites whose capacity covers
// the demand, either one uncapacitated site or a set of capacitated ones
// (a covering knapsack).
func (lg *cflpLagr) selectCover(pk *cflpPick) (val, lb float64) {
	pr, v := lg.pr, pk.v
	inf := math.Inf(1)
	lg.items = lg.items[:0]
	restV, restQ := 0.0, 0.0
	uncapBest, uncapJ := inf, int32(-1)
	for _, j := range lg.free {
		switch {
		case v[j] < 0:
			pk.take(j)
		case math.IsInf(pr.capa[j], 1):
			if v[j] < uncapBest {
				uncapBest, uncapJ = v[j], j
			}
		default:
			lg.items = append(lg.items, cflpItem{p: v[j], w: pr.capa[j], id: j})
			restV += v[j]
			restQ += pr.capa[j]
		}
	}
	need := pr.totalQ - pk.covered
	if pk.uncap || need <= cflpCapTol(pr.totalQ) {
		return pk.val, pk.val
	}
	// Cover need with the cheapest sites: keep closed (z_j = 1) a set of
	// greatest value whose capacity is at most restQ - need.
	coverVal, coverLB := inf, inf
	var closed []int32
	if room := restQ - need; room >= 0 {
		best, ub, ch := lg.knap.solve(lg.items, room, 1<<20, lg.order[:0])
		lg.order = ch
		closed = ch
		coverVal, coverLB = restV-best, restV-ub
	}
	if uncapJ < 0 && math.IsInf(coverVal, 1) {
		return inf, inf // nothing covers the demand
	}
	if uncapBest <= coverVal {
		pk.take(uncapJ)
		return pk.val, pk.val - uncapBest + math.Min(uncapBest, coverLB)
	}
	lb = pk.val + math.Min(coverLB, uncapBest)
	if pk.y != nil {
		for _, it := range lg.items {
			pk.y[it.id] = true
		}
		for _, j := range closed {
			pk.y[j] = false
		}
	}
	return pk.val + coverVal, lb
}

// fitBudget makes the site selection y respect the budget (the bound
// ignores it when p is fixed, but the primal heuristic should not): swaps
// of a selected free candidate for an unselected cheaper one, at the least
// increase of v per unit of fixed cost saved. y stays over budget only when
// no swap lowers the fixed cost.
func (lg *cflpLagr) fitBudget(v []float64, y []bool) {
	pr := lg.pr
	spent := 0.0
	for _, j := range pr.cands {
		if y[j] {
			spent += pr.fixed[j]
		}
	}
	room := pr.budget * (1 + 1e-12)
	for spent > room {
		ba, bb, bestR := int32(-1), int32(-1), math.Inf(1)
		for _, a := range pr.cands {
			if !y[a] || lg.fix[a] != 0 {
				continue
			}
			for _, b := range pr.cands {
				if y[b] || lg.fix[b] != 0 || pr.fixed[b] >= pr.fixed[a] {
					continue
				}
				if r := (v[b] - v[a]) / (pr.fixed[a] - pr.fixed[b]); r < bestR {
					ba, bb, bestR = a, b, r
				}
			}
		}
		if ba < 0 {
			return
		}
		y[ba], y[bb] = false, true
		spent += pr.fixed[bb] - pr.fixed[ba]
	}
}
