package locate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"time"
)

// ErrInfeasible reports a request that has no feasible solution, e.g. a
// capacitated problem whose demand cannot fit the sites that may be opened.
// Errors wrapping it say why.
var ErrInfeasible = errors.New("infeasible")

// cflpProblem is a single-source CFLP instance prepared for the solver:
// forbidden sites and their arcs are gone, duplicate arcs are merged and
// arcs are held both by customer and by site.
type cflpProblem struct {
	n, m   int
	q      []float64 // demand weights (capacity use)
	capa   []float64 // capacities; +Inf when uncapacitated
	limit  []float64 // capacities plus a rounding tolerance
	fixed  []float64 // cost of opening; 0 for existing sites
	status []Status
	cands  []int32 // candidate sites, ascending
	exist  []int32 // existing sites, ascending

	// Arcs by customer, ascending cost (ties by site).
	rStart []int
	rSite  []int32
	rCost  []float64
	// Arcs by site, ascending cost (ties by customer).
	cStart []int
	cCust  []int32
	cCost  []float64
	// dense is the n x m cost matrix (+Inf where no arc) when small enough;
	// otherwise bySite holds each customer's arcs sorted by site for lookups.
	dense     []float64
	bySite    []int32
	bySiteC   []float64
	totalQ    float64 // total weight
	maxCost   float64 // largest arc cost
	p         int     // number of new sites when > 0; free when 0
	budget    float64 // cap on the fixed costs of new sites when > 0
	uncapOpen bool    // some site that may be open has no capacity limit
}

// cflpDenseLimit is the largest n x m for which costs are also kept as a
// dense matrix (128 MiB) for constant-time lookups (it then replaces the
// site-sorted copy of the rows, which takes more).
const cflpDenseLimit = 1 << 24

// newCFLPProblem checks in and params and prepares the solver's view. It
// returns an error wrapping ErrInfeasible when infeasibility is evident
// (a customer no allowed site can hold, too little capacity, p or the
// budget out of reach).
func newCFLPProblem(in *Instance, params Params) (*cflpProblem, error) {
	n, m := len(in.Demand), len(in.Sites)
	pr := &cflpProblem{n: n, m: m, budget: params.Budget}
	switch {
	case params.P < 0:
		return nil, fmt.Errorf("cflp: p = %d must not be negative", params.P)
	case params.P > 0:
		pr.p = params.P
	case in.P > 0:
		pr.p = in.P
	}
	if params.Budget < 0 || math.IsNaN(params.Budget) {
		return nil, fmt.Errorf("cflp: budget %v must not be negative", params.Budget)
	}
	pr.q = make([]float64, n)
	for i, d := range in.Demand {
		pr.q[i] = d.Weight
		pr.totalQ += d.Weight
	}
	pr.capa = make([]float64, m)
	pr.limit = make([]float64, m)
	pr.fixed = make([]float64, m)
	pr.status = make([]Status, m)
	for j, s := range in.Sites {
		if !(s.Capacity >= 0) || math.IsInf(s.Capacity, 0) {
			return nil, fmt.Errorf("cflp: site %q: capacity %v must be finite and not negative", s.ID, s.Capacity)
		}
		if !(s.FixedCost >= 0) || s.FixedCost > maxCost {
			return nil, fmt.Errorf("cflp: site %q: fixed cost %v must be finite and not negative", s.ID, s.FixedCost)
		}
		pr.status[j] = s.Status
		pr.capa[j] = s.Capacity
		if s.Capacity == 0 {
			pr.capa[j] = math.Inf(1)
		}
		pr.limit[j] = pr.capa[j] + cflpCapTol(pr.capa[j])
		switch s.Status {
		case Candidate:
			pr.fixed[j] = s.FixedCost
			pr.cands = append(pr.cands, int32(j))
		case Existing:
			pr.exist = append(pr.exist, int32(j))
		}
		if s.Status != Forbidden && s.Capacity == 0 {
			pr.uncapOpen = true
		}
	}
	pr.buildArcs(in)
	if err := pr.precheck(in); err != nil {
		return nil, err
	}
	return pr, nil
}

// buildArcs copies the allowed arcs of in.Costs, keeping the cheapest of
// duplicates, and indexes them by customer and by site.
func (pr *cflpProblem) buildArcs(in *Instance) {
	n, m := pr.n, pr.m
	var row []cflpArc
	seen := make([]int32, m) // i+1 when site j is in row i already
	pr.rStart = make([]int, n+1)
	colCount := make([]int, m+1)
	pr.rSite = make([]int32, 0, len(in.Costs.Site))
	pr.rCost = make([]float64, 0, len(in.Costs.Site))
	for i := range n {
		row = pr.rowArcs(in, i, row[:0], seen)
		for _, a := range row {
			pr.rSite = append(pr.rSite, a.j)
			pr.rCost = append(pr.rCost, a.c)
			colCount[a.j+1]++
			if a.c > pr.maxCost {
				pr.maxCost = a.c
			}
		}
		pr.rStart[i+1] = len(pr.rSite)
	}
	pr.cStart = make([]int, m+1)
	for j := range m {
		pr.cStart[j+1] = pr.cStart[j] + colCount[j+1]
	}
	pr.cCust = make([]int32, len(pr.rSite))
	pr.cCost = make([]float64, len(pr.rSite))
	fill := make([]int, max(n, m))
	copy(fill, pr.cStart[:m])
	for i := range n {
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			j := pr.rSite[k]
			pr.cCust[fill[j]] = int32(i)
			pr.cCost[fill[j]] = pr.rCost[k]
			fill[j]++
		}
	}
	pr.sortColumns()
	if int64(n)*int64(m) <= cflpDenseLimit {
		pr.dense = make([]float64, n*m)
		for k := range pr.dense {
			pr.dense[k] = math.Inf(1)
		}
		for i := range n {
			for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
				pr.dense[i*m+int(pr.rSite[k])] = pr.rCost[k]
			}
		}
		return
	}
	// Rows by site index: the columns in site order deal each customer its
	// arcs already sorted.
	pr.bySite = make([]int32, len(pr.rSite))
	pr.bySiteC = make([]float64, len(pr.rCost))
	copy(fill, pr.rStart[:n])
	for j := range m {
		for k := pr.cStart[j]; k < pr.cStart[j+1]; k++ {
			i := pr.cCust[k]
			pr.bySite[fill[i]], pr.bySiteC[fill[i]] = int32(j), pr.cCost[k]
			fill[i]++
		}
	}
}

// sortColumns orders each site's column by cost, ties by customer (the
// columns list customers in ascending order, and the radix sort is
// stable). The columns are split in GOMAXPROCS fixed ranges sorted at
// once; each range writes only its own columns.
func (pr *cflpProblem) sortColumns() {
	forRanges(pr.m, runtime.GOMAXPROCS(0), func(_, lo, hi int) {
		var rs cflpRadix
		var row []cflpArc
		for j := lo; j < hi; j++ {
			a, b := pr.cStart[j], pr.cStart[j+1]
			row = row[:0]
			for k := a; k < b; k++ {
				row = append(row, cflpArc{pr.cCust[k], pr.cCost[k]})
			}
			if len(row) < 64 {
				slices.SortFunc(row, cflpArc.byCost)
			} else {
				row = rs.sort(row)
			}
			for k, x := range row {
				pr.cCust[a+k], pr.cCost[a+k] = x.j, x.c
			}
		}
	})
}

// cflpArc is an arc to a site (rows) or from a customer (columns).
type cflpArc struct {
	j int32
	c float64
}

// byCost orders arcs by cost, then index.
func (a cflpArc) byCost(b cflpArc) int {
	if a.c != b.c {
		return cmp.Compare(a.c, b.c)
	}
	return cmp.Compare(a.j, b.j)
}

// rowArcs returns demand i's arcs to sites that may open, cheapest first
// (ties by site), keeping the cheapest of duplicate pairs. The instance's
// rows are sorted so already; others are sorted here.
func (pr *cflpProblem) rowArcs(in *Instance, i int, row []cflpArc, seen []int32) []cflpArc {
	sites, costs := in.Costs.Row(i)
	sorted := true
	for k, j := range sites {
		if k > 0 && (costs[k] < costs[k-1] || costs[k] == costs[k-1] && j < sites[k-1]) {
			sorted = false
		}
		if pr.status[j] != Forbidden {
			row = append(row, cflpArc{j, costs[k]})
		}
	}
	if !sorted {
		slices.SortFunc(row, cflpArc.byCost)
	}
	w := 0
	for _, a := range row {
		if seen[a.j] == int32(i+1) {
			continue // duplicate pair: the cheapest came first
		}
		seen[a.j] = int32(i + 1)
		row[w] = a
		w++
	}
	return row[:w]
}

// appendCosts appends to cost the costs of the customers of pool at site
// c, in order; when one of them has no arc to c it appends nothing and
// returns false.
func (pr *cflpProblem) appendCosts(cost []float64, pool []int32, c int) ([]float64, bool) {
	n := len(cost)
	for _, i := range pool {
		d := pr.cost(int(i), c)
		if math.IsInf(d, 1) {
			return cost[:n], false
		}
		cost = append(cost, d)
	}
	return cost, true
}

// cost returns the cost of serving customer i from site j, +Inf without an arc.
func (pr *cflpProblem) cost(i, j int) float64 {
	if pr.dense != nil {
		return pr.dense[i*pr.m+j]
	}
	a, b := pr.rStart[i], pr.rStart[i+1]
	s := pr.bySite[a:b]
	k := sort.Search(len(s), func(k int) bool { return s[k] >= int32(j) })
	if k < len(s) && s[k] == int32(j) {
		return pr.bySiteC[a+k]
	}
	return math.Inf(1)
}

// precheck rejects requests whose infeasibility is evident.
func (pr *cflpProblem) precheck(in *Instance) error {
	if pr.p > len(pr.cands) {
		return fmt.Errorf("cflp: p = %d new sites but only %d candidate sites: %w", pr.p, len(pr.cands), ErrInfeasible)
	}
	for i := range pr.n {
		ok := false
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			j := pr.rSite[k]
			if pr.q[i] <= pr.capa[j] && (pr.p > 0 || pr.status[j] == Existing || pr.budget == 0 || pr.fixed[j] <= pr.budget) {
				ok = true
				break
			}
		}
		if !ok {
			if pr.rStart[i] == pr.rStart[i+1] {
				return fmt.Errorf("cflp: demand %q reaches no site that may be open: %w", in.Demand[i].ID, ErrInfeasible)
			}
			return fmt.Errorf("cflp: demand %q (weight %v) fits no reachable site: %w", in.Demand[i].ID, pr.q[i], ErrInfeasible)
		}
	}
	if pr.p > 0 && pr.budget > 0 {
		f := make([]float64, 0, len(pr.cands))
		for _, j := range pr.cands {
			f = append(f, pr.fixed[j])
		}
		sort.Float64s(f)
		sum := 0.0
		for _, v := range f[:pr.p] {
			sum += v
		}
		if sum > pr.budget {
			return fmt.Errorf("cflp: the %d cheapest candidate sites cost %v, over the budget %v: %w", pr.p, sum, pr.budget, ErrInfeasible)
		}
	}
	if pr.uncapOpen {
		return nil
	}
	avail := 0.0
	for _, j := range pr.exist {
		avail += pr.capa[j]
	}
	cs := make([]float64, 0, len(pr.cands))
	for _, j := range pr.cands {
		cs = append(cs, pr.capa[j])
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(cs)))
	if pr.p > 0 {
		cs = cs[:pr.p]
	}
	for _, c := range cs {
		avail += c
	}
	if avail < pr.totalQ {
		return fmt.Errorf("cflp: total demand %v exceeds the capacity %v of all sites that may be open: %w", pr.totalQ, avail, ErrInfeasible)
	}
	return nil
}

// cflpClock stops the search on context cancellation or at a deadline.
type cflpClock struct {
	ctx      context.Context
	deadline time.Time
	stopped  bool
	grace    bool // a copy extended for the first solution (see firstGrace)
}

// done reports whether the search must stop now.
func (c *cflpClock) done() bool {
	if c == nil {
		return false
	}
	if !c.stopped && (c.ctx.Err() != nil || !time.Now().Before(c.deadline)) {
		c.stopped = true
	}
	return c.stopped
}

// due reports, on every 64th call of a loop (i its iteration), whether the
// search must stop now; a nil clock never stops. Long loops call it so
// that the limit holds inside a phase, not only between phases.
func (c *cflpClock) due(i int) bool {
	return c != nil && i&63 == 63 && c.done()
}

// cflpRadix sorts arcs by cost, stably, by a least-significant-digit radix
// sort on the order-preserving bit patterns of the costs: much faster than a
// comparison sort on the long columns of complete instances. It keeps its
// buffers between calls.
type cflpRadix struct {
	keys, keys2 []uint64
	tmp         []cflpArc
}

// sort returns arcs sorted by cost, stably; the result may be arcs itself
// or the sorter's buffer (valid until the next call).
func (r *cflpRadix) sort(arcs []cflpArc) []cflpArc {
	n := len(arcs)
	if cap(r.keys) < n {
		r.keys, r.keys2, r.tmp = make([]uint64, n), make([]uint64, n), make([]cflpArc, n)
	}
	keys, keys2, tmp := r.keys[:n], r.keys2[:n], r.tmp[:n]
	for i, a := range arcs {
		b := math.Float64bits(a.c + 0) // -0 + 0 = +0: both zeros sort alike
		if b>>63 == 1 {
			b = ^b // negative: reverse the order
		} else {
			b |= 1 << 63
		}
		keys[i] = b
	}
	src, dst := arcs, tmp
	var count [257]int
	for shift := uint(0); shift < 64; shift += 8 {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&0xff+1]++
		}
		if count[(keys[0]>>shift)&0xff+1] == n {
			continue // every key shares this digit
		}
		for d := 1; d < 257; d++ {
			count[d] += count[d-1]
		}
		for i, k := range keys {
			d := (k >> shift) & 0xff
			dst[count[d]] = src[i]
			keys2[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
		keys, keys2 = keys2, keys
	}
	r.keys, r.keys2 = keys[:cap(keys)], keys2[:cap(keys2)]
	if &src[0] != &arcs[0] {
		copy(arcs, src)
	}
	return arcs
}
