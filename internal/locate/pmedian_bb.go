package locate

import (
	"math"
	"slices"
)

// pmBBMaxArcs bounds the instances on which branch and bound is tried: each
// node costs a few hundred passes over the cost rows.
const pmBBMaxArcs = 4_000_000

// pmBBMaxFloats caps the multipliers stored with open nodes (256 MiB).
const pmBBMaxFloats = 32 << 20

// pmRows are cost rows restricted to the sites a subproblem may open.
type pmRows struct {
	start []int
	site  []int32
	cost  []float64
	free  int // free candidates when restricted
}

// pmNode is a branch-and-bound subproblem: some candidates fixed open, the
// rest of free still open to choice, p of them to choose.
type pmNode struct {
	fixedOpen []int32
	free      []int32
	p         int
	lambda    []float64 // warm start, the parent's multipliers
	lb        float64   // a lower bound on the subproblem (the parent's)
}

// branch closes the gap left by the root Lagrangian bound with a best-first
// branch and bound on the open/closed status of candidates (after Beasley
// 1993): each node is bounded by the Lagrangian relaxation with
// warm-started multipliers and reduced-cost fixing, and branches on the
// relaxed-open candidate whose closing would cost the relaxation most;
// leaves are evaluated exactly. When time runs out, or the open nodes would
// hold more than pmBBMaxFloats multipliers, the bound is the least bound of
// the nodes not yet explored.
func (s *pmSearch) branch(lr *pmLagrange) {
	if len(s.d.rowSite) > pmBBMaxArcs || s.proven() {
		return
	}
	lr.restrict()
	s.bbRows = pmRows{lr.rowStart, lr.rowSite, lr.rowCost, len(lr.free)}
	stack := []pmNode{{
		fixedOpen: slices.Clone(lr.fixedOpen),
		free:      slices.Clone(lr.free),
		p:         lr.p,
		lambda:    slices.Clone(lr.lambda),
		lb:        s.bound,
	}}
	// Best first: the node of least bound, deeper first on ties, so the
	// proven bound (the least bound of the open nodes) rises steadily.
	better := func(a, b *pmNode) bool {
		return a.lb < b.lb || (a.lb == b.lb && len(a.fixedOpen) > len(b.fixedOpen))
	}
	full := false
	for len(stack) > 0 {
		if s.clock.done() || len(stack)*s.d.n > pmBBMaxFloats {
			full = true
			break
		}
		top := 0
		for x := range stack {
			if better(&stack[x], &stack[top]) {
				top = x
			}
		}
		nd := stack[top]
		stack[top] = stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.cannotBeat(nd.lb) {
			continue
		}
		s.nodes++
		low := nd.lb
		for _, o := range stack {
			low = min(low, o.lb)
		}
		s.raise(min(low, s.best), math.Abs(s.best))
		if s.proven() {
			break
		}
		stack = append(stack, s.node(lr, nd)...)
	}
	if full {
		low := s.best
		for _, nd := range stack {
			low = min(low, nd.lb)
		}
		s.raise(low, math.Abs(s.best))
		return
	}
	if len(stack) == 0 {
		// Every subproblem was solved or shown no better than the best.
		s.bound = max(s.bound, s.best)
	}
}

// node bounds one subproblem and returns its two children (site closed,
// site open), or nil when the node is pruned or solved.
func (s *pmSearch) node(lr *pmLagrange, nd pmNode) []pmNode {
	if !s.enter(lr, nd) || s.leaf(lr) {
		return nil
	}
	lbest, pruned := s.nodeAscent(lr, nd.lb)
	if pruned {
		return nil
	}
	// Re-evaluate at the final multipliers so rho and the order match
	// them, then branch on the chosen free candidate whose closing costs
	// the relaxation most.
	L, _ := lr.eval()
	lbest = max(lbest, L)
	if s.nodes%8 == 0 {
		// Now and then, local search from the relaxed solution.
		s.search(lr.chosen())
		if s.cannotBeat(lbest) {
			return nil
		}
	}
	return s.children(lr, L, lbest)
}

// enter loads subproblem nd into the relaxation lr, on rows restricted to
// its allowed sites when many are closed, and reports whether its sites
// fixed open keep within the budget.
func (s *pmSearch) enter(lr *pmLagrange, nd pmNode) bool {
	lr.fixedOpen = append(lr.fixedOpen[:0], nd.fixedOpen...)
	lr.free = append(lr.free[:0], nd.free...)
	lr.p = nd.p
	copy(lr.lambda, nd.lambda)
	// Deep in the tree many sites are closed: shorter rows pay off.
	root := &s.bbRows
	lr.rowStart, lr.rowSite, lr.rowCost = root.start, root.site, root.cost
	if 10*len(lr.free) < 7*root.free {
		b := &s.bbNode
		b.start, b.site, b.cost = lr.restricted(root.start, root.site, root.cost, b.start, b.site, b.cost)
		lr.rowStart, lr.rowSite, lr.rowCost = b.start, b.site, b.cost
	}
	if s.d.budget <= 0 {
		return true
	}
	spent := 0.0
	for _, j := range lr.fixedOpen {
		spent += s.d.fixedCost(j)
	}
	return spent <= s.d.budget*(1+1e-12)
}

// nodeAscent raises the subproblem's bound, starting from lb, by a short
// subgradient optimisation with reduced-cost fixing. It returns the best
// bound found, and pruned when the subproblem was shown no better than the
// best solution or solved as a leaf.
func (s *pmSearch) nodeAscent(lr *pmLagrange, lb float64) (lbest float64, pruned bool) {
	pi, since := 2.0, 0
	lbest = lb
	for it := 0; it < 40; it++ {
		L, norm := lr.eval()
		if s.cannotBeat(L) {
			return lbest, true
		}
		if L > lbest+1e-12*math.Abs(L) {
			lbest, since = L, 0
		} else if since++; since >= 5 {
			pi, since = pi/2, 0
		}
		if lr.fix(L, s.cannotBeat) {
			if s.leaf(lr) {
				return lbest, true
			}
			continue
		}
		if norm == 0 || pi < 0.05 || it%25 == 24 && s.clock.done() {
			break
		}
		step := pi * (s.best - L) / norm
		if !(step > 0) {
			break
		}
		lr.step(step)
	}
	return lbest, false
}

// children branches the subproblem held in lr, of relaxation value L and
// bound lbest, on the relaxed-open free candidate whose closing would raise
// L most: it returns the subproblems with that site closed and open, or nil
// when no free candidate is open.
func (s *pmSearch) children(lr *pmLagrange, L, lbest float64) []pmNode {
	k := min(lr.p, len(lr.free))
	next := 0.0
	if k < len(lr.free) {
		next = lr.rho[lr.free[k]]
	}
	pick, pickLB := -1, math.Inf(-1)
	for x, j := range lr.free[:k] {
		if v := L - lr.rho[j] + next; v > pickLB {
			pick, pickLB = x, v
		}
	}
	if pick < 0 {
		return nil
	}
	j := lr.free[pick]
	rest := slices.Delete(slices.Clone(lr.free), pick, pick+1)
	lam := slices.Clone(lr.lambda)
	closed := pmNode{fixedOpen: slices.Clone(lr.fixedOpen), free: rest, p: lr.p, lambda: lam, lb: max(lbest, pickLB)}
	opened := pmNode{fixedOpen: append(slices.Clone(lr.fixedOpen), j), free: rest, p: lr.p - 1, lambda: lam, lb: lbest}
	return []pmNode{closed, opened}
}

// leaf evaluates the subproblem exactly when nothing is left to choose,
// and reports whether it did. Without a budget a subproblem with no more
// free candidates than sites to open is a leaf too (opening more never
// costs more); with one, subsets of the free candidates may matter, so
// branching goes on until no free candidate or no site is left.
func (s *pmSearch) leaf(lr *pmLagrange) bool {
	budget := s.d.budget > 0
	switch {
	case lr.p == 0 || len(lr.free) == 0:
	case !budget && len(lr.free) <= lr.p:
	default:
		return false
	}
	sites := slices.Clone(lr.fixedOpen)
	if lr.p > 0 {
		sites = append(sites, lr.free...)
	}
	s.st.set(sites)
	if budget && s.st.spent > s.d.budget*(1+1e-12) {
		return true // no feasible solution here
	}
	s.record()
	return true
}
