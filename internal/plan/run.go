package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/locate"
)

// Result is a finished plan's outcome.
type Result struct {
	Problem        string  `json:"problem"`
	ObjectiveLabel string  `json:"objective_label"`
	Objective      float64 `json:"objective"`
	// Bound is the engine's proven bound on the optimum; Gap its distance
	// from the objective in percent.
	Bound      float64                  `json:"bound"`
	Gap        float64                  `json:"gap"`
	Seconds    float64                  `json:"seconds"`
	Iterations int                      `json:"iterations"`
	Sites      json.RawMessage          `json:"sites"` // GeoJSON FeatureCollection
	Before     coverage.Summary         `json:"before"`
	After      coverage.Summary         `json:"after"`
	Change     Change                   `json:"change"`
	Instance   InstanceInfo             `json:"instance"`
	Assigned   []Assignment             `json:"assignments"`
	ByClass    []ClassChange            `json:"by_class"`
	Regions    []coverage.RegionSummary `json:"regions_after"`
	// Notes say what a planner should know about the result.
	Notes []string `json:"notes,omitempty"`
}

// Change is the before/after difference a planner reads.
type Change struct {
	NewlyCoveredProducers  int                `json:"newly_covered_producers"`
	NewlyCoveredT          float64            `json:"newly_covered_t"`
	ImprovedProducers      int                `json:"improved_producers"`
	ImprovedOver15Min      int                `json:"improved_over_15_min"`
	MeanImprovementMinutes float64            `json:"mean_improvement_minutes"`
	CapacityAddedT         map[string]float64 `json:"capacity_added_t"`
	BuildCost              float64            `json:"build_cost"`
	SubsidyEstimate        float64            `json:"subsidy_estimate"`
	CoverageRateBefore     float64            `json:"coverage_rate_before"`
	CoverageRateAfter      float64            `json:"coverage_rate_after"`
	HandlingRateBefore     float64            `json:"handling_rate_before"`
	HandlingRateAfter      float64            `json:"handling_rate_after"`
}

// ClassChange is a class's coverage before and after.
type ClassChange struct {
	Class          string  `json:"class"`
	OutputT        float64 `json:"output_t"`
	CoveredTBefore float64 `json:"covered_t_before"`
	CoveredTAfter  float64 `json:"covered_t_after"`
}

// InstanceInfo describes the instance the engine solved.
type InstanceInfo struct {
	Demand             int     `json:"demand_points"`
	Candidates         int     `json:"candidate_sites"`
	Existing           int     `json:"existing_facilities"`
	Arcs               int     `json:"arcs"`
	ExcludedCandidates int     `json:"excluded_candidates"`
	UnreachableDemand  int     `json:"unreachable_producers"`
	UnreachableT       float64 `json:"unreachable_t"`
	Travel             string  `json:"travel"`
}

// Assignment is which new site serves a producer.
type Assignment struct {
	Producer string  `json:"producer"`
	Site     string  `json:"site"`
	Minutes  float64 `json:"minutes"`
}

// Explanation says why a site was chosen.
type Explanation struct {
	ServesT         float64                `json:"serves_t"`
	ServesProducers int                    `json:"serves_producers"`
	ByClass         map[string]ClassServed `json:"by_class"`
	// MarginalGain is how much the objective loses without this site
	// (covered tonnes for mclp/lscp, tonne-minutes for pmedian, minutes for
	// pcenter, cost for cflp without capacities).
	MarginalGain    float64    `json:"marginal_gain"`
	MarginalLabel   string     `json:"marginal_label"`
	NearestExisting *Neighbour `json:"nearest_existing,omitempty"`
	RunnerUp        *Neighbour `json:"runner_up,omitempty"`
	Summary         string     `json:"summary"`
}

// ClassServed is what a site serves of one class.
type ClassServed struct {
	T         float64 `json:"t"`
	Producers int     `json:"producers"`
}

// Neighbour is another site and how it compares.
type Neighbour struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Minutes float64 `json:"minutes,omitempty"`
	// Loss is how much worse the plan's objective is with the runner-up
	// in this site's place.
	Loss float64 `json:"loss,omitempty"`
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func objectiveLabel(problem string) string {
	switch problem {
	case "mclp":
		return "tonnes covered within the class threshold"
	case "lscp":
		return "new sites needed"
	case "pmedian":
		return "tonne-weighted travel minutes"
	case "pcenter":
		return "longest travel minutes"
	}
	return "build + transport + spoilage cost over the horizon (10,000 CNY)"
}

// execute solves the instance and assembles the result.
func execute(ctx context.Context, model access.Model, in *instance) (*Result, error) {
	req, d := in.req, in.data
	res, err := locate.Solve(ctx, in.loc, in.params())
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &Result{Problem: req.Problem, ObjectiveLabel: objectiveLabel(req.Problem), Objective: res.Objective,
		Bound: res.Bound, Gap: res.Gap, Seconds: res.Seconds, Iterations: res.Iterations}
	out.Instance = InstanceInfo{Demand: len(in.loc.Demand), Arcs: in.loc.Costs.Len(), ExcludedCandidates: in.excluded,
		UnreachableDemand: in.unreachable, UnreachableT: in.unreachT, Travel: in.travel, Candidates: len(in.cands)}
	for _, r := range in.refs {
		if r.existing >= 0 {
			out.Instance.Existing++
		}
	}

	// Chosen candidates (cflp modules at one candidate merge into one site).
	open := make([]bool, len(in.refs))
	for j, r := range in.refs {
		open[j] = r.existing >= 0
	}
	chosen := map[int][]int{} // candidate -> engine sites
	var order []int
	for _, j := range res.Sites {
		open[j] = true
		k := in.refs[j].cand
		if _, ok := chosen[k]; !ok {
			order = append(order, k)
		}
		chosen[k] = append(chosen[k], j)
	}

	// New sites join the data for the after measures.
	after := *d
	after.Sites = slices.Clone(d.Sites)
	newSite := map[int]coverage.Site{}
	for _, k := range order {
		c := in.cands[k]
		caps := map[string]float64{}
		cost := 0.0
		if req.Problem == "cflp" {
			for _, j := range chosen[k] {
				mod := req.CapacityMenu[in.refs[j].module]
				caps[req.Zones[0]] += mod.CapacityT
				cost += mod.BuildCost
			}
		} else {
			for z, t := range req.CapacityT {
				caps[z] = t
			}
			cost = c.BuildCost
		}
		s := coverage.Site{ID: c.ID, Name: c.Name, Type: req.FacilityType, Tier: req.Tier, Status: "proposed",
			Capacity: caps, Classes: slices.Clone(req.ProductClasses), At: c.At, BuildCost: cost, Proposed: true}
		newSite[k] = s
		after.Sites = append(after.Sites, s)
	}
	before, err := coverage.Compute(ctx, model, d, coverage.Options{})
	if err != nil {
		return nil, err
	}
	afterRep, err := coverage.Compute(ctx, model, &after, coverage.Options{})
	if err != nil {
		return nil, err
	}
	out.Before, out.After = before.Totals, afterRep.Totals
	out.Regions = afterRep.Regions
	ch := Change{CapacityAddedT: map[string]float64{}, CoverageRateBefore: before.Totals.CoverageRate,
		CoverageRateAfter: afterRep.Totals.CoverageRate, HandlingRateBefore: before.Totals.HandlingRate, HandlingRateAfter: afterRep.Totals.HandlingRate}
	sumImprove, nImprove := 0.0, 0
	for i := range before.Producers {
		b, a := before.Producers[i], afterRep.Producers[i]
		if a.Covered && !b.Covered {
			ch.NewlyCoveredProducers++
			ch.NewlyCoveredT += a.OutputT
		}
		if a.Minutes >= 0 && (b.Minutes < 0 || a.Minutes < b.Minutes-1e-6) {
			ch.ImprovedProducers++
			if b.Minutes < 0 || b.Minutes-a.Minutes > 15 {
				ch.ImprovedOver15Min++
			}
			if b.Minutes >= 0 {
				sumImprove += b.Minutes - a.Minutes
				nImprove++
			}
		}
	}
	if nImprove > 0 {
		ch.MeanImprovementMinutes = sumImprove / float64(nImprove)
	}
	for _, k := range order {
		s := newSite[k]
		for z, t := range s.Capacity {
			ch.CapacityAddedT[z] += t
		}
		ch.BuildCost += s.BuildCost
	}
	ch.SubsidyEstimate = ch.BuildCost * req.SubsidyRate
	out.Change = ch
	for i, c := range before.Classes {
		out.ByClass = append(out.ByClass, ClassChange{Class: c.Class, OutputT: c.OutputT, CoveredTBefore: c.CoveredT, CoveredTAfter: afterRep.Classes[i].CoveredT})
	}

	// Explanations.
	ev := evaluator{in: in}
	base := ev.value(open)
	expl := map[int]*Explanation{}
	for _, k := range order {
		e := &Explanation{ByClass: map[string]ClassServed{}, MarginalLabel: ev.label()}
		without := slices.Clone(open)
		for _, j := range chosen[k] {
			without[j] = false
		}
		e.MarginalGain = ev.loss(base, ev.value(without))
		e.RunnerUp = ev.runnerUp(open, chosen[k], k, base)
		expl[k] = e
	}
	siteOf := map[int]int{} // engine site -> candidate
	for k, js := range chosen {
		for _, j := range js {
			siteOf[j] = k
		}
	}
	for i, j := range res.Assign {
		if j < 0 {
			continue
		}
		k, ok := siteOf[int(j)]
		if !ok {
			continue
		}
		p := d.Producers[in.demand[i]]
		e := expl[k]
		e.ServesT += p.Output
		e.ServesProducers++
		cs := e.ByClass[p.Class]
		cs.T += p.Output
		cs.Producers++
		e.ByClass[p.Class] = cs
		out.Assigned = append(out.Assigned, Assignment{Producer: p.ID, Site: in.cands[k].ID, Minutes: arcCost(in.loc, i, int(j), req.Problem)})
	}
	if err := nearestExisting(ctx, model, in, order, expl); err != nil {
		return nil, err
	}

	if req.P > 0 && len(order) < req.P && (req.Problem == "mclp" || req.Problem == "cflp") {
		out.Notes = append(out.Notes, fmt.Sprintf("%d of the %d sites asked for are suggested: more sites would not cover more output", len(order), req.P))
	}
	if in.unreachable > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d producers (%.0f t) have no site within reach and stay unserved", in.unreachable, in.unreachT))
	}
	if in.excluded > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d candidate sites were left out: inside exclusion zones that apply to %s facilities, or (above field tier) on farmland", in.excluded, req.Tier))
	}
	for _, k := range order {
		e := expl[k]
		if e.MarginalGain <= 1e-9 && (req.Problem == "mclp" || req.Problem == "lscp") {
			out.Notes = append(out.Notes, fmt.Sprintf("%s adds no covered output beyond the other sites: fewer sites would do as well", in.cands[k].Name))
		}
		if e.RunnerUp != nil && e.RunnerUp.Loss <= 1e-9 {
			out.Notes = append(out.Notes, fmt.Sprintf("%s would serve as well as %s: an equally good alternative", e.RunnerUp.Name, in.cands[k].Name))
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return expl[order[a]].ServesT > expl[order[b]].ServesT })
	fc := geojson.NewFeatureCollection()
	for rank, k := range order {
		c, s, e := in.cands[k], newSite[k], expl[k]
		e.Summary = summarize(c, e)
		f := geojson.NewFeature(orb.Point{c.At.Lon, c.At.Lat})
		f.ID = fmt.Sprintf("site-%d", rank+1)
		f.Properties = geojson.Properties{
			"rank": rank + 1, "candidate_id": c.ID, "name": c.Name, "source": c.Source, "kind": c.Kind,
			"region_code": c.Region, "facility_type": req.FacilityType, "tier": req.Tier, "status": "proposed",
			"capacity_t": s.Capacity, "product_classes": req.ProductClasses, "build_cost": s.BuildCost,
			"subsidy_estimate": s.BuildCost * req.SubsidyRate, "explanation": e,
		}
		fc.Append(f)
	}
	b, err := fc.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out.Sites = b
	return out, nil
}

// arcCost returns the travel minutes of demand i to site j (cost units for
// cflp are money, so minutes are not kept: -1).
func arcCost(loc *locate.Instance, i, j int, problem string) float64 {
	if problem == "cflp" {
		return -1
	}
	sites, costs := loc.Costs.Row(i)
	for k, s := range sites {
		if int(s) == j {
			return math.Round(costs[k]*10) / 10
		}
	}
	return -1
}

func summarize(c candidate, e *Explanation) string {
	main, mainT := "", 0.0
	for cl, s := range e.ByClass {
		if s.T > mainT || (s.T == mainT && cl < main) {
			main, mainT = cl, s.T
		}
	}
	s := fmt.Sprintf("%s serves %d producers, %.0f t/yr", c.Name, e.ServesProducers, e.ServesT)
	if main != "" {
		s += fmt.Sprintf(" (mostly %s, %.0f t)", main, mainT)
	}
	s += fmt.Sprintf("; without it the plan loses %.0f %s", e.MarginalGain, e.MarginalLabel)
	if e.NearestExisting != nil {
		s += fmt.Sprintf("; nearest existing facility %s is %.0f min away", e.NearestExisting.Name, e.NearestExisting.Minutes)
	}
	if e.RunnerUp != nil {
		s += fmt.Sprintf("; the next best site, %s, would be %.0f worse", e.RunnerUp.Name, e.RunnerUp.Loss)
	}
	return s
}

// nearestExisting finds each chosen site's nearest existing facility.
func nearestExisting(ctx context.Context, model access.Model, in *instance, order []int, expl map[int]*Explanation) error {
	d := in.data
	if len(d.Sites) == 0 || len(order) == 0 {
		return nil
	}
	from := make([]access.Point, len(order))
	reach := make([]float64, len(order))
	for i, k := range order {
		from[i] = in.cands[k].At
		reach[i] = 24 * 60
	}
	to := make([]access.Point, len(d.Sites))
	for j, s := range d.Sites {
		to[j] = s.At
	}
	pairs, err := model.Pairs(ctx, from, to, reach)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		e := expl[order[p.From]]
		if e.NearestExisting == nil { // pairs are nearest first
			s := d.Sites[p.To]
			e.NearestExisting = &Neighbour{ID: s.ID, Name: s.Name, Minutes: math.Round(p.Minutes*10) / 10}
		}
	}
	return nil
}

// evaluator computes a plan's objective for a set of open sites, for
// marginal gains and runner-ups.
type evaluator struct{ in *instance }

func (ev evaluator) label() string {
	switch ev.in.req.Problem {
	case "mclp", "lscp":
		return "t covered"
	case "pmedian":
		return "t·min"
	case "pcenter":
		return "min (longest access)"
	}
	return "10,000 CNY (capacities ignored)"
}

// value is the objective for open sites (for lscp: covered tonnes).
func (ev evaluator) value(open []bool) float64 {
	loc, p := ev.in.loc, ev.in.req.Problem
	total := 0.0
	for i, dm := range loc.Demand {
		sites, costs := loc.Costs.Row(i)
		best := math.Inf(1)
		for k, s := range sites {
			if open[s] && costs[k] < best {
				best = costs[k]
			}
		}
		switch p {
		case "mclp", "lscp":
			if best <= dm.Radius {
				total += dm.Weight
			}
		case "pmedian":
			if math.IsInf(best, 1) {
				best = 2 * defaultHorizon
			}
			total += dm.Weight * best
		case "pcenter":
			if math.IsInf(best, 1) {
				best = 2 * defaultHorizon
			}
			total = math.Max(total, best)
		default:
			if !math.IsInf(best, 1) {
				total += best
			}
		}
	}
	if p == "cflp" {
		for j, s := range loc.Sites {
			if open[j] && s.Status == locate.Candidate {
				total += s.FixedCost
			}
		}
	}
	return total
}

// loss is how much worse v is than base (positive when worse).
func (ev evaluator) loss(base, v float64) float64 {
	if p := ev.in.req.Problem; p == "mclp" || p == "lscp" {
		return base - v
	}
	return v - base
}

// runnerUp tries the 25 unopened candidates nearest to candidate k in its
// place and returns the best.
func (ev evaluator) runnerUp(open []bool, sites []int, k int, base float64) *Neighbour {
	in := ev.in
	type near struct {
		j int
		m float64
	}
	at := orb.Point{in.cands[k].At.Lon, in.cands[k].At.Lat}
	var ns []near
	for j, r := range in.refs {
		if r.cand < 0 || r.cand == k || open[j] {
			continue
		}
		if len(sites) > 0 && in.refs[sites[0]].module != r.module {
			continue
		}
		c := in.cands[r.cand].At
		ns = append(ns, near{j, geo.Distance(at, orb.Point{c.Lon, c.Lat})})
	}
	sort.Slice(ns, func(a, b int) bool { return ns[a].m < ns[b].m || (ns[a].m == ns[b].m && ns[a].j < ns[b].j) })
	if len(ns) > 25 {
		ns = ns[:25]
	}
	trial := slices.Clone(open)
	for _, j := range sites {
		trial[j] = false
	}
	var best *Neighbour
	bestLoss := math.Inf(1)
	for _, n := range ns {
		trial[n.j] = true
		l := ev.loss(base, ev.value(trial))
		trial[n.j] = false
		if l < bestLoss {
			bestLoss = l
			c := in.cands[in.refs[n.j].cand]
			best = &Neighbour{ID: c.ID, Name: c.Name, Loss: math.Round(l*100) / 100}
		}
	}
	return best
}
