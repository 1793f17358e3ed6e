package plan

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/locate"
)

// note adds a note in English and Chinese.
func (out *Result) note(en, zh string) {
	out.Notes = append(out.Notes, en)
	out.NotesZH = append(out.NotesZH, zh)
}

// addNotes says what a planner should know about the result; "optimal"
// never stands beside an unserved gap without saying so.
func (in *instance) addNotes(out *Result, ch *choice, expl map[place]*Explanation) {
	req := in.req
	n := len(ch.order) + len(ch.xorder)
	// Fewer sites than asked means more would not help: for a maximising
	// problem, or one where p is a ceiling rather than a count (cflp).
	if req.P > 0 && n < req.P && (in.spec.Sense == locate.Maximise || !in.spec.NeedsP) {
		out.note(fmt.Sprintf("%d of the %d sites asked for are suggested: more sites would not serve more output", n, req.P),
			fmt.Sprintf("建议 %d 个站点（要求 %d 个）：更多站点不会服务更多产量", n, req.P))
	}
	if in.unreachable > 0 {
		out.note(fmt.Sprintf("%d producers (%.0f t) have no site within reach and stay unserved", in.unreachable, in.unreachT),
			fmt.Sprintf("%d 个经营主体（%.0f 吨）在可达范围内没有站点，仍未得到服务", in.unreachable, in.unreachT))
	}
	if in.excluded > 0 {
		out.note(fmt.Sprintf("%d candidate sites were left out: inside exclusion zones that apply to %s facilities, or (above field tier) on farmland", in.excluded, req.Tier),
			fmt.Sprintf("%d 个候选点被排除：位于适用于该层级设施的禁建区内，或（田头以上层级）位于耕地上", in.excluded))
	}
	in.gapNotes(out)
	for _, p := range ch.places() {
		e := expl[p]
		name := in.placeName(p)
		if e.MarginalGain <= 1e-9 && in.spec.Covering {
			out.note(fmt.Sprintf("%s adds nothing beyond the other sites: fewer sites would do as well", name),
				fmt.Sprintf("%s 相比其他站点没有新增贡献：更少的站点效果相同", name))
		}
		switch r := e.RunnerUp; {
		case r == nil:
		case r.Loss < -1e-9:
			out.note(fmt.Sprintf("%s would do %.0f %s better than %s: the search reached its time limit before trying this swap; a longer time limit may improve the plan", r.Name, -r.Loss, e.MarginalLabel, name),
				fmt.Sprintf("%s 比 %s 多 %.0f %s：搜索在尝试这一替换之前已到时间上限；延长时间上限可能得到更好的方案", r.Name, name, -r.Loss, e.MarginalLabelZH))
		case r.Loss <= 1e-9:
			out.note(fmt.Sprintf("%s would serve as well as %s: an equally good alternative", r.Name, name),
				fmt.Sprintf("%s 与 %s 效果相同：同样好的备选", r.Name, name))
		}
	}
}

// gapNotes states the unserved gap, the budget used and where the gain lands.
func (in *instance) gapNotes(out *Result) {
	if out.UnservedT > 0.5 && out.After.OutputT > 0 {
		what, whatZH := "uncovered", "未覆盖"
		if in.spec.Gain == "handled" {
			what, whatZH = "unhandled by reachable cold storage", "未被可达冷库处理"
		}
		proven := ""
		provenZH := ""
		if out.Gap < 1e-6 {
			proven = "The plan is optimal for the question asked, but "
			provenZH = "方案对所提问题是最优的，但"
		}
		out.note(fmt.Sprintf("%s%.0f t/yr (%.1f %%) of the output of %s stays %s after the plan", proven, out.UnservedT, 100*out.UnservedT/out.After.OutputT, strings.Join(in.req.ProductClasses, ", "), what),
			fmt.Sprintf("%s方案实施后 %s 仍有 %.0f 吨/年（%.1f%%）%s", provenZH, strings.Join(in.req.ProductClasses, "、"), out.UnservedT, 100*out.UnservedT/out.After.OutputT, whatZH))
	}
	if in.spec.Network && out.Mode == "budget" && out.Gap > 5 {
		out.note("the proven bound lets the plan's classes take shared stores ahead of nearer producers of other classes, which the measure never does: the true distance from the optimum is usually far smaller than the gap",
			"证明的上界假设本方案品类可优先占用与其他品类共用的冷库（实际测算按就近原则分配），因此与最优解的真实差距通常远小于该差距值")
	}
	if out.Mode == "budget" {
		out.note(fmt.Sprintf("build cost %.0f of the budget %.0f (10,000 CNY)", out.Change.BuildCost, in.req.Budget),
			fmt.Sprintf("建设成本 %.0f 万元（预算 %.0f 万元）", out.Change.BuildCost, in.req.Budget))
	}
	if g := out.Priority; g.GainT > 1e-9 {
		out.note(fmt.Sprintf("%.0f %% of the gain (%.0f of %.0f t %s) lands in poverty-exit areas, which hold %.0f %% of the output", 100*g.PovertyExitShare, g.PovertyExitGainT, g.GainT, g.Measure, 100*g.PovertyExitOutput),
			fmt.Sprintf("新增效益的 %.0f%%（%.0f / %.0f 吨）落在脱贫地区，其产量占 %.0f%%", 100*g.PovertyExitShare, g.PovertyExitGainT, g.GainT, 100*g.PovertyExitOutput))
	}
}

// placeName is a chosen place's name.
func (in *instance) placeName(p place) string {
	if p.cand >= 0 {
		return in.cands[p.cand].Name
	}
	s := in.data.Sites[p.existing]
	if s.Name != "" {
		return s.Name
	}
	return s.ID
}

// siteFeatures is the plan's sites as a GeoJSON FeatureCollection, most
// serving first, each with its explanation.
func (in *instance) siteFeatures(ch *choice, expl map[place]*Explanation) (json.RawMessage, error) {
	req := in.req
	places := ch.places()
	sort.SliceStable(places, func(a, b int) bool { return expl[places[a]].ServesT > expl[places[b]].ServesT })
	fc := geojson.NewFeatureCollection()
	for rank, p := range places {
		e := expl[p]
		e.Summary, e.SummaryZH = summaries(in.placeName(p), e)
		var f *geojson.Feature
		if p.cand >= 0 {
			c, s := in.cands[p.cand], ch.newSite[p.cand]
			f = geojson.NewFeature(orb.Point{c.At.Lon, c.At.Lat})
			f.Properties = geojson.Properties{
				"candidate_id": c.ID, "name": c.Name, "name_zh": cmp.Or(c.NameZH, c.Name), "source": c.Source, "kind": c.Kind,
				"region_code": c.Region, "facility_type": req.FacilityType, "tier": req.Tier, "status": "proposed",
				"capacity_t": s.Capacity, "product_classes": req.ProductClasses, "build_cost": s.BuildCost,
				"subsidy_estimate": s.BuildCost * req.SubsidyRate}
		} else {
			f = in.expansionFeature(ch, p.existing)
		}
		f.ID = fmt.Sprintf("site-%d", rank+1)
		f.Properties["rank"] = rank + 1
		f.Properties["explanation"] = e
		fc.Append(f)
	}
	return fc.MarshalJSON()
}

// expansionFeature is an expansion of existing facility j.
func (in *instance) expansionFeature(ch *choice, j int) *geojson.Feature {
	s := in.data.Sites[j]
	cost := 0.0
	for _, e := range ch.expand[j] {
		cost += in.req.ExpansionMenu[in.refs[e].module].BuildCost
	}
	f := geojson.NewFeature(orb.Point{s.At.Lon, s.At.Lat})
	f.Properties = geojson.Properties{
		"candidate_id": s.ID, "name": in.placeName(place{cand: -1, existing: j}), "source": "existing", "kind": "expansion",
		"expands": s.ID, "facility_type": s.Type, "tier": s.Tier, "status": "proposed",
		"capacity_t": map[string]float64{in.req.Zones[0]: ch.addT[j]}, "product_classes": s.Classes,
		"build_cost": cost, "subsidy_estimate": cost * in.req.SubsidyRate}
	return f
}
