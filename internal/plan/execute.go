package plan

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/locate"
)

// choice is what the engine chose, mapped back to the plan's places.
type choice struct {
	open    []bool        // engine sites open, existing facilities included
	cands   map[int][]int // candidate -> its open engine sites (modules)
	order   []int         // candidates in the order chosen
	expand  map[int][]int // existing facility -> its open expansions
	xorder  []int         // expanded facilities in the order chosen
	newSite map[int]coverage.Site
	addT    map[int]float64 // existing facility -> capacity added
}

// execute solves the instance and assembles the result: the engine's
// choice, the coverage measures before and after, the objective as the
// planner reads it, explanations and notes.
func execute(ctx context.Context, model access.Model, in *instance) (*Result, error) {
	out, _, err := executeChoice(ctx, model, in)
	return out, err
}

// executeChoice is execute that also returns the engine's choice.
func executeChoice(ctx context.Context, model access.Model, in *instance) (*Result, *choice, error) {
	res, err := locate.Solve(ctx, in.loc, in.params())
	if err != nil {
		return nil, nil, in.solveError(ctx, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ch := in.choose(res)
	out := in.newResult(res)
	in.unservedCost(out, res)
	before, after, err := in.measure(ctx, model, ch)
	if err != nil {
		return nil, nil, err
	}
	in.fillMeasures(out, ch, before, after)
	in.fillObjective(out, res, after)
	expl, err := in.explain(ctx, model, ch, res, out)
	if err != nil {
		return nil, nil, err
	}
	in.addNotes(out, ch, expl)
	out.Sites, err = in.siteFeatures(ch, expl)
	return out, ch, err
}

// unservedCost takes the penalties of output left unserved out of the
// objective, so that it is the build and transport cost the planner pays.
func (in *instance) unservedCost(out *Result, res *locate.Result) {
	if in.unservedSite == 0 {
		return
	}
	pen, t := 0.0, 0.0
	for i, j := range res.Assign {
		if int(j) == in.unservedSite {
			pen += in.penalty[i]
			t += in.loc.Demand[i].Weight
		}
	}
	out.Objective -= pen
	out.Bound = math.Max(0, out.Bound-pen)
	out.Gap = locate.GapPercent(out.Objective, out.Bound)
	out.note(fmt.Sprintf("every store and candidate together hold %.0f t less than the peak stock of %v: %.0f t of peak stock is left unserved (the cost and its bound are for serving the rest)", in.short, in.req.ProductClasses, t),
		fmt.Sprintf("全部现有冷库与候选点的库容比 %v 的高峰库存少 %.0f 吨：%.0f 吨高峰库存无法服务（成本及其下界针对其余部分）", in.req.ProductClasses, in.short, t))
}

// solveError explains an engine failure in the planner's terms.
func (in *instance) solveError(ctx context.Context, err error) error {
	var te *locate.TargetError
	if errors.As(err, &te) {
		return derrors.Invalid("handling_target %.0f %% cannot be reached: with every candidate site and expansion built, at most %.1f %% of the output of %v can be handled; lower the target, add candidates or larger sizes (capacity_menu, expansion_menu)",
			100*in.req.HandlingTarget, 100*te.Best/in.totalT, in.req.ProductClasses)
	}
	if errors.Is(err, locate.ErrInfeasible) && in.spec.Money && in.req.Budget > 0 {
		return in.budgetTooSmall(ctx)
	}
	return err
}

// budgetTooSmall names the least budget that serves every reachable
// producer: the same instance solved for build cost alone.
func (in *instance) budgetTooSmall(ctx context.Context) error {
	fixed := *in.loc
	fixed.Costs.Cost = make([]float64, len(in.loc.Costs.Cost))
	p := in.params()
	p.Budget = 0
	res, err := locate.Solve(ctx, &fixed, p)
	if err != nil {
		return derrors.Invalid("budget %.0f (10,000 CNY) cannot serve all %.0f t of reachable output, and no module choice serves it all; use problem capacity for the most tonnes handled within the budget", in.req.Budget, in.totalT-in.unreachT)
	}
	return derrors.Invalid("budget %.0f (10,000 CNY) cannot serve all %.0f t of reachable output: full service needs a budget of %.0f (proven at least %.0f); raise the budget, or use problem capacity for the most tonnes handled within this budget",
		in.req.Budget, in.totalT-in.unreachT, res.Objective, res.Bound)
}

// choose maps the engine's open sites back to candidates and expansions.
func (in *instance) choose(res *locate.Result) *choice {
	ch := &choice{open: make([]bool, len(in.refs)), cands: map[int][]int{}, expand: map[int][]int{},
		newSite: map[int]coverage.Site{}, addT: map[int]float64{}}
	for j, r := range in.refs {
		ch.open[j] = r.alwaysOpen()
	}
	for _, j := range res.Sites {
		ch.open[j] = true
		r := in.refs[j]
		if r.expansion {
			if _, ok := ch.expand[r.existing]; !ok {
				ch.xorder = append(ch.xorder, r.existing)
			}
			ch.expand[r.existing] = append(ch.expand[r.existing], j)
			ch.addT[r.existing] += in.req.ExpansionMenu[r.module].CapacityT
			continue
		}
		if _, ok := ch.cands[r.cand]; !ok {
			ch.order = append(ch.order, r.cand)
		}
		ch.cands[r.cand] = append(ch.cands[r.cand], j)
	}
	req := in.req
	for _, k := range ch.order {
		c := in.cands[k]
		caps, cost := map[string]float64{}, 0.0
		if in.spec.Menu {
			for _, j := range ch.cands[k] {
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
		ch.newSite[k] = coverage.Site{ID: c.ID, Name: c.Name, Type: req.FacilityType, Tier: req.Tier, Status: "proposed",
			Capacity: caps, Classes: slices.Clone(req.ProductClasses), At: c.At, BuildCost: cost, Proposed: true}
	}
	return ch
}

// newResult starts the result with the engine's figures.
func (in *instance) newResult(res *locate.Result) *Result {
	out := &Result{Problem: in.req.Problem, ObjectiveLabel: in.spec.Objective.EN, ObjectiveLabelZH: in.spec.Objective.ZH,
		Objective: res.Objective, Bound: res.Bound, Gap: res.Gap, Seconds: res.Seconds, Iterations: res.Iterations}
	if in.req.Priority != nil && !in.spec.Money && !in.spec.UsesTarget {
		out.ObjectiveLabel = "priority-weighted " + out.ObjectiveLabel
		out.ObjectiveLabelZH = "按优先区域加权的" + out.ObjectiveLabelZH
	}
	if in.spec.BudgetOrTarget {
		out.Mode = "budget"
		if in.req.HandlingTarget > 0 && in.spec.TargetObjective != nil {
			out.Mode = "target"
			out.ObjectiveLabel, out.ObjectiveLabelZH = in.spec.TargetObjective.EN, in.spec.TargetObjective.ZH
		}
	}
	out.Instance = InstanceInfo{Demand: len(in.loc.Demand), Arcs: in.loc.Costs.Len(), ExcludedCandidates: in.excluded,
		UnreachableDemand: in.unreachable, UnreachableT: in.unreachT, Travel: in.travel, Candidates: len(in.cands)}
	if in.net != nil {
		out.Instance.Arcs = len(in.net.Network.Node)
	}
	for _, r := range in.refs {
		if r.alwaysOpen() {
			out.Instance.Existing++
		}
	}
	return out
}

// afterData is the plan's data with the chosen sites built and the
// chosen expansions added to their facilities.
func (in *instance) afterData(ch *choice) *coverage.Data {
	after := *in.data
	after.Sites = slices.Clone(in.data.Sites)
	for j, t := range ch.addT {
		s := &after.Sites[j]
		caps := make(map[string]float64, len(s.Capacity)+1)
		for z, v := range s.Capacity {
			caps[z] = v
		}
		caps[in.req.Zones[0]] += t
		s.Capacity = caps
	}
	for _, k := range ch.order {
		after.Sites = append(after.Sites, ch.newSite[k])
	}
	return &after
}

// measure computes the coverage measures before and after the plan.
//
// A county part of a larger plan keeps only its objective and its sites
// (the combined plan is measured on the whole region), so it measures
// the data after the plan only, and stands that in for before too.
func (in *instance) measure(ctx context.Context, model access.Model, ch *choice) (before, after *coverage.Report, err error) {
	if in.net == nil {
		if in.part {
			after, err = coverage.Compute(ctx, model, in.afterData(ch), coverage.Options{})
			return after, after, err
		}
		return coverage.ComputeBoth(ctx, model, in.data, in.afterData(ch), coverage.Options{})
	}
	// A capacity plan's network has the candidates after the sites: the
	// chosen ones are the new sites of the data after the plan.
	siteOf := make([]int, len(in.cands))
	for k := range siteOf {
		siteOf[k] = -1
	}
	for x, k := range ch.order {
		siteOf[k] = len(in.data.Sites) + x
	}
	ds := []*coverage.Data{in.data, in.afterData(ch)}
	if in.part {
		ds = ds[1:]
	}
	reps, err := in.net.Measure(ctx, model, ds, len(in.data.Sites), siteOf)
	if err != nil {
		return nil, nil, err
	}
	return reps[0], reps[len(reps)-1], nil
}

// fillObjective makes the capacity objective the measure itself: the
// priority-weighted tonnes handled recomputed with the new sites (budget
// mode), or the build cost (target mode).
func (in *instance) fillObjective(out *Result, res *locate.Result, after *coverage.Report) {
	if !in.spec.Network {
		return
	}
	out.Objective = in.measuredObjective(out, after)
	if out.Mode != "target" {
		out.Bound = math.Max(res.Bound, out.Objective)
	}
	out.Gap = locate.GapPercent(out.Objective, out.Bound)
}

// measuredObjective is a capacity plan's objective read from the measure
// after the plan: the build cost (target mode) or the priority-weighted
// tonnes handled.
func (in *instance) measuredObjective(out *Result, after *coverage.Report) float64 {
	if out.Mode == "target" {
		return out.Change.BuildCost
	}
	w := 0.0
	for _, a := range after.Producers {
		p := &in.data.Producers[a.Index]
		w += a.HandledT * in.req.Priority.Weight(p.PovertyExit, p.KeyCounty)
	}
	return w
}
