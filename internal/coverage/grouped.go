package coverage

import (
	"cmp"
	"context"
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"sync"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/handling"
)

// GroupAbove is the number of producers above which Compute measures
// producers grouped: one demand of the handling network per set of
// producers that the assignment cannot tell apart, instead of one per
// producer. A province has a million producers and a few hundred million
// producer-facility pairs; grouped, the pairs are found a chunk of
// producers at a time and never held together, and the network has a
// demand per group.
var GroupAbove = 100_000

// groupChunk is how many producers' pairs are found at a time when
// grouping.
const groupChunk = 16384

// Producers fall in one group when they have the same class, harvest
// months and priority flags (so the same stock per tonne of output, month
// by month, and the same weight), may use the same set of storage nodes,
// and are in the same band (that of the nearest node with capacity). A
// group is one demand of the handling network, holding its members' stock
// summed; the assignment still serves the members in turn, each from its
// own nearest nodes first (handling.Members), and shares what the maximum
// flow adds among them. In each band, what the band's demands hold
// together month by month is a maximum flow given the earlier bands, and
// merging demands with the same nodes leaves every such flow as it was:
// the totals by band and month are those of the ungrouped measure.
//
// What may differ is who gets what among demands of a band that compete
// for the same stores, which either measure settles by its search order
// (the nearest-first sends, then augmenting paths): grouped, the paths
// run between groups, and what they add to a group is shared pro rata.
//
// Keying on the set of nodes rather than their order is what makes
// grouping pay: a class that tolerates a day of travel reaches hundreds of
// nodes, in an order of each producer's own but as one set across a
// province. A group's arcs are in node order.
type grouping struct {
	of     []int32          // producer -> its group (demand)
	index  map[string]int32 // key -> group
	output []float64        // group -> its members' output
	near   [][handling.NearLen]int32
	// What each site offers each class: uses[j*classes+c].
	uses    []siteUse
	classes map[string]int
	// scratch
	key   []byte
	bits  []uint64
	minAt []float64
	set   []int32
	mins  []float64
}

// siteUse is what a site offers a class: whether it takes the class,
// whether it also has capacity for it (so counts for access), and its
// nodes in the class's zones.
type siteUse struct {
	takes, serves bool
	nodes         []int32
}

// unsortedModel is a travel model that can also return the pairs by
// origin but in no order within an origin (access.Geodesic can): a
// grouped measure needs only each producer's set of pairs and least
// times, and sorting a province's few hundred million pairs was half the
// time of finding them.
type unsortedModel interface {
	UnsortedPairs(ctx context.Context, from, to []access.Point, maxMinutes []float64) ([][]access.Pair, error)
}

// computeGrouped is computeAll with producers grouped (see grouping).
// The producers' pairs are found a chunk at a time, unsorted when the
// model can (each producer needs only its set of nodes and its least
// times), and each chunk serves every one of ds.
func computeGrouped(ctx context.Context, model access.Model, ds []*Data, opt Options) ([]*Report, error) {
	last := ds[len(ds)-1]
	n := len(last.Producers)
	nws := make([]*Network, len(ds))
	gs := make([]*grouping, len(ds))
	for x, d := range ds {
		nws[x] = &Network{Network: &handling.Network{}, Access: make([]Access, n), nodeIndex: map[NodeRef]int32{}, travel: model.Describe()}
		gs[x] = newGrouping(nws[x], d)
	}
	from, reach := origins(last, opt)
	to := make([]access.Point, len(last.Sites))
	for j, s := range last.Sites {
		to[j] = s.At
	}
	pairsOf := func(ctx context.Context, from, to []access.Point, maxMinutes []float64) ([][]access.Pair, error) {
		pairs, err := model.Pairs(ctx, from, to, maxMinutes)
		return [][]access.Pair{pairs}, err
	}
	if um, ok := model.(unsortedModel); ok {
		pairsOf = um.UnsortedPairs
	}
	// The next chunk's pairs are found while this one's producers are
	// grouped (one goroutine per data measured), so no core waits.
	type chunk struct {
		lo, hi int
		pairs  [][]access.Pair
		err    error
	}
	chunks := make(chan chunk)
	go func() {
		defer close(chunks)
		for lo := 0; lo < n; lo += groupChunk {
			hi := min(lo+groupChunk, n)
			pairs, err := pairsOf(ctx, from[lo:hi], to, reach[lo:hi])
			chunks <- chunk{lo, hi, pairs, err}
			if err != nil {
				return
			}
		}
	}()
	var err error
	for c := range chunks {
		if err = cmp.Or(err, c.err); err != nil {
			continue // drain: the search stops after its error
		}
		var wg sync.WaitGroup
		for x, d := range ds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				gs[x].chunk(nws[x], d, c.lo, c.hi, c.pairs)
			}()
		}
		wg.Wait()
	}
	if err != nil {
		return nil, err
	}
	out := make([]*Report, len(ds))
	for x, d := range ds {
		nw, g := nws[x], gs[x]
		nw.Members = g.members(d)
		nw.Prepare()
		a, err := nw.Assign(ctx, nil)
		if err != nil {
			return nil, err
		}
		out[x] = nw.report(d, stocks(d), a.Member, func(i int) []int32 { return nw.Arcs(int(g.of[i])) })
		// A province's network with its layout is gigabytes: let it go
		// before the next one is laid out.
		nws[x], gs[x] = nil, nil
	}
	return out, nil
}

// newGrouping lays out what each site offers each class, making every
// node a producer could use.
func newGrouping(nw *Network, d *Data) *grouping {
	g := &grouping{of: make([]int32, len(d.Producers)), index: map[string]int32{}, classes: map[string]int{}}
	codes := sortedKeys(d.Classes)
	for c, code := range codes {
		g.classes[code] = c
	}
	g.uses = make([]siteUse, len(d.Sites)*len(codes))
	for j := range d.Sites {
		s := &d.Sites[j]
		for c, code := range codes {
			cls := d.Classes[code]
			u := &g.uses[j*len(codes)+c]
			u.takes, u.serves = s.AcceptsClass(code), s.Accepts(cls)
			if !u.takes {
				continue
			}
			for _, z := range cls.Zones {
				u.nodes = append(u.nodes, nw.node(d, j, z))
			}
		}
	}
	g.bits = make([]uint64, (len(nw.Cap)+63)/64)
	g.minAt = make([]float64, len(nw.Cap))
	return g
}

// chunk groups producers lo..hi-1 from their pairs: pieces of them in
// producer order, From counted from lo, no producer split between pieces.
func (g *grouping) chunk(nw *Network, d *Data, lo, hi int, pieces [][]access.Pair) {
	p, next := 0, 0
	for i := lo; i < hi; i++ {
		for p < len(pieces) && next == len(pieces[p]) {
			p, next = p+1, 0
		}
		var own []access.Pair
		if p < len(pieces) {
			pairs, end := pieces[p], next
			for end < len(pairs) && int(pairs[end].From) == i-lo {
				end++
			}
			own, next = pairs[next:end], end
		}
		g.producer(nw, d, i, own)
	}
}

// producer records producer i's access from its pairs (in any order: the
// nearest site that takes its class and has capacity for it, the least
// time first, then the lowest index, as the ungrouped measure finds it)
// and puts it in its group.
func (g *grouping) producer(nw *Network, d *Data, i int, pairs []access.Pair) {
	p := &d.Producers[i]
	c := d.Classes[p.Class]
	a := &nw.Access[i]
	*a = Access{ID: p.ID, Class: p.Class, Region: p.Region, OutputT: p.Output, Minutes: -1, Km: -1, Index: i}
	ci, nc := g.classes[p.Class], len(g.classes)
	best := int32(-1)
	g.set, g.mins = g.set[:0], g.mins[:0]
	for _, pr := range pairs {
		if int(pr.To) >= len(d.Sites) {
			continue // a site of data measured alongside
		}
		u := &g.uses[int(pr.To)*nc+ci]
		if !u.takes {
			continue
		}
		if u.serves {
			if best < 0 || pr.Minutes < a.Minutes || (pr.Minutes == a.Minutes && pr.To < best) {
				best, a.Minutes, a.Km, a.Nearest = pr.To, pr.Minutes, pr.Km, d.Sites[pr.To].ID
			}
			if pr.Minutes <= c.ThresholdMinutes {
				a.Covered = true
			}
		}
		if pr.Minutes > c.ThresholdMinutes {
			continue
		}
		for _, k := range u.nodes {
			g.set, g.mins = append(g.set, k), append(g.mins, pr.Minutes)
		}
	}
	g.add(nw, d, i, g.set, g.mins)
}

// origins are the producers' points and how far (minutes) their access is
// searched: the horizon, or their class threshold when longer.
func origins(d *Data, opt Options) ([]access.Point, []float64) {
	if opt.HorizonMinutes <= 0 {
		opt.HorizonMinutes = 180
	}
	from := make([]access.Point, len(d.Producers))
	reach := make([]float64, len(d.Producers))
	for i, p := range d.Producers {
		from[i] = p.At
		reach[i] = math.Max(opt.HorizonMinutes, d.Classes[p.Class].ThresholdMinutes)
	}
	return from, reach
}

// add puts producer i, with its arcs (in any order), in its group,
// starting the group (a demand of nw, its arcs in node order) when it is
// the first. The key holds the class, band, flags and harvest months, and
// the set of nodes as a bitset.
func (g *grouping) add(nw *Network, d *Data, i int, nodes []int32, minutes []float64) {
	p := &d.Producers[i]
	least := math.Inf(1)
	for a, k := range nodes {
		g.bits[k/64] |= 1 << (k % 64)
		g.minAt[k] = minutes[a]
		if nw.Cap[k] > 0 {
			least = math.Min(least, minutes[a])
		}
	}
	band := len(handling.Bands) + 1
	if !math.IsInf(least, 1) {
		band = handling.BandOf(least)
	}
	key := append(g.key[:0], p.Class...)
	key = append(key, 0, byte(band), flag(p.PovertyExit), flag(p.KeyCounty))
	for _, h := range p.Harvest {
		key = binary.LittleEndian.AppendUint64(key, math.Float64bits(h))
	}
	used := len(g.bits)
	for used > 0 && g.bits[used-1] == 0 {
		used--
	}
	for _, w := range g.bits[:used] {
		key = binary.LittleEndian.AppendUint64(key, w)
	}
	g.key = key
	id, ok := g.index[string(key)]
	if !ok {
		id = int32(nw.Len())
		g.index[string(key)] = id
		g.output = append(g.output, 0)
		var set []int32
		var mins []float64
		for x, w := range g.bits[:used] {
			for ; w != 0; w &= w - 1 {
				k := int32(x*64 + bits.TrailingZeros64(w))
				set, mins = append(set, k), append(mins, g.minAt[k])
			}
		}
		nw.AddDemand([12]float64{}, set, mins)
	}
	for _, k := range nodes {
		g.bits[k/64] = 0
	}
	g.of[i] = id
	g.output[id] += p.Output
	st := stockOf(d, i)
	for m := range st {
		nw.Stock[id][m] += st[m]
	}
	g.near = append(g.near, g.nearest(nw, id, nodes, minutes))
}

// nearest maps a member's NearLen nearest nodes with capacity (least time
// first, then as listed) to its group's arcs (in node order, so found by
// bisection).
func (g *grouping) nearest(nw *Network, id int32, nodes []int32, minutes []float64) [handling.NearLen]int32 {
	var pick [handling.NearLen]int
	n := 0
	for a, k := range nodes {
		if nw.Cap[k] <= 0 {
			continue
		}
		x := n
		if n < handling.NearLen {
			n++
		} else if minutes[a] >= minutes[pick[n-1]] {
			continue
		} else {
			x = n - 1
		}
		for ; x > 0 && minutes[pick[x-1]] > minutes[a]; x-- {
			pick[x] = pick[x-1]
		}
		pick[x] = a
	}
	var out [handling.NearLen]int32
	for x := range out {
		out[x] = -1
	}
	lo := nw.Start[id]
	arcs := nw.Network.Node[lo:nw.Start[id+1]]
	for x := 0; x < n; x++ {
		if pos, ok := slices.BinarySearch(arcs, nodes[pick[x]]); ok {
			out[x] = lo + int32(pos)
		}
	}
	return out
}

func flag(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// members is the network's split of groups into producers.
func (g *grouping) members(d *Data) *handling.Members {
	mb := &handling.Members{Of: g.of, Share: make([]float64, len(g.of)), Near: g.near}
	for i, id := range g.of {
		if out := g.output[id]; out > 0 {
			mb.Share[i] = d.Producers[i].Output / out
		}
	}
	return mb
}

// stocks returns each producer's standing stock, month by month.
func stocks(d *Data) [][12]float64 {
	out := make([][12]float64, len(d.Producers))
	for i := range out {
		out[i] = stockOf(d, i)
	}
	return out
}
