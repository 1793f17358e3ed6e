package locate

import (
	"math"

	"github.com/coldchain/coldchain/internal/pqueue"
)

// cflpSol is a (possibly partial or overloaded) CFLP solution: which sites
// are open, each customer's site (-1 when unassigned) and the site loads.
type cflpSol struct {
	pr      *cflpProblem
	assign  []int32
	load    []float64
	open    []bool
	members [][]int32 // customers of each site, in no particular order
	pos     []int32   // index of each assigned customer in its site's members
	nNew    int       // open candidate sites
	fixed   float64   // their fixed costs
	acost   float64   // assignment cost, kept incrementally

	chain, bestChain []cflpStep // ejection-chain search state
	bestGain         float64
	alt              []int32   // ejectChain: cheapest other site with room
	altC             []float64 // and its cost
}

func newCFLPSol(pr *cflpProblem) *cflpSol {
	s := &cflpSol{
		pr:      pr,
		assign:  make([]int32, pr.n),
		load:    make([]float64, pr.m),
		open:    make([]bool, pr.m),
		members: make([][]int32, pr.m),
		pos:     make([]int32, pr.n),
	}
	s.reset()
	return s
}

// reset closes every candidate site and unassigns every customer.
func (s *cflpSol) reset() {
	for i := range s.assign {
		s.assign[i] = -1
	}
	clear(s.load)
	clear(s.open)
	for j := range s.members {
		s.members[j] = s.members[j][:0]
	}
	for _, j := range s.pr.exist {
		s.open[j] = true
	}
	s.nNew, s.fixed, s.acost = 0, 0, 0
}

// copyFrom makes s a copy of o.
func (s *cflpSol) copyFrom(o *cflpSol) {
	copy(s.assign, o.assign)
	copy(s.load, o.load)
	copy(s.open, o.open)
	copy(s.pos, o.pos)
	for j := range s.members {
		s.members[j] = append(s.members[j][:0], o.members[j]...)
	}
	s.nNew, s.fixed, s.acost = o.nNew, o.fixed, o.acost
}

// total returns the objective (fixed plus assignment costs).
func (s *cflpSol) total() float64 { return s.fixed + s.acost }

func (s *cflpSol) openSite(j int) {
	if s.open[j] {
		return
	}
	s.open[j] = true
	s.nNew++
	s.fixed += s.pr.fixed[j]
}

// closeSite closes candidate site j, which must have no customers.
func (s *cflpSol) closeSite(j int) {
	if !s.open[j] || s.pr.status[j] == Existing {
		return
	}
	s.open[j] = false
	s.nNew--
	s.fixed -= s.pr.fixed[j]
}

// place assigns the unassigned customer i to site j.
func (s *cflpSol) place(i, j int) {
	s.assign[i] = int32(j)
	s.load[j] += s.pr.q[i]
	s.pos[i] = int32(len(s.members[j]))
	s.members[j] = append(s.members[j], int32(i))
	s.acost += s.pr.cost(i, j)
}

// unplace unassigns customer i.
func (s *cflpSol) unplace(i int) {
	j := s.assign[i]
	if j < 0 {
		return
	}
	mem := s.members[j]
	last := mem[len(mem)-1]
	mem[s.pos[i]] = last
	s.pos[last] = s.pos[i]
	s.members[j] = mem[:len(mem)-1]
	s.load[j] -= s.pr.q[i]
	if len(s.members[j]) == 0 {
		s.load[j] = 0 // no drift on empty sites
	}
	s.acost -= s.pr.cost(i, int(j))
	s.assign[i] = -1
}

// move reassigns customer i to site k.
func (s *cflpSol) move(i, k int) {
	s.unplace(i)
	s.place(i, k)
}

// over returns the overload of site j if its load were l.
func (s *cflpSol) over(j int, l float64) float64 {
	if d := l - s.pr.limit[j]; d > 0 {
		return d
	}
	return 0
}

// cflpCapTol is the rounding slack allowed on a capacity c.
func cflpCapTol(c float64) float64 { return 1e-9 * (1 + math.Abs(c)) }

// fits reports whether customer i fits site k in addition to its load.
func (s *cflpSol) fits(i, k int) bool {
	return s.load[k]+s.pr.q[i] <= s.pr.limit[k]
}

// overload returns the total overload of the open sites.
func (s *cflpSol) overload() float64 {
	t := 0.0
	for j, l := range s.load {
		t += s.over(j, l)
	}
	return t
}

// recompute recomputes the costs from scratch (no rounding drift) and
// returns the objective.
func (s *cflpSol) recompute() float64 {
	s.fixed, s.acost, s.nNew = 0, 0, 0
	for j, o := range s.open {
		if o && s.pr.status[j] == Candidate {
			s.fixed += s.pr.fixed[j]
			s.nNew++
		}
	}
	for i, j := range s.assign {
		if j >= 0 {
			s.acost += s.pr.cost(i, int(j))
		}
	}
	for j := range s.load {
		l := 0.0
		for _, i := range s.members[j] {
			l += s.pr.q[i]
		}
		s.load[j] = l
	}
	return s.total()
}

// feasible reports whether s is a complete feasible solution: every customer
// served by an open site over an arc, no overload, p and budget respected.
func (s *cflpSol) feasible() bool {
	pr := s.pr
	for i, j := range s.assign {
		if j < 0 || !s.open[j] || math.IsInf(pr.cost(i, int(j)), 1) {
			return false
		}
	}
	if s.overload() > 0 {
		return false
	}
	if pr.p > 0 && s.nNew != pr.p {
		return false
	}
	return pr.budget <= 0 || s.fixed <= pr.budget*(1+1e-12)
}

// improveEps is the least improvement a local-search move must bring.
func (s *cflpSol) improveEps() float64 {
	return 1e-9 * (1 + s.pr.maxCost)
}

// localSearch improves the assignment for the current open sites by shift
// and swap moves until no move improves; the solution must be feasible.
// It returns the number of moves made.
func (s *cflpSol) localSearch(clock *cflpClock) int {
	moves := 0
	for {
		m := s.shiftPass(clock) + s.swapPass(clock)
		if m == 0 && !clock.done() {
			m = s.chainPass(clock)
		}
		moves += m
		if m == 0 || clock.done() {
			return moves
		}
	}
}

// quickSearch is localSearch without ejection chains.
func (s *cflpSol) quickSearch(clock *cflpClock) int {
	moves := 0
	for {
		m := s.shiftPass(clock) + s.swapPass(clock)
		moves += m
		if m == 0 || clock.done() {
			return moves
		}
	}
}

// cflpStep is one move of an ejection chain: customer c from one site to
// another.
type cflpStep struct{ c, from, to int32 }

// cflpChainDepth is the longest ejection chain tried, in moves: 3 on
// instances of at most cflpChain3MaxN customers, else 2 (the search grows
// with the square of the sites' customer counts per extra move).
const (
	cflpChainDepth = 3
	cflpChain3MaxN = 150
)

// chainPass applies improving ejection chains: a customer moves to a
// cheaper site that lacks room, a customer of that site moves on to a site
// with room (or, up to cflpChainDepth moves, ejects another in turn). Every
// partial chain must keep a net gain. It returns the number of chains
// applied. It stops early when the clock runs out.
func (s *cflpSol) chainPass(clock *cflpClock) int {
	pr := s.pr
	eps := s.improveEps()
	moves := 0
	for i := range pr.n {
		if clock.due(i) {
			break
		}
		j := s.assign[i]
		cur := pr.cost(i, int(j))
		s.bestGain = -eps
		s.bestChain = s.bestChain[:0]
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			c := pr.rCost[k]
			if c >= cur-eps {
				break
			}
			t := pr.rSite[k]
			if !s.open[t] || t == j || s.fits(i, int(t)) {
				continue
			}
			s.chain = append(s.chain[:0], cflpStep{int32(i), j, t})
			s.extendChain(c - cur)
		}
		if len(s.bestChain) > 0 {
			for _, st := range s.bestChain {
				s.move(int(st.c), int(st.to))
			}
			moves++
		}
	}
	return moves
}

// chainDepth returns the longest ejection chain to try.
func (s *cflpSol) chainDepth() int {
	if s.pr.n <= cflpChain3MaxN {
		return cflpChainDepth
	}
	return 2
}

// pending returns the load change of site x under the moves of s.chain.
func (s *cflpSol) pending(x int32) float64 {
	d := 0.0
	for _, st := range s.chain {
		if st.to == x {
			d += s.pr.q[st.c]
		}
		if st.from == x {
			d -= s.pr.q[st.c]
		}
	}
	return d
}

// inChain reports whether customer c already moves in s.chain.
func (s *cflpSol) inChain(c int32) bool {
	for _, st := range s.chain {
		if st.c == c {
			return true
		}
	}
	return false
}

// extendChain continues s.chain, whose last move overfills its target,
// recording in s.bestChain any completion cheaper than s.bestGain; gain is
// the cost change so far.
func (s *cflpSol) extendChain(gain float64) {
	pr := s.pr
	t := s.chain[len(s.chain)-1].to
	need := s.load[t] + s.pending(t) - pr.limit[t]
	for _, l := range s.members[t] {
		if pr.q[l] < need || s.inChain(l) {
			continue
		}
		g1 := gain - pr.cost(int(l), int(t))
		if g1 >= s.bestGain {
			continue
		}
		tried := 0
		for k := pr.rStart[l]; k < pr.rStart[l+1]; k++ {
			u := pr.rSite[k]
			if u == t || !s.open[u] {
				continue
			}
			g2 := g1 + pr.rCost[k]
			if g2 >= s.bestGain {
				break
			}
			if s.load[u]+s.pending(u)+pr.q[l] <= pr.limit[u] {
				s.bestGain = g2
				s.bestChain = append(append(s.bestChain[:0], s.chain...), cflpStep{l, t, u})
				break
			}
			if len(s.chain)+1 < s.chainDepth() && tried < 3 {
				tried++
				s.chain = append(s.chain, cflpStep{l, t, u})
				s.extendChain(g2)
				s.chain = s.chain[:len(s.chain)-1]
			}
		}
	}
}

// shiftPass moves each customer to the cheapest open site with room when
// that is cheaper; it returns the number of moves. It stops early when the
// clock runs out.
func (s *cflpSol) shiftPass(clock *cflpClock) int {
	pr := s.pr
	eps := s.improveEps()
	moves := 0
	for i := range pr.n {
		if clock.due(i) {
			break
		}
		j := int(s.assign[i])
		cur := pr.cost(i, j)
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			c := pr.rCost[k]
			if c >= cur-eps {
				break
			}
			if t := int(pr.rSite[k]); s.open[t] && s.fits(i, t) {
				s.move(i, t)
				moves++
				break
			}
		}
	}
	return moves
}

// swapPass exchanges the sites of two customers when that is cheaper and
// fits; it returns the number of swaps. It stops early when the clock runs
// out.
func (s *cflpSol) swapPass(clock *cflpClock) int {
	pr := s.pr
	eps := s.improveEps()
	moves := 0
	for i := range pr.n {
		if clock.due(i) {
			break
		}
		j := int(s.assign[i])
		cur := pr.cost(i, j)
		qi := pr.q[i]
		bestD, bestL := -eps, -1
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			c := pr.rCost[k]
			gain := c - cur // < 0 for the moves worth pairing
			if gain >= -eps {
				break
			}
			t := int(pr.rSite[k])
			if t == j || !s.open[t] {
				continue
			}
			// l leaves t for j: t must hold qi - ql more, j ql - qi more.
			roomT := pr.limit[t] - s.load[t] - qi
			roomJ := pr.limit[j] - s.load[j] + qi
			for _, l := range s.members[t] {
				ql := pr.q[l]
				if ql < -roomT || ql > roomJ {
					continue
				}
				d := gain + pr.cost(int(l), j) - pr.cost(int(l), t)
				if d < bestD {
					bestD, bestL = d, int(l)
				}
			}
		}
		if bestL >= 0 {
			t := int(s.assign[bestL])
			s.move(i, t)
			s.move(bestL, j)
			moves++
		}
	}
	return moves
}

// assignRest assigns the unassigned customers to open sites by regret:
// repeatedly the customer with the largest difference between its cheapest
// and second-cheapest open site with room goes to the cheapest (customers
// with no site with room come first, then those with one; ties to the
// heavier, then the lower index). A customer with no open site with room
// goes to its cheapest open site, overloading it. It returns false if some
// customer reaches no open site at all (it is then left unassigned), or
// when the clock runs out first (the rest is then left unassigned).
func (s *cflpSol) assignRest(buf *cflpBuf, clock *cflpClock) bool {
	buf.startRegret(s.pr)
	for i, j := range s.assign {
		if j < 0 {
			buf.ver[i] = 0
			s.regret(buf, i)
		}
	}
	ok := true
	h := buf.heap
	for pops := 0; h.Len() > 0; pops++ {
		if clock.due(pops) {
			return false
		}
		e := h.Pop()
		i := int(e.i)
		if e.ver != buf.ver[i] || s.assign[i] >= 0 {
			continue // stale entry
		}
		t := s.regretSite(buf, i)
		if t < 0 {
			ok = false
			buf.ver[i]++ // leave it unassigned; drop its entries
			continue
		}
		s.place(i, t)
		s.rewatch(buf, t)
	}
	return ok
}

// startRegret sizes assignRest's buffers for pr and empties the watch lists
// and the heap.
func (buf *cflpBuf) startRegret(pr *cflpProblem) {
	buf.b1 = cflpGrowI32(buf.b1, pr.n)
	buf.b2 = cflpGrowI32(buf.b2, pr.n)
	buf.ver = cflpGrowI32(buf.ver, pr.n)
	if len(buf.watch) < pr.m {
		buf.watch = make([][]int32, pr.m)
	}
	for j := range buf.watch {
		buf.watch[j] = buf.watch[j][:0]
	}
	if buf.heap == nil {
		buf.heap = pqueue.New(cflpRegret.before)
	}
	buf.heap.Reset()
}

// regret finds the two cheapest open sites with room of the unassigned
// customer i (their arcs in b1[i] and b2[i], -1 when missing), has i watch
// them, and pushes i on the heap with its regret under a new version.
func (s *cflpSol) regret(buf *cflpBuf, i int) {
	pr, b1, b2 := s.pr, buf.b1, buf.b2
	b1[i], b2[i] = -1, -1
	for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
		t := int(pr.rSite[k])
		if !s.open[t] || !s.fits(i, t) {
			continue
		}
		buf.watch[t] = append(buf.watch[t], int32(i))
		if b1[i] < 0 {
			b1[i] = int32(k)
		} else {
			b2[i] = int32(k)
			break
		}
	}
	buf.ver[i]++
	e := cflpRegret{i: int32(i), ver: buf.ver[i], q: pr.q[i]}
	switch {
	case b1[i] < 0:
		e.class = 2
	case b2[i] < 0:
		e.class = 1
	default:
		e.reg = pr.rCost[b2[i]] - pr.rCost[b1[i]]
	}
	buf.heap.Push(e)
}

// regretSite returns the site customer i goes to: its cheapest open site
// with room, else its cheapest open site, else -1.
func (s *cflpSol) regretSite(buf *cflpBuf, i int) int {
	pr := s.pr
	if buf.b1[i] >= 0 {
		return int(pr.rSite[buf.b1[i]])
	}
	for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
		if s.open[pr.rSite[k]] {
			return int(pr.rSite[k])
		}
	}
	return -1
}

// rewatch updates the customers watching site t after a customer was
// placed there: those counting on t that no longer fit re-evaluate, and
// t's watch list keeps only the unassigned customers that still fit.
func (s *cflpSol) rewatch(buf *cflpBuf, t int) {
	pr, b1, b2 := s.pr, buf.b1, buf.b2
	w := buf.watch[t]
	buf.watch[t] = nil
	for _, l := range w {
		if s.assign[l] >= 0 || s.fits(int(l), t) {
			continue
		}
		if b1[l] >= 0 && int(pr.rSite[b1[l]]) == t || b2[l] >= 0 && int(pr.rSite[b2[l]]) == t {
			s.regret(buf, int(l))
		}
	}
	if buf.watch[t] == nil {
		buf.watch[t] = w[:0]
	}
	for _, l := range w {
		if s.assign[l] < 0 && s.fits(int(l), t) {
			buf.watch[t] = append(buf.watch[t], l)
		}
	}
}

// cflpRegret is a heap entry of assignRest.
type cflpRegret struct {
	i, ver int32
	class  int8 // 2: no site with room, 1: one, 0: two or more
	reg    float64
	q      float64
}

// before reports whether a is assigned before b.
func (a cflpRegret) before(b cflpRegret) bool {
	if a.class != b.class {
		return a.class > b.class
	}
	if a.reg != b.reg {
		return a.reg > b.reg
	}
	if a.q != b.q {
		return a.q > b.q
	}
	return a.i < b.i
}

// repair removes overload: repeatedly, a customer of an overloaded site
// moves to an open site with room, swaps with a lighter customer of a site
// with room, or moves into a site whose customer in turn moves to a third
// site with room (an ejection chain), choosing the move of least cost
// increase net of a reward per unit of overload removed. It returns whether
// the solution ended without overload.
func (s *cflpSol) repair(clock *cflpClock) bool {
	pr := s.pr
	if s.overload() == 0 {
		return true
	}
	capOpen := 0.0
	for j, o := range s.open {
		if o {
			capOpen += pr.capa[j]
		}
	}
	if capOpen < pr.totalQ {
		return false
	}
	alpha := 0.0 // average cost per unit of weight
	for i, j := range s.assign {
		if j >= 0 {
			alpha += pr.cost(i, int(j))
		}
	}
	alpha /= math.Max(pr.totalQ, 1e-9)
	over := s.overload()
	stall := 0
	for round := 0; round < cflpRepairRounds && !clock.done(); round++ {
		moved := false
		for j := range pr.m {
			if !s.open[j] || s.over(j, s.load[j]) == 0 {
				continue
			}
			for x := 0; x < len(s.members[j]) && s.over(j, s.load[j]) > 0; x++ {
				i := int(s.members[j][x])
				if t, l := s.bestRelief(i, alpha); t >= 0 {
					s.move(i, t)
					if l >= 0 {
						s.move(l, j)
					}
					moved = true
					x-- // another customer now sits at index x
				}
			}
		}
		now := s.overload()
		if now == 0 {
			return true
		}
		if !moved && !s.ejectChain(alpha) {
			return false
		}
		// Give up when the overload stops shrinking.
		if now > over*(1-1e-3) {
			if stall++; stall >= 5 {
				return false
			}
		} else {
			stall = 0
		}
		over = min(over, now)
	}
	return s.overload() == 0
}

// bestRelief finds the move of customer i out of its overloaded site j that
// removes overload at the least cost net of alpha per unit removed: to an
// open site t with room, or a swap with a lighter customer l of t (l = -1
// for a plain shift). t is -1 when no move removes overload.
func (s *cflpSol) bestRelief(i int, alpha float64) (bestT, bestL int) {
	pr := s.pr
	j := int(s.assign[i])
	qi := pr.q[i]
	overJ := s.over(j, s.load[j])
	cur := pr.cost(i, j)
	bestD := math.Inf(1)
	bestT, bestL = -1, -1
	for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
		t := int(pr.rSite[k])
		room := pr.limit[t] - s.load[t]
		if t == j || !s.open[t] || room <= 0 {
			continue
		}
		// Plain shift: j loses qi, t takes qi.
		if gain := overJ - s.over(j, s.load[j]-qi) - s.over(t, s.load[t]+qi); gain > 0 {
			if d := pr.rCost[k] - cur - alpha*gain; d < bestD {
				bestD, bestT, bestL = d, t, -1
			}
		}
		if qi <= room {
			continue // a swap cannot remove more than the shift
		}
		for _, l := range s.members[t] {
			ql := pr.q[l]
			if ql >= qi || qi-ql > room {
				continue
			}
			gain := overJ - s.over(j, s.load[j]-qi+ql)
			if gain <= 0 {
				continue
			}
			d := pr.rCost[k] - cur + pr.cost(int(l), j) - pr.cost(int(l), t) - alpha*gain
			if d < bestD {
				bestD, bestT, bestL = d, t, int(l)
			}
		}
	}
	return bestT, bestL
}

// cflpRepairRounds caps the rounds of repair; cflpChainWork caps the
// customer pairs one ejectChain call examines.
const (
	cflpRepairRounds = 100
	cflpChainWork    = 1 << 21
)

// ejectChain applies the cheapest chain i: j -> t, l: t -> u that removes
// overload from an overloaded site j without overloading t or u (l goes to
// its cheapest other site with room), among the first cflpChainWork pairs
// (i, l) examined. It returns false when it found none.
func (s *cflpSol) ejectChain(alpha float64) bool {
	pr := s.pr
	// Each assigned customer's cheapest other open site with room.
	alt := cflpGrowI32(s.alt, pr.n)
	altC := cflpGrowF(s.altC, pr.n)
	s.alt, s.altC = alt, altC
	for l := range pr.n {
		alt[l] = -1
		t := s.assign[l]
		if t < 0 {
			continue
		}
		for k := pr.rStart[l]; k < pr.rStart[l+1]; k++ {
			u := pr.rSite[k]
			if u != t && s.open[u] && s.load[u]+pr.q[l] <= pr.limit[u] {
				alt[l], altC[l] = u, pr.rCost[k]
				break
			}
		}
	}
	bestD := math.Inf(1)
	bi, bt, bl := -1, -1, -1
	work := 0
	for j := range pr.m {
		overJ := s.over(j, s.load[j])
		if !s.open[j] || overJ == 0 {
			continue
		}
		for _, i := range s.members[j] {
			qi := pr.q[i]
			gain := overJ - s.over(j, s.load[j]-qi)
			cur := pr.cost(int(i), j)
			for k := pr.rStart[i]; k < pr.rStart[i+1] && work < cflpChainWork; k++ {
				t := int(pr.rSite[k])
				if t == j || !s.open[t] {
					continue
				}
				roomT := pr.limit[t] - s.load[t] - qi // < 0: l must make room
				dI := pr.rCost[k] - cur - alpha*gain
				work += len(s.members[t])
				for _, l := range s.members[t] {
					if pr.q[l] < -roomT || l == i || alt[l] < 0 || int(alt[l]) == j {
						continue
					}
					if d := dI + altC[l] - pr.cost(int(l), t); d < bestD {
						bestD, bi, bt, bl = d, int(i), t, int(l)
					}
				}
			}
		}
	}
	if bi < 0 {
		return false
	}
	s.move(bl, int(alt[bl]))
	s.move(bi, bt)
	return true
}

// cflpBuf holds scratch buffers reused across calls.
type cflpBuf struct {
	b1, b2 []int32
	ver    []int32
	watch  [][]int32                // per site: unassigned customers counting on it
	heap   *pqueue.Heap[cflpRegret] // regret order, first to assign on top
	cnt    []int32
}

func cflpGrowI32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}
