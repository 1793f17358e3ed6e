package locate

import (
	"math"
	"slices"
)

// pmBBMaxArcs bounds the instances on which branch and bound is tried: each
// node costs a few hundred passes over the cost rows.
const pmBBMaxArcs = 4_000_000

// pmNode is a branch-and-bound subproblem: some candidates fixed open, the
// rest of free still open to choice, p of them to choose.
type pmNode struct {
	fixedOpen []int32
	free      []int32
	p         int
	lambda    []float64 // warm start, the parent's multipliers
	lb        float64   // a lower bound on the subproblem (the parent's)
}

// branch closes the gap left by the root Lagrangian bound with a
// depth-first branch and bound on the open/closed status of candidates
// (Beasley 1993): each node is bounded by the Lagrangian relaxation with
// warm-started multipliers and reduced-cost fixing; leaves are evaluated
// exactly. When time runs out the bound is the least bound of the nodes
// not yet explored.
func (s *pmSearch) branch(lr *pmLagrange) {
	if len(s.d.rowSite) > pmBBMaxArcs || s.proven() {
		return
	}
	lr.restrict()
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
	nodes := 0
	for len(stack) > 0 {
		if s.clock.done() {
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
		nodes++
		low := nd.lb
		for _, o := range stack {
			low = min(low, o.lb)
		}
		s.raise(min(low, s.best), 0)
		if s.proven() {
			break
		}
		stack = append(stack, s.node(lr, nd)...)
	}
	s.nodes += nodes
	if s.clock.done() && len(stack) > 0 {
		low := s.best
		for _, nd := range stack {
			low = min(low, nd.lb)
		}
		s.raise(low, 0)
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
	lr.fixedOpen = append(lr.fixedOpen[:0], nd.fixedOpen...)
	lr.free = append(lr.free[:0], nd.free...)
	lr.p = nd.p
	copy(lr.lambda, nd.lambda)
	if s.leaf(lr) {
		return nil
	}
	pi, since := 2.0, 0
	lbest := nd.lb
	var L float64
	for it := 0; it < 40; it++ {
		var norm float64
		L, norm = lr.eval()
		if s.cannotBeat(L) {
			return nil
		}
		if L > lbest+1e-12*math.Abs(L) {
			lbest, since = L, 0
		} else if since++; since >= 5 {
			pi, since = pi/2, 0
		}
		if lr.fix(L, s.cannotBeat) {
			if s.leaf(lr) {
				return nil
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
	// Re-evaluate at the final multipliers so rho and the order match
	// them, then branch on the chosen free candidate whose closing costs
	// the relaxation most.
	L, _ = lr.eval()
	lbest = max(lbest, L)
	s.search(lr.chosen())
	if s.cannotBeat(lbest) {
		return nil
	}
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
// and reports whether it did.
func (s *pmSearch) leaf(lr *pmLagrange) bool {
	if lr.p > 0 && len(lr.free) > lr.p {
		return false
	}
	sites := slices.Clone(lr.fixedOpen)
	if lr.p > 0 {
		sites = append(sites, lr.free...) // opening more never costs more
	}
	s.st.set(sites)
	if s.d.budget > 0 && s.st.spent > s.d.budget*(1+1e-12) {
		return true // no feasible solution here
	}
	s.record()
	return true
}
