package report

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/locate"
	"github.com/coldchain/coldchain/internal/plan"
)

//go:embed report.html.tmpl
var pageText string

var page = template.Must(template.New("report").Parse(pageText))

// view is what the template shows.
type view struct {
	Lang, PlanID  string
	T             map[string]string
	Request       string
	Map, Chart    template.HTML
	Figures       []figure
	PovertyShare  string
	PovertyDetail string
	Classes       []classRow
	Sites         []siteRow
	Parts         []partRow
	Proof         string
	Notes         []string
	Sources       string
}

type figure struct{ Label, Before, After, Change string }

type classRow struct{ Class, Output, Before, After, Rate string }

// partRow is a county part of a province plan, with its own proven gap.
type partRow struct{ County, Status, Objective, Gap, Sites string }

type siteRow struct {
	Rank                                          int
	Name, Type, Capacity, Cost, Serves, Why, Next string
}

// HTML renders plan id's report in lang ("zh" or "en"). It returns
// ErrInvalid for another language, ErrNotFound for an unknown plan and
// ErrConflict for one not finished.
func (s *Source) HTML(ctx context.Context, id, lang string) ([]byte, error) {
	lang, err := plan.ParseLang(lang)
	if err != nil {
		return nil, err
	}
	d, err := s.gather(ctx, id)
	if err != nil {
		return nil, err
	}
	t := texts{lang: lang}
	v := view{Lang: lang, PlanID: d.Plan.ID, T: map[string]string{},
		Request: request(d, t), Map: mapSVG(d, t), Chart: monthChart(d.Res.Months, t), Proof: proof(d, t), Sources: sources(d, t)}
	for k := range phrases {
		v.T[k] = t.get(k)
	}
	v.Figures, v.PovertyShare, v.PovertyDetail = figures(d, t)
	v.Classes = classes(d, t)
	v.Parts = parts(d, t)
	if v.Sites, err = sites(d, t); err != nil {
		return nil, err
	}
	v.Notes = d.Res.Notes
	if lang == "zh" {
		v.Notes = d.Res.NotesZH
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// className is a product class's name in the report's language.
func className(d *data, t texts, code string) string {
	n, ok := d.ClassNames[code]
	if !ok {
		return code
	}
	if t.lang == "zh" {
		return n[1]
	}
	return n[0]
}

// request says what the planner asked, in plain words.
func request(d *data, t texts) string {
	r := d.Req
	cls := make([]string, len(r.ProductClasses))
	for i, c := range r.ProductClasses {
		cls[i] = className(d, t, c)
	}
	sep := ", "
	if t.lang == "zh" {
		sep = "、"
	}
	problem := r.Problem
	if sp, err := locate.Lookup(r.Problem); err == nil {
		problem = sp.Title.In(t.lang)
	}
	where := d.RegionName
	if r.Region == "" && where == "" {
		where = t.get("whole_database")
	}
	out := fmt.Sprintf(t.get("req_region"), where)
	if t.lang == "zh" {
		out += fmt.Sprintf(t.get("req_main"), strings.Join(cls, sep), t.vocab("facility_type", r.FacilityType), t.vocab("tier", r.Tier), problem)
	} else {
		out += fmt.Sprintf(t.get("req_main"), t.vocab("facility_type", r.FacilityType), t.vocab("tier", r.Tier), strings.Join(cls, sep), problem)
	}
	switch {
	case r.HandlingTarget > 0:
		out += fmt.Sprintf(t.get("req_target"), pct(r.HandlingTarget))
	case r.Budget > 0:
		out += fmt.Sprintf(t.get("req_budget"), fmtNum(r.Budget))
	}
	if r.P > 0 {
		out += fmt.Sprintf(t.get("req_p"), r.P)
	}
	return out + fmt.Sprintf(t.get("req_candidates"), t.vocab("candidates", r.Candidates))
}

func pct(x float64) string { return fmt.Sprintf("%.1f %%", 100*x) }

// signed writes a change with its sign.
func signed(x float64, f func(float64) string) string {
	if x > 0 {
		return "+" + f(x)
	}
	return f(x)
}

// figures are the key figures before and after, and the poverty-exit
// share of the gain (shown on its own).
func figures(d *data, t texts) ([]figure, string, string) {
	r, c := d.Res, d.Res.Change
	ppt := func(x float64) string { return fmt.Sprintf("%.1f", 100*x) }
	out := []figure{
		{t.get("coverage_rate"), pct(c.CoverageRateBefore), pct(c.CoverageRateAfter), signed(c.CoverageRateAfter-c.CoverageRateBefore, ppt) + " pp"},
		{t.get("handling_rate"), pct(c.HandlingRateBefore), pct(c.HandlingRateAfter), signed(c.HandlingRateAfter-c.HandlingRateBefore, ppt) + " pp"},
		{t.get("handled_t"), fmtNum(r.Before.HandledT), fmtNum(r.After.HandledT), signed(r.After.HandledT-r.Before.HandledT, fmtNum)},
		{t.get("peak_gap"), fmt.Sprintf("%s (%s)", fmtNum(r.Before.PeakCapacityGapT), fmt.Sprintf(t.get("month_n"), r.Before.PeakMonth)),
			fmt.Sprintf("%s (%s)", fmtNum(r.After.PeakCapacityGapT), fmt.Sprintf(t.get("month_n"), r.After.PeakMonth)),
			signed(r.After.PeakCapacityGapT-r.Before.PeakCapacityGapT, fmtNum)},
	}
	zones := make([]string, 0, len(c.CapacityAddedT))
	for z := range c.CapacityAddedT {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	for _, z := range zones {
		out = append(out, figure{t.get("capacity_added") + " · " + t.vocab("zone", z) + " (" + t.get("tonnes") + ")", "", "", signed(c.CapacityAddedT[z], fmtNum)})
	}
	out = append(out,
		figure{t.get("build_cost"), "", fmtNum(c.BuildCost), ""},
		figure{t.get("subsidy"), "", fmtNum(c.SubsidyEstimate), ""},
		figure{t.get("unserved"), "", fmtNum(r.UnservedT), ""},
		figure{t.get("objective") + " (" + label(r.ObjectiveLabel, r.ObjectiveLabelZH, t) + ")", "", fmt.Sprintf("%.2f", r.Objective), ""})
	p := r.Priority
	detail := fmt.Sprintf(t.get("poverty_detail"), fmtNum(p.GainT), fmtNum(p.PovertyExitGainT), pct(p.PovertyExitOutput))
	return out, pct(p.PovertyExitShare), detail
}

func label(en, zh string, t texts) string {
	if t.lang == "zh" && zh != "" {
		return zh
	}
	return en
}

// classes are handling before and after by class.
func classes(d *data, t texts) []classRow {
	var out []classRow
	for _, c := range d.Res.ByClass {
		out = append(out, classRow{Class: className(d, t, c.Class), Output: fmtNum(c.OutputT), Before: fmtNum(c.HandledTBefore),
			After: fmtNum(c.HandledTAfter), Rate: pct(c.HandlingRateBefore) + " → " + pct(c.HandlingRateAfter)})
	}
	return out
}

// parts lists a province plan's county parts (none for a plan run whole).
func parts(d *data, t texts) []partRow {
	var out []partRow
	for _, p := range d.Res.Parts {
		r := partRow{County: strings.TrimSpace(p.Name + " " + p.Region), Status: t.get("part_" + p.Status),
			Objective: "–", Gap: t.get("no_bound"), Sites: fmt.Sprint(p.Sites)}
		if p.Status == "done" {
			r.Objective, r.Gap = fmtNum(p.Objective), fmt.Sprintf("%.2f %%", p.Gap)
		}
		out = append(out, r)
	}
	return out
}

// proof states the proven gap in one sentence.
func proof(d *data, t texts) string {
	r := d.Res
	if r.NoBound {
		return fmt.Sprintf(t.get("proof_parts_fmt"), len(r.Parts))
	}
	return fmt.Sprintf(t.get("proof_fmt"), fmt.Sprintf("%.2f", r.Gap), fmt.Sprintf("%.2f", r.Objective),
		label(r.ObjectiveLabel, r.ObjectiveLabelZH, t), fmt.Sprintf("%.2f", r.Bound))
}

// sources names the data and the dates.
func sources(d *data, t texts) string {
	finished := ""
	if d.Plan.FinishedAt != nil {
		finished = d.Plan.FinishedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	out := fmt.Sprintf(t.get("sources_fmt"), len(d.Producers), len(d.Regions), d.Res.Instance.Travel, d.Plan.ID,
		finished, d.Generated.Format("2006-01-02 15:04 UTC"))
	if d.SubmittedBy != "" {
		out += " " + fmt.Sprintf(t.get("submitted_by"), d.SubmittedBy)
	}
	return out
}

// sites is the site table.
func sites(d *data, t texts) ([]siteRow, error) {
	var out []siteRow
	for _, f := range d.Sites.Features {
		var e plan.Explanation
		b, _ := json.Marshal(f.Properties["explanation"])
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, err
		}
		out = append(out, siteRow{Rank: f.Properties.MustInt("rank", 0), Name: siteName(f, t),
			Type:     t.vocab("facility_type", f.Properties.MustString("facility_type", "")) + ", " + t.vocab("tier", f.Properties.MustString("tier", "")),
			Capacity: capacityText(f, t),
			Cost:     fmtNum(f.Properties.MustFloat64("build_cost", 0)) + " / " + fmtNum(f.Properties.MustFloat64("subsidy_estimate", 0)),
			Serves:   fmt.Sprintf(t.get("serves_fmt"), fmtNum(e.ServesT), e.ServesProducers),
			Why:      label(e.Summary, e.SummaryZH, t)})
		if e.RunnerUp != nil {
			f := "runner_fmt"
			if e.RunnerUp.Loss < 0 {
				f = "runner_better_fmt"
			}
			out[len(out)-1].Next = fmt.Sprintf(t.get(f), e.RunnerUp.Name, fmt.Sprintf("%.0f %s", math.Abs(e.RunnerUp.Loss), label(e.MarginalLabel, e.MarginalLabelZH, t)))
		}
	}
	return out, nil
}

func siteName(f *geojson.Feature, t texts) string {
	if t.lang == "zh" {
		if n := f.Properties.MustString("name_zh", ""); n != "" {
			return n
		}
	}
	return f.Properties.MustString("name", "")
}

// capacityText is a site's capacity by zone.
func capacityText(f *geojson.Feature, t texts) string {
	caps, _ := f.Properties["capacity_t"].(map[string]any)
	zones := make([]string, 0, len(caps))
	for z := range caps {
		zones = append(zones, z)
	}
	sort.Strings(zones)
	var parts []string
	for _, z := range zones {
		if v, _ := caps[z].(float64); v > 0 {
			parts = append(parts, t.vocab("zone", z)+" "+fmtNum(v)+" "+t.get("tonnes"))
		}
	}
	return strings.Join(parts, "; ")
}
