package locate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// This file holds the machinery the covering problems (mclp, lscp) share: a
// reduced covering model, the incremental local-search state and the stopping
// rules. The Lagrangian bound is in cover_bound.go.

// coverTol is the relative tolerance of the coverage test cost <= radius, so
// that a point lying exactly on the radius stays covered despite rounding in
// the distance computation.
const coverTol = 1e-9

// coverModel is an instance reduced to what covering needs. Demand points
// covered by an existing site are counted once in base and dropped; points no
// site can cover are counted in lost and dropped; points whose sets of
// covering candidates are identical are merged into one group (their weights
// add up); candidate sites covering no group are dropped. Sites are numbered
// compactly 0..len(site)-1.
type coverModel struct {
	w        []float64 // weight of each group
	rowStart []int     // group g is covered by rowSite[rowStart[g]:rowStart[g+1]]
	rowSite  []int32   // compact site indices, ascending within a row
	colStart []int     // site j covers colDem[colStart[j]:colStart[j+1]]
	colDem   []int32   // group indices, ascending within a column
	site     []int     // compact site -> instance site index
	fixed    []float64 // fixed cost of each compact site
	nCand    int       // candidate sites in the instance, useful or not
	base     float64   // weight covered by existing sites
	lost     float64   // weight no open-able site covers
	total    float64   // total weight of the instance
	integral bool      // every group weight is an integer (bounds may be floored)
}

// coverRadius returns the radius that applies to demand d given the global
// radius r (a demand's own radius wins).
func coverRadius(d *Demand, r float64) float64 {
	if d.Radius > 0 {
		return d.Radius
	}
	return r
}

// effectiveRadius is params.Radius when set, else in.Radius.
func effectiveRadius(in *Instance, params Params) float64 {
	if params.Radius > 0 {
		return params.Radius
	}
	return in.Radius
}

// covers reports whether an arc of cost c lies within radius r.
func covers(c, r float64) bool { return c <= r*(1+coverTol) }

// newCoverModel reduces in for covering with global radius r. It fails when a
// demand point with positive weight has no radius, or on a negative or NaN
// radius.
func newCoverModel(in *Instance, r float64) (*coverModel, error) {
	if math.IsNaN(r) || r < 0 {
		return nil, fmt.Errorf("covering radius %v must be a non-negative number", r)
	}
	m := &coverModel{integral: true}
	for _, s := range in.Sites {
		if s.Status == Candidate {
			m.nCand++
		}
	}
	// Pass 1: each demand's candidate coverers (instance indices), merged
	// into groups.
	comp := make([]int32, len(in.Sites)) // instance site -> compact index + 1 (0: unused)
	gr := coverGroups{head: map[uint64]int32{}}
	var row []int32
	for i := range in.Demand {
		d := &in.Demand[i]
		if math.IsNaN(d.Radius) || d.Radius < 0 {
			return nil, fmt.Errorf("demand %q: radius %v must be a non-negative number", d.ID, d.Radius)
		}
		m.total += d.Weight
		if d.Weight == 0 {
			continue
		}
		ri := coverRadius(d, r)
		if ri <= 0 {
			return nil, fmt.Errorf("demand %q has no covering radius: give the instance a radius (--radius) or the demand its own", d.ID)
		}
		var existing bool
		row, existing = coverers(in, i, ri, row[:0])
		switch {
		case existing:
			m.base += d.Weight
			continue
		case len(row) == 0:
			m.lost += d.Weight
			continue
		}
		h := hashRow(row)
		if g, found := gr.find(h, row); found {
			m.w[g] += d.Weight
			continue
		}
		gr.add(h, row)
		m.w = append(m.w, d.Weight)
		for _, s := range row {
			comp[s] = 1
		}
	}
	m.compactSites(in, comp)
	m.setRows(&gr, comp)
	m.setColumns()
	m.setIntegral()
	return m, nil
}

// coverers appends to row the candidate sites within radius ri of demand
// i, sorted and without repeats; existing reports whether an existing site
// is within ri (row is then incomplete).
func coverers(in *Instance, i int, ri float64, row []int32) (_ []int32, existing bool) {
	sites, costs := in.Costs.Row(i)
	for k, s := range sites {
		if !covers(costs[k], ri) {
			continue
		}
		switch in.Sites[s].Status {
		case Existing:
			existing = true
		case Candidate:
			row = append(row, s)
		}
	}
	if existing {
		return row, true
	}
	slices.Sort(row)
	return slices.Compact(row), false
}

// coverGroups are the distinct rows (sets of covering candidates) seen so
// far, found again by hash.
type coverGroups struct {
	raw   []int32          // concatenated rows of distinct groups (instance indices)
	spans []coverSpan      // group g's row is raw[spans[g].start:spans[g].end]
	next  []int32          // hash chain of groups (-1: end)
	head  map[uint64]int32 // row hash -> last group with it
}

// coverSpan is where a group's row lies in coverGroups.raw.
type coverSpan struct{ start, end int }

// find returns the group whose row equals row (of hash h), if any.
func (gr *coverGroups) find(h uint64, row []int32) (int32, bool) {
	g, ok := gr.head[h]
	if !ok {
		return 0, false
	}
	for g >= 0 && !slices.Equal(gr.raw[gr.spans[g].start:gr.spans[g].end], row) {
		g = gr.next[g]
	}
	return g, g >= 0
}

// add records row (of hash h) as a new group.
func (gr *coverGroups) add(h uint64, row []int32) {
	g := int32(len(gr.spans))
	if prev, ok := gr.head[h]; ok {
		gr.next = append(gr.next, prev)
	} else {
		gr.next = append(gr.next, -1)
	}
	gr.head[h] = g
	gr.spans = append(gr.spans, coverSpan{len(gr.raw), len(gr.raw) + len(row)})
	gr.raw = append(gr.raw, row...)
}

// compactSites numbers the used sites (comp[j] != 0) compactly in ascending
// instance order, leaving comp[j] = compact index + 1.
func (m *coverModel) compactSites(in *Instance, comp []int32) {
	for j, used := range comp {
		if used != 0 {
			comp[j] = int32(len(m.site)) + 1
			m.site = append(m.site, j)
			m.fixed = append(m.fixed, in.Sites[j].FixedCost)
		}
	}
}

// setRows stores the groups' rows in compact site numbers.
func (m *coverModel) setRows(gr *coverGroups, comp []int32) {
	m.rowStart = make([]int, len(gr.spans)+1)
	m.rowSite = make([]int32, len(gr.raw))
	for g, sp := range gr.spans {
		m.rowStart[g] = sp.start
		for k := sp.start; k < sp.end; k++ {
			m.rowSite[k] = comp[gr.raw[k]] - 1
		}
	}
	m.rowStart[len(gr.spans)] = len(gr.raw)
}

// setColumns transposes the rows into columns.
func (m *coverModel) setColumns() {
	ns := len(m.site)
	m.colStart = make([]int, ns+1)
	for _, s := range m.rowSite {
		m.colStart[s+1]++
	}
	for j := 0; j < ns; j++ {
		m.colStart[j+1] += m.colStart[j]
	}
	m.colDem = make([]int32, len(m.rowSite))
	fill := slices.Clone(m.colStart[:ns])
	for g := range m.w {
		for _, s := range m.row(g) {
			m.colDem[fill[s]] = int32(g)
			fill[s]++
		}
	}
}

// setIntegral sets m.integral: every group weight is an integer and their
// sum is exact in a float64.
func (m *coverModel) setIntegral() {
	var sum float64
	for _, w := range m.w {
		if w != math.Trunc(w) {
			m.integral = false
		}
		sum += w
	}
	if sum+m.base > 1<<52 {
		m.integral = false
	}
}

// hashRow is FNV-1a over a row's site indices.
func hashRow(row []int32) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range row {
		h ^= uint64(uint32(s))
		h *= 1099511628211
	}
	return h
}

func (m *coverModel) row(g int) []int32 { return m.rowSite[m.rowStart[g]:m.rowStart[g+1]] }
func (m *coverModel) col(j int32) []int32 {
	return m.colDem[m.colStart[j]:m.colStart[j+1]]
}

// coverable is the group weight all candidates together cover.
func (m *coverModel) coverable() float64 {
	var s float64
	for _, w := range m.w {
		s += w
	}
	return s
}

// eps is the smallest change in covered weight treated as real.
func (m *coverModel) eps() float64 {
	if m.integral {
		return 0.5
	}
	return 1e-9 * math.Max(1, m.total)
}

// tol is the tolerance of the test "covered >= target".
func (m *coverModel) tol() float64 { return 1e-9 * math.Max(1, m.total) }

// floorBound rounds an upper bound on covered group weight down to what
// integral weights allow.
func (m *coverModel) floorBound(ub float64) float64 {
	if m.integral {
		return math.Floor(ub + 1e-6)
	}
	return ub
}

// coverState is a set of open sites with the bookkeeping that makes the
// value of every add and swap move cheap to read (Whitaker's fast
// interchange in the Resende–Werneck form, for covering):
//
//	gain[a]          weight of uncovered groups site a covers
//	loss[r]          weight of groups only the site in slot r covers
//	extra[r][a]      weight of groups only slot r covers that site a covers too
//
// so that swapping slot r for site a changes the covered weight by
// gain[a] - loss[r] + extra[r][a]. A move updates these only for the groups
// the two sites cover.
type coverState struct {
	m       *coverModel
	p       int     // most new sites open at once
	budget  float64 // cap on summed fixed cost (<= 0: none)
	open    []bool
	slotOf  []int32 // site -> slot, -1 when closed
	slots   []int32 // slot -> site
	cnt     []int32 // open sites covering each group
	xr      []int32 // xor of the open sites covering each group
	gain    []float64
	loss    []float64
	extra   []float64 // p x len(site), row-major by slot; nil when too large
	covered float64   // group weight covered
	spent   float64   // summed fixed cost of open sites
	mark    []uint32  // per group: epoch of the last move that touched it
	epoch   uint32
	aff     []int32
	tmp     []float64 // per slot scratch (moves without extra)
	tmpUsed []int32
	trace   []float64 // covered weight after each greedy addition since reset
}

// maxExtra caps the entries of the dense extra matrix (8 bytes each).
const maxExtra = 1 << 24

// newCoverState returns a state with no site open, for at most p new sites
// within budget (<= 0: none). swaps says whether swap moves will be
// evaluated: only then is the extra matrix kept.
func newCoverState(m *coverModel, p int, budget float64, swaps bool) *coverState {
	ns, ng := len(m.site), len(m.w)
	if p > ns {
		p = ns
	}
	s := &coverState{
		m: m, p: p, budget: budget,
		open:   make([]bool, ns),
		slotOf: make([]int32, ns),
		slots:  make([]int32, 0, p),
		cnt:    make([]int32, ng),
		xr:     make([]int32, ng),
		gain:   make([]float64, ns),
		loss:   make([]float64, p),
		mark:   make([]uint32, ng),
		tmp:    make([]float64, p),
	}
	if swaps && p*ns <= maxExtra {
		s.extra = make([]float64, p*ns)
	}
	for j := range s.slotOf {
		s.slotOf[j] = -1
	}
	s.reset(nil)
	return s
}

// reset recomputes the whole state from scratch with the given sites open.
func (s *coverState) reset(open []int32) {
	clear(s.open)
	for j := range s.slotOf {
		s.slotOf[j] = -1
	}
	s.slots = s.slots[:0]
	clear(s.cnt)
	clear(s.xr)
	clear(s.gain)
	clear(s.loss)
	clear(s.extra)
	s.covered, s.spent = 0, 0
	s.trace = s.trace[:0]
	for _, j := range open {
		s.slotOf[j] = int32(len(s.slots))
		s.slots = append(s.slots, j)
		s.open[j] = true
		s.spent += s.m.fixed[j]
		for _, g := range s.m.col(j) {
			s.cnt[g]++
			s.xr[g] ^= j
		}
	}
	for g := range s.cnt {
		s.contrib(int32(g), 1)
	}
}

// contrib adds (sign 1) or removes (sign -1) group g's share of the
// bookkeeping for its current coverage count.
func (s *coverState) contrib(g int32, sign float64) {
	w := sign * s.m.w[g]
	row := s.m.row(int(g))
	switch s.cnt[g] {
	case 0:
		for _, k := range row {
			s.gain[k] += w
		}
	case 1:
		u := s.xr[g]
		sl := s.slotOf[u]
		s.loss[sl] += w
		s.covered += w
		if s.extra != nil {
			ext := s.extra[int(sl)*len(s.m.site):][:len(s.m.site)]
			for _, k := range row {
				if k != u {
					ext[k] += w
				}
			}
		}
	default:
		s.covered += w
	}
}

// move closes site out (-1: none) and opens site in (-1: none), updating the
// bookkeeping for the groups either covers.
func (s *coverState) move(out, in int32) {
	s.epoch++
	if s.epoch == 0 {
		clear(s.mark)
		s.epoch = 1
	}
	s.aff = s.aff[:0]
	for _, j := range [2]int32{out, in} {
		if j < 0 {
			continue
		}
		for _, g := range s.m.col(j) {
			if s.mark[g] != s.epoch {
				s.mark[g] = s.epoch
				s.aff = append(s.aff, g)
			}
		}
	}
	for _, g := range s.aff {
		s.contrib(g, -1)
	}
	ns := len(s.m.site)
	slot := int32(-1)
	if out >= 0 {
		slot = s.slotOf[out]
		s.open[out] = false
		s.slotOf[out] = -1
		s.spent -= s.m.fixed[out]
		for _, g := range s.m.col(out) {
			s.cnt[g]--
			s.xr[g] ^= out
		}
		// Only groups out covered alone fed its slot; all were removed above,
		// so the slot is reset exactly (no rounding residue).
		s.loss[slot] = 0
		if s.extra != nil {
			clear(s.extra[int(slot)*ns:][:ns])
		}
	}
	switch {
	case in >= 0 && slot < 0:
		slot = int32(len(s.slots))
		s.slots = append(s.slots, in)
	case in >= 0:
		s.slots[slot] = in
	case slot >= 0:
		// Pure drop: move the last slot into the freed one.
		last := int32(len(s.slots) - 1)
		if slot != last {
			j := s.slots[last]
			s.slots[slot] = j
			s.slotOf[j] = slot
			s.loss[slot] = s.loss[last]
			if s.extra != nil {
				copy(s.extra[int(slot)*ns:][:ns], s.extra[int(last)*ns:][:ns])
			}
		}
		s.loss[last] = 0
		if s.extra != nil {
			clear(s.extra[int(last)*ns:][:ns])
		}
		s.slots = s.slots[:last]
	}
	if in >= 0 {
		s.open[in] = true
		s.slotOf[in] = slot
		s.spent += s.m.fixed[in]
		for _, g := range s.m.col(in) {
			s.cnt[g]++
			s.xr[g] ^= in
		}
	}
	for _, g := range s.aff {
		s.contrib(g, 1)
	}
}

// affordable reports whether opening a site of cost c after closing one of
// cost freed keeps within the budget.
func (s *coverState) affordable(c, freed float64) bool {
	return s.budget <= 0 || s.spent-freed+c <= s.budget*(1+1e-12)
}

// coverMove is a candidate move: close out (-1: none), open in (-1: none).
type coverMove struct {
	out, in int32
	delta   float64 // change in covered weight
	cost    float64 // change in fixed cost
}

// better orders moves: larger delta first, then lower cost change.
func (a coverMove) better(b coverMove, eps float64) bool {
	if a.delta > b.delta+eps {
		return true
	}
	if a.delta < b.delta-eps {
		return false
	}
	return a.cost < b.cost-1e-9
}

// bestAdd returns the affordable closed site with the largest gain (ties:
// lower fixed cost, then lower index); ok is false when none exists or no
// slot is free.
func (s *coverState) bestAdd() (coverMove, bool) {
	best := coverMove{out: -1, in: -1}
	if len(s.slots) >= s.p {
		return best, false
	}
	eps := s.m.eps()
	for a, g := range s.gain {
		if s.open[a] || !s.affordable(s.m.fixed[a], 0) {
			continue
		}
		mv := coverMove{out: -1, in: int32(a), delta: g, cost: s.m.fixed[a]}
		if best.in < 0 || mv.better(best, eps) {
			best = mv
		}
	}
	return best, best.in >= 0
}

// bestSwap returns the best affordable swap of an open site for a closed one.
func (s *coverState) bestSwap() (coverMove, bool) {
	best := coverMove{out: -1, in: -1, delta: math.Inf(-1)}
	ns := len(s.m.site)
	eps := s.m.eps()
	if s.extra == nil {
		return s.bestSwapSparse()
	}
	for sl, r := range s.slots {
		ext := s.extra[sl*ns:][:ns]
		lr := s.loss[sl]
		fr := s.m.fixed[r]
		for a := range ns {
			if s.open[a] {
				continue
			}
			d := s.gain[a] - lr + ext[a]
			if d < best.delta-eps {
				continue
			}
			if !s.affordable(s.m.fixed[a], fr) {
				continue
			}
			mv := coverMove{out: r, in: int32(a), delta: d, cost: s.m.fixed[a] - fr}
			if mv.better(best, eps) {
				best = mv
			}
		}
	}
	return best, best.in >= 0
}

// bestSwapSparse is bestSwap without the extra matrix: for each closed site
// it gathers the extra weights per slot from the groups it covers.
func (s *coverState) bestSwapSparse() (coverMove, bool) {
	best := coverMove{out: -1, in: -1, delta: math.Inf(-1)}
	eps := s.m.eps()
	for a := range s.gain {
		if s.open[a] {
			continue
		}
		for _, g := range s.m.col(int32(a)) {
			if s.cnt[g] == 1 {
				sl := s.slotOf[s.xr[g]]
				if s.tmp[sl] == 0 {
					s.tmpUsed = append(s.tmpUsed, sl)
				}
				s.tmp[sl] += s.m.w[g]
			}
		}
		for sl, r := range s.slots {
			d := s.gain[a] - s.loss[sl] + s.tmp[sl]
			if d < best.delta-eps || !s.affordable(s.m.fixed[a], s.m.fixed[r]) {
				continue
			}
			mv := coverMove{out: r, in: int32(a), delta: d, cost: s.m.fixed[a] - s.m.fixed[r]}
			if mv.better(best, eps) {
				best = mv
			}
		}
		for _, sl := range s.tmpUsed {
			s.tmp[sl] = 0
		}
		s.tmpUsed = s.tmpUsed[:0]
	}
	return best, best.in >= 0
}

// localSearch applies improving add and swap moves until none improves the
// covered weight by more than eps or target (> 0) is reached. It returns the
// number of moves made.
func (s *coverState) localSearch(stop *coverStop, target float64) int {
	moves := 0
	eps := s.m.eps()
	for !stop.done() {
		if target > 0 && s.covered >= target-s.m.tol() {
			break
		}
		mv, ok := s.bestAdd()
		if !ok || mv.delta <= eps {
			sw, ok := s.bestSwap()
			if !ok || sw.delta <= eps {
				break
			}
			mv = sw
		}
		s.move(mv.out, mv.in)
		moves++
	}
	return moves
}

// greedy opens sites one at a time, each the one adding the most covered
// weight, until p are open, nothing more can be covered, or target (> 0) is
// reached. With alpha > 0 and pick (a source of random indices in [0, n))
// it picks at random among the sites whose gain is within the share alpha
// of the best (randomised greedy, for multi-start).
func (s *coverState) greedy(target float64, alpha float64, pick func(n int) int) {
	eps := s.m.eps()
	var rcl []int32
	for len(s.slots) < s.p {
		if target > 0 && s.covered >= target-s.m.tol() {
			return
		}
		best, ok := s.bestAdd()
		if !ok || best.delta <= eps {
			return
		}
		if alpha > 0 && pick != nil {
			rcl = rcl[:0]
			thr := best.delta * (1 - alpha)
			for a, g := range s.gain {
				if !s.open[a] && g >= thr && g > eps && s.affordable(s.m.fixed[a], 0) {
					rcl = append(rcl, int32(a))
				}
			}
			if len(rcl) > 0 {
				best.in = rcl[pick(len(rcl))]
			}
		}
		s.move(-1, best.in)
		s.trace = append(s.trace, s.covered)
	}
}

// openSites returns the open compact sites, ascending.
func (s *coverState) openSites() []int32 {
	out := slices.Clone(s.slots)
	slices.Sort(out)
	return out
}

// coverStop tells long loops to stop: context cancelled or deadline passed.
type coverStop struct {
	ctx      context.Context
	deadline time.Time
	stopped  bool
}

func newCoverStop(ctx context.Context, limit time.Duration) *coverStop {
	return &coverStop{ctx: ctx, deadline: time.Now().Add(limit)}
}

func (c *coverStop) done() bool {
	if c.stopped {
		return true
	}
	if c.ctx.Err() != nil || time.Now().After(c.deadline) {
		c.stopped = true
	}
	return c.stopped
}

// coverResult turns an open set of compact sites into a Result: the opened
// instance sites, each demand's nearest open covering site and the covered
// weight, recomputed exactly from the instance.
func coverResult(in *Instance, m *coverModel, r float64, open []int32, problem Problem) *Result {
	isOpen := make([]bool, len(in.Sites))
	res := &Result{Problem: problem, Assign: make([]int32, len(in.Demand))}
	for _, j := range open {
		isOpen[m.site[j]] = true
		res.Sites = append(res.Sites, m.site[j])
	}
	slices.Sort(res.Sites)
	for j, s := range in.Sites {
		if s.Status == Existing {
			isOpen[j] = true
		}
	}
	for i := range in.Demand {
		d := &in.Demand[i]
		ri := coverRadius(d, r)
		res.Assign[i] = -1
		sites, costs := in.Costs.Row(i)
		bestCost := math.Inf(1)
		for k, s := range sites {
			if isOpen[s] && covers(costs[k], ri) && costs[k] < bestCost {
				bestCost = costs[k]
				res.Assign[i] = s
			}
		}
		if res.Assign[i] >= 0 {
			res.Covered += d.Weight
		}
	}
	return res
}

// visitSwaps calls visit for every swap of an open site r (in slot sl) for a
// closed site a, with the change in covered weight.
func (s *coverState) visitSwaps(visit func(sl int, r, a int32, delta float64)) {
	ns := len(s.m.site)
	for a := range ns {
		if s.open[a] {
			continue
		}
		if s.extra == nil {
			for _, g := range s.m.col(int32(a)) {
				if s.cnt[g] == 1 {
					sl := s.slotOf[s.xr[g]]
					if s.tmp[sl] == 0 {
						s.tmpUsed = append(s.tmpUsed, sl)
					}
					s.tmp[sl] += s.m.w[g]
				}
			}
		}
		for sl, r := range s.slots {
			var ext float64
			if s.extra != nil {
				ext = s.extra[sl*ns+a]
			} else {
				ext = s.tmp[sl]
			}
			visit(sl, r, int32(a), s.gain[a]-s.loss[sl]+ext)
		}
		for _, sl := range s.tmpUsed {
			s.tmp[sl] = 0
		}
		s.tmpUsed = s.tmpUsed[:0]
	}
}

// prune closes open sites that are not needed to keep the covered weight at
// least target, most expensive first (ties: the one covering least alone).
func (s *coverState) prune(target float64) {
	for {
		best := int32(-1)
		for sl, r := range s.slots {
			if s.covered-s.loss[sl] < target-s.m.tol() {
				continue
			}
			if best < 0 || s.m.fixed[r] > s.m.fixed[best] ||
				(s.m.fixed[r] == s.m.fixed[best] && s.loss[sl] < s.loss[s.slotOf[best]]) {
				best = r
			}
		}
		if best < 0 {
			return
		}
		s.move(best, -1)
	}
}

// cheapen swaps open sites for cheaper closed ones while the covered weight
// stays at least target, taking the largest saving each time (ties: more
// coverage). It returns the number of swaps made.
func (s *coverState) cheapen(target float64, stop *coverStop) int {
	moves := 0
	for !stop.done() {
		best := coverMove{out: -1, in: -1}
		s.visitSwaps(func(_ int, r, a int32, d float64) {
			c := s.m.fixed[a] - s.m.fixed[r]
			if c >= -1e-9*math.Max(1, s.m.fixed[r]) || s.covered+d < target-s.m.tol() {
				return
			}
			if best.in < 0 || c < best.cost || (c == best.cost && d > best.delta) {
				best = coverMove{out: r, in: a, delta: d, cost: c}
			}
		})
		if best.in < 0 {
			break
		}
		s.move(best.out, best.in)
		moves++
	}
	return moves
}
