package locate

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
)

// Metric names how costs are computed from coordinates.
type Metric string

// Metrics.
const (
	Euclidean Metric = "euclidean" // straight line in coordinate units
	Haversine Metric = "haversine" // great circle in km; X = lon, Y = lat
	Given     Metric = "given"     // costs supplied explicitly
)

// earthRadiusKm is the mean Earth radius (IUGG) used by Haversine.
const earthRadiusKm = 6371.0088

// Distance returns the distance between (x1,y1) and (x2,y2) under m.
func (m Metric) Distance(x1, y1, x2, y2 float64) float64 {
	if m == Haversine {
		la1, la2 := y1*math.Pi/180, y2*math.Pi/180
		dla, dlo := la2-la1, (x2-x1)*math.Pi/180
		h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
		return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
	}
	return math.Hypot(x2-x1, y2-y1)
}

// BuildCosts fills in.Costs from coordinates under metric m, keeping for each
// demand the sites within cutoff (cutoff <= 0: no cutoff) and, when k > 0, at
// most the k nearest of those. Forbidden sites are left out. Each row is
// sorted by ascending cost, ties broken by ascending site index, and every
// cost is exactly m.Distance(demand.X, demand.Y, site.X, site.Y). When k cuts
// the rows and there is no cutoff, Costs.Implicit is set to m: the missing
// pairs are far, not unreachable.
//
// The sites are put in a k-d tree (in coordinate units, or in degrees with a
// latitude-aware bound for Haversine), so a k-nearest or cutoff query visits
// only nearby sites; demand rows are computed in parallel and written into
// one compressed-row matrix.
func BuildCosts(in *Instance, m Metric, cutoff float64, k int) error {
	ids, err := costSites(in, m, cutoff)
	if err != nil {
		return err
	}
	if cutoff <= 0 || math.IsInf(cutoff, 1) {
		cutoff = math.Inf(1)
	}
	if k <= 0 || k > len(ids) {
		k = len(ids)
	}
	tree := newKDTree(in.Sites, ids, m)
	if math.IsInf(cutoff, 1) {
		in.Costs = nearestRows(in.Demand, tree, k)
		if k < len(ids) {
			in.Costs.Implicit = m
		}
		return nil
	}
	in.Costs = cutoffRows(in.Demand, tree, k, cutoff)
	return nil
}

// costSites checks BuildCosts' arguments and every point's coordinates, and
// returns the indices of the sites that get costs (all but the forbidden).
func costSites(in *Instance, m Metric, cutoff float64) ([]int32, error) {
	if m != Euclidean && m != Haversine {
		return nil, fmt.Errorf("cannot build costs for metric %q", m)
	}
	if math.IsNaN(cutoff) {
		return nil, fmt.Errorf("cost cutoff is NaN")
	}
	for i, d := range in.Demand {
		if err := checkPoint(m, d.X, d.Y); err != nil {
			return nil, fmt.Errorf("demand %d (%q): %w", i, d.ID, err)
		}
	}
	if len(in.Sites) > math.MaxInt32 {
		return nil, fmt.Errorf("too many sites (%d)", len(in.Sites))
	}
	var ids []int32
	for j, s := range in.Sites {
		if s.Status == Forbidden {
			continue
		}
		if err := checkPoint(m, s.X, s.Y); err != nil {
			return nil, fmt.Errorf("site %d (%q): %w", j, s.ID, err)
		}
		ids = append(ids, int32(j))
	}
	return ids, nil
}

// nearestRows returns the cost rows of the k nearest sites of every demand
// point: every row has exactly k arcs, so they are written in place.
func nearestRows(demand []Demand, tree *kdTree, k int) Costs {
	n := len(demand)
	c := Costs{Start: make([]int, n+1), Site: make([]int32, n*k), Cost: make([]float64, n*k)}
	for i := range c.Start {
		c.Start[i] = i * k
	}
	cutoff := math.Inf(1)
	parallelChunks(n, func(lo, hi int) {
		var q kdQuery
		for i := lo; i < hi; i++ {
			d := &demand[i]
			q.nearest(tree, d.X, d.Y, k, cutoff)
			a := i * k
			for r, h := range q.heap {
				c.Site[a+r], c.Cost[a+r] = h.site, h.dist
			}
		}
	})
	return c
}

// costChunk holds the rows of a range of demand points starting at lo, as
// computed by one call of cutoffRows' worker.
type costChunk struct {
	lo   int
	lens []int32
	site []int32
	cost []float64
}

// cutoffRows returns the cost rows of the sites within cutoff of every
// demand point, at most the k nearest of them. Row lengths are not known in
// advance: each chunk collects its rows, then the chunks are copied into one
// matrix in demand order.
func cutoffRows(demand []Demand, tree *kdTree, k int, cutoff float64) Costs {
	n := len(demand)
	var mu sync.Mutex
	var chunks []costChunk
	parallelChunks(n, func(lo, hi int) {
		var q kdQuery
		ch := costChunk{lo: lo, lens: make([]int32, 0, hi-lo)}
		for i := lo; i < hi; i++ {
			d := &demand[i]
			q.nearest(tree, d.X, d.Y, k, cutoff)
			ch.lens = append(ch.lens, int32(len(q.heap)))
			for _, h := range q.heap {
				ch.site = append(ch.site, h.site)
				ch.cost = append(ch.cost, h.dist)
			}
		}
		mu.Lock()
		chunks = append(chunks, ch)
		mu.Unlock()
	})
	slices.SortFunc(chunks, func(a, b costChunk) int { return a.lo - b.lo })
	total := 0
	for _, ch := range chunks {
		total += len(ch.site)
	}
	c := Costs{Start: make([]int, 1, n+1), Site: make([]int32, 0, total), Cost: make([]float64, 0, total)}
	for x := range chunks {
		ch := &chunks[x]
		for _, l := range ch.lens {
			c.Start = append(c.Start, c.Start[len(c.Start)-1]+int(l))
		}
		c.Site = append(c.Site, ch.site...)
		c.Cost = append(c.Cost, ch.cost...)
		*ch = costChunk{}
	}
	return c
}

// checkPoint rejects coordinates the spatial index cannot bound: infinite or
// NaN ones, and latitudes outside [-90, 90] under Haversine.
func checkPoint(m Metric, x, y float64) error {
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return fmt.Errorf("coordinates (%v, %v) must be finite", x, y)
	}
	if m == Haversine && (y < -90 || y > 90) {
		return fmt.Errorf("latitude %v out of range [-90, 90] (x is longitude, y latitude)", y)
	}
	return nil
}

// parallelChunks calls f on consecutive ranges [lo, hi) covering [0, n),
// spread over GOMAXPROCS goroutines. f must only write data owned by its
// range, so the outcome does not depend on scheduling.
func parallelChunks(n int, f func(lo, hi int)) {
	const size = 2048
	workers := min(runtime.GOMAXPROCS(0), (n+size-1)/size)
	if workers <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	next := make(chan int, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				f(lo, min(lo+size, n))
			}
		}()
	}
	for lo := 0; lo < n; lo += size {
		next <- lo
	}
	close(next)
	wg.Wait()
}

// kdLeafSize is the most points a k-d tree leaf holds.
const kdLeafSize = 12

// kdTree is a static 2-d tree over site coordinates. Points are stored in
// tree order; every node knows the bounding box of its points, from which a
// lower bound on the distance to any of them is derived.
type kdTree struct {
	metric Metric
	x, y   []float64 // coordinates in tree order
	cosY   []float64 // Haversine: cosine of each point's latitude
	site   []int32   // site index of each point
	nodes  []kdNode  // nodes[0] is the root
}

type kdNode struct {
	minX, minY, maxX, maxY float64
	cosMin                 float64 // Haversine: least cosine of the box's latitudes
	lo, hi                 int32   // points [lo, hi)
	left, right            int32   // children, -1 for a leaf
}

func newKDTree(sites []Site, ids []int32, m Metric) *kdTree {
	t := &kdTree{
		metric: m,
		x:      make([]float64, len(ids)),
		y:      make([]float64, len(ids)),
		site:   slices.Clone(ids),
	}
	for i, j := range ids {
		t.x[i], t.y[i] = sites[j].X, sites[j].Y
	}
	if len(ids) > 0 {
		t.nodes = make([]kdNode, 0, 2*len(ids)/kdLeafSize+2)
		t.build(0, len(ids))
	}
	if m == Haversine {
		t.cosY = make([]float64, len(ids))
		for i, lat := range t.y {
			t.cosY[i] = math.Cos(lat * math.Pi / 180)
		}
	}
	return t
}

// build makes the node for points [lo, hi) and returns its index.
func (t *kdTree) build(lo, hi int) int32 {
	nd := kdNode{lo: int32(lo), hi: int32(hi), left: -1, right: -1,
		minX: math.Inf(1), minY: math.Inf(1), maxX: math.Inf(-1), maxY: math.Inf(-1)}
	for i := lo; i < hi; i++ {
		nd.minX, nd.maxX = min(nd.minX, t.x[i]), max(nd.maxX, t.x[i])
		nd.minY, nd.maxY = min(nd.minY, t.y[i]), max(nd.maxY, t.y[i])
	}
	if t.metric == Haversine {
		maxLat := math.Min(90, math.Max(math.Abs(nd.minY), math.Abs(nd.maxY)))
		nd.cosMin = math.Max(0, math.Cos(maxLat*math.Pi/180))
	}
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, nd)
	if hi-lo <= kdLeafSize {
		return id
	}
	spanX, spanY := nd.maxX-nd.minX, nd.maxY-nd.minY
	if t.metric == Haversine {
		spanX *= math.Cos(math.Min(math.Abs(nd.minY), math.Abs(nd.maxY)) * math.Pi / 180)
	}
	mid := (lo + hi) / 2
	t.selectNth(lo, hi, mid, spanX >= spanY)
	l := t.build(lo, mid)
	r := t.build(mid, hi)
	t.nodes[id].left, t.nodes[id].right = l, r
	return id
}

// selectNth reorders points [lo, hi) so that the one at nth has the rank it
// would have when sorted on x (byX) or y, smaller ones before it.
func (t *kdTree) selectNth(lo, hi, nth int, byX bool) {
	key := t.y
	if byX {
		key = t.x
	}
	for hi-lo > 1 {
		// Median of three pivot, then a Hoare-style partition.
		a, b, c := lo, (lo+hi)/2, hi-1
		if key[a] > key[b] {
			a, b = b, a
		}
		if key[b] > key[c] {
			b = c
			if key[a] > key[b] {
				b = a
			}
		}
		pivot := key[b]
		i, j := lo, hi-1
		for i <= j {
			for key[i] < pivot {
				i++
			}
			for key[j] > pivot {
				j--
			}
			if i <= j {
				t.swap(i, j)
				i++
				j--
			}
		}
		switch {
		case nth <= j:
			hi = j + 1
		case nth >= i:
			lo = i
		default:
			return
		}
	}
}

func (t *kdTree) swap(i, j int) {
	t.x[i], t.x[j] = t.x[j], t.x[i]
	t.y[i], t.y[j] = t.y[j], t.y[i]
	t.site[i], t.site[j] = t.site[j], t.site[i]
}

// lowerKey returns a lower bound on the key (see kdQuery.nearest) of any
// point in node nd's box as seen from (x, y); cosq is cos(y) for Haversine.
func (t *kdTree) lowerKey(nd *kdNode, x, y, cosq float64) float64 {
	dy := math.Max(0, math.Max(nd.minY-y, y-nd.maxY))
	if t.metric != Haversine {
		dx := math.Max(0, math.Max(nd.minX-x, x-nd.maxX))
		return dx*dx + dy*dy
	}
	// Degrees: x = lon, y = lat. Longitude gap with wrap-around.
	var dx float64
	if x < nd.minX || x > nd.maxX {
		east := math.Mod(nd.minX-x, 360)
		if east < 0 {
			east += 360
		}
		west := math.Mod(x-nd.maxX, 360)
		if west < 0 {
			west += 360
		}
		dx = math.Min(180, math.Min(east, west))
	}
	// hav(d) = hav(dlat) + cos(lat1) cos(lat2) hav(dlon), each term at its
	// smallest over the box (cosMin is the least cosine of its latitudes).
	sy := math.Sin(dy * math.Pi / 360)
	sx := math.Sin(dx * math.Pi / 360)
	return sy*sy + math.Max(0, cosq)*nd.cosMin*sx*sx
}

// key maps a distance to the key scale, rounded up so that comparisons
// against keys computed another way stay safe.
func (t *kdTree) key(d float64) float64 {
	if math.IsInf(d, 1) {
		return d
	}
	if t.metric == Haversine {
		sb := math.Sin(math.Min(d/(2*earthRadiusKm), math.Pi/2))
		return sb*sb*(1+1e-9) + 1e-30
	}
	return d*d*(1+1e-9) + 1e-30
}

// kdHit is one found site.
type kdHit struct {
	dist float64
	site int32
}

// worse orders hits: larger distance first, then larger site index.
func (a kdHit) worse(b kdHit) bool {
	return a.dist > b.dist || (a.dist == b.dist && a.site > b.site)
}

// kdQuery is a reusable k-nearest search; after nearest, heap holds the
// result sorted by (distance, site index).
type kdQuery struct {
	heap  []kdHit // the result
	cand  []kdCand
	stack []kdPending
}

// kdPending is a node waiting to be visited with its key lower bound.
type kdPending struct {
	lb   float64
	node int32
}

// kdCand is a point that passed the key screen.
type kdCand struct {
	key float64
	at  int32 // position in tree order
}

// nearest finds the k nearest sites to (x, y) within cutoff (inclusive).
//
// The search works on a key that grows with distance and is cheap to
// compute: the squared distance, or for Haversine the haversine term with
// cached cosines. Points within the current key bound are buffered; when
// the buffer holds 2k of them, the k-th smallest key (plus a safety margin
// for rounding) becomes the new bound and the rest are dropped. Only the
// survivors get their exact m.Distance and are sorted by (distance, site
// index), so rows equal a brute force scan's.
func (q *kdQuery) nearest(t *kdTree, x, y float64, k int, cutoff float64) {
	q.heap = q.heap[:0]
	q.cand = q.cand[:0]
	if len(t.nodes) == 0 || k <= 0 {
		return
	}
	hav := t.metric == Haversine
	cosq := 0.0
	if hav {
		cosq = math.Cos(y * math.Pi / 180)
	}
	const shrink = 1 - 1e-9 // node bounds are lowered by this much
	keyBound := t.key(cutoff)
	limit := 2 * k
	q.stack = append(q.stack[:0], kdPending{t.lowerKey(&t.nodes[0], x, y, cosq) * shrink, 0})
	for len(q.stack) > 0 {
		top := q.stack[len(q.stack)-1]
		q.stack = q.stack[:len(q.stack)-1]
		if top.lb > keyBound {
			continue
		}
		nd := &t.nodes[top.node]
		if nd.left >= 0 {
			// Visit the nearer child first: push it last.
			l := kdPending{t.lowerKey(&t.nodes[nd.left], x, y, cosq) * shrink, nd.left}
			r := kdPending{t.lowerKey(&t.nodes[nd.right], x, y, cosq) * shrink, nd.right}
			if l.lb < r.lb {
				l, r = r, l
			}
			if l.lb <= keyBound {
				q.stack = append(q.stack, l)
			}
			if r.lb <= keyBound {
				q.stack = append(q.stack, r)
			}
			continue
		}
		for i := nd.lo; i < nd.hi; i++ {
			var key float64
			if hav {
				sy := math.Sin((t.y[i] - y) * math.Pi / 360)
				sx := math.Sin((t.x[i] - x) * math.Pi / 360)
				key = sy*sy + cosq*t.cosY[i]*sx*sx
			} else {
				dx, dy := t.x[i]-x, t.y[i]-y
				key = dx*dx + dy*dy
			}
			if key > keyBound {
				continue
			}
			q.cand = append(q.cand, kdCand{key, i})
			if len(q.cand) >= limit {
				kth := selectKey(q.cand, k)
				// Keep everything whose exact distance may still tie
				// with or beat the k-th: a relative margin on the key.
				keyBound = math.Min(keyBound, kth*(1+4e-9)+1e-30)
				kept := q.cand[:0]
				for _, c := range q.cand {
					if c.key <= keyBound {
						kept = append(kept, c)
					}
				}
				q.cand = kept
				limit = max(2*k, 2*len(kept))
			}
		}
	}
	for _, c := range q.cand {
		d := t.metric.Distance(x, y, t.x[c.at], t.y[c.at])
		if d <= cutoff {
			q.heap = append(q.heap, kdHit{d, t.site[c.at]})
		}
	}
	sortHits(q.heap)
	if len(q.heap) > k {
		q.heap = q.heap[:k]
	}
}

// selectKey reorders c so that c[k-1] holds the k-th smallest key, and
// returns that key.
func selectKey(c []kdCand, k int) float64 {
	lo, hi := 0, len(c)-1
	for lo < hi {
		// Median of three, then Hoare partition.
		m := (lo + hi) / 2
		if c[m].key < c[lo].key {
			c[m], c[lo] = c[lo], c[m]
		}
		if c[hi].key < c[lo].key {
			c[hi], c[lo] = c[lo], c[hi]
		}
		if c[hi].key < c[m].key {
			c[hi], c[m] = c[m], c[hi]
		}
		pivot := c[m].key
		i, j := lo, hi
		for i <= j {
			for c[i].key < pivot {
				i++
			}
			for c[j].key > pivot {
				j--
			}
			if i <= j {
				c[i], c[j] = c[j], c[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return c[k-1].key
		}
	}
	return c[k-1].key
}

// sortHits sorts hits by (distance, site index): a quicksort with the
// comparison inlined, insertion sort for short ranges.
func sortHits(h []kdHit) {
	for len(h) > 12 {
		// Median of three to h[0], then partition around it.
		m, l := len(h)/2, len(h)-1
		if h[0].worse(h[m]) {
			h[0], h[m] = h[m], h[0]
		}
		if h[m].worse(h[l]) {
			h[m], h[l] = h[l], h[m]
		}
		if h[0].worse(h[m]) {
			h[0], h[m] = h[m], h[0]
		}
		h[0], h[m] = h[m], h[0] // pivot (the median) at h[0]
		pivot := h[0]
		i, j := 1, l
		for {
			for i <= j && pivot.worse(h[i]) {
				i++
			}
			for i <= j && h[j].worse(pivot) {
				j--
			}
			if i >= j {
				break
			}
			h[i], h[j] = h[j], h[i]
			i++
			j--
		}
		h[0], h[j] = h[j], h[0]
		// Recurse into the smaller side, loop on the larger.
		if j < len(h)-j {
			sortHits(h[:j])
			h = h[j+1:]
		} else {
			sortHits(h[j+1:])
			h = h[:j]
		}
	}
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j-1].worse(h[j]); j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}
