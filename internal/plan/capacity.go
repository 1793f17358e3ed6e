package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/locate"
)

// buildNetwork builds the capacity problem: the coverage measure's own
// handling network over every producer (all classes share storage), with
// each candidate as a site of no capacity yet, and as options the
// candidates' modular sizes and the expansions of existing facilities of
// the plan's type. The objective counts the plan's classes only, each
// tonne weighted by its area's priority.
func (in *instance) buildNetwork(ctx context.Context, model access.Model) error {
	req, d := in.req, in.data
	pd := *d
	pd.Sites = slices.Clone(d.Sites)
	first := len(pd.Sites)
	for _, c := range in.cands {
		pd.Sites = append(pd.Sites, coverage.Site{ID: c.ID, Name: c.Name, Type: req.FacilityType, Tier: req.Tier, Status: "proposed",
			Capacity: map[string]float64{}, Classes: slices.Clone(req.ProductClasses), At: c.At, Proposed: true})
	}
	nw, err := coverage.BuildNetwork(ctx, model, &pd, coverage.Options{})
	if err != nil {
		return err
	}
	cm := &locate.CapacityModel{Net: nw.Network}
	loc := &locate.Instance{Name: req.Name, Capacity: cm}
	zone := req.Zones[0]
	for k, c := range in.cands {
		node := nw.Node(first+k, zone)
		if node < 0 {
			continue // no producer of the plan's classes reaches it in time
		}
		for m, mod := range req.CapacityMenu {
			loc.Sites = append(loc.Sites, locate.Site{ID: fmt.Sprintf("%s#%d", c.ID, m), X: c.At.Lon, Y: c.At.Lat, FixedCost: mod.BuildCost})
			cm.Adds = append(cm.Adds, []locate.NodeAdd{{Node: node, T: mod.CapacityT}})
			cm.Group = append(cm.Group, int32(k))
			in.refs = append(in.refs, siteRef{existing: -1, cand: k, module: m})
		}
	}
	in.addExpansions(nw, loc, zone)
	if len(loc.Sites) == 0 {
		return derrors.Invalid("no candidate site or expansion can add %s capacity that producers of %s reach within their thresholds: add candidates nearer to them, or use candidates=generated", zone, strings.Join(req.ProductClasses, ", "))
	}
	in.weighNetwork(loc, cm)
	in.net, in.loc = nw, loc
	return in.checkTarget(ctx)
}

// checkTarget refuses a handling target that no plan reaches, naming the
// highest share that can be handled.
func (in *instance) checkTarget(ctx context.Context) error {
	cm := in.loc.Capacity
	if cm.Target <= 0 {
		return nil
	}
	best, err := cm.Best(ctx, in.loc)
	if err != nil {
		return err
	}
	if best.Tonnes < cm.Target*(1-1e-9) {
		return in.solveError(ctx, &locate.TargetError{Target: cm.Target, Best: best.Tonnes})
	}
	return nil
}

// checkBudget refuses, for capacitated cost problems, a budget that cannot
// buy enough capacity for the reachable peak stock even at the cheapest
// cost per tonne of the menu, naming that least budget.
func (in *instance) checkBudget() error {
	if !in.spec.Money || in.req.Budget <= 0 {
		return nil
	}
	need := 0.0
	for _, d := range in.loc.Demand {
		need += d.Weight
	}
	for _, s := range in.loc.Sites {
		if s.Status == locate.Existing {
			need -= s.Capacity
		}
	}
	perT := math.Inf(1)
	for _, m := range in.req.CapacityMenu {
		perT = math.Min(perT, m.BuildCost/m.CapacityT)
	}
	if least := need * perT; need > 0 && in.req.Budget < least*(1-1e-9) {
		return derrors.Invalid("budget %.0f (10,000 CNY) cannot serve all %.0f t of reachable output: %.0f t of peak stock has no store, and the cheapest size costs %.3f per tonne, so full service needs a budget of at least %.0f; raise the budget, or use problem capacity for the most tonnes handled within this budget",
			in.req.Budget, in.totalT-in.unreachT, need, perT, math.Ceil(least))
	}
	return nil
}

// addExpansions adds the expansion options: existing facilities of the
// plan's type that take one of its classes and that producers reach.
func (in *instance) addExpansions(nw *coverage.Network, loc *locate.Instance, zone string) {
	req, d := in.req, in.data
	for j := range d.Sites {
		s := &d.Sites[j]
		if s.Type != req.FacilityType || !slices.ContainsFunc(req.ProductClasses, s.AcceptsClass) {
			continue
		}
		node := nw.Node(j, zone)
		if node < 0 {
			continue
		}
		for m, mod := range req.ExpansionMenu {
			loc.Sites = append(loc.Sites, locate.Site{ID: fmt.Sprintf("%s+%d", s.ID, m), X: s.At.Lon, Y: s.At.Lat, FixedCost: mod.BuildCost})
			cm := loc.Capacity
			cm.Adds = append(cm.Adds, []locate.NodeAdd{{Node: node, T: mod.CapacityT}})
			cm.Group = append(cm.Group, int32(len(in.cands)+j))
			in.refs = append(in.refs, siteRef{existing: j, cand: -1, module: m, expansion: true})
		}
	}
}

// weighNetwork sets each producer's objective weight and the target.
func (in *instance) weighNetwork(loc *locate.Instance, cm *locate.CapacityModel) {
	req, d := in.req, in.data
	loc.Costs.Start = make([]int, len(d.Producers)+1)
	for _, p := range d.Producers {
		tps := coverage.TonnesPerStock(d.Classes[p.Class])
		value, tonnes := 0.0, 0.0
		if in.planClass(p.Class) {
			value, tonnes = tps*req.Priority.Weight(p.PovertyExit, p.KeyCounty), tps
			in.totalT += p.Output
		}
		cm.Value = append(cm.Value, value)
		cm.Tonnes = append(cm.Tonnes, tonnes)
		loc.Demand = append(loc.Demand, locate.Demand{ID: p.ID, X: p.At.Lon, Y: p.At.Lat, Weight: p.Output})
	}
	cm.Target = req.HandlingTarget * in.totalT
}

// residualCapacity is, for capacitated cost problems, each existing
// facility's capacity in the plan's zones less what other classes' stock
// uses of it in their busiest month under the coverage measure (nil for
// other problems): a store shared with other classes is shared, not handed
// whole to the plan.
func (in *instance) residualCapacity(ctx context.Context, model access.Model) ([]float64, error) {
	if !in.spec.Money {
		return nil, nil
	}
	d := in.data
	nw, err := coverage.BuildNetwork(ctx, model, d, coverage.Options{})
	if err != nil {
		return nil, err
	}
	others := *nw.Network
	others.Stock = slices.Clone(nw.Stock)
	for i, p := range d.Producers {
		if in.planClass(p.Class) {
			others.Stock[i] = [12]float64{}
		}
	}
	a, err := others.Assign(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(d.Sites))
	for j := range d.Sites {
		out[j] = capacityIn(d.Sites[j].Capacity, in.req.Zones)
	}
	for k, ref := range nw.Nodes {
		if slices.Contains(in.req.Zones, ref.Zone) {
			peak := 0.0
			for _, u := range a.NodeUsed[k] {
				peak = math.Max(peak, u)
			}
			out[ref.Site] -= peak
		}
	}
	return out, nil
}

// addUnserved lets a capacitated cost plan leave output unserved when all
// existing capacity and every candidate at every size cannot hold the
// reachable peak stock: an always-open "unserved" site that every demand
// reaches at a penalty larger than any way of serving it. The plan then
// serves all it can at least cost and says how much stays unserved.
func (in *instance) addUnserved() {
	if !in.spec.Money || in.req.Budget > 0 {
		return
	}
	loc := in.loc
	need, room := 0.0, 0.0
	for _, d := range loc.Demand {
		need += d.Weight
	}
	maxFixed := 0.0
	for _, s := range loc.Sites {
		room += s.Capacity
		maxFixed = math.Max(maxFixed, s.FixedCost)
	}
	if need <= room {
		return
	}
	j := int32(len(loc.Sites))
	loc.Sites = append(loc.Sites, locate.Site{ID: "unserved", Status: locate.Existing})
	in.refs = append(in.refs, siteRef{existing: -1, cand: -1, module: -1, expansion: true})
	c := loc.Costs
	var out locate.Costs
	out.Start = []int{0}
	for i := range loc.Demand {
		sites, costs := c.Row(i)
		worst := 0.0
		for k := range sites {
			worst = math.Max(worst, costs[k])
		}
		pen := 10 * (worst + maxFixed + 1)
		out.Site = append(append(out.Site, sites...), j)
		out.Cost = append(append(out.Cost, costs...), pen)
		out.Start = append(out.Start, len(out.Site))
		in.penalty = append(in.penalty, pen)
	}
	loc.Costs = out
	in.unservedSite = int(j)
	in.short = need - room
}
