package locate

import (
	"math"
	"math/bits"
	"slices"
)

// Pair moves for the capacitated p-median at thousands of points: the
// customers of two neighbouring clusters are shared out again between two
// sites, exactly. Every split of the pooled customers into two non-empty
// groups is tried (Gray code order, so that each split differs from the
// one before by one customer and the groups' costs at every site change
// by one term), each group on its best site among the two sites and the
// closed candidates near the pooled customers, within the capacities. The
// shift, swap and re-centring moves of bestClusterMove are among these
// splits; the pair move also finds the exchanges of several customers at
// once that tight capacities call for, which no sequence of improving
// single moves reaches.

// cflpPairMax is the most customers two clusters may hold together for a
// pair move (2^(cflpPairMax-1) splits, each priced at every site tried);
// cflpPairSites is the most sites a pair move tries; cflpPairNear is
// how many neighbouring clusters pairSearch pairs each cluster with.
const (
	cflpPairMax   = 12
	cflpPairSites = 48
	cflpPairNear  = 4
)

// cflpPair is the scratch of the pair moves.
type cflpPair struct {
	pool  []int32      // pooled customers: j's members, then t's, in order
	sites []int        // sites tried
	cost  []float64    // cost[c*len(pool)+x]: customer pool[x] at sites[c]
	tot   []float64    // per site: all pooled customers there
	sumA  []float64    // per site: the customers of group A there
	work  cflpWorkList // pairSearch's sites to try
	tried []int32      // the neighbours tried for one site
}

// cflpWorkList is a list of sites to try, each at most once at a time: a
// site taken off the list may join it again.
type cflpWorkList struct {
	list []int32
	on   []bool
}

// start empties the list for a problem of m sites.
func (w *cflpWorkList) start(m int) {
	if len(w.on) < m {
		w.on = make([]bool, m)
	}
	w.clear()
}

// add puts site j (-1: none) on the list unless it is there.
func (w *cflpWorkList) add(j int) {
	if j >= 0 && !w.on[j] {
		w.on[j] = true
		w.list = append(w.list, int32(j))
	}
}

// take returns the x-th site of the list and lets it join again.
func (w *cflpWorkList) take(x int) int {
	j := int(w.list[x])
	w.on[j] = false
	return j
}

// clear empties the list.
func (w *cflpWorkList) clear() {
	for _, j := range w.list {
		w.on[j] = false
	}
	w.list = w.list[:0]
}

// pairMove is an improving pair move: the customers of sites j and t go
// to site a (those whose bit is set in mask, by their index in the pool:
// j's members, then t's, in the order of s.members when the move was
// found, which applyPairMove needs unchanged) and site b (the others).
type pairMove struct {
	j, t, a, b int
	mask       uint32
	gain       float64
}

// bestPairMove returns the best split of the customers of the candidate
// sites j and t (gain > eps), or a move of gain 0 when none improves or
// the clusters are too large together.
func (sv *cflpSolver) bestPairMove(s *cflpSol, j, t int, eps float64) pairMove {
	pr, pw := sv.pr, &sv.pair
	none := pairMove{}
	k := len(s.members[j]) + len(s.members[t])
	if j == t || k > cflpPairMax || len(s.members[j]) == 0 || len(s.members[t]) == 0 ||
		pr.status[j] != Candidate || pr.status[t] != Candidate {
		return none
	}
	pw.pool = append(append(pw.pool[:0], s.members[j]...), s.members[t]...)
	if !sv.pairSites(s, j, t) {
		return none
	}
	m := len(pw.sites)
	total := s.load[j] + s.load[t]
	// Group A starts as pool[0] alone; pool[0] stays in A (the split and
	// its mirror image are one split).
	loadA := pr.q[pw.pool[0]]
	for c := range m {
		pw.sumA[c] = pw.cost[c*k]
	}
	best, bestMask, bestA, bestB := math.Inf(1), uint32(0), -1, -1
	mask := uint32(1)
	for g := uint32(0); ; g++ {
		if mask != 1<<k-1 { // B not empty
			if v, a, b := sv.pairPrice(loadA, total-loadA); v < best {
				best, bestMask, bestA, bestB = v, mask, a, b
			}
		}
		if g+1 == 1<<(k-1) {
			break
		}
		// The next Gray code flips the customer of the lowest set bit of
		// g+1 (shifted past pool[0]).
		x := 1 + bits.TrailingZeros32(g+1)
		sign := 1.0
		if mask&(1<<x) != 0 {
			sign = -1
		}
		mask ^= 1 << x
		loadA += sign * pr.q[pw.pool[x]]
		for c := range m {
			pw.sumA[c] += sign * pw.cost[c*k+x]
		}
	}
	gain := sv.clusterCost(s, j) + sv.clusterCost(s, t) - best
	if bestA < 0 || gain <= eps {
		return none
	}
	return pairMove{j: j, t: t, a: bestA, b: bestB, mask: bestMask, gain: gain}
}

// pairSites lists the sites a pair move of j and t tries (j, t and the
// closed candidates among the cflpCentreArcs cheapest arcs of the pooled
// customers, at most cflpPairSites, each reaching every pooled customer)
// with the pooled customers' costs there. It returns false when fewer
// than two sites qualify.
func (sv *cflpSolver) pairSites(s *cflpSol, j, t int) bool {
	pr, pw := sv.pr, &sv.pair
	stamp := sv.newPass()
	pw.sites, pw.cost = pw.sites[:0], pw.cost[:0]
	try := func(c int) {
		if len(pw.sites) == cflpPairSites || sv.siteSeen[c] == stamp {
			return
		}
		sv.siteSeen[c] = stamp
		if c != j && c != t && (s.open[c] || pr.status[c] != Candidate) {
			return
		}
		n := len(pw.cost)
		var ok bool
		if pw.cost, ok = pr.appendCosts(pw.cost, pw.pool, c); !ok {
			return
		}
		sum := 0.0
		for _, d := range pw.cost[n:] {
			sum += d
		}
		pw.sites = append(pw.sites, c)
		pw.tot = append(pw.tot[:len(pw.sites)-1], sum)
	}
	try(j)
	try(t)
	for _, i := range pw.pool {
		end := min(pr.rStart[i]+cflpCentreArcs, pr.rStart[i+1])
		for a := pr.rStart[i]; a < end; a++ {
			try(int(pr.rSite[a]))
		}
	}
	pw.sumA = cflpGrowF(pw.sumA, len(pw.sites))
	return len(pw.sites) >= 2
}

// pairPrice returns the least cost of the current split (group A of load
// la, costs sumA per site; group B of load lb) on two different sites,
// and those sites; +Inf when the capacities allow no such pair.
func (sv *cflpSolver) pairPrice(la, lb float64) (float64, int, int) {
	pr, pw := sv.pr, &sv.pair
	// The two best sites for each group.
	a1, a2, b1, b2 := -1, -1, -1, -1
	va1, va2, vb1, vb2 := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
	for c, site := range pw.sites {
		f, lim := pr.fixed[site], pr.limit[site]
		if la <= lim {
			if v := f + pw.sumA[c]; v < va1 {
				a2, va2, a1, va1 = a1, va1, c, v
			} else if v < va2 {
				a2, va2 = c, v
			}
		}
		if lb <= lim {
			if v := f + pw.tot[c] - pw.sumA[c]; v < vb1 {
				b2, vb2, b1, vb1 = b1, vb1, c, v
			} else if v < vb2 {
				b2, vb2 = c, v
			}
		}
	}
	if a1 < 0 || b1 < 0 {
		return math.Inf(1), -1, -1
	}
	if a1 != b1 {
		return va1 + vb1, pw.sites[a1], pw.sites[b1]
	}
	best, a, b := math.Inf(1), -1, -1
	if b2 >= 0 && va1+vb2 < best {
		best, a, b = va1+vb2, pw.sites[a1], pw.sites[b2]
	}
	if a2 >= 0 && va2+vb1 < best {
		best, a, b = va2+vb1, pw.sites[a2], pw.sites[b1]
	}
	return best, a, b
}

// applyPairMove carries out mv on s: the pooled customers go to their
// groups' sites, and j and t close when left empty.
func (sv *cflpSolver) applyPairMove(s *cflpSol, mv pairMove) {
	pw := &sv.pair
	pw.pool = append(append(pw.pool[:0], s.members[mv.j]...), s.members[mv.t]...)
	s.openSite(mv.a)
	s.openSite(mv.b)
	for x, i := range pw.pool {
		to := mv.b
		if mv.mask&(1<<x) != 0 {
			to = mv.a
		}
		if int(s.assign[i]) != to {
			s.move(int(i), to)
		}
	}
	for _, c := range []int{mv.j, mv.t} {
		if len(s.members[c]) == 0 {
			s.closeSite(c)
		}
	}
}

// pairSearch applies improving pair moves to the clusters of the seed
// customers and their neighbours (the open sites among the
// cflpCentreArcs cheapest arcs of a cluster's customers), the best move
// per cluster, until no cluster on the list improves or the clock runs
// out. The two sites of a move join the list. It needs no budget, and p
// fixed or a large instance (clusterMoves); it returns the number of
// moves made.
func (sv *cflpSolver) pairSearch(s *cflpSol, seeds []int32) int {
	pr := sv.pr
	if !sv.clusterMoves() {
		return 0
	}
	pw := &sv.pair
	work := &pw.work
	work.start(pr.m)
	for _, i := range seeds {
		work.add(int(s.assign[i]))
	}
	eps := s.improveEps()
	moves := 0
	for x := 0; x < len(work.list) && !sv.clock.due(x); x++ {
		j := work.take(x)
		best := pairMove{}
		// The neighbours: the open sites nearest the members, by rank
		// (every member's cheapest arc, then every member's second, ...).
		tried := pw.tried[:0]
		for r := 0; r < cflpCentreArcs && len(tried) < cflpPairNear; r++ {
			for _, i := range s.members[j] {
				a := pr.rStart[i] + r
				if a >= pr.rStart[i+1] {
					continue
				}
				t := int32(pr.rSite[a])
				if int(t) == j || !s.open[t] || slices.Contains(tried, t) || len(tried) == cflpPairNear {
					continue
				}
				tried = append(tried, t)
				if mv := sv.bestPairMove(s, j, int(t), eps); mv.gain > best.gain {
					best = mv
				}
			}
		}
		pw.tried = tried
		if best.gain <= 0 {
			continue
		}
		sv.applyPairMove(s, best)
		moves++
		work.add(best.a)
		work.add(best.b)
	}
	work.clear()
	return moves
}
