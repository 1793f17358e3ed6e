package plan

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/scenario"
)

// applyDrafts makes a plan run on a scenario see its drafts: facilities
// and candidate sites put or removed by a draft replace, join or leave the
// data the plan loaded from the shared layers. Draft facilities count when
// their status is existing (or unset); draft candidates when they allow the
// plan's tier and type (exclusion zones are not checked for drafts).
func (in *instance) applyDrafts(ctx context.Context, pool *pgxpool.Pool) error {
	if in.req.Scenario == "" {
		return nil
	}
	drafts, err := (&scenario.Store{Pool: pool}).Drafts(ctx, in.req.Scenario)
	if err != nil {
		return err
	}
	for _, d := range drafts {
		in.data.Sites = slices.DeleteFunc(in.data.Sites, func(s coverage.Site) bool { return d.Layer == "facilities" && s.ID == d.ID })
		in.cands = slices.DeleteFunc(in.cands, func(c candidate) bool { return d.Layer == "candidates" && c.ID == d.ID })
		if d.Op != "put" {
			continue
		}
		f, err := geojson.UnmarshalFeature(d.Feature)
		if err != nil {
			return err
		}
		pt, _ := f.Geometry.(orb.Point)
		at := access.Point{Lon: pt[0], Lat: pt[1]}
		if d.Layer == "facilities" {
			if st := f.Properties.MustString("status", "existing"); st == "existing" {
				in.data.Sites = append(in.data.Sites, draftSite(d.ID, f, at))
			}
		} else if c, ok := in.draftCandidate(d.ID, f, at); ok {
			in.cands = append(in.cands, c)
		}
	}
	return nil
}

// draftSite is a draft facility as the measure sees it.
func draftSite(id string, f *geojson.Feature, at access.Point) coverage.Site {
	s := coverage.Site{ID: id, Name: f.Properties.MustString("name", id), Type: f.Properties.MustString("facility_type", ""),
		Tier: f.Properties.MustString("tier", ""), Status: "existing", At: at, Capacity: map[string]float64{}}
	if caps, ok := f.Properties["capacity_t"].(map[string]any); ok {
		for z, v := range caps {
			if t, ok := v.(float64); ok {
				s.Capacity[z] = t
			}
		}
	}
	for _, z := range layer.Zones {
		if t, ok := f.Properties["capacity_"+z+"_t"].(float64); ok {
			s.Capacity[z] = t
		}
	}
	if cls, ok := f.Properties["product_classes"].([]any); ok {
		for _, c := range cls {
			if c, ok := c.(string); ok {
				s.Classes = append(s.Classes, c)
			}
		}
	}
	return s
}

// draftCandidate is a draft candidate site, if it allows the plan's tier
// and facility type and the plan uses the planners' candidates.
func (in *instance) draftCandidate(id string, f *geojson.Feature, at access.Point) (candidate, bool) {
	if in.req.Candidates != "user" && in.req.Candidates != "both" {
		return candidate{}, false
	}
	allows := func(key, v string) bool {
		list, ok := f.Properties[key].([]any)
		return !ok || len(list) == 0 || slices.Contains(list, any(v))
	}
	if !allows("allowed_tiers", in.req.Tier) || !allows("allowed_types", in.req.FacilityType) {
		return candidate{}, false
	}
	c := candidate{ID: id, Name: f.Properties.MustString("name", id), At: at, Source: "user", Kind: "candidate",
		BuildCost: f.Properties.MustFloat64("build_cost", 0)}
	if c.BuildCost <= 0 {
		c.BuildCost = defaultBuildCost(in.req.FacilityType)
	}
	return c, true
}
