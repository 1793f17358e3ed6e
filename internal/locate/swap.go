package locate

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/coldchain/coldchain/internal/pqueue"
)

// This file holds the fast interchange (swap) machinery shared by the
// p-median and p-center solvers: Whitaker's fast interchange with the
// incremental gain/loss/extra bookkeeping of Resende & Werneck, "A fast
// swap-based local search procedure for location problems" (Annals of OR
// 150, 2007), over sparse cost rows.
//
// Users are the demand points that matter (positive weight); each has a row
// of (site, cost) arcs sorted by cost. A user with no open site in its row
// is charged fiData.penalty per unit weight, as if a virtual site that is
// always open sat at the end of every row; the solvers report such users
// as unserved.

// fiData is the static input of the engine.
type fiData struct {
	n, m     int       // users, sites
	w        []float64 // weight per user (p-center reweights it)
	dem      []int32   // demand index per user
	rowStart []int
	rowSite  []int32 // never a forbidden site
	rowCost  []float64
	colStart []int // the transpose: the users whose rows hold each site
	colUser  []int32
	colCost  []float64
	penalty  float64   // cost of an unserved user per unit weight; above every arc
	status   []Status  // per site
	fixed    []float64 // fixed cost per site (budget), nil when there is no budget
	budget   float64   // > 0: the fixed costs of open new sites may not exceed it
	cands    []int32   // sites with status Candidate, ascending
	existing []int32   // sites with status Existing, ascending
	maxW     float64   // largest weight
}

// newFIData builds the engine input for the demand points with positive
// weight. Forbidden sites are dropped from the rows; when nothing is
// dropped the instance's cost arrays are shared, not copied.
func newFIData(in *Instance, budget float64) *fiData {
	d := &fiData{m: len(in.Sites), status: make([]Status, len(in.Sites))}
	forbidden := false
	for j, s := range in.Sites {
		d.status[j] = s.Status
		switch s.Status {
		case Candidate:
			d.cands = append(d.cands, int32(j))
		case Existing:
			d.existing = append(d.existing, int32(j))
		case Forbidden:
			forbidden = true
		}
	}
	if budget > 0 {
		d.budget = budget
		d.fixed = make([]float64, len(in.Sites))
		for j, s := range in.Sites {
			if s.Status == Candidate {
				d.fixed[j] = s.FixedCost
			}
		}
	}
	all := true
	for i, dm := range in.Demand {
		if dm.Weight > 0 {
			d.dem = append(d.dem, int32(i))
			d.w = append(d.w, dm.Weight)
			d.maxW = max(d.maxW, dm.Weight)
		} else {
			all = false
		}
	}
	d.n = len(d.dem)
	maxArc := 0.0
	if all && !forbidden {
		d.rowStart, d.rowSite, d.rowCost = in.Costs.Start, in.Costs.Site, in.Costs.Cost
		for _, c := range d.rowCost {
			maxArc = max(maxArc, c)
		}
	} else {
		d.rowStart = make([]int, 1, d.n+1)
		for _, i := range d.dem {
			sites, costs := in.Costs.Row(int(i))
			for k, j := range sites {
				if d.status[j] == Forbidden {
					continue
				}
				d.rowSite = append(d.rowSite, j)
				d.rowCost = append(d.rowCost, costs[k])
				maxArc = max(maxArc, costs[k])
			}
			d.rowStart = append(d.rowStart, len(d.rowSite))
		}
	}
	d.penalty = 2*maxArc + 1
	d.buildColumns()
	return d
}

// buildColumns fills the transpose of the rows, users ascending.
func (d *fiData) buildColumns() {
	d.colStart = make([]int, d.m+1)
	for _, j := range d.rowSite {
		d.colStart[j+1]++
	}
	for j := range d.m {
		d.colStart[j+1] += d.colStart[j]
	}
	d.colUser = make([]int32, len(d.rowSite))
	d.colCost = make([]float64, len(d.rowSite))
	fill := slices.Clone(d.colStart[:d.m])
	for u := range d.n {
		for k := d.rowStart[u]; k < d.rowStart[u+1]; k++ {
			j := d.rowSite[k]
			d.colUser[fill[j]], d.colCost[fill[j]] = int32(u), d.rowCost[k]
			fill[j]++
		}
	}
}

// fixedCost returns the fixed cost that counts against the budget.
func (d *fiData) fixedCost(j int32) float64 {
	if d.fixed == nil {
		return 0
	}
	return d.fixed[j]
}

// fiTable is a small open-addressing hash map from site to value: one row
// of the sparse extra matrix (the sites paired with one open site).
type fiTable struct {
	keys  []int32 // -1 = empty
	vals  []float64
	used  int
	shift uint
}

func (t *fiTable) init(capacity int) {
	bits := uint(4)
	for 1<<bits < capacity {
		bits++
	}
	t.keys = make([]int32, 1<<bits)
	t.vals = make([]float64, 1<<bits)
	for i := range t.keys {
		t.keys[i] = -1
	}
	t.used, t.shift = 0, 32-bits
}

func (t *fiTable) slot(f int32) int { return int((uint32(f) * 0x9E3779B1) >> t.shift) }

// add adds v to the entry of f. Entries whose value has fallen to at most
// tol are dropped when the table grows.
func (t *fiTable) add(f int32, v, tol float64) {
	if t.keys == nil {
		t.init(16)
	}
	mask := len(t.keys) - 1
	for h := t.slot(f); ; h = (h + 1) & mask {
		switch t.keys[h] {
		case f:
			t.vals[h] += v
			return
		case -1:
			if 2*(t.used+1) > len(t.keys) {
				t.grow(tol)
				t.add(f, v, tol)
				return
			}
			t.keys[h], t.vals[h] = f, v
			t.used++
			return
		}
	}
}

// get returns the entry of f, 0 when absent.
func (t *fiTable) get(f int32) float64 {
	if t.used == 0 {
		return 0
	}
	mask := len(t.keys) - 1
	for h := t.slot(f); ; h = (h + 1) & mask {
		switch t.keys[h] {
		case f:
			return t.vals[h]
		case -1:
			return 0
		}
	}
}

func (t *fiTable) grow(tol float64) {
	keys, vals := t.keys, t.vals
	live := 0
	for i, k := range keys {
		if k >= 0 && vals[i] > tol {
			live++
		}
	}
	t.init(4 * (live + 1))
	for i, k := range keys {
		if k >= 0 && vals[i] > tol {
			t.add(k, vals[i], tol)
		}
	}
}

func (t *fiTable) reset() {
	if t.used == 0 {
		return
	}
	if len(t.keys) > 256 && 8*t.used < len(t.keys) {
		t.keys, t.vals = nil, nil
		t.used = 0
		return
	}
	for i := range t.keys {
		t.keys[i] = -1
	}
	t.used = 0
}

// fiState is a solution with the fast-interchange bookkeeping.
type fiState struct {
	d      *fiData
	pNew   int       // how many new sites may be open
	open   []bool    // per site (existing sites always)
	slotOf []int32   // per site: its slot when it is an open new site, else -1
	slots  []int32   // open new sites
	spent  float64   // fixed costs of the open new sites
	phi1   []int32   // per user: nearest open site, -1 = none (penalty)
	phi2   []int32   // second nearest
	d1, d2 []float64 // their costs (penalty when none)
	gain   []float64 // per closed site: saving from opening it
	loss   []float64 // per slot: increase from closing its site
	extra  []fiTable // per slot: the extra(f, slot) term of a swap
	obj    float64
	stamp  []uint32
	cur    uint32
	aff    []int32
	tol    float64 // values at most tol count as zero
}

func newFIState(d *fiData, pNew int) *fiState {
	s := &fiState{
		d:      d,
		pNew:   pNew,
		open:   make([]bool, d.m),
		slotOf: make([]int32, d.m),
		phi1:   make([]int32, d.n),
		phi2:   make([]int32, d.n),
		d1:     make([]float64, d.n),
		d2:     make([]float64, d.n),
		gain:   make([]float64, d.m),
		stamp:  make([]uint32, d.n),
		tol:    1e-10 * max(d.maxW, 1e-300) * d.penalty,
	}
	return s
}

// eps is the smallest profit a move must promise to be made.
func (s *fiState) eps() float64 { return 1e-10*math.Abs(s.obj) + s.tol }

// set makes sites (plus the existing ones) the open set and rebuilds all
// bookkeeping from scratch.
func (s *fiState) set(sites []int32) {
	d := s.d
	clear(s.open)
	for j := range s.slotOf {
		s.slotOf[j] = -1
	}
	for _, j := range d.existing {
		s.open[j] = true
	}
	s.slots = append(s.slots[:0], sites...)
	slices.Sort(s.slots)
	s.spent = 0
	for x, j := range s.slots {
		s.open[j] = true
		s.slotOf[j] = int32(x)
		s.spent += d.fixedCost(j)
	}
	clear(s.gain)
	s.loss = s.loss[:0]
	for range s.slots {
		s.loss = append(s.loss, 0)
	}
	for len(s.extra) < len(s.slots) {
		s.extra = append(s.extra, fiTable{})
	}
	for x := range s.extra {
		s.extra[x].reset()
	}
	s.obj = 0
	for u := range int32(d.n) {
		s.assign(u)
		s.obj += d.w[u] * s.d1[u]
		s.contrib(u, 1)
	}
}

// assign finds user u's two nearest open sites.
func (s *fiState) assign(u int32) {
	d := s.d
	p1, p2 := int32(-1), int32(-1)
	c1, c2 := d.penalty, d.penalty
	for k := d.rowStart[u]; k < d.rowStart[u+1]; k++ {
		f := d.rowSite[k]
		if !s.open[f] {
			continue
		}
		if p1 < 0 {
			p1, c1 = f, d.rowCost[k]
			continue
		}
		p2, c2 = f, d.rowCost[k]
		break
	}
	s.phi1[u], s.phi2[u], s.d1[u], s.d2[u] = p1, p2, c1, c2
}

// contrib adds (sign = 1) or removes (sign = -1) user u's share of gain,
// loss and extra for its current assignment.
func (s *fiState) contrib(u int32, sign float64) {
	d := s.d
	w := d.w[u] * sign
	if w == 0 {
		return
	}
	d1, d2 := s.d1[u], s.d2[u]
	slot := int32(-1)
	if g := s.phi1[u]; g >= 0 {
		slot = s.slotOf[g]
	}
	if slot >= 0 {
		s.loss[slot] += w * (d2 - d1)
	}
	for k := d.rowStart[u]; k < d.rowStart[u+1]; k++ {
		c := d.rowCost[k]
		if c >= d2 {
			break
		}
		f := d.rowSite[k]
		if s.open[f] {
			continue
		}
		if c < d1 {
			s.gain[f] += w * (d1 - c)
		}
		if slot >= 0 {
			if v := d2 - max(c, d1); v > 0 {
				s.extra[slot].add(f, w*v, s.tol)
			}
		}
	}
}

// fiMove is a candidate move: open in, close out (out < 0: just open in).
type fiMove struct {
	in, out int32
	profit  float64
}

// affordable reports whether opening in and closing out keeps the budget.
func (s *fiState) affordable(in, out int32) bool {
	d := s.d
	if d.budget <= 0 {
		return true
	}
	spent := s.spent + d.fixedCost(in)
	if out >= 0 {
		spent -= d.fixedCost(out)
	}
	return spent <= d.budget*(1+1e-12)
}

// bestMove returns the most profitable swap (or, while fewer than pNew new
// sites are open, addition); in < 0 when there is none.
func (s *fiState) bestMove() fiMove {
	d := s.d
	best := fiMove{in: -1, out: -1, profit: math.Inf(-1)}
	consider := func(in, out int32, profit float64) {
		if profit > best.profit {
			best = fiMove{in, out, profit}
		}
	}
	// The closed candidate with the largest gain.
	top, topGain := int32(-1), math.Inf(-1)
	for _, f := range d.cands {
		if !s.open[f] && s.gain[f] > topGain {
			top, topGain = f, s.gain[f]
		}
	}
	if top < 0 {
		return best
	}
	if len(s.slots) < s.pNew {
		for _, f := range d.cands {
			if !s.open[f] && s.affordable(f, -1) {
				consider(f, -1, s.gain[f])
			}
		}
		if d.budget <= 0 {
			// extra(f, g) <= loss(g), so no swap beats adding the top site.
			return best
		}
	}
	if len(s.slots) == 0 {
		return best
	}
	// Pairs with a zero extra term: profit is gain(f) - loss(g), so the
	// best pair is the top gain with the least loss (without a budget).
	if d.budget <= 0 {
		low := 0
		for x := range s.slots {
			if s.loss[x] < s.loss[low] {
				low = x
			}
		}
		consider(top, s.slots[low], topGain-s.loss[low])
	} else {
		for x, g := range s.slots {
			for _, f := range d.cands {
				if !s.open[f] && s.affordable(f, g) {
					consider(f, g, s.gain[f]-s.loss[x])
				}
			}
		}
	}
	// Pairs with a nonzero extra term.
	for x, g := range s.slots {
		t := &s.extra[x]
		if t.used == 0 {
			continue
		}
		base := -s.loss[x]
		for i, f := range t.keys {
			if f < 0 || t.vals[i] <= s.tol || s.open[f] {
				continue
			}
			if p := s.gain[f] + base + t.vals[i]; p > best.profit && s.affordable(f, g) {
				best = fiMove{f, g, p}
			}
		}
	}
	return best
}

// apply makes move mv, updating the bookkeeping of the affected users only.
func (s *fiState) apply(mv fiMove) {
	d := s.d
	in, out := mv.in, mv.out
	s.cur++
	if s.cur == 0 {
		clear(s.stamp)
		s.cur = 1
	}
	s.aff = s.aff[:0]
	if out >= 0 {
		for k := d.colStart[out]; k < d.colStart[out+1]; k++ {
			u := d.colUser[k]
			if (s.phi1[u] == out || s.phi2[u] == out) && s.stamp[u] != s.cur {
				s.stamp[u] = s.cur
				s.aff = append(s.aff, u)
			}
		}
	}
	for k := d.colStart[in]; k < d.colStart[in+1]; k++ {
		u := d.colUser[k]
		if d.colCost[k] < s.d2[u] && s.stamp[u] != s.cur {
			s.stamp[u] = s.cur
			s.aff = append(s.aff, u)
		}
	}
	for _, u := range s.aff {
		s.contrib(u, -1)
	}
	var slot int32
	if out >= 0 {
		slot = s.slotOf[out]
		s.open[out] = false
		s.slotOf[out] = -1
		s.spent -= d.fixedCost(out)
		s.gain[out] = 0
		s.extra[slot].reset()
		s.slots[slot] = in
	} else {
		slot = int32(len(s.slots))
		s.slots = append(s.slots, in)
		s.loss = append(s.loss, 0)
		if len(s.extra) <= int(slot) {
			s.extra = append(s.extra, fiTable{})
		}
		s.extra[slot].reset()
	}
	s.loss[slot] = 0
	s.open[in] = true
	s.slotOf[in] = slot
	s.spent += d.fixedCost(in)
	s.gain[in] = 0
	for _, u := range s.aff {
		old := s.d1[u]
		s.assign(u)
		s.obj += d.w[u] * (s.d1[u] - old)
		s.contrib(u, 1)
	}
}

// recompute sets obj to the exact objective of the current assignment.
func (s *fiState) recompute() float64 {
	s.obj = 0
	for u, w := range s.d.w {
		s.obj += w * s.d1[u]
	}
	return s.obj
}

// localSearch makes best-improvement moves until none improves by more than
// eps or stop returns true; it returns the number of moves.
func (s *fiState) localSearch(stop func() bool) int {
	moves := 0
	for {
		mv := s.bestMove()
		if mv.in < 0 || mv.profit <= s.eps() {
			break
		}
		s.apply(mv)
		moves++
		if stop() {
			break
		}
	}
	s.recompute()
	return moves
}

// sites returns the open new sites, ascending.
func (s *fiState) sites() []int32 {
	out := slices.Clone(s.slots)
	slices.Sort(out)
	return out
}

// fiGreedy builds a start solution by adding sites one at a time. With rng
// nil each step adds the site with the largest saving (lazy evaluation:
// savings only shrink as sites open); otherwise each step adds the best of
// a random sample of `sample` closed candidates (Resende & Werneck's
// "sample" construction).
type fiGreedy struct {
	d     *fiData
	cur   []float64 // per user: cost to the nearest open site so far
	open  []bool
	heap  *pqueue.Heap[fiScored] // best saving on top
	buf   []fiScored
	pool  []int32
	spent float64
}

type fiScored struct {
	gain float64
	site int32
}

func newFIGreedy(d *fiData) *fiGreedy {
	return &fiGreedy{d: d, cur: make([]float64, d.n), open: make([]bool, d.m), heap: pqueue.New(fiScoredLess)}
}

// savings returns the saving from opening f given the current costs.
func (g *fiGreedy) savings(f int32) float64 {
	d := g.d
	sum := 0.0
	for k := d.colStart[f]; k < d.colStart[f+1]; k++ {
		u := d.colUser[k]
		if c := d.colCost[k]; c < g.cur[u] {
			sum += d.w[u] * (g.cur[u] - c)
		}
	}
	return sum
}

func (g *fiGreedy) openSite(f int32) {
	d := g.d
	g.open[f] = true
	g.spent += d.fixedCost(f)
	for k := d.colStart[f]; k < d.colStart[f+1]; k++ {
		u := d.colUser[k]
		g.cur[u] = min(g.cur[u], d.colCost[k])
	}
}

func (g *fiGreedy) reset() {
	d := g.d
	for u := range g.cur {
		g.cur[u] = d.penalty
	}
	clear(g.open)
	g.spent = 0
	for _, f := range d.existing {
		g.openSite(f)
	}
	g.spent = 0
}

func (g *fiGreedy) fits(f int32) bool {
	return g.d.budget <= 0 || g.spent+g.d.fixedCost(f) <= g.d.budget*(1+1e-12)
}

func fiScoredLess(a, b fiScored) bool {
	return a.gain > b.gain || (a.gain == b.gain && a.site < b.site)
}

// run returns up to p new sites.
func (g *fiGreedy) run(p int, rng *rand.Rand, sample int) []int32 {
	d := g.d
	g.reset()
	var out []int32
	if rng == nil {
		g.buf = g.buf[:0]
		for _, f := range d.cands {
			g.buf = append(g.buf, fiScored{g.savings(f), f})
		}
		slices.SortFunc(g.buf, func(a, b fiScored) int {
			if fiScoredLess(a, b) {
				return -1
			}
			if fiScoredLess(b, a) {
				return 1
			}
			return 0
		})
		// Sorted, hence already in heap order (Init keeps it as it is).
		g.heap.Init(g.buf)
		for len(out) < p && g.heap.Len() > 0 {
			top := g.heap.Top()
			if !g.fits(top.site) {
				g.heap.Pop()
				continue
			}
			fresh := g.savings(top.site)
			if next, ok := g.heap.Second(); fresh == top.gain || !ok || !fiScoredLess(next, fiScored{fresh, top.site}) {
				g.heap.Pop()
				g.openSite(top.site)
				out = append(out, top.site)
				continue
			}
			g.heap.ReplaceTop(fiScored{fresh, top.site})
		}
		return out
	}
	g.pool = append(g.pool[:0], d.cands...)
	for len(out) < p && len(g.pool) > 0 {
		best, bestAt := fiScored{gain: math.Inf(-1), site: -1}, -1
		for range min(sample, len(g.pool)) {
			x := rng.IntN(len(g.pool))
			f := g.pool[x]
			if !g.fits(f) {
				g.pool[x] = g.pool[len(g.pool)-1]
				g.pool = g.pool[:len(g.pool)-1]
				if len(g.pool) == 0 {
					break
				}
				continue
			}
			if c := (fiScored{g.savings(f), f}); fiScoredLess(c, best) {
				best, bestAt = c, x
			}
		}
		if bestAt < 0 {
			continue
		}
		g.openSite(best.site)
		out = append(out, best.site)
		at := slices.Index(g.pool, best.site)
		g.pool[at] = g.pool[len(g.pool)-1]
		g.pool = g.pool[:len(g.pool)-1]
	}
	return out
}

// sortSites sorts site indices ascending and returns them as ints.
func sortSites(s []int32) []int {
	out := make([]int, len(s))
	for i, j := range s {
		out[i] = int(j)
	}
	slices.Sort(out)
	return out
}
