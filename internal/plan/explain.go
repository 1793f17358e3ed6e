package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/locate"
)

// place is a chosen candidate (cand ≥ 0) or an expanded facility.
type place struct{ cand, existing int }

// places lists the chosen candidates then the expanded facilities.
func (ch *choice) places() []place {
	var out []place
	for _, k := range ch.order {
		out = append(out, place{cand: k, existing: -1})
	}
	for _, j := range ch.xorder {
		out = append(out, place{cand: -1, existing: j})
	}
	return out
}

// sitesOf is the engine sites of a place.
func (ch *choice) sitesOf(p place) []int {
	if p.cand >= 0 {
		return ch.cands[p.cand]
	}
	return ch.expand[p.existing]
}

// explain says why each place was chosen: what it serves, what the plan
// loses without it, the runner-up and the nearest compatible facility.
func (in *instance) explain(ctx context.Context, model access.Model, ch *choice, res *locate.Result, out *Result) (map[place]*Explanation, error) {
	var with *locate.CapacityValue // a capacity plan's measure, once
	base := 0.0
	if in.spec.Network {
		var err error
		if with, err = in.loc.Capacity.Evaluate(ctx, in.loc, ch.open); err != nil {
			return nil, err
		}
		base = with.Weighted
	} else {
		base = in.spec.Evaluate(in.loc, ch.open)
	}
	expl := map[place]*Explanation{}
	for _, p := range ch.places() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := &Explanation{ByClass: map[string]ClassServed{}, MarginalLabel: in.spec.Unit.EN, MarginalLabelZH: in.spec.Unit.ZH}
		without := slices.Clone(ch.open)
		for _, j := range ch.sitesOf(p) {
			without[j] = false
		}
		if p.cand < 0 {
			e.Expands = in.data.Sites[p.existing].ID
			e.AddsT = map[string]float64{in.req.Zones[0]: ch.addT[p.existing]}
		}
		if in.spec.Network {
			if err := in.explainCapacity(ctx, ch, p, with, without, e, out); err != nil {
				return nil, err
			}
		} else {
			e.MarginalGain = in.spec.Loss(base, in.spec.Evaluate(in.loc, without))
			if p.cand >= 0 {
				e.RunnerUp = in.runnerUp(in.neighbours(ch.open, ch.cands[p.cand], p.cand), without, base)
			}
		}
		expl[p] = e
	}
	if !in.spec.Network {
		in.servedByAssignment(ch, res, out, expl)
	}
	if err := in.nearestCompatible(ctx, model, ch, expl); err != nil {
		return nil, err
	}
	return expl, nil
}

// servedByAssignment counts what each chosen candidate serves from the
// engine's assignment.
func (in *instance) servedByAssignment(ch *choice, res *locate.Result, out *Result, expl map[place]*Explanation) {
	siteOf := map[int]int{}
	for k, js := range ch.cands {
		for _, j := range js {
			siteOf[j] = k
		}
	}
	for i, j := range res.Assign {
		k, ok := siteOf[int(j)]
		if j < 0 || !ok {
			continue
		}
		p := in.data.Producers[in.demand[i]]
		e := expl[place{cand: k, existing: -1}]
		t := p.Output * in.share[i]
		e.ServesT += t
		cs := e.ByClass[p.Class]
		cs.T += t
		if i == 0 || in.demand[i-1] != in.demand[i] || res.Assign[i-1] != j {
			e.ServesProducers++ // a producer served in parts by one site counts once
			cs.Producers++
		}
		e.ByClass[p.Class] = cs
		out.Assigned = append(out.Assigned, Assignment{Producer: p.ID, Site: in.cands[k].ID, Minutes: in.arcMinutes(i, int(j)), T: round2(t)})
	}
}

// explainCapacity fills a capacity plan's explanation of place pl: the
// measure without it (the marginal gain), the runner-up, and the
// producers whose handled tonnes depend on it.
func (in *instance) explainCapacity(ctx context.Context, ch *choice, pl place, with *locate.CapacityValue, without []bool, e *Explanation, out *Result) error {
	wo, err := in.loc.Capacity.Evaluate(ctx, in.loc, without)
	if err != nil {
		return err
	}
	e.MarginalGain = in.spec.Loss(with.Weighted, wo.Weighted)
	if pl.cand >= 0 {
		ns := in.neighbours(ch.open, ch.cands[pl.cand], pl.cand)
		e.RunnerUp = in.runnerUp(ns[:min(len(ns), capacityNeighbours)], without, with.Weighted)
	}
	in.servedByNetwork(ch, pl, with, wo, e, out)
	return nil
}

// capacityNeighbours is how many of the nearest candidates a capacity
// plan tries as a place's runner-up. Each try is a full handling measure
// (a maximum flow per month), about a hundred times the work of a try in
// the coverage problems, which try 25.
const capacityNeighbours = 10

// servedByNetwork counts, for a capacity plan, the producers of the
// plan's classes whose handled tonnes depend on the place: handled with
// the plan (with) less handled without it (wo). Each such producer is an
// allocation of out (to the place's site, with that gain in tonnes).
func (in *instance) servedByNetwork(ch *choice, pl place, with, wo *locate.CapacityValue, e *Explanation, out *Result) {
	cm := in.loc.Capacity
	for i := range with.Assign.Handled {
		d := 0.0
		for m := 0; m < 12; m++ {
			d += with.Assign.Handled[i][m] - wo.Assign.Handled[i][m]
		}
		t := d * cm.Tonnes[i]
		if t <= 1e-6 {
			continue
		}
		p := in.data.Producers[i]
		e.ServesT += t
		e.ServesProducers++
		cs := e.ByClass[p.Class]
		cs.T += t
		cs.Producers++
		e.ByClass[p.Class] = cs
		out.Assigned = append(out.Assigned, Assignment{Producer: p.ID, Site: in.placeID(pl), Minutes: in.nodeMinutes(i, ch.sitesOf(pl)), T: round2(t)})
	}
}

// placeID is the id of a place's site: the candidate's or the expanded
// facility's.
func (in *instance) placeID(p place) string {
	if p.cand >= 0 {
		return in.cands[p.cand].ID
	}
	return in.data.Sites[p.existing].ID
}

// nodeMinutes is demand i's travel minutes to the nearest node that the
// capacity options sites add to (-1 when it reaches none).
func (in *instance) nodeMinutes(i int, sites []int) float64 {
	cm := in.loc.Capacity
	best := -1.0
	for _, j := range sites {
		for _, add := range cm.Adds[j] {
			for a := cm.Net.Start[i]; a < cm.Net.Start[i+1]; a++ {
				if cm.Net.Node[a] == add.Node && (best < 0 || cm.Net.Minutes[a] < best) {
					best = cm.Net.Minutes[a]
				}
			}
		}
	}
	if best < 0 {
		return -1
	}
	return math.Round(best*10) / 10
}

// arcMinutes returns the travel minutes of demand i to site j (-1 when
// arc costs are money).
func (in *instance) arcMinutes(i, j int) float64 {
	if in.spec.Money {
		return -1
	}
	sites, costs := in.loc.Costs.Row(i)
	for k, s := range sites {
		if int(s) == j {
			return math.Round(costs[k]*10) / 10
		}
	}
	return -1
}

// neighbours are the 25 unopened candidates' sites nearest to candidate
// k (same module as its sites) that keep the plan within its budget once
// k's sites are closed, nearest first.
func (in *instance) neighbours(open []bool, sites []int, k int) []int {
	spare := math.Inf(1) // budget left once k's sites are closed
	if in.req.Budget > 0 {
		spare = in.req.Budget
		for j, o := range open {
			if o {
				spare -= in.loc.Sites[j].FixedCost
			}
		}
		for _, j := range sites {
			spare += in.loc.Sites[j].FixedCost
		}
	}
	type near struct {
		j int
		m float64
	}
	at := orb.Point{in.cands[k].At.Lon, in.cands[k].At.Lat}
	var ns []near
	for j, r := range in.refs {
		if r.cand < 0 || r.cand == k || open[j] || (len(sites) > 0 && in.refs[sites[0]].module != r.module) ||
			in.loc.Sites[j].FixedCost > spare+1e-9 {
			continue
		}
		c := in.cands[r.cand].At
		ns = append(ns, near{j, geo.Distance(at, orb.Point{c.Lon, c.Lat})})
	}
	sort.Slice(ns, func(a, b int) bool { return ns[a].m < ns[b].m || (ns[a].m == ns[b].m && ns[a].j < ns[b].j) })
	out := make([]int, min(len(ns), 25))
	for i := range out {
		out[i] = ns[i].j
	}
	return out
}

// runnerUp tries each neighbour in the place of the closed sites
// (without) and returns the one that loses least against base, the
// nearest of equals.
func (in *instance) runnerUp(ns []int, without []bool, base float64) *Neighbour {
	trial := slices.Clone(without)
	best, bestLoss := -1, math.Inf(1)
	for _, j := range ns {
		trial[j] = true
		l := in.spec.Loss(base, in.spec.Evaluate(in.loc, trial))
		trial[j] = false
		if l < bestLoss {
			best, bestLoss = j, l
		}
	}
	return in.neighbour(best, bestLoss)
}

// neighbour describes engine site j as a runner-up that loses loss (nil
// for none).
func (in *instance) neighbour(j int, loss float64) *Neighbour {
	if j < 0 {
		return nil
	}
	c := in.cands[in.refs[j].cand]
	return &Neighbour{ID: c.ID, Name: c.Name, Loss: math.Round(loss*100) / 100}
}

// nearestCompatible finds each new site's nearest existing facility that
// takes one of the plan's classes and has capacity for it.
func (in *instance) nearestCompatible(ctx context.Context, model access.Model, ch *choice, expl map[place]*Explanation) error {
	d := in.data
	var to []access.Point
	var ids []int
	for j := range d.Sites {
		for _, c := range in.req.ProductClasses {
			if d.Sites[j].Accepts(d.Classes[c]) {
				to, ids = append(to, d.Sites[j].At), append(ids, j)
				break
			}
		}
	}
	if len(to) == 0 || len(ch.order) == 0 {
		return nil
	}
	from := make([]access.Point, len(ch.order))
	reach := make([]float64, len(ch.order))
	for i, k := range ch.order {
		from[i], reach[i] = in.cands[k].At, 24*60
	}
	pairs, err := model.Pairs(ctx, from, to, reach)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		e := expl[place{cand: ch.order[p.From], existing: -1}]
		if e.NearestExisting == nil { // pairs are nearest first
			s := d.Sites[ids[p.To]]
			e.NearestExisting = &Neighbour{ID: s.ID, Name: s.Name, Minutes: math.Round(p.Minutes*10) / 10}
		}
	}
	return nil
}

// summaries writes the explanation's one-line summary in both languages.
func summaries(name string, e *Explanation) (en, zh string) {
	main, mainT := "", 0.0
	for cl, s := range e.ByClass {
		if s.T > mainT || (s.T == mainT && cl < main) {
			main, mainT = cl, s.T
		}
	}
	en = fmt.Sprintf("%s serves %d producers, %.0f t/yr", name, e.ServesProducers, e.ServesT)
	zh = fmt.Sprintf("%s 服务 %d 个经营主体，年 %.0f 吨", name, e.ServesProducers, e.ServesT)
	if main != "" {
		en += fmt.Sprintf(" (mostly %s, %.0f t)", main, mainT)
		zh += fmt.Sprintf("（主要为 %s，%.0f 吨）", main, mainT)
	}
	en += fmt.Sprintf("; without it the plan loses %.0f %s", e.MarginalGain, e.MarginalLabel)
	zh += fmt.Sprintf("；去掉它方案将损失 %.0f %s", e.MarginalGain, e.MarginalLabelZH)
	if e.Expands != "" {
		en += fmt.Sprintf("; it expands existing facility %s", e.Expands)
		zh += fmt.Sprintf("；为现有设施 %s 改扩建", e.Expands)
	}
	if e.NearestExisting != nil {
		en += fmt.Sprintf("; the nearest compatible facility, %s, is %.0f min away", e.NearestExisting.Name, e.NearestExisting.Minutes)
		zh += fmt.Sprintf("；最近的同类可用设施 %s 距此 %.0f 分钟", e.NearestExisting.Name, e.NearestExisting.Minutes)
	}
	switch r := e.RunnerUp; {
	case r == nil:
	case r.Loss < 0:
		en += fmt.Sprintf("; %s would do %.0f better here (the search reached its time limit before trying it)", r.Name, -r.Loss)
		zh += fmt.Sprintf("；%s 在此处可多 %.0f（搜索在尝试它之前已到时间上限）", r.Name, -r.Loss)
	default:
		en += fmt.Sprintf("; the next best site, %s, would be %.0f worse", r.Name, r.Loss)
		zh += fmt.Sprintf("；次优选址 %s 将差 %.0f", r.Name, r.Loss)
	}
	return en, zh
}
