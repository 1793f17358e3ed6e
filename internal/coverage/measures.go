package coverage

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/handling"
)

// Options tune the measures.
type Options struct {
	// HorizonMinutes is how far access is searched (at least each class's
	// threshold); producers with no compatible facility within it have no
	// access time. Default 180.
	HorizonMinutes float64
}

// Summary is a set of measures over some producers.
type Summary struct {
	Producers        int     `json:"producers"`
	OutputT          float64 `json:"output_t"`
	CoveredProducers int     `json:"covered_producers"`
	CoveredT         float64 `json:"covered_t"`
	// CoverageRate: share of output within its class threshold of a
	// compatible facility.
	CoverageRate float64 `json:"coverage_rate"`
	// HandledT: yearly tonnes the reachable compatible capacity can take
	// (capacity-aware assignment, month by month).
	HandledT float64 `json:"handled_t"`
	// HandlingRate: the origin low-temperature handling rate, HandledT / OutputT.
	HandlingRate float64 `json:"handling_rate"`
	// Peak month of standing stock and its figures.
	PeakMonth          int     `json:"peak_month"`
	PeakStockT         float64 `json:"peak_stock_t"`
	PeakHandledStockT  float64 `json:"peak_handled_stock_t"`
	PeakCapacityGapT   float64 `json:"peak_capacity_gap_t"`
	ReachableCapacityT float64 `json:"reachable_capacity_t,omitempty"`
	// Access time to the nearest compatible facility.
	MedianAccessMinutes float64 `json:"median_access_minutes"`
	NoAccessProducers   int     `json:"no_access_producers"`
}

// ClassSummary is the measures of one product class.
type ClassSummary struct {
	Class            string  `json:"class"`
	Zone             string  `json:"zone"`
	ThresholdMinutes float64 `json:"threshold_minutes"`
	Summary
}

// RegionSummary is the measures of one sub-region.
type RegionSummary struct {
	Region string `json:"region"`
	Name   string `json:"name"`
	Summary
}

// MonthSummary is one month's stock balance.
type MonthSummary struct {
	Month         int     `json:"month"`
	OutputT       float64 `json:"output_t"`
	UncoveredT    float64 `json:"uncovered_t"`
	StockT        float64 `json:"stock_t"`
	HandledStockT float64 `json:"handled_stock_t"`
	ShortfallT    float64 `json:"shortfall_t"`
}

// GapRow is one region x class x zone x month cell of the gap table.
type GapRow struct {
	Region        string  `json:"region"`
	RegionName    string  `json:"region_name"`
	Class         string  `json:"class"`
	Zone          string  `json:"zone"`
	Month         int     `json:"month"`
	OutputT       float64 `json:"output_t"`
	UncoveredT    float64 `json:"uncovered_t"`
	StockT        float64 `json:"stock_t"`
	HandledStockT float64 `json:"handled_stock_t"`
	ShortfallT    float64 `json:"shortfall_t"`
}

// Access is one producer's result.
type Access struct {
	ID      string  `json:"id"`
	Class   string  `json:"class"`
	Region  string  `json:"region"`
	OutputT float64 `json:"output_t"`
	// Minutes and Km to the nearest compatible facility; -1 when none is
	// within the horizon.
	Minutes  float64 `json:"minutes"`
	Km       float64 `json:"km"`
	Nearest  string  `json:"nearest,omitempty"`
	Covered  bool    `json:"covered"`
	HandledT float64 `json:"handled_t"`
	// Index is the producer's index in Data.Producers.
	Index int `json:"-"`
}

// Report is the measures of a region.
type Report struct {
	Region     string `json:"region"`
	RegionName string `json:"region_name"`
	// RegionCodes lists the regions measured together when several are.
	RegionCodes []string        `json:"region_codes,omitempty"`
	Travel      string          `json:"travel"`
	Totals      Summary         `json:"totals"`
	Classes     []ClassSummary  `json:"classes"`
	Regions     []RegionSummary `json:"regions"`
	Months      []MonthSummary  `json:"months"`
	Gaps        []GapRow        `json:"gaps"`
	// Warnings say what a reader of the figures must know, such as
	// regions whose areas are derived from their points.
	Warnings  []string `json:"warnings,omitempty"`
	Producers []Access `json:"-"`
}

// Compute measures d with travel times from model. Every producer in d
// takes part in the capacity-aware assignment (capacity is shared by all
// classes that use it); the report's figures cover the producers of
// d.Selected classes only, so a class filter selects rows and never changes
// how capacity is shared.
func Compute(ctx context.Context, model access.Model, d *Data, opt Options) (*Report, error) {
	reps, err := computeAll(ctx, model, []*Data{d}, opt)
	if err != nil {
		return nil, err
	}
	return reps[0], nil
}

// ComputeBoth measures before and after, finding the producers' pairs
// once: after holds before's producers and sites, in the same order and
// places (capacities may differ), and may add sites after them, as a
// plan's data with its new sites does. Other data is measured apart.
func ComputeBoth(ctx context.Context, model access.Model, before, after *Data, opt Options) (*Report, *Report, error) {
	if !extends(after, before) {
		b, err := Compute(ctx, model, before, opt)
		if err != nil {
			return nil, nil, err
		}
		a, err := Compute(ctx, model, after, opt)
		return b, a, err
	}
	reps, err := computeAll(ctx, model, []*Data{before, after}, opt)
	if err != nil {
		return nil, nil, err
	}
	return reps[0], reps[1], nil
}

// extends reports whether after has before's producers and sites (by
// place) in order, and perhaps more sites.
func extends(after, before *Data) bool {
	if len(after.Producers) != len(before.Producers) || len(after.Sites) < len(before.Sites) {
		return false
	}
	for i := range before.Producers {
		if after.Producers[i].At != before.Producers[i].At || after.Producers[i].Class != before.Producers[i].Class {
			return false
		}
	}
	for j := range before.Sites {
		if after.Sites[j].At != before.Sites[j].At {
			return false
		}
	}
	return true
}

// computeAll measures each of ds, which extend ds[0] (see extends), from
// one search for pairs to the last one's sites.
func computeAll(ctx context.Context, model access.Model, ds []*Data, opt Options) ([]*Report, error) {
	if len(ds[0].Producers) > GroupAbove {
		return computeGrouped(ctx, model, ds, opt)
	}
	pairs, err := findPairs(ctx, model, ds[len(ds)-1], opt)
	if err != nil {
		return nil, err
	}
	return measurePairs(ctx, model, ds, pairs)
}

// measurePairs measures each of ds from pairs found for the last one's
// sites (pairs to sites a data lacks are left out of its network).
func measurePairs(ctx context.Context, model access.Model, ds []*Data, pairs []access.Pair) ([]*Report, error) {
	var out []*Report
	for _, d := range ds {
		nw := fromPairs(model, d, pairs)
		a, err := nw.Assign(ctx, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, nw.Report(d, a))
	}
	return out, nil
}

// Network is the measure's model of some data: every producer's access
// and the handling network (one demand per producer, in order; one node
// per site and zone that some producer may use).
type Network struct {
	*handling.Network
	Access []Access
	// Nodes maps each network node to its site (index into Data.Sites) and zone.
	Nodes []NodeRef
	// nodeIndex finds a node by site and zone.
	nodeIndex map[NodeRef]int32
	travel    string
	pairs     []access.Pair // BuildNetwork's, for Measure
}

// NodeRef is a storage node: a site's capacity in one zone.
type NodeRef struct {
	Site int
	Zone string
}

// Node returns the node of site j's zone z, or -1.
func (nw *Network) Node(j int, z string) int32 {
	if k, ok := nw.nodeIndex[NodeRef{j, z}]; ok {
		return k
	}
	return -1
}

// BuildNetwork finds every producer's access (nearest compatible facility
// with capacity) and the sites whose class list accepts it within its class
// threshold, and builds the handling network over them. Sites with no
// capacity in a zone still get the zone's node (capacity 0), so that a plan
// may add capacity there; a node without capacity takes no stock.
func BuildNetwork(ctx context.Context, model access.Model, d *Data, opt Options) (*Network, error) {
	pairs, err := findPairs(ctx, model, d, opt)
	if err != nil {
		return nil, err
	}
	nw := fromPairs(model, d, pairs)
	nw.pairs = pairs
	return nw, nil
}

// Measure measures each of ds (which extend ds[0], see ComputeBoth) with
// the pairs of nw, built by BuildNetwork on data whose sites are the first
// sites of every one of ds followed by others: siteOf maps each of those
// others (by index from first) to its index in ds[len(ds)-1], or -1 when
// it is not there. It saves a plan the second search for pairs its
// measures would make. Data that does not fit is measured with a search
// of its own.
func (nw *Network) Measure(ctx context.Context, model access.Model, ds []*Data, first int, siteOf []int) ([]*Report, error) {
	if nw.pairs == nil || len(ds[0].Producers) > GroupAbove || first > len(ds[0].Sites) {
		return computeAll(ctx, model, ds, Options{})
	}
	pairs := make([]access.Pair, 0, len(nw.pairs))
	for _, pr := range nw.pairs {
		if int(pr.To) >= first {
			k := int(pr.To) - first
			if k >= len(siteOf) || siteOf[k] < 0 {
				continue
			}
			pr.To = int32(siteOf[k])
		}
		pairs = append(pairs, pr)
	}
	sortTies(pairs)
	return measurePairs(ctx, model, ds, pairs)
}

// sortTies restores the pairs' order (by origin, time, then destination)
// where renumbered destinations broke it.
func sortTies(pairs []access.Pair) {
	less := func(a, b access.Pair) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.Minutes, b.Minutes), cmp.Compare(a.To, b.To))
	}
	if !slices.IsSortedFunc(pairs, less) {
		slices.SortFunc(pairs, less)
	}
}

// findPairs finds every producer's pairs to d's sites, by producer then
// time.
func findPairs(ctx context.Context, model access.Model, d *Data, opt Options) ([]access.Pair, error) {
	from, reach := origins(d, opt)
	to := make([]access.Point, len(d.Sites))
	for j, s := range d.Sites {
		to[j] = s.At
	}
	return model.Pairs(ctx, from, to, reach)
}

// fromPairs builds d's network from pairs found for d's sites or for more
// sites after them (pairs to those are left out).
func fromPairs(model access.Model, d *Data, pairs []access.Pair) *Network {
	n := len(d.Producers)
	nw := &Network{Network: &handling.Network{}, Access: make([]Access, n), nodeIndex: map[NodeRef]int32{}, travel: model.Describe()}
	for i, p := range d.Producers {
		nw.Access[i] = Access{ID: p.ID, Class: p.Class, Region: p.Region, OutputT: p.Output, Minutes: -1, Km: -1, Index: i}
	}
	var nodes []int32
	var minutes []float64
	next := 0
	for i := range d.Producers {
		nodes, minutes = nodes[:0], minutes[:0]
		for ; next < len(pairs) && int(pairs[next].From) == i; next++ {
			if int(pairs[next].To) < len(d.Sites) {
				nodes, minutes = nw.addPair(d, pairs[next], nodes, minutes)
			}
		}
		nw.AddDemand(stockOf(d, i), nodes, minutes)
	}
	nw.Prepare()
	return nw
}

// addPair records pair pr (pairs come by origin, nearest first): the
// producer's access if the site takes its class and has capacity for it,
// and arcs to the site's nodes in the class's zones within the threshold.
func (nw *Network) addPair(d *Data, pr access.Pair, nodes []int32, minutes []float64) ([]int32, []float64) {
	i, j := int(pr.From), int(pr.To)
	c := d.Classes[d.Producers[i].Class]
	s := &d.Sites[j]
	if !s.AcceptsClass(c.Code) {
		return nodes, minutes
	}
	a := &nw.Access[i]
	if s.Accepts(c) {
		if a.Minutes < 0 {
			a.Minutes, a.Km, a.Nearest = pr.Minutes, pr.Km, s.ID
		}
		if pr.Minutes <= c.ThresholdMinutes {
			a.Covered = true
		}
	}
	if pr.Minutes > c.ThresholdMinutes {
		return nodes, minutes
	}
	for _, z := range c.Zones {
		nodes = append(nodes, nw.node(d, j, z))
		minutes = append(minutes, pr.Minutes)
	}
	return nodes, minutes
}

// node returns site j's node in zone z, making it when new.
func (nw *Network) node(d *Data, j int, z string) int32 {
	ref := NodeRef{j, z}
	k, ok := nw.nodeIndex[ref]
	if !ok {
		k = int32(len(nw.Nodes))
		nw.nodeIndex[ref] = k
		nw.Nodes = append(nw.Nodes, ref)
		nw.Cap = append(nw.Cap, d.Sites[j].Capacity[z])
	}
	return k
}

// stockOf is producer i's standing stock per month:
// output × share × holding days / 30.
func stockOf(d *Data, i int) [12]float64 {
	p := &d.Producers[i]
	c := d.Classes[p.Class]
	var st [12]float64
	for m := 0; m < 12; m++ {
		st[m] = p.Output * p.Harvest[m] * c.HoldingDays / 30
	}
	return st
}

// TonnesPerStock converts a producer's handled standing stock to tonnes
// handled per year (30 / holding days).
func TonnesPerStock(c *Class) float64 { return 30 / c.HoldingDays }

// Report turns an assignment of the network into the measures of the
// producers of the selected classes.
func (nw *Network) Report(d *Data, a *handling.Assignment) *Report {
	return nw.report(d, nw.Stock, a.Handled, nw.Arcs)
}

// report is Report from each producer's stock and handled stock, and the
// nodes it may use (arcs).
func (nw *Network) report(d *Data, stock, handled [][12]float64, arcs func(i int) []int32) *Report {
	acc := slices.Clone(nw.Access)
	for i, p := range d.Producers {
		tps := TonnesPerStock(d.Classes[p.Class])
		for m := 0; m < 12; m++ {
			acc[i].HandledT += handled[i][m] * tps
		}
	}
	var idx []int
	for i, p := range d.Producers {
		if d.selected(p.Class) {
			idx = append(idx, i)
		}
	}
	rep := &Report{Region: d.Region, RegionName: d.RegionNames[d.Region], RegionCodes: d.RegionCodes, Travel: nw.travel}
	for _, i := range idx {
		rep.Producers = append(rep.Producers, acc[i])
	}
	rep.Totals = summarize(d, acc, stock, handled, idx)
	rep.Totals.ReachableCapacityT = nw.reachableCapacity(idx, arcs)
	rep.addGroups(d, acc, stock, handled, idx)
	rep.addGaps(d, acc, stock, handled, idx)
	rep.warnDerived(d)
	return rep
}

// warnDerived warns when the measured region, or a region in the tables,
// has an area derived from its point rather than a given boundary.
func (rep *Report) warnDerived(d *Data) {
	codes := []string{rep.Region}
	for _, r := range rep.Regions {
		codes = append(codes, r.Region)
	}
	if derived := d.DerivedIn(codes...); len(derived) > 0 {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the areas of %s are derived from their points (the part of the parent nearer to each point than to its siblings), not official boundaries: producers near their edges may belong to a neighbour",
			strings.Join(derived, ", ")))
	}
}

// reachableCapacity sums the capacity of the nodes the producers idx can use.
func (nw *Network) reachableCapacity(idx []int, arcs func(i int) []int32) float64 {
	seen := make([]bool, len(nw.Cap))
	t := 0.0
	for _, i := range idx {
		for _, k := range arcs(i) {
			if !seen[k] {
				seen[k] = true
				t += nw.Cap[k]
			}
		}
	}
	return t
}

// addGroups adds the class and sub-region summaries.
func (rep *Report) addGroups(d *Data, acc []Access, stock, handled [][12]float64, idx []int) {
	byClass := map[string][]int{}
	byRegion := map[string][]int{}
	plen := groupLen(d.Region, d.Producers)
	for _, i := range idx {
		p := &d.Producers[i]
		byClass[p.Class] = append(byClass[p.Class], i)
		byRegion[prefix(p.Region, plen)] = append(byRegion[prefix(p.Region, plen)], i)
	}
	for _, code := range sortedKeys(byClass) {
		c := d.Classes[code]
		rep.Classes = append(rep.Classes, ClassSummary{Class: code, Zone: c.Zones[0], ThresholdMinutes: c.ThresholdMinutes,
			Summary: summarize(d, acc, stock, handled, byClass[code])})
	}
	for _, code := range sortedKeys(byRegion) {
		rep.Regions = append(rep.Regions, RegionSummary{Region: code, Name: d.RegionNames[code],
			Summary: summarize(d, acc, stock, handled, byRegion[code])})
	}
}

// addGaps adds the month totals and the region × class × zone × month gap table.
func (rep *Report) addGaps(d *Data, acc []Access, stock, handled [][12]float64, idx []int) {
	plen := groupLen(d.Region, d.Producers)
	gaps := map[[3]string]*[12]GapRow{}
	for m := 0; m < 12; m++ {
		rep.Months = append(rep.Months, MonthSummary{Month: m + 1})
	}
	for _, i := range idx {
		p := &d.Producers[i]
		c := d.Classes[p.Class]
		key := [3]string{prefix(p.Region, plen), p.Class, c.Zones[0]}
		rows := gaps[key]
		if rows == nil {
			rows = new([12]GapRow)
			for m := range rows {
				rows[m] = GapRow{Region: key[0], RegionName: d.RegionNames[key[0]], Class: key[1], Zone: key[2], Month: m + 1}
			}
			gaps[key] = rows
		}
		for m := 0; m < 12; m++ {
			out := p.Output * p.Harvest[m]
			r, ms := &rows[m], &rep.Months[m]
			r.OutputT += out
			ms.OutputT += out
			if !acc[i].Covered {
				r.UncoveredT += out
				ms.UncoveredT += out
			}
			r.StockT += stock[i][m]
			r.HandledStockT += handled[i][m]
			ms.StockT += stock[i][m]
			ms.HandledStockT += handled[i][m]
		}
	}
	for m := range rep.Months {
		rep.Months[m].ShortfallT = math.Max(0, rep.Months[m].StockT-rep.Months[m].HandledStockT)
	}
	keys := make([][3]string, 0, len(gaps))
	for k := range gaps {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return strings.Join(keys[a][:], "/") < strings.Join(keys[b][:], "/") })
	for _, k := range keys {
		for _, r := range gaps[k] {
			r.ShortfallT = math.Max(0, r.StockT-r.HandledStockT)
			rep.Gaps = append(rep.Gaps, r)
		}
	}
}

func summarize(d *Data, acc []Access, stock, handled [][12]float64, idx []int) Summary {
	var s Summary
	var months [12]float64
	var monthsHandled [12]float64
	var times []float64
	for _, i := range idx {
		a := acc[i]
		s.Producers++
		s.OutputT += a.OutputT
		if a.Covered {
			s.CoveredProducers++
			s.CoveredT += a.OutputT
		}
		s.HandledT += a.HandledT
		if a.Minutes >= 0 {
			times = append(times, a.Minutes)
		} else {
			s.NoAccessProducers++
		}
		for m := 0; m < 12; m++ {
			months[m] += stock[i][m]
			monthsHandled[m] += handled[i][m]
		}
	}
	if s.OutputT > 0 {
		s.CoverageRate = s.CoveredT / s.OutputT
		s.HandlingRate = s.HandledT / s.OutputT
	}
	peak := 0
	for m := 1; m < 12; m++ {
		if months[m] > months[peak] {
			peak = m
		}
	}
	s.PeakMonth = peak + 1
	s.PeakStockT = months[peak]
	s.PeakHandledStockT = monthsHandled[peak]
	s.PeakCapacityGapT = math.Max(0, months[peak]-monthsHandled[peak])
	if len(times) > 0 {
		sort.Float64s(times)
		s.MedianAccessMinutes = times[len(times)/2]
		if len(times)%2 == 0 {
			s.MedianAccessMinutes = (times[len(times)/2-1] + times[len(times)/2]) / 2
		}
	}
	return s
}

// groupLen is the code length of the sub-regions of a region: county
// (6 digits) -> township (9), township -> village (12), province (2) ->
// prefecture (4), prefecture -> county, everything -> county.
// When every producer falls in one such sub-region, the next level down is
// used, so that a one-county database is shown by township.
func groupLen(region string, ps []Producer) int {
	levels := []int{2, 4, 6, 9, 12}
	n := 6
	for _, l := range levels {
		if l > len(region) {
			n = l
			break
		}
	}
	if region == "" {
		n = 2
	}
	for ; n < 12; n = next(levels, n) {
		first, split := "", false
		for _, p := range ps {
			c := prefix(p.Region, n)
			if first == "" {
				first = c
			} else if c != first {
				split = true
				break
			}
		}
		if split {
			return n
		}
	}
	return n
}

func next(levels []int, n int) int {
	for _, l := range levels {
		if l > n {
			return l
		}
	}
	return 12
}

func prefix(code string, n int) string {
	if len(code) < n {
		return code
	}
	return code[:n]
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
