package locate

import "math"

// Cluster moves for the capacitated p-median at thousands of points: there
// each open site serves a handful of customers, so where the site stands
// within its cluster matters as much as who belongs to it. A move takes a
// customer from one cluster to a neighbouring one (or swaps two customers
// between neighbouring clusters) and re-centres both clusters: each goes
// to the site, its own or a closed candidate near its members, of least
// fixed plus assignment cost that holds its load. The shift and swap
// passes of cflpSol keep the sites fixed and miss these moves.

// cflpCentreArcs is how many of each member's cheapest arcs name the
// sites a cluster may re-centre on; cflpClusterNear is how many of a
// customer's cheapest arcs name the clusters it may join.
const (
	cflpCentreArcs  = 8
	cflpClusterNear = 16
)

// cflpCentre is the outcome of re-centring a cluster: its site and cost.
type cflpCentre struct {
	site int
	cost float64
}

// clusterCost returns the fixed plus assignment cost of the customers of
// site j if they were served by j.
func (sv *cflpSolver) clusterCost(s *cflpSol, j int) float64 {
	c := sv.pr.fixed[j]
	for _, i := range s.members[j] {
		c += sv.pr.cost(int(i), j)
	}
	return c
}

// newPass starts a new pass over the sites and returns its stamp: a site
// has been tried in the pass when siteSeen holds the stamp for it.
func (sv *cflpSolver) newPass() int32 {
	if len(sv.siteSeen) < sv.pr.m {
		sv.siteSeen = make([]int32, sv.pr.m)
	}
	sv.siteStamp++
	return sv.siteStamp
}

// centre finds the best site for the customers of site cur, without drop
// and with add (-1: none), whose weight is load: cur itself or a closed
// candidate among the cflpCentreArcs cheapest arcs of those customers,
// except avoid, with room for load. The cost is +Inf when none fits.
func (sv *cflpSolver) centre(s *cflpSol, cur int, drop, add int32, load float64, avoid int) cflpCentre {
	pr := sv.pr
	stamp := sv.newPass()
	best := cflpCentre{site: -1, cost: math.Inf(1)}
	try := func(k int) {
		if sv.siteSeen[k] == stamp || k == avoid || load > pr.limit[k] {
			return
		}
		sv.siteSeen[k] = stamp
		if k != cur && (s.open[k] || pr.status[k] != Candidate) {
			return
		}
		c := pr.fixed[k]
		if add >= 0 {
			c += pr.cost(int(add), k)
		}
		for _, i := range s.members[cur] {
			if i != drop {
				c += pr.cost(int(i), k)
			}
		}
		if c < best.cost || c == best.cost && k < best.site {
			best = cflpCentre{k, c}
		}
	}
	try(cur)
	near := func(i int32) {
		end := min(pr.rStart[i]+cflpCentreArcs, pr.rStart[i+1])
		for a := pr.rStart[i]; a < end; a++ {
			try(int(pr.rSite[a]))
		}
	}
	if add >= 0 {
		near(add)
	}
	for _, i := range s.members[cur] {
		if i != drop {
			near(i)
		}
	}
	return best
}

// recentre moves every customer of site j to site k (open or not) and
// closes j when it is a candidate left empty.
func (sv *cflpSolver) recentre(s *cflpSol, j, k int) {
	if j == k {
		return
	}
	s.openSite(k)
	for len(s.members[j]) > 0 {
		s.move(int(s.members[j][len(s.members[j])-1]), k)
	}
	s.closeSite(j)
}

// clusterMove is an improving cluster move: customer i goes to the cluster
// of site t, customer l (-1: none) comes back to the cluster of i's site,
// and the two clusters re-centre on cj and ct. When t is i's own site, the
// move only re-centres i's cluster on cj.
type clusterMove struct {
	i, l   int32
	t      int
	cj, ct int
	gain   float64
}

// bestClusterMove returns the best improving move of customer i (gain >
// 0): re-centring its cluster, or a shift or swap into a neighbouring
// cluster with re-centring of both; a move of gain 0 when none improves.
func (sv *cflpSolver) bestClusterMove(s *cflpSol, i int, eps float64) clusterMove {
	pr := sv.pr
	j := int(s.assign[i])
	best := clusterMove{}
	if len(s.members[j]) < 2 {
		return best // the cluster would vanish: p would change
	}
	base := sv.clusterCost(s, j)
	if c := sv.centre(s, j, -1, -1, s.load[j], -1); c.cost < base-eps {
		// Re-centring alone already pays (i stays).
		best = clusterMove{int32(i), -1, j, c.site, c.site, base - c.cost}
	}
	qi := pr.q[i]
	end := min(pr.rStart[i]+cflpClusterNear, pr.rStart[i+1])
	for a := pr.rStart[i]; a < end; a++ {
		t := int(pr.rSite[a])
		if t == j || !s.open[t] || len(s.members[t]) == 0 {
			continue
		}
		both := base + sv.clusterCost(s, t)
		// Shift: i joins t's cluster.
		cj := sv.centre(s, j, int32(i), -1, s.load[j]-qi, -1)
		ct := sv.centre(s, t, -1, int32(i), s.load[t]+qi, cj.site)
		if g := both - cj.cost - ct.cost; g > eps && g > best.gain {
			best = clusterMove{int32(i), -1, t, cj.site, ct.site, g}
		}
		// Swap: i and l of t's cluster change places.
		for _, l := range s.members[t] {
			ql := pr.q[l]
			cj := sv.centre(s, j, int32(i), l, s.load[j]-qi+ql, -1)
			if cj.site < 0 {
				continue
			}
			ct := sv.centre(s, t, l, int32(i), s.load[t]-ql+qi, cj.site)
			if g := both - cj.cost - ct.cost; g > eps && g > best.gain {
				best = clusterMove{int32(i), l, t, cj.site, ct.site, g}
			}
		}
	}
	return best
}

// applyClusterMove carries out mv on s.
func (sv *cflpSolver) applyClusterMove(s *cflpSol, mv clusterMove) {
	j := int(s.assign[mv.i])
	if mv.t == j { // re-centring only
		sv.recentre(s, j, mv.cj)
		return
	}
	s.move(int(mv.i), mv.t)
	if mv.l >= 0 {
		s.move(int(mv.l), j)
	}
	sv.recentre(s, j, mv.cj)
	sv.recentre(s, mv.t, mv.ct)
}

// clusterSearch improves s by cluster moves (each customer's best shift or
// swap with re-centring, first improvement by customer) until a pass finds
// none or the clock runs out. It needs no budget, and p fixed or a large
// instance (clusterMoves); it returns the number of moves made.
func (sv *cflpSolver) clusterSearch(s *cflpSol) int {
	pr := sv.pr
	if !sv.clusterMoves() {
		return 0
	}
	eps := s.improveEps()
	moves := 0
	for pass := 0; pass < 50 && !sv.clock.done(); pass++ {
		made := 0
		for i := range pr.n {
			if sv.clock.done() { // every move: see localClusterSearch
				break
			}
			if mv := sv.bestClusterMove(s, i, eps); mv.gain > 0 {
				sv.applyClusterMove(s, mv)
				made++
			}
		}
		moves += made
		if made == 0 {
			break
		}
	}
	return moves
}

// cflpRuinSites is the most clusters one ruin-and-recreate step dissolves;
// cflpRuinNear is how many of the seed customer's cheapest arcs name them.
const (
	cflpRuinSites = 8
	cflpRuinNear  = 16
)

// ilsCluster is an iterated local search by ruin and recreate for large
// capacitated p-medians: from the current solution, the clusters of a few
// open sites near a random customer dissolve, as many sites reopen near
// their customers (a randomised greedy on the p-median saving), regret
// assignment and repair place the customers, and cluster moves around
// them (localClusterSearch) finish. A result no worse than the current
// solution replaces it; a better one than the best is offered. After
// rounds rounds, transfers and part moves (polish) finish the current
// solution, which is offered.
func (sv *cflpSolver) ilsCluster(rounds int) {
	if sv.best == nil || !sv.clusterMoves() {
		return
	}
	cur := sv.bestCopy()
	// At most 70 % of the time left to ruin and recreate, so that a short
	// phase (a share of a short limit) still gets its polish.
	sv.withShare(0.7, func() { sv.ilsFrom(cur, rounds) })
	sv.polish(cur)
	sv.offer(cur)
}

// ilsFrom is the ruin-and-recreate search of ilsCluster from cur, which
// ends as the search's current solution (feasible, never worse than it
// started).
func (sv *cflpSolver) ilsFrom(cur *cflpSol, rounds int) {
	s := newCFLPSol(sv.pr)
	for r := 0; r < rounds && !sv.clock.done() && !sv.proven(); r++ {
		sv.iters++
		s.copyFrom(cur)
		freed := sv.ruin(s)
		if len(freed) == 0 || !sv.recreate(s, freed) {
			continue
		}
		sv.localClusterSearch(s, freed)
		sv.pairSearch(s, freed)
		if s.total() <= cur.total() {
			cur.copyFrom(s)
			if s.total() < sv.bestObj-s.improveEps() {
				sv.offer(s)
			}
		}
	}
}

// ruin closes 1..cflpRuinSites open sites among the cheapest arcs of a
// random customer, unassigning their customers, and returns those
// customers together with the number of sites closed in sv.ruinK.
func (sv *cflpSolver) ruin(s *cflpSol) []int32 {
	pr := sv.pr
	c := sv.rng.IntN(pr.n)
	k := 1 + sv.rng.IntN(cflpRuinSites)
	freed := sv.freed[:0]
	sv.ruinK = 0
	end := min(pr.rStart[c]+cflpRuinNear, pr.rStart[c+1])
	for a := pr.rStart[c]; a < end && sv.ruinK < k; a++ {
		j := int(pr.rSite[a])
		if !s.open[j] || pr.status[j] != Candidate {
			continue
		}
		for len(s.members[j]) > 0 {
			i := s.members[j][len(s.members[j])-1]
			s.unplace(int(i))
			freed = append(freed, i)
		}
		s.closeSite(j)
		sv.ruinK++
	}
	sv.freed = freed
	return freed
}

// recreate opens sv.ruinK sites for the freed customers (with p free, one
// fewer to one more at random), each the closed candidate near them (among
// their cflpCentreArcs cheapest arcs) of largest saving over their
// cheapest open site, the saving randomly weighted by 1 to 1.5, net of
// its fixed cost, then completes s. It returns whether s is feasible.
func (sv *cflpSolver) recreate(s *cflpSol, freed []int32) bool {
	pr := sv.pr
	best := cflpGrowF(sv.ruinBest, len(freed))
	sv.ruinBest = best
	for x, i := range freed {
		best[x] = 2*pr.maxCost + 1
		for a := pr.rStart[i]; a < pr.rStart[i+1]; a++ {
			if s.open[pr.rSite[a]] {
				best[x] = pr.rCost[a]
				break
			}
		}
	}
	reopen := sv.ruinK
	if pr.p == 0 {
		reopen = max(0, reopen-1+sv.rng.IntN(3))
	}
	for range reopen {
		bk, bg := -1, 0.0
		for _, i := range freed {
			end := min(pr.rStart[i]+cflpCentreArcs, pr.rStart[i+1])
			for a := pr.rStart[i]; a < end; a++ {
				k := int(pr.rSite[a])
				if s.open[k] || pr.status[k] != Candidate {
					continue
				}
				g := 0.0
				for x, l := range freed {
					if d := best[x] - pr.cost(int(l), k); d > 0 {
						g += d
					}
				}
				if g = g*(1+0.5*sv.rng.Float64()) - pr.fixed[k]; bk < 0 || g > bg {
					bk, bg = k, g
				}
			}
		}
		if bk < 0 {
			return false
		}
		s.openSite(bk)
		for x, l := range freed {
			best[x] = math.Min(best[x], pr.cost(int(l), bk))
		}
	}
	return sv.fill(s) && s.feasible()
}

// localClusterSearch applies cluster moves (see bestClusterMove) to the
// customers in a queue, starting with seeds; after a move the customers of
// both clusters join the queue. It ends when the queue is empty or the
// clock runs out.
func (sv *cflpSolver) localClusterSearch(s *cflpSol, seeds []int32) {
	pr := sv.pr
	if len(sv.queued) < pr.n {
		sv.queued = make([]bool, pr.n)
	}
	queue := append(sv.queue[:0], seeds...)
	for _, i := range seeds {
		sv.queued[i] = true
	}
	eps := s.improveEps()
	for x := 0; x < len(queue); x++ {
		i := queue[x]
		sv.queued[i] = false
		// A cluster move costs as much as its clusters are large (about
		// 20 ms with clusters of 50 customers): the clock is read before
		// every move, not every 64th.
		if sv.clock.done() {
			break
		}
		mv := sv.bestClusterMove(s, int(i), eps)
		if mv.gain <= 0 {
			continue
		}
		sv.applyClusterMove(s, mv)
		for _, t := range []int{mv.cj, mv.ct} {
			for _, l := range s.members[t] {
				if !sv.queued[l] {
					sv.queued[l] = true
					queue = append(queue, l)
				}
			}
		}
	}
	for _, i := range queue {
		sv.queued[i] = false
	}
	sv.queue = queue[:0]
}
