package locate

import (
	"math/bits"
	"slices"
)

// pcBBMaxUsers bounds the covering views the exact search takes on: it
// keeps a bit set of users per site.
const pcBBMaxUsers = 4096

// pcExact decides exactly (within a node budget) whether p sites cover every
// user of a covering view: set covering reductions (dominated users and
// sites are dropped), then depth-first branch and bound that branches on
// the sites able to cover the uncovered user with the fewest options, and
// prunes with the coverage bound (the p largest numbers of still uncovered
// users a site covers must add up to all of them) and a packing bound. With
// a budget, a site is only dropped as dominated by one that costs no more,
// and branches that overspend are cut, so the answer is exact either way.
type pcExact struct {
	words   int
	cover   [][]uint64 // per kept site: users covered
	site    []int32    // kept site index -> site
	options [][]int32  // per kept user: kept sites covering it
	user    []int32    // kept user index -> user of the view
	allowed []bool     // per kept site, during the search
	nodes   int
	limit   int
	stack   [][]uint64 // uncovered set per depth
	counts  []int
	blocked []bool    // scratch for packing
	order   [][]int32 // children per depth
	chosen  []int32   // sites on the current path
	found   []int32   // a cover, when found
	fixed   []float64 // per kept site: fixed cost (nil without a budget)
	budget  float64
	spent   float64
	stop    func() bool // polled now and then; true ends the search
}

// pcExactResult is the outcome of an exact search.
type pcExactResult int8

const (
	pcUnknown    pcExactResult = iota // node budget ran out
	pcInfeasible                      // no p sites cover all users
	pcFeasible                        // found is a cover
)

// newPCExact prepares the exact search on covering view cd, or returns nil
// when the view is too large.
func newPCExact(cd *fiData, stop func() bool) *pcExact {
	n := cd.n
	if n == 0 || n > pcBBMaxUsers {
		return nil
	}
	e := &pcExact{user: undominatedUsers(cd), stop: stop}
	e.words = (len(e.user) + 63) / 64
	e.keepSites(cd)
	e.options = make([][]int32, len(e.user))
	for s, c := range e.cover {
		for x := range e.user {
			if c[x/64]&(1<<(x%64)) != 0 {
				e.options[x] = append(e.options[x], int32(s))
			}
		}
	}
	e.allowed = make([]bool, len(e.site))
	e.counts = make([]int, len(e.site))
	e.blocked = make([]bool, len(e.site))
	if cd.budget > 0 {
		e.budget = cd.budget * (1 + 1e-12)
		e.fixed = make([]float64, len(e.site))
		for s, j := range e.site {
			e.fixed[s] = cd.fixedCost(j)
		}
	}
	return e
}

// undominatedUsers returns the users of cd to keep: u is dropped when some
// other user's options are a subset of u's (covering that user covers u
// too); among equal option sets the first stays.
func undominatedUsers(cd *fiData) []int32 {
	n := cd.n
	siteBit := make(map[int32]int) // site -> bit in the option sets
	for _, j := range cd.rowSite {
		if _, ok := siteBit[j]; !ok {
			siteBit[j] = len(siteBit)
		}
	}
	sw := (len(siteBit) + 63) / 64
	opt := make([][]uint64, n)
	size := make([]int, n)
	for u := range n {
		opt[u] = make([]uint64, sw)
		for k := cd.rowStart[u]; k < cd.rowStart[u+1]; k++ {
			b := siteBit[cd.rowSite[k]]
			opt[u][b/64] |= 1 << (b % 64)
		}
		size[u] = cd.rowStart[u+1] - cd.rowStart[u]
	}
	var users []int32
	for u := range n {
		keep := true
		for v := range n {
			if v == u || size[v] > size[u] || !subset(opt[v], opt[u]) {
				continue
			}
			if size[v] < size[u] || v < u {
				keep = false
				break
			}
		}
		if keep {
			users = append(users, int32(u))
		}
	}
	return users
}

// keepSites sets e.site and e.cover: the sites' cover sets over the kept
// users, without the sites whose set is a subset of another's that costs
// no more (the first of equal sets and costs stays).
func (e *pcExact) keepSites(cd *fiData) {
	covers := map[int32][]uint64{}
	var sites []int32
	for x, u := range e.user {
		for k := cd.rowStart[u]; k < cd.rowStart[u+1]; k++ {
			j := cd.rowSite[k]
			c, ok := covers[j]
			if !ok {
				c = make([]uint64, e.words)
				covers[j] = c
				sites = append(sites, j)
			}
			c[x/64] |= 1 << (x % 64)
		}
	}
	slices.Sort(sites)
	cnt := make(map[int32]int, len(sites))
	for _, j := range sites {
		cnt[j] = popcount(covers[j])
	}
	for _, j := range sites {
		dominated := false
		for _, k := range sites {
			if k == j || cnt[k] < cnt[j] || cd.fixedCost(k) > cd.fixedCost(j) || !subset(covers[j], covers[k]) {
				continue
			}
			if cnt[k] > cnt[j] || cd.fixedCost(k) < cd.fixedCost(j) || k < j {
				dominated = true
				break
			}
		}
		if !dominated {
			e.site = append(e.site, j)
			e.cover = append(e.cover, covers[j])
		}
	}
}

// packing returns the size of a set of uncovered users, found greedily
// (fewest options first is approximated by scanning in order), no two of
// which share an allowed site: a lower bound on the sites still needed.
func (e *pcExact) packing(unc []uint64) int {
	clear(e.blocked)
	n := 0
	for i, w := range unc {
		for w != 0 {
			x := i*64 + bits.TrailingZeros64(w)
			w &= w - 1
			free := true
			for _, s := range e.options[x] {
				if e.allowed[s] && e.blocked[s] {
					free = false
					break
				}
			}
			if !free {
				continue
			}
			n++
			for _, s := range e.options[x] {
				e.blocked[s] = true
			}
		}
	}
	return n
}

func subset(a, b []uint64) bool {
	for i, w := range a {
		if w&^b[i] != 0 {
			return false
		}
	}
	return true
}

func popcount(a []uint64) int {
	n := 0
	for _, w := range a {
		n += bits.OnesCount64(w)
	}
	return n
}

// solve searches for a cover with at most p sites within limit nodes.
func (e *pcExact) solve(p, limit int) pcExactResult {
	e.nodes, e.limit = 0, limit
	for s := range e.allowed {
		e.allowed[s] = true
	}
	e.stack = make([][]uint64, p+1)
	e.order = make([][]int32, p+1)
	for i := range e.stack {
		e.stack[i] = make([]uint64, e.words)
	}
	for x := range e.user {
		e.stack[0][x/64] |= 1 << (x % 64)
	}
	e.chosen = e.chosen[:0]
	e.spent = 0
	switch r := e.dfs(0, p); {
	case r:
		return pcFeasible
	case e.nodes > e.limit:
		return pcUnknown
	}
	return pcInfeasible
}

// dfs reports whether the users uncovered at depth can be covered with prem
// more sites among the allowed ones.
func (e *pcExact) dfs(depth, prem int) bool {
	unc := e.stack[depth]
	left := popcount(unc)
	if left == 0 {
		e.found = e.found[:0]
		for _, s := range e.chosen {
			e.found = append(e.found, e.site[s])
		}
		return true
	}
	e.nodes++
	if e.nodes%1024 == 0 && e.stop != nil && e.stop() {
		e.limit = 0 // abandon: the answer is unknown
	}
	if prem == 0 || e.nodes > e.limit {
		return false
	}
	if e.coverageBound(unc, prem) < left {
		return false
	}
	// Packing bound: users no allowed site covers two of need a site each.
	if e.packing(unc) > prem {
		return false
	}
	best, bestN := e.branchUser(unc)
	if bestN == 0 {
		return false
	}
	return e.branch(depth, prem, e.children(depth, best, unc))
}

// coverageBound returns the most uncovered users prem allowed sites could
// cover: the sum of the prem largest numbers of users in unc a site
// covers. The prem best sites must reach every uncovered user.
func (e *pcExact) coverageBound(unc []uint64, prem int) int {
	top := e.counts[:0] // the prem largest counts, descending
	for s, c := range e.cover {
		if !e.allowed[s] {
			continue
		}
		k := 0
		for i, w := range c {
			k += bits.OnesCount64(w & unc[i])
		}
		if k == 0 || (len(top) == prem && k <= top[prem-1]) {
			continue
		}
		if len(top) < prem {
			top = append(top, k)
		} else {
			top[prem-1] = k
		}
		for i := len(top) - 1; i > 0 && top[i] > top[i-1]; i-- {
			top[i], top[i-1] = top[i-1], top[i]
		}
	}
	sum := 0
	for _, k := range top {
		sum += k
	}
	return sum
}

// branchUser returns the uncovered user with the fewest allowed options
// (the first of equals) and its number of options.
func (e *pcExact) branchUser(unc []uint64) (best, bestN int) {
	best, bestN = -1, int(^uint(0)>>1)
	for i, w := range unc {
		for w != 0 {
			x := i*64 + bits.TrailingZeros64(w)
			w &= w - 1
			n := 0
			for _, s := range e.options[x] {
				if e.allowed[s] {
					n++
				}
			}
			if n < bestN {
				best, bestN = x, n
			}
		}
	}
	return best, bestN
}

// children returns the allowed, affordable sites covering user best, most
// new coverage of unc first, in e.order[depth].
func (e *pcExact) children(depth, best int, unc []uint64) []int32 {
	kids := e.order[depth][:0]
	for _, s := range e.options[best] {
		if e.allowed[s] && (e.fixed == nil || e.spent+e.fixed[s] <= e.budget) {
			kids = append(kids, s)
		}
	}
	gain := func(s int32) int {
		k := 0
		for i, w := range e.cover[s] {
			k += bits.OnesCount64(w & unc[i])
		}
		return k
	}
	slices.SortStableFunc(kids, func(a, b int32) int { return gain(b) - gain(a) })
	e.order[depth] = kids
	return kids
}

// branch opens each of kids in turn and searches below it, until a cover
// is found or the node budget runs out; each tried site is disallowed for
// its later siblings and allowed again on return.
func (e *pcExact) branch(depth, prem int, kids []int32) bool {
	unc, next := e.stack[depth], e.stack[depth+1]
	ok := false
	x := 0
	for ; x < len(kids); x++ {
		s := kids[x]
		for i, w := range unc {
			next[i] = w &^ e.cover[s][i]
		}
		e.chosen = append(e.chosen, s)
		if e.fixed != nil {
			e.spent += e.fixed[s]
		}
		ok = e.dfs(depth+1, prem-1)
		if e.fixed != nil {
			e.spent -= e.fixed[s]
		}
		e.chosen = e.chosen[:len(e.chosen)-1]
		if ok || e.nodes > e.limit {
			break
		}
		// Later siblings need not use s: those covers were all tried.
		e.allowed[s] = false
	}
	for _, s := range kids[:min(x, len(kids))] {
		e.allowed[s] = true
	}
	return ok
}
