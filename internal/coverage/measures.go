package coverage

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/coldchain/coldchain/internal/access"
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
}

// Report is the measures of a region.
type Report struct {
	Region     string          `json:"region"`
	RegionName string          `json:"region_name"`
	Travel     string          `json:"travel"`
	Totals     Summary         `json:"totals"`
	Classes    []ClassSummary  `json:"classes"`
	Regions    []RegionSummary `json:"regions"`
	Months     []MonthSummary  `json:"months"`
	Gaps       []GapRow        `json:"gaps"`
	Producers  []Access        `json:"-"`
}

// accessBands are the access-time bands (minutes) in which producers claim
// storage capacity, nearest first.
var accessBands = []float64{15, 30, 60, 120, 240}

// Compute measures d with travel times from model.
func Compute(ctx context.Context, model access.Model, d *Data, opt Options) (*Report, error) {
	if opt.HorizonMinutes <= 0 {
		opt.HorizonMinutes = 180
	}
	n := len(d.Producers)
	from := make([]access.Point, n)
	reach := make([]float64, n)
	for i, p := range d.Producers {
		from[i] = p.At
		reach[i] = math.Max(opt.HorizonMinutes, d.Classes[p.Class].ThresholdMinutes)
	}
	to := make([]access.Point, len(d.Sites))
	for j, s := range d.Sites {
		to[j] = s.At
	}
	pairs, err := model.Pairs(ctx, from, to, reach)
	if err != nil {
		return nil, err
	}
	acc := make([]Access, n)
	for i, p := range d.Producers {
		acc[i] = Access{ID: p.ID, Class: p.Class, Region: p.Region, OutputT: p.Output, Minutes: -1, Km: -1}
	}
	// edges[i] lists the compatible sites within producer i's threshold.
	edges := make([][]int32, n)
	for _, pr := range pairs {
		i, j := pr.From, pr.To
		c := d.Classes[d.Producers[i].Class]
		if !d.Sites[j].Accepts(c) {
			continue
		}
		if acc[i].Minutes < 0 { // pairs come nearest first
			acc[i].Minutes, acc[i].Km, acc[i].Nearest = pr.Minutes, pr.Km, d.Sites[j].ID
		}
		if pr.Minutes <= c.ThresholdMinutes {
			edges[i] = append(edges[i], j)
		}
	}
	for i := range acc {
		acc[i].Covered = len(edges[i]) > 0
	}

	// Capacity-aware assignment, month by month: standing stock
	// (output x share x holding days / 30) flows to reachable compatible
	// zone capacity; handled stock converts back to tonnes handled.
	handledStock := make([][12]float64, n)
	stock := make([][12]float64, n)
	for i, p := range d.Producers {
		c := d.Classes[p.Class]
		for m := 0; m < 12; m++ {
			stock[i][m] = p.Output * p.Harvest[m] * c.HoldingDays / 30
		}
	}
	type zoneNode struct {
		site int32
		zone string
	}
	zoneIndex := map[zoneNode]int{}
	var zones []zoneNode
	for i, es := range edges {
		c := d.Classes[d.Producers[i].Class]
		for _, j := range es {
			for _, z := range c.Zones {
				k := zoneNode{j, z}
				if d.Sites[j].Capacity[z] > 0 {
					if _, ok := zoneIndex[k]; !ok {
						zoneIndex[k] = len(zones)
						zones = append(zones, k)
					}
				}
			}
		}
	}
	reachableCap := 0.0
	for _, z := range zones {
		reachableCap += d.Sites[z.site].Capacity[z.zone]
	}
	// Producers claim capacity nearest first: flow is pushed in bands of
	// access time, and since augmenting paths never take inflow back from a
	// producer, the total is still the maximum flow while scarce capacity
	// goes to the producers closest to it (the shortage falls where it
	// would: on remote producers).
	band := make([]int, n)
	for i := range band {
		band[i] = len(accessBands)
		for b, limit := range accessBands {
			if acc[i].Minutes >= 0 && acc[i].Minutes <= limit {
				band[i] = b
				break
			}
		}
	}
	for m := 0; m < 12; m++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		src, sink := n+len(zones), n+len(zones)+1
		g := newFlowNet(n + len(zones) + 2)
		in := make([]int, n)
		for i := range in {
			in[i] = -1
		}
		for i, es := range edges {
			if len(es) == 0 || stock[i][m] <= 0 {
				continue
			}
			c := d.Classes[d.Producers[i].Class]
			for _, j := range es {
				for _, z := range c.Zones {
					if k, ok := zoneIndex[zoneNode{j, z}]; ok {
						g.addEdge(i, n+k, math.Inf(1))
					}
				}
			}
		}
		for k, z := range zones {
			g.addEdge(n+k, sink, d.Sites[z.site].Capacity[z.zone])
		}
		for b := 0; b <= len(accessBands); b++ {
			added := false
			for i := range edges {
				if band[i] == b && len(edges[i]) > 0 && stock[i][m] > 0 {
					in[i] = g.addEdge(src, i, stock[i][m])
					added = true
				}
			}
			if added {
				g.maxFlow(src, sink)
			}
		}
		for i := range in {
			if in[i] >= 0 {
				handledStock[i][m] = g.flow(in[i])
			}
		}
	}
	for i, p := range d.Producers {
		hd := d.Classes[p.Class].HoldingDays
		for m := 0; m < 12; m++ {
			acc[i].HandledT += handledStock[i][m] * 30 / hd
		}
	}

	rep := &Report{Region: d.Region, RegionName: d.RegionNames[d.Region], Travel: model.Describe(), Producers: acc}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	rep.Totals = summarize(d, acc, stock, handledStock, all)
	rep.Totals.ReachableCapacityT = reachableCap

	byClass := map[string][]int{}
	byRegion := map[string][]int{}
	plen := groupLen(d.Region, d.Producers)
	for i, p := range d.Producers {
		byClass[p.Class] = append(byClass[p.Class], i)
		byRegion[prefix(p.Region, plen)] = append(byRegion[prefix(p.Region, plen)], i)
	}
	for _, code := range sortedKeys(byClass) {
		c := d.Classes[code]
		rep.Classes = append(rep.Classes, ClassSummary{Class: code, Zone: c.Zones[0], ThresholdMinutes: c.ThresholdMinutes,
			Summary: summarize(d, acc, stock, handledStock, byClass[code])})
	}
	for _, code := range sortedKeys(byRegion) {
		rep.Regions = append(rep.Regions, RegionSummary{Region: code, Name: d.RegionNames[code],
			Summary: summarize(d, acc, stock, handledStock, byRegion[code])})
	}
	gaps := map[[3]string]*[12]GapRow{}
	for m := 0; m < 12; m++ {
		rep.Months = append(rep.Months, MonthSummary{Month: m + 1})
	}
	for i, p := range d.Producers {
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
			r.HandledStockT += handledStock[i][m]
			ms.StockT += stock[i][m]
			ms.HandledStockT += handledStock[i][m]
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
	return rep, nil
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
