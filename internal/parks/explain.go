package parks

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// site explains the top site of the given rank (table row r).
func (a *analysis) site(rank, r int, score float64, sens Sensitivity) SiteFeature {
	c := a.grid.Cells[a.feasible[r]]
	s := Site{Rank: rank + 1, Cell: c.ID, Score: round(score, 4), Class: ClassOf(score), Township: c.Township,
		TownshipName: c.TownshipName, SiteKind: c.SiteKind, Candidate: c.Candidate, FreeKm2: round(c.FreeKm2, 3),
		CatchmentT: map[string]float64{}, Producers: a.producers[r]}
	for cl, t := range a.catchment[r] {
		s.CatchmentT[cl] = round(t, 1)
		s.CatchmentTotalT += t
	}
	s.CatchmentTotalT = round(s.CatchmentTotalT, 1)
	var terms, details []string
	for ci, def := range Criteria {
		w := a.weights[ci]
		if w == 0 {
			continue
		}
		sc, contrib := a.table.Part(r, ci, w)
		p := Part{Criterion: def.ID, Value: round(a.table.Values[r][ci], 3), Unit: def.Unit, Score: round(sc, 4),
			Weight: round(w, 4), Contribution: round(contrib, 4), Detail: a.detail(def.ID, r, c, w)}
		s.Breakdown = append(s.Breakdown, p)
		terms = append(terms, fmt.Sprintf("%s %.2f×%.2f", def.ID, p.Score, math.Abs(p.Weight)))
		details = append(details, p.Detail)
	}
	s.Rule = rule(a.catchment[r], a.req.ProductClasses)
	if rank < len(sens.Sites) {
		s.StayShare = round(sens.Sites[rank].StayShare, 3)
	}
	where := ""
	if c.TownshipName != "" {
		where = " in " + c.TownshipName
	}
	s.Summary = fmt.Sprintf("Site %d, cell %s%s: score %.3f (%s) = %s. %s. %s. Stays in the top %d in %.0f %% of the ±%.0f %% weight runs.",
		s.Rank, c.ID, where, score, s.Class, strings.Join(terms, " + "), capitalise(strings.Join(details, "; ")), capitalise(s.Rule.Text),
		a.req.Top, 100*s.StayShare, a.req.SensitivityPct)
	return SiteFeature{Type: "Feature", ID: fmt.Sprintf("site-%d", s.Rank),
		Geometry: geojson.NewGeometry(orb.Point{round(c.Site.Lon, 6), round(c.Site.Lat, 6)}), Properties: s}
}

// detail says in words what a criterion measured at a site.
func (a *analysis) detail(id string, r int, c cell, w float64) string {
	v := a.table.Values[r][criterionIndex(id)]
	switch id {
	case Supply:
		return fmt.Sprintf("%.0f t/yr of %s within %.0f min (%d producers of all classes)", v, strings.Join(a.req.ProductClasses, " and "), a.req.CatchmentMinutes, a.producers[r])
	case Roads:
		return fmt.Sprintf("%.1f km to a main road (%s)", v, c.RoadName)
	case Labour:
		return fmt.Sprintf("%.1f km to %s (labour)", v, c.NearestTown)
	case ExistingParks:
		effect := "spread: farther is better"
		if w > 0 {
			effect = "co-location: nearer is better"
		}
		return fmt.Sprintf("%.1f km from %s (%s)", v, c.ParkName, effect)
	case Land:
		if c.Candidate != "" {
			return fmt.Sprintf("construction land at candidate site %s", c.Candidate)
		}
		return fmt.Sprintf("no construction-land site known; %.0f %% of the cell is outside basic farmland", 100*c.FarmFree)
	}
	return ""
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// rule checks the national modern agricultural industrial park rule on a
// catchment: the one or two largest leading classes make at least half of
// its output.
func rule(catch map[string]float64, leading []string) RuleCheck {
	total := 0.0
	var all []string
	for cl, t := range catch {
		total += t
		all = append(all, cl)
	}
	byOutput := func(s []string) {
		sort.Slice(s, func(i, j int) bool {
			if catch[s[i]] != catch[s[j]] {
				return catch[s[i]] > catch[s[j]]
			}
			return s[i] < s[j]
		})
	}
	byOutput(all)
	ls := append([]string(nil), leading...)
	byOutput(ls)
	rc := RuleCheck{Largest: all[:min(2, len(all))]}
	if total <= 0 || len(ls) == 0 {
		rc.Leading = ls[:min(2, len(ls))]
		rc.Text = "fails the rule (1–2 leading industries ≥ 50 % of output): no output within the catchment"
		return rc
	}
	rc.Leading = ls[:1]
	rc.Share = catch[ls[0]] / total
	if rc.Share < ruleShare && len(ls) > 1 {
		rc.Leading = ls[:2]
		rc.Share = (catch[ls[0]] + catch[ls[1]]) / total
	}
	rc.Passes = rc.Share >= ruleShare
	rc.Share = round(rc.Share, 4)
	verdict := "meets"
	if !rc.Passes {
		verdict = "fails"
	}
	rc.Text = fmt.Sprintf("%s the rule (1–2 leading industries ≥ 50 %% of output): %s make %.0f %% of the %.0f t/yr within reach",
		verdict, strings.Join(rc.Leading, " and "), 100*rc.Share, total)
	if !rc.Passes && len(all) > 0 {
		var parts []string
		for _, cl := range rc.Largest {
			parts = append(parts, fmt.Sprintf("%s %.0f %%", cl, 100*catch[cl]/total))
		}
		rc.Text += "; the catchment's largest classes are " + strings.Join(parts, " and ")
	}
	return rc
}

// cellClass returns grid cell i's class and score (nil when excluded).
func (a *analysis) cellClass(i int) (string, *float64) {
	r, ok := a.row[i]
	if !ok {
		return Excluded, nil
	}
	s := round(a.scores[r], 4)
	return ClassOf(a.scores[r]), &s
}

// areas tabulates the area by suitability class, for the region and by
// township. A usable cell's free land counts in its class; land inside the
// exclusion zones, and every unusable cell, count as excluded.
func (a *analysis) areas(res *Result) {
	g := a.grid
	byClass := map[string]*ClassArea{}
	for _, c := range Classes {
		byClass[c.Name] = &ClassArea{Class: c.Name}
	}
	byClass[Excluded] = &ClassArea{Class: Excluded}
	total := 0.0
	for i, c := range g.Cells {
		cl, _ := a.cellClass(i)
		byClass[cl].Cells++
		total += c.LandKm2
		res.Grid.LandKm2 += c.LandKm2
		res.Grid.FreeKm2 += c.FreeKm2
		if cl == Excluded {
			byClass[Excluded].AreaKm2 += c.LandKm2
			continue
		}
		byClass[cl].AreaKm2 += c.FreeKm2
		byClass[Excluded].AreaKm2 += c.LandKm2 - c.FreeKm2
	}
	res.Grid.LandKm2 = round(res.Grid.LandKm2, 3)
	res.Grid.FreeKm2 = round(res.Grid.FreeKm2, 3)
	for _, name := range classNames() {
		ca := byClass[name]
		ca.AreaKm2 = round(ca.AreaKm2, 3)
		if total > 0 {
			ca.Share = round(ca.AreaKm2/total, 4)
		}
		res.Areas = append(res.Areas, *ca)
	}

	towns := map[string]*TownshipArea{}
	for _, p := range g.Parts {
		t := towns[p.Code]
		if t == nil {
			t = &TownshipArea{Code: p.Code, Name: p.Name, ByClass: map[string]float64{}}
			for _, name := range classNames() {
				t.ByClass[name] = 0
			}
			towns[p.Code] = t
		}
		t.AreaKm2 += p.LandKm2
		cl, _ := a.cellClass(p.Cell)
		if cl == Excluded {
			t.ByClass[Excluded] += p.LandKm2
			continue
		}
		t.ByClass[cl] += p.FreeKm2
		t.ByClass[Excluded] += p.LandKm2 - p.FreeKm2
	}
	for r, i := range a.feasible {
		c := g.Cells[i]
		if t := towns[c.Township]; t != nil && (t.BestCell == "" || a.scores[r] > t.BestScore) {
			t.BestScore, t.BestCell = round(a.scores[r], 4), c.ID
		}
	}
	for rank, r := range a.top {
		if t := towns[g.Cells[a.feasible[r]].Township]; t != nil {
			t.Sites = append(t.Sites, rank+1)
		}
	}
	for _, t := range towns {
		for k, v := range t.ByClass {
			t.ByClass[k] = round(v, 3)
		}
		if t.AreaKm2 > 0 {
			t.SuitableShare = round((t.ByClass["high"]+t.ByClass["good"])/t.AreaKm2, 4)
		}
		t.AreaKm2 = round(t.AreaKm2, 3)
		res.Townships = append(res.Townships, *t)
	}
	sort.Slice(res.Townships, func(i, j int) bool { return res.Townships[i].Code < res.Townships[j].Code })
}

func classNames() []string {
	out := make([]string, 0, len(Classes)+1)
	for _, c := range Classes {
		out = append(out, c.Name)
	}
	return append(out, Excluded)
}

// cells returns every grid cell for storage: class, score, township and
// the criteria's raw values as properties.
func (a *analysis) cells(res *Result) []CellOut {
	g := a.grid
	township := map[int]townshipPart{}
	for _, p := range g.Parts {
		if q, ok := township[p.Cell]; !ok || p.LandKm2 > q.LandKm2 {
			township[p.Cell] = p
		}
	}
	rankOf := map[int]int{}
	for rank, r := range a.top {
		rankOf[a.feasible[r]] = rank + 1
	}
	out := make([]CellOut, 0, len(g.Cells))
	for i, c := range g.Cells {
		cl, score := a.cellClass(i)
		tp := township[i]
		props := map[string]any{
			"cell": c.ID, "class": cl, "score": score, "township": tp.Code, "township_name": tp.Name,
			"land_km2": round(c.LandKm2, 3), "free_km2": round(c.FreeKm2, 3), "zones": strings.Join(c.Zones, ","),
		}
		if rank, ok := rankOf[i]; ok {
			props["site_rank"] = rank
		}
		if r, ok := a.row[i]; ok {
			v := a.table.Values[r]
			props["supply_t"] = round(v[0], 1)
			props["land"] = round(v[4], 3)
			if a.grid.Roads {
				props["road_km"] = round(v[1], 3)
			}
			if a.grid.Towns {
				props["town_km"] = round(v[2], 3)
			}
			if a.grid.Parks {
				props["park_km"] = round(v[3], 3)
			}
			if c.Candidate != "" {
				props["candidate"] = c.Candidate
			}
		} else {
			props["reason"] = a.excludedReason(c)
		}
		out = append(out, CellOut{ID: c.ID, Geom: c.Geom, Score: score, Class: cl, Township: tp.Code, Props: props})
	}
	return out
}

func (a *analysis) excludedReason(c cell) string {
	if !c.HasSite {
		if len(c.Zones) > 0 {
			return fmt.Sprintf("%.2f km² left outside exclusion zones %s (a park needs %.2f km²)", c.FreeKm2, strings.Join(c.Zones, ", "), a.req.MinAreaKm2)
		}
		return fmt.Sprintf("%.2f km² of land in the region (a park needs %.2f km²)", c.FreeKm2, a.req.MinAreaKm2)
	}
	return "no construction-land candidate site (land = require)"
}
