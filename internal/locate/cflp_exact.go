package locate

import (
	"math"
	"sort"
)

// cflpExactMaxN is the largest number of customers the exhaustive search
// is tried on; its node limit is the real guard.
const cflpExactMaxN = 16

// cflpExactNodes is the node limit of the exhaustive search.
const cflpExactNodes = 20_000_000

// cflpExact is a depth-first branch and bound over the assignment of each
// customer (heaviest first) to a site, opening sites as they are used. It
// proves optimality, or infeasibility, of small instances.
type cflpExact struct {
	pr      *cflpProblem
	clock   *cflpClock
	order   []int32   // customers, heaviest first
	minRest []float64 // least possible assignment cost of order[k:]
	remQ    []float64 // weight of order[k:]
	assign  []int32
	load    []float64
	open    []bool
	opened  int     // open candidates
	fixed   float64 // their fixed costs
	best    float64
	bestA   []int32
	bestO   []bool
	nodes   int
	limit   int
	tol     float64
}

// exact runs the exhaustive search with the best known solution as the
// incumbent. When it finishes within nodeLimit nodes it returns true: the
// best solution (installed into sv.best when better) is then optimal, or,
// without any, the instance is infeasible.
func (sv *cflpSolver) exact(nodeLimit int) bool {
	pr := sv.pr
	e := &cflpExact{
		pr:     pr,
		clock:  sv.clock,
		order:  make([]int32, pr.n),
		assign: make([]int32, pr.n),
		load:   make([]float64, pr.m),
		open:   make([]bool, pr.m),
		best:   sv.bestObj,
		limit:  nodeLimit,
		tol:    1e-9 * (1 + pr.maxCost),
	}
	for i := range e.order {
		e.order[i] = int32(i)
	}
	sort.SliceStable(e.order, func(a, b int) bool { return pr.q[e.order[a]] > pr.q[e.order[b]] })
	e.minRest = make([]float64, pr.n+1)
	e.remQ = make([]float64, pr.n+1)
	for k := pr.n - 1; k >= 0; k-- {
		i := e.order[k]
		c := math.Inf(1)
		if pr.rStart[i] < pr.rStart[i+1] {
			c = pr.rCost[pr.rStart[i]]
		}
		e.minRest[k] = e.minRest[k+1] + c
		e.remQ[k] = e.remQ[k+1] + pr.q[i]
	}
	for _, j := range pr.exist {
		e.open[j] = true
	}
	e.dfs(0, 0)
	if e.nodes > e.limit {
		return false
	}
	if e.bestA != nil {
		s := sv.cur
		s.reset()
		for j, o := range e.bestO {
			if o {
				s.openSite(j)
			}
		}
		for i, j := range e.bestA {
			s.place(i, int(j))
		}
		sv.offer(s)
	}
	if sv.best != nil {
		sv.lb = math.Max(sv.lb, sv.bestObj)
	} else {
		sv.infeasible = true
	}
	return true
}

func (e *cflpExact) dfs(k int, cost float64) {
	pr := e.pr
	e.nodes++
	if e.nodes&4095 == 0 && e.clock.done() {
		e.nodes = e.limit + 1 // out of time: give up the proof
	}
	if e.nodes > e.limit || cost+e.minRest[k] >= e.best-e.tol {
		return
	}
	if k == pr.n {
		e.leaf(cost)
		return
	}
	if !e.roomFor(k) {
		return
	}
	i := int(e.order[k])
	qi := pr.q[i]
	for a := pr.rStart[i]; a < pr.rStart[i+1]; a++ {
		j := int(pr.rSite[a])
		if e.load[j]+qi > pr.limit[j] {
			continue
		}
		opening := !e.open[j]
		if opening {
			if pr.p > 0 && e.opened >= pr.p || pr.budget > 0 && e.fixed+pr.fixed[j] > pr.budget*(1+1e-12) {
				continue
			}
			e.open[j] = true
			e.opened++
			e.fixed += pr.fixed[j]
		}
		e.load[j] += qi
		e.assign[i] = int32(j)
		add := pr.rCost[a]
		if opening {
			add += pr.fixed[j]
		}
		e.dfs(k+1, cost+add)
		e.load[j] -= qi
		if opening {
			e.open[j] = false
			e.opened--
			e.fixed -= pr.fixed[j]
		}
		if e.nodes > e.limit {
			return
		}
	}
}

// roomFor reports whether the open sites' spare capacity plus that of the
// sites still allowed to open can hold the weight of order[k:].
func (e *cflpExact) roomFor(k int) bool {
	pr := e.pr
	room := 0.0
	var closed []float64
	for j := range pr.m {
		switch {
		case e.open[j]:
			room += pr.capa[j] - e.load[j]
		case pr.status[j] == Candidate:
			closed = append(closed, pr.capa[j])
		}
	}
	if pr.p > 0 {
		sort.Sort(sort.Reverse(sort.Float64Slice(closed)))
		closed = closed[:min(len(closed), pr.p-e.opened)]
	}
	for _, c := range closed {
		room += c
	}
	return room >= e.remQ[k]-cflpCapTol(e.remQ[k])
}

// leaf completes an assignment: with p fixed, the cheapest unused
// candidates open to make up the number.
func (e *cflpExact) leaf(cost float64) {
	pr := e.pr
	var extra []int32
	if short := pr.p - e.opened; short > 0 {
		var free []int32
		for _, j := range pr.cands {
			if !e.open[j] {
				free = append(free, j)
			}
		}
		sort.SliceStable(free, func(a, b int) bool { return pr.fixed[free[a]] < pr.fixed[free[b]] })
		extra = free[:short]
		for _, j := range extra {
			cost += pr.fixed[j]
		}
		if pr.budget > 0 {
			f := e.fixed
			for _, j := range extra {
				f += pr.fixed[j]
			}
			if f > pr.budget*(1+1e-12) {
				return
			}
		}
	}
	if cost >= e.best-e.tol {
		return
	}
	e.best = cost
	e.bestA = append(e.bestA[:0], e.assign...)
	e.bestO = append(e.bestO[:0], e.open...)
	for _, j := range extra {
		e.bestO[j] = true
	}
}
