package locate

import (
	"cmp"
	"math"
	"slices"
	"sort"
)

// Part moves for the capacitated p-median at thousands of points, after
// the decomposition of Taillard's POPMUSIC: a part is an open site with
// its customers, and a move re-solves a seed part and its nearest
// neighbouring parts together, exactly, as a small capacitated p-median:
// as many sites as parts, chosen among the parts' own sites and the closed
// candidates near their customers, and the pooled customers assigned to
// them within the capacities at least cost. The pair move is the case of
// two parts; three parts also find the rotations of customers around
// several clusters that tight capacities call for, which no sequence of
// pair moves reaches.
//
// The exact solve enumerates the site sets by increasing uncapacitated
// cost (every customer at its cheapest site of the set, a lower bound on
// the set's cost) and stops at the first set whose bound reaches the best
// cost found; each set's assignment is a depth-first branch and bound over
// the customers, heaviest first, bounded by the same uncapacitated cost of
// the customers left.

// cflpPartsK is the most parts a part move re-solves (a transfer prices
// them with one site more); cflpPartsMax the most customers they may hold
// together; cflpPartsSites the most sites a move tries; cflpPartsNodes the
// node limit of one site set's assignment search (a search cut short keeps
// the best assignment it found).
const (
	cflpPartsK     = 3
	cflpPartsMax   = 24
	cflpPartsSites = 20
	cflpPartsNodes = 20_000
)

// cflpParts is the scratch of the part moves.
type cflpParts struct {
	parts []int     // the sites of the parts re-solved
	pool  []int32   // their customers, heaviest first
	sites []int     // sites tried
	cost  []float64 // cost[c*len(pool)+x]: pool[x] at sites[c]
	sets  []cflpPartSet
	combo []int
	least []float64 // partSets: per depth, each pooled customer's least cost
	// Assignment search of one set.
	slot    []int     // the set's sites, by index into sites
	minRest []float64 // least cost of pool[x:] at the set's sites
	remQ    []float64 // weight of pool[x:]
	load    []float64 // per slot
	at      []int     // slot of pool[x]
	best    float64   // least cost found
	bestAt  []int     // its slot of pool[x]
	bestSet []int     // its set's sites, by index into sites
	nodes   int
	work    cflpWorkList // partSearch's sites to try
	// transferSearch's sites touched in a round, by stamp, and the parts
	// of the insertion being paired.
	touched []int32
	stamp   int32
	held    []int
}

// cflpPartSet is a set of sites (by index into cflpParts.sites; at most
// one more than there are parts) with its uncapacitated cost.
type cflpPartSet struct {
	c     [cflpPartsK + 1]int16
	bound float64
}

// partNeighbours lists in pt.parts the seed site j and the open candidate
// sites nearest its customers (every member's cheapest arc, then every
// member's second, ...), up to cflpPartsK parts. It returns false when
// fewer than two parts qualify or they hold too many customers.
func (sv *cflpSolver) partNeighbours(s *cflpSol, j int) bool {
	pr, pt := sv.pr, &sv.parts
	pt.parts = append(pt.parts[:0], j)
	k := len(s.members[j])
	for r := 0; r < cflpCentreArcs && len(pt.parts) < cflpPartsK; r++ {
		for x := 0; x < len(pt.parts) && len(pt.parts) < cflpPartsK; x++ {
			for _, i := range s.members[pt.parts[x]] {
				a := pr.rStart[i] + r
				if a >= pr.rStart[i+1] {
					continue
				}
				t := int(pr.rSite[a])
				if !s.open[t] || pr.status[t] != Candidate || slices.Contains(pt.parts, t) {
					continue
				}
				pt.parts = append(pt.parts, t)
				k += len(s.members[t])
				if len(pt.parts) == cflpPartsK {
					break
				}
			}
		}
	}
	return len(pt.parts) >= 2 && k <= cflpPartsMax
}

// partSites lists the sites a part move tries (the parts' own, then the
// closed candidates among the cflpCentreArcs cheapest arcs of the pooled
// customers, at most cflpPartsSites, each reaching every pooled customer)
// with the pooled customers' costs there.
func (sv *cflpSolver) partSites(s *cflpSol) {
	pr, pt := sv.pr, &sv.parts
	stamp := sv.newPass()
	pt.sites, pt.cost = pt.sites[:0], pt.cost[:0]
	try := func(c int, own bool) {
		if len(pt.sites) == cflpPartsSites || sv.siteSeen[c] == stamp {
			return
		}
		sv.siteSeen[c] = stamp
		if !own && (s.open[c] || pr.status[c] != Candidate) {
			return
		}
		var ok bool
		if pt.cost, ok = pr.appendCosts(pt.cost, pt.pool, c); ok {
			pt.sites = append(pt.sites, c)
		}
	}
	for _, j := range pt.parts {
		try(j, true)
	}
	for r := 0; r < cflpCentreArcs; r++ {
		for _, i := range pt.pool {
			if a := pr.rStart[i] + r; a < pr.rStart[i+1] {
				try(int(pr.rSite[a]), false)
			}
		}
	}
}

// bestPartMove re-solves the parts in pt.parts exactly. It returns the
// gain (> eps) and leaves the best assignment in pt.bestAt and
// pt.bestSet; it returns 0 when nothing improves.
func (sv *cflpSolver) bestPartMove(s *cflpSol, eps float64) float64 {
	cur := sv.poolParts(s)
	best := sv.solveParts(len(sv.parts.parts), cur-eps)
	if math.IsInf(best, 1) {
		return 0
	}
	return cur - best
}

// poolParts pools the customers of the parts in pt.parts, heaviest
// first, lists the sites a move tries with the customers' costs there
// (partSites), and returns the parts' cost.
func (sv *cflpSolver) poolParts(s *cflpSol) float64 {
	pr, pt := sv.pr, &sv.parts
	pt.pool = pt.pool[:0]
	cur := 0.0
	for _, j := range pt.parts {
		pt.pool = append(pt.pool, s.members[j]...)
		cur += sv.clusterCost(s, j)
	}
	slices.SortStableFunc(pt.pool, func(a, b int32) int { return cmp.Compare(pr.q[b], pr.q[a]) })
	sv.partSites(s)
	return cur
}

// solveParts finds the least cost below beat of the customers poolParts
// pooled on nSet of its sites, leaving the assignment in pt.bestAt and
// pt.bestSet; +Inf when none.
func (sv *cflpSolver) solveParts(nSet int, beat float64) float64 {
	pr, pt := sv.pr, &sv.parts
	if len(pt.sites) < nSet {
		return math.Inf(1)
	}
	k := len(pt.pool)
	total := 0.0
	for _, i := range pt.pool {
		total += pr.q[i]
	}
	sv.partSets(nSet, total, beat)
	sort.Slice(pt.sets, func(a, b int) bool { return pt.sets[a].bound < pt.sets[b].bound })
	pt.best, pt.bestSet = beat, pt.bestSet[:0]
	pt.minRest = cflpGrowF(pt.minRest, k+1)
	pt.remQ = cflpGrowF(pt.remQ, k+1)
	pt.load = cflpGrowF(pt.load, nSet)
	pt.at = cflpGrowInt(pt.at, k)
	pt.remQ[k] = 0
	for x := k - 1; x >= 0; x-- {
		pt.remQ[x] = pt.remQ[x+1] + pr.q[pt.pool[x]]
	}
	for x, set := range pt.sets {
		// The sets come by increasing bound; a clock that has run out
		// keeps the best assignment found so far.
		if set.bound >= pt.best || sv.clock.due(x) {
			break
		}
		pt.slot = pt.slot[:0]
		fixed := 0.0
		for _, c := range set.c[:nSet] {
			pt.slot = append(pt.slot, int(c))
			fixed += pr.fixed[pt.sites[c]]
			pt.load[len(pt.slot)-1] = 0
		}
		pt.minRest[k] = 0
		for x := k - 1; x >= 0; x-- {
			v := math.Inf(1)
			for _, c := range pt.slot {
				v = math.Min(v, pt.cost[c*k+x])
			}
			pt.minRest[x] = pt.minRest[x+1] + v
		}
		pt.nodes = 0
		sv.partAssign(0, fixed)
	}
	if len(pt.bestSet) == 0 {
		return math.Inf(1)
	}
	return pt.best
}

// partSets lists in pt.sets every set of nSet of the sites tried with room
// for the pool's weight total whose uncapacitated cost is below beat. The
// walk over the sets keeps, per depth, each pooled customer's cheapest
// cost among the sites chosen so far (pt.least), so that a set's cost
// takes one pass over the pool rather than one per site.
func (sv *cflpSolver) partSets(nSet int, total, beat float64) {
	pr, pt := sv.pr, &sv.parts
	k, m := len(pt.pool), len(pt.sites)
	pt.sets = pt.sets[:0]
	pt.combo = append(pt.combo[:0], make([]int, nSet)...)
	pt.least = cflpGrowF(pt.least, (nSet+1)*k)
	for x := range k {
		pt.least[x] = math.Inf(1)
	}
	var walk func(d, from int, capa, fixed float64)
	walk = func(d, from int, capa, fixed float64) {
		if d == nSet {
			if capa < total-cflpCapTol(total) {
				return
			}
			b := fixed
			for _, v := range pt.least[d*k : (d+1)*k] {
				b += v
			}
			if b < beat {
				var set cflpPartSet
				for y, c := range pt.combo {
					set.c[y] = int16(c)
				}
				set.bound = b
				pt.sets = append(pt.sets, set)
			}
			return
		}
		prev, next := pt.least[d*k:(d+1)*k], pt.least[(d+1)*k:(d+2)*k]
		for c := from; c <= m-(nSet-d); c++ {
			pt.combo[d] = c
			for x, v := range pt.cost[c*k : (c+1)*k] {
				next[x] = min(prev[x], v)
			}
			walk(d+1, c+1, capa+pr.capa[pt.sites[c]], fixed+pr.fixed[pt.sites[c]])
		}
	}
	walk(0, 0, 0, 0)
}

// partAssign is the depth-first search over the slots of pool[x:] with
// cost so far.
func (sv *cflpSolver) partAssign(x int, cost float64) {
	pr, pt := sv.pr, &sv.parts
	pt.nodes++
	if pt.nodes > cflpPartsNodes || cost+pt.minRest[x] >= pt.best {
		return
	}
	k := len(pt.pool)
	if x == k {
		pt.best = cost
		pt.bestAt = append(pt.bestAt[:0], pt.at[:k]...)
		pt.bestSet = append(pt.bestSet[:0], pt.slot...)
		return
	}
	room := 0.0
	for y, c := range pt.slot {
		room += pr.limit[pt.sites[c]] - pt.load[y]
	}
	if room < pt.remQ[x] {
		return
	}
	q := pr.q[pt.pool[x]]
	// Slots by increasing cost (there are few).
	var orderA [cflpPartsK + 1]int
	order := orderA[:len(pt.slot)]
	for y := range order {
		order[y] = y
	}
	for a := 1; a < len(order); a++ {
		for b := a; b > 0 && pt.cost[pt.slot[order[b]]*k+x] < pt.cost[pt.slot[order[b-1]]*k+x]; b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	for _, y := range order {
		c := pt.slot[y]
		if pt.load[y]+q > pr.limit[pt.sites[c]] {
			continue
		}
		pt.load[y] += q
		pt.at[x] = y
		sv.partAssign(x+1, cost+pt.cost[c*k+x])
		pt.load[y] -= q
	}
}

// applyPartMove carries out the move bestPartMove found: the set's sites
// open, the pooled customers go to their slots, and the parts' sites left
// out close.
func (sv *cflpSolver) applyPartMove(s *cflpSol) {
	pt := &sv.parts
	for _, c := range pt.bestSet {
		s.openSite(pt.sites[c])
	}
	for x, i := range pt.pool {
		to := pt.sites[pt.bestSet[pt.bestAt[x]]]
		if int(s.assign[i]) != to {
			s.move(int(i), to)
		}
	}
	for _, j := range pt.parts {
		if len(s.members[j]) == 0 && !slices.ContainsFunc(pt.bestSet, func(c int) bool { return pt.sites[c] == j }) {
			s.closeSite(j)
		}
	}
}

// partSearch applies improving part moves around every open candidate
// site until no site on the list improves or the clock runs out; the sites
// of a move join the list again. It needs no budget, and p fixed or a
// large instance (clusterMoves); it returns the number of moves.
func (sv *cflpSolver) partSearch(s *cflpSol) int {
	pr, pt := sv.pr, &sv.parts
	if !sv.clusterMoves() {
		return 0
	}
	work := &pt.work
	work.start(pr.m)
	for j := range pr.m {
		if s.open[j] {
			work.add(j)
		}
	}
	eps := s.improveEps()
	moves := 0
	for x := 0; x < len(work.list) && !sv.clock.due(x); x++ {
		j := work.take(x)
		if !s.open[j] || pr.status[j] != Candidate || !sv.partNeighbours(s, j) {
			continue
		}
		if sv.bestPartMove(s, eps) <= 0 {
			continue
		}
		sv.applyPartMove(s)
		moves++
		for _, c := range pt.bestSet {
			work.add(pt.sites[c])
		}
	}
	work.clear()
	return moves
}

// cflpPartValue is what re-solving the parts around site j with one site
// fewer costs, or with one site more gains.
type cflpPartValue struct {
	j     int
	value float64
}

// transferSearch moves sites between regions: re-solving the parts around
// one site with a site more gains what re-solving the parts around another
// with a site fewer costs, so when the best gain exceeds the least cost
// the site moves, p staying the same. Each round prices every part both
// ways and makes the transfers whose parts no earlier transfer of the round
// touched; a transfer that does not improve in the end (the second
// re-solve sees the first's sites) is undone. It needs p fixed and no
// budget; it returns the number of transfers.
func (sv *cflpSolver) transferSearch(s *cflpSol) int {
	pr, pt := sv.pr, &sv.parts
	if pr.p == 0 || pr.budget > 0 {
		return 0
	}
	if len(pt.touched) < pr.m {
		pt.touched = make([]int32, pr.m)
	}
	eps := s.improveEps()
	undo := newCFLPSol(pr)
	moves := 0
	for !sv.clock.done() {
		var rems, ins []cflpPartValue
		for j := range pr.m {
			if sv.clock.done() {
				return moves
			}
			if !s.open[j] || pr.status[j] != Candidate || !sv.partNeighbours(s, j) {
				continue
			}
			cur := sv.poolParts(s)
			if v := sv.solveParts(len(pt.parts)-1, math.Inf(1)); !math.IsInf(v, 1) {
				rems = append(rems, cflpPartValue{j, v - cur})
			}
			if v := sv.solveParts(len(pt.parts)+1, cur-eps); !math.IsInf(v, 1) {
				ins = append(ins, cflpPartValue{j, cur - v})
			}
		}
		slices.SortFunc(rems, func(a, b cflpPartValue) int { return cmp.Compare(a.value, b.value) })
		slices.SortFunc(ins, func(a, b cflpPartValue) int { return cmp.Compare(b.value, a.value) })
		pt.stamp++
		made := 0
		for _, in := range ins {
			if len(rems) == 0 || rems[0].value >= in.value-eps {
				break
			}
			if x := sv.removalFor(s, rems, in, eps); x >= 0 && sv.transfer(s, undo, in.j, rems[x].j, eps) {
				made++
				rems = slices.Delete(rems, x, x+1)
			}
		}
		if made == 0 {
			break
		}
		moves += made
	}
	return moves
}

// partsTouched reports whether a site of pt.parts was touched by a
// transfer of this round.
func (sv *cflpSolver) partsTouched() bool {
	pt := &sv.parts
	return slices.ContainsFunc(pt.parts, func(j int) bool { return pt.touched[j] == pt.stamp })
}

// touch marks the parts' and the chosen sites as touched.
func (sv *cflpSolver) touch() {
	pt := &sv.parts
	for _, j := range pt.parts {
		pt.touched[j] = pt.stamp
	}
	for _, c := range pt.bestSet {
		pt.touched[pt.sites[c]] = pt.stamp
	}
}

// removalFor returns the index in rems (cheapest first) of the removal to
// pair with the insertion in: the first that costs less than in saves and
// whose parts neither overlap in's nor were touched this round; -1 when
// none does or in's own parts were touched.
func (sv *cflpSolver) removalFor(s *cflpSol, rems []cflpPartValue, in cflpPartValue, eps float64) int {
	pt := &sv.parts
	if !sv.partNeighbours(s, in.j) || sv.partsTouched() {
		return -1
	}
	pt.held = append(pt.held[:0], pt.parts...)
	for x, out := range rems {
		if out.value >= in.value-eps {
			return -1
		}
		if sv.partNeighbours(s, out.j) && !sv.partsTouched() &&
			!slices.ContainsFunc(pt.parts, func(j int) bool { return slices.Contains(pt.held, j) }) {
			return x
		}
	}
	return -1
}

// transfer re-solves the parts around site in with a site more and those
// around site out with a site fewer, and keeps the result when it
// improves s by more than eps (undo is scratch).
func (sv *cflpSolver) transfer(s, undo *cflpSol, in, out int, eps float64) bool {
	undo.copyFrom(s)
	before := s.total()
	if sv.resolveAround(s, in, 1) && sv.resolveAround(s, out, -1) && s.total() < before-eps {
		return true
	}
	s.copyFrom(undo)
	return false
}

// resolveAround re-solves the parts around site j with delta sites more
// (1) or fewer (-1), applies the result and touches its sites. A site more
// must lower the parts' cost; a site fewer may raise it. It returns false
// when nothing was applied.
func (sv *cflpSolver) resolveAround(s *cflpSol, j, delta int) bool {
	pt := &sv.parts
	if !sv.partNeighbours(s, j) {
		return false
	}
	cur := sv.poolParts(s)
	beat := math.Inf(1)
	if delta > 0 {
		beat = cur
	}
	if math.IsInf(sv.solveParts(len(pt.parts)+delta, beat), 1) {
		return false
	}
	sv.applyPartMove(s)
	sv.touch()
	return true
}

// polish improves s by transfers and part moves until neither finds one
// or the clock runs out.
func (sv *cflpSolver) polish(s *cflpSol) {
	for !sv.clock.done() && sv.transferSearch(s)+sv.partSearch(s) > 0 {
	}
}
