package plan

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/locate"
)

// combine makes plan id's result from its finished parts: their sites
// together, measured once on the whole region; the objective is the sum
// of the parts' (for capacity plans, the measure on the whole region) and
// no bound is claimed (see the rule at Part).
func (s *Service) combine(ctx context.Context, id string, req *Request) (*Result, error) {
	parts, outs, err := s.loadParts(ctx, id)
	if err != nil {
		return nil, err
	}
	var failed []string
	done := 0
	for _, p := range parts {
		switch p.Status {
		case "done":
			done++
		case "failed":
			failed = append(failed, p.Region+": "+p.Error)
		}
	}
	if done == 0 {
		return nil, derrors.Invalid("no county part could be planned: %s", strings.Join(failed, "; "))
	}
	spec, err := locate.Lookup(req.Problem)
	if err != nil {
		return nil, derrors.Invalid("problem: %v", err)
	}
	data, err := s.regionData(ctx, req)
	if errors.Is(err, coverage.ErrTooLarge) {
		return unmeasured(req, spec, parts, outs, failed, err)
	}
	if err != nil {
		return nil, err
	}
	in := &instance{req: req, spec: spec, data: data}
	ch, expansionCost, missing := combinedChoice(data, outs)
	before, after, err := in.measure(ctx, s.Travel, ch)
	if err != nil {
		return nil, err
	}
	out := combinedResult(in, parts, outs)
	in.fillMeasures(out, ch, before, after)
	for _, t := range ch.addT {
		out.Change.CapacityAddedT[req.Zones[0]] += t
	}
	out.Change.BuildCost += expansionCost
	out.Change.SubsidyEstimate = out.Change.BuildCost * req.SubsidyRate
	if spec.Network {
		// As for any capacity plan, the objective is the measure itself,
		// here on the whole region: the parts' own figures count only
		// their county's producers against the stores they share.
		out.Objective = in.measuredObjective(out, after)
	}
	if out.Sites, err = combinedSites(parts, outs); err != nil {
		return nil, err
	}
	combinedNotes(out, parts, failed, missing, spec.Network)
	return out, nil
}

// combinedChoice lays every part's new sites and expansions over the
// region's data; missing counts expanded facilities not in it.
func combinedChoice(data *coverage.Data, outs []*partOutcome) (ch *choice, expansionCost float64, missing int) {
	ch = &choice{newSite: map[int]coverage.Site{}, addT: map[int]float64{}}
	for _, o := range outs {
		if o == nil {
			continue
		}
		for _, site := range o.NewSites {
			k := len(ch.order)
			ch.order = append(ch.order, k)
			ch.newSite[k] = site
		}
		for fid, t := range o.Expanded {
			j := slices.IndexFunc(data.Sites, func(s coverage.Site) bool { return s.ID == fid })
			if j < 0 {
				missing++
				continue
			}
			ch.addT[j] += t
		}
		expansionCost += o.ExpansionCost
	}
	return ch, expansionCost, missing
}

// combinedResult starts the combined result: labels, the parts, and the
// objective as the sum of the parts', with no bound.
func combinedResult(in *instance, parts []Part, outs []*partOutcome) *Result {
	out := &Result{Problem: in.req.Problem, ObjectiveLabel: in.spec.Objective.EN, ObjectiveLabelZH: in.spec.Objective.ZH,
		Parts: parts, NoBound: true}
	if in.spec.BudgetOrTarget {
		out.Mode = "budget"
		if in.req.HandlingTarget > 0 && in.spec.TargetObjective != nil {
			out.Mode = "target"
			out.ObjectiveLabel, out.ObjectiveLabelZH = in.spec.TargetObjective.EN, in.spec.TargetObjective.ZH
		}
	}
	for _, o := range outs {
		if o != nil {
			out.Objective += o.Objective
			out.Seconds = max(out.Seconds, o.Seconds)
		}
	}
	out.Instance = InstanceInfo{Demand: len(in.data.Producers)}
	return out
}

// combinedSites gathers the parts' site features, each naming its part,
// ranked again over the whole plan (most serving first, as one plan's
// sites are), so that a rank names one site.
func combinedSites(parts []Part, outs []*partOutcome) (json.RawMessage, error) {
	fc := geojson.NewFeatureCollection()
	for i, o := range outs {
		if o == nil || len(o.Sites) == 0 {
			continue
		}
		pfc, err := geojson.UnmarshalFeatureCollection(o.Sites)
		if err != nil {
			return nil, err
		}
		for _, f := range pfc.Features {
			f.Properties["part"] = parts[i].N
			f.Properties["part_region"] = parts[i].Region
			f.Properties["part_rank"] = f.Properties["rank"]
			fc.Append(f)
		}
	}
	serves := func(f *geojson.Feature) float64 {
		e, _ := f.Properties["explanation"].(map[string]any)
		v, _ := e["serves_t"].(float64)
		return v
	}
	slices.SortStableFunc(fc.Features, func(a, b *geojson.Feature) int { return cmp.Compare(serves(b), serves(a)) })
	for k, f := range fc.Features {
		f.ID = fmt.Sprintf("site-%d", k+1)
		f.Properties["rank"] = k + 1
	}
	return json.Marshal(fc)
}

// combinedNotes says how the plan was decomposed and combined.
func combinedNotes(out *Result, parts []Part, failed []string, missing int, measured bool) {
	skipped := 0
	for _, p := range parts {
		if p.Status == "skipped" {
			skipped++
		}
	}
	out.note(fmt.Sprintf("planned as %d county parts, each solved on its own with its proven bound (listed under parts); p and the budget were shared out in proportion to each county's output of the plan's classes, a target applies in every county; %d counties got no share and were skipped", len(parts), skipped),
		fmt.Sprintf("按县分解为 %d 个部分分别求解（各自的证明界见 parts）；p 与预算按各县该类产量比例分配，目标在每个县分别满足；%d 个县未分得份额，已跳过", len(parts), skipped))
	out.note("border: each part saw the existing facilities around its county but only its own candidates; the combined before/after figures are measured once on the whole region with every part's sites, so a producer served by a new site across a county border counts as served",
		"边界处理：每个部分可使用本县周边的现有设施，但只在本县候选点中选址；合并后的前后指标在全区域统一重新计算，跨县由新站点服务的生产者计为已覆盖")
	objective, objectiveZH := "the objective is the sum of the parts' objectives", "目标值为各部分目标值之和"
	if measured {
		objective, objectiveZH = "the objective is the measure recomputed on the whole region with every part's sites (the parts' own objectives count only their county's producers against stores shared across borders)",
			"目标值为加入各部分选址后在全区域重新计算的指标（各部分自身的目标值只计本县经营主体对跨县共用冷库的使用）"
	}
	out.note("no bound is stated for the combined plan: the sum of the parts' bounds bounds only this split of p or budget between counties, not the region's problem, so the gap to the region's optimum is unknown; "+objective,
		"合并方案不给出界：各部分界之和只约束本次按县分配的方案，不约束全区域问题，因此与全区域最优的差距未知；"+objectiveZH)
	if len(failed) > 0 {
		out.note(fmt.Sprintf("%d county parts failed and add nothing: %s", len(failed), strings.Join(failed, "; ")),
			fmt.Sprintf("%d 个县的部分失败，未计入：%s", len(failed), strings.Join(failed, "；")))
	}
	if missing > 0 {
		out.note(fmt.Sprintf("%d expanded facilities lie outside the region and are not measured", missing),
			fmt.Sprintf("%d 个扩建设施位于区域外，未计入指标", missing))
	}
}

// unmeasured combines the parts of a region too large for one measure
// (coverage.MaxProducers): the objective is the sum of the parts' and the
// plan says that its before/after figures were not measured on the whole
// region; each part's figures are its own.
func unmeasured(req *Request, spec *locate.Spec, parts []Part, outs []*partOutcome, failed []string, why error) (*Result, error) {
	in := &instance{req: req, spec: spec, data: &coverage.Data{}}
	out := combinedResult(in, parts, outs)
	if out.Sites, _ = combinedSites(parts, outs); out.Sites == nil {
		out.Sites = json.RawMessage(`{"type":"FeatureCollection","features":[]}`)
	}
	combinedNotes(out, parts, failed, 0, false)
	msg := derrors.Message(why, why.Error())
	out.note("the combined before/after figures were not measured: "+msg+"; the objective is the sum of the parts' objectives, each measured on its county with the facilities around it: storage near a county border counts in the parts on both sides, so for handled tonnes the sum may overstate what the region handles",
		"合并后的前后指标未统一测算："+derrors.Chinese(msg)+"；目标值为各部分目标值之和，各部分在本县及周边设施上测算：县界附近的库容在两侧部分中都被计入，因此对处理吨数而言，该和可能高于全区域实际处理量")
	return out, nil
}
