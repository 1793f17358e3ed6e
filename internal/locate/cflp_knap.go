package locate

import (
	"math"
	"slices"
	"sort"
)

// cflpItem is an item of a 0-1 knapsack: profit p > 0, weight w >= 0 and the
// caller's id.
type cflpItem struct {
	p, w float64
	id   int32
}

// cflpKnap solves 0-1 knapsack problems (maximise profit within a weight
// capacity) exactly by depth-first branch and bound with the Dantzig (LP)
// bound, up to a node limit. It keeps its buffers between calls.
type cflpKnap struct {
	items  []cflpItem
	sp, sw []float64 // prefix sums of profit and weight over items
	x      []bool
	bestX  []bool
	group  []int32 // items of equal weight share a group
	banned []int32 // per group: items of the group skipped on the current path
	byW    map[float64]int32
	best   float64
	tol    float64
	nodes  int
	limit  int
	capa   float64
}

// solve maximises the profit of items within capacity capa. It returns the
// best profit found, an upper bound on the optimum (equal to best up to a
// rounding tolerance when the search finished within nodeLimit nodes), and
// appends the chosen item ids to chosen. Items heavier than capa are
// ignored; items is reordered.
func (k *cflpKnap) solve(items []cflpItem, capa float64, nodeLimit int, chosen []int32) (best, ub float64, out []int32) {
	k.items = k.items[:0]
	for _, it := range items {
		if it.p > 0 && it.w <= capa {
			k.items = append(k.items, it)
		}
	}
	its := k.items
	if len(its) == 0 {
		return 0, 0, chosen
	}
	slices.SortFunc(its, cflpByRatio)
	n := len(its)
	k.sp = cflpGrowF(k.sp, n+1)
	k.sw = cflpGrowF(k.sw, n+1)
	for i, it := range its {
		k.sp[i+1] = k.sp[i] + it.p
		k.sw[i+1] = k.sw[i] + it.w
	}
	if k.sw[n] <= capa {
		for _, it := range its {
			chosen = append(chosen, it.id)
		}
		return k.sp[n], k.sp[n], chosen
	}
	// Group items of equal weight: an optimal solution never takes an item
	// after skipping one of the same weight and at least its profit, and
	// the ratio order puts equal weights in decreasing profit.
	k.group = cflpGrowI32(k.group, n)
	groups := 0
	if k.byW == nil {
		k.byW = make(map[float64]int32)
	}
	byW := k.byW
	clear(byW)
	for i, it := range its {
		g, ok := byW[it.w]
		if !ok {
			g = int32(groups)
			byW[it.w] = g
			groups++
		}
		k.group[i] = g
	}
	k.banned = cflpGrowI32(k.banned, groups)
	clear(k.banned)
	k.x = cflpGrowB(k.x, n)
	k.bestX = cflpGrowB(k.bestX, n)
	clear(k.x)
	// Greedy incumbent: items in ratio order, skipping those that do not fit.
	k.best = 0
	rem := capa
	for i, it := range its {
		k.bestX[i] = it.w <= rem
		if k.bestX[i] {
			rem -= it.w
			k.best += it.p
		}
	}
	root := k.bound(0, capa)
	k.tol = 1e-12 * (1 + math.Abs(root))
	k.nodes, k.limit, k.capa = 0, nodeLimit, capa
	if root > k.best+k.tol {
		k.dfs(0, 0, 0)
	}
	for i, it := range its {
		if k.bestX[i] {
			chosen = append(chosen, it.id)
		}
	}
	if k.nodes > k.limit {
		return k.best, math.Max(root, k.best), chosen
	}
	return k.best, k.best + k.tol, chosen
}

// bound is the Dantzig bound on the profit of items from index i on with
// remaining capacity r.
func (k *cflpKnap) bound(i int, r float64) float64 {
	n := len(k.items)
	base := k.sw[i]
	// Largest t >= i with sw[t]-base <= r.
	t := i + sort.Search(n-i, func(d int) bool { return k.sw[i+d+1]-base > r })
	b := k.sp[t] - k.sp[i]
	if t < n {
		it := k.items[t]
		b += (r - (k.sw[t] - base)) * it.p / it.w
	}
	return b
}

func (k *cflpKnap) dfs(i int, p, w float64) {
	if p > k.best {
		k.best = p
		copy(k.bestX, k.x) // x[i:] is all false here
	}
	if i == len(k.items) || k.nodes > k.limit {
		return
	}
	r := k.capa - w
	if p+k.bound(i, r) <= k.best+k.tol {
		return
	}
	k.nodes++
	it := k.items[i]
	g := k.group[i]
	if it.w <= r && k.banned[g] == 0 {
		k.x[i] = true
		k.dfs(i+1, p+it.p, w+it.w)
		k.x[i] = false
	}
	k.banned[g]++
	k.dfs(i+1, p, w)
	k.banned[g]--
}

// cflpByRatio orders items by decreasing profit per unit of weight (without
// dividing: weights may be 0), then decreasing profit, then id.
func cflpByRatio(a, b cflpItem) int {
	l, r := a.p*b.w, b.p*a.w
	switch {
	case l > r:
		return -1
	case l < r:
		return 1
	case a.p > b.p:
		return -1
	case a.p < b.p:
		return 1
	}
	return int(a.id) - int(b.id)
}

func cflpGrowF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func cflpGrowB(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}
