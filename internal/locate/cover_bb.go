package locate

import "slices"

// coverBB is a depth-first Lagrangian branch and bound on the sites of a
// maximal covering model. It closes the small integrality gaps the
// relaxation leaves (the Lagrangian bound equals the linear-programming
// bound) on instances of modest size: each node forces one site open or
// closed and re-optimises the multipliers from its parent's; a node whose
// bound cannot beat the incumbent is pruned. Improvements found on the way
// go to the search's incumbent.
type coverBB struct {
	m        *coverModel
	cs       *coverSearch
	p        int
	budget   float64
	stop     *coverStop
	fix      []int8
	nodes    int
	maxNodes int
	aborted  bool
}

// coverBBIters is the subgradient budget of a node (warm-started).
const coverBBIters = 300

// prove searches the tree below the root multipliers lam. It reports true
// when the tree was searched completely, so that the incumbent (cs.bestVal)
// is optimal.
//
// Dominated sites (see dominated) are closed from the start: some optimal
// solution avoids them, which shrinks the tree a great deal where every
// demand point is also a candidate.
func (m *coverModel) prove(cs *coverSearch, p int, budget float64, lam []float64, maxNodes int, stop *coverStop) bool {
	bb := &coverBB{m: m, cs: cs, p: p, budget: budget, stop: stop, fix: m.dominated(budget), maxNodes: maxNodes}
	bb.node(lam, 0, 0)
	return !bb.aborted
}

func (bb *coverBB) pruned(ub float64) bool {
	return bb.m.floorBound(ub) <= bb.cs.bestVal+bb.m.eps()/2
}

// node explores the subtree of the current fixings, with open sites forced
// open at fixed cost spent.
func (bb *coverBB) node(lam []float64, open int, spent float64) {
	if bb.aborted {
		return
	}
	bb.nodes++
	if bb.nodes > bb.maxNodes || bb.stop.done() || bb.cs.reached() {
		bb.aborted = true
		return
	}
	m := bb.m
	if open == bb.p {
		bb.leaf()
		return
	}
	lr := m.lagrange(lagrangeIn{
		p: bb.p, budget: bb.budget, level: bb.cs.bestVal, stopBelow: bb.cs.bestVal + m.eps(),
		maxIter: coverBBIters, pi: 1, fix: bb.fix, lam: lam,
	}, bb.stop)
	if lr.primalVal > bb.cs.bestVal+m.eps() {
		bb.cs.from(lr.primal)
	}
	if bb.pruned(lr.ub) {
		return
	}
	if bb.stop.done() {
		bb.aborted = true
		return
	}
	// Branch on the free site of the relaxed selection with the largest
	// Lagrangian value; without one, on the free site with the largest value.
	j := bb.branchSite(lr)
	if j < 0 {
		bb.leaf()
		return
	}
	if c := m.fixed[j]; bb.budget <= 0 || spent+c <= bb.budget*(1+1e-12) {
		bb.fix[j] = 1
		bb.node(lr.lam, open+1, spent+c)
	}
	bb.fix[j] = -1
	bb.node(lr.lam, open, spent)
	bb.fix[j] = 0
}

// branchSite picks the site to branch on, or -1 when every site is fixed.
func (bb *coverBB) branchSite(lr lagrangeOut) int32 {
	s := make([]float64, len(bb.m.site))
	bb.m.siteSums(lr.lam, s)
	best := int32(-1)
	for _, j := range lr.sel {
		if bb.fix[j] == 0 && (best < 0 || s[j] > s[best]) {
			best = j
		}
	}
	if best >= 0 {
		return best
	}
	for j := range s {
		if bb.fix[j] == 0 && (best < 0 || s[j] > s[best]) {
			best = int32(j)
		}
	}
	return best
}

// leaf offers the forced-open sites, topped up by local search, as a
// solution.
func (bb *coverBB) leaf() {
	var open []int32
	for j, f := range bb.fix {
		if f > 0 {
			open = append(open, int32(j))
		}
	}
	bb.cs.from(slices.Clip(open))
}

// dominated returns, per site, -1 when another site covers every group the
// site covers (at no greater fixed cost when a budget applies; among sites
// covering equal sets all but the first) and 0 otherwise. Swapping a
// dominated site for its dominator never loses coverage, so some optimal
// choice of at most p sites uses no dominated site.
func (m *coverModel) dominated(budget float64) []int8 {
	fix := make([]int8, len(m.site))
	for j := range m.site {
		col := m.colDem[m.colStart[j]:m.colStart[j+1]]
		if len(col) == 0 {
			fix[j] = -1 // covers nothing new
			continue
		}
		g := col[0]
		for _, d := range m.rowSite[m.rowStart[g]:m.rowStart[g+1]] {
			if int(d) == j || fix[d] < 0 || (budget > 0 && m.fixed[d] > m.fixed[j]) {
				continue
			}
			other := m.colDem[m.colStart[d]:m.colStart[d+1]]
			if subsetSorted(col, other) && (len(other) > len(col) || int(d) < j || budget > 0 && m.fixed[d] < m.fixed[j]) {
				fix[j] = -1
				break
			}
		}
	}
	return fix
}

// subsetSorted reports whether every element of a is in b (both ascending).
func subsetSorted(a, b []int32) bool {
	k := 0
	for _, x := range a {
		for k < len(b) && b[k] < x {
			k++
		}
		if k == len(b) || b[k] != x {
			return false
		}
	}
	return true
}
