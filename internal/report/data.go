// Package report renders a finished plan as a print-ready report in
// Chinese or English, for a county government: the request in plain words,
// a map of the county drawn as SVG from the same data the plan used (region
// boundaries, the plan's producers, the coverage-gap hexagons, the new
// sites and their allocations), key figures before and after, the site
// table, the monthly stock chart and the proven gap. PrintPDF prints the
// HTML to PDF with Debian's headless Chromium.
package report

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/audit"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres"
)

// MaxRegions bounds the boundaries drawn on the map.
const MaxRegions = 2000

// Source is where a report's data comes from.
type Source struct {
	Pool   *pgxpool.Pool
	Plans  *plan.Service
	Travel access.Model
}

// data is everything one report shows.
type data struct {
	Plan        *plan.Plan
	Req         plan.Request
	Res         plan.Result
	Sites       *geojson.FeatureCollection
	Allocations *geojson.FeatureCollection
	Regions     []region
	Hexagons    []*geojson.Feature
	Producers   []coverage.Producer
	ClassNames  map[string][2]string // code → en, zh
	RegionName  string
	Generated   time.Time
	// SubmittedBy is the token name that submitted the plan over the API
	// ("" for plans run from the command line).
	SubmittedBy string
}

// region is a boundary on the map.
type region struct {
	Code, Name, Level string
	Geom              orb.Geometry
}

// gather reads plan id and the map's data. It returns ErrNotFound for an
// unknown plan, ErrConflict for one not done or not a facility plan.
func (s *Source) gather(ctx context.Context, id string) (*data, error) {
	p, err := s.Plans.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Status != "done" || p.Kind != "facility" {
		return nil, derrors.Conflict("plan %s is a %s %s plan: only finished facility plans have a report", id, p.Status, p.Kind)
	}
	d := &data{Plan: p, Generated: time.Now().UTC()}
	if err := json.Unmarshal(p.Params, &d.Req); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(p.Result, &d.Res); err != nil {
		return nil, err
	}
	if d.Sites, err = geojson.UnmarshalFeatureCollection(d.Res.Sites); err != nil {
		return nil, err
	}
	if d.Allocations, err = s.Plans.Allocations(ctx, id); err != nil {
		return nil, err
	}
	if err := s.loadRegions(ctx, d); err != nil {
		return nil, err
	}
	if err := s.loadGaps(ctx, d); err != nil {
		return nil, err
	}
	edits, err := (&audit.Log{Pool: s.Pool}).List(ctx, audit.Query{Target: "plans", TargetID: id, Limit: audit.MaxLimit})
	if err != nil {
		return nil, err
	}
	for _, e := range edits {
		if e.Action == "plan" {
			d.SubmittedBy = e.Actor
		}
	}
	return d, s.loadClassNames(ctx, d)
}

// loadRegions reads the county and township boundaries of the plan's
// region (everything when the plan has none), simplified for the map.
func (s *Source) loadRegions(ctx context.Context, d *data) error {
	rows, err := s.Pool.Query(ctx, `SELECT code, name, level, ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom, 0.0003), 6)
		FROM region WHERE level IN ('county', 'township') AND coldchain_within(code, $1)
		ORDER BY length(code), code LIMIT $2`, d.Req.Region, MaxRegions)
	if err != nil {
		return postgres.Translate(err, "regions")
	}
	var r region
	var gj []byte
	_, err = pgx.ForEachRow(rows, []any{&r.Code, &r.Name, &r.Level, &gj}, func() error {
		g, err := geojson.UnmarshalGeometry(gj)
		if err != nil {
			return err
		}
		r.Geom = g.Geometry()
		d.Regions = append(d.Regions, r)
		if r.Code == d.Req.Region || (d.RegionName == "" && r.Level == "county") {
			d.RegionName = r.Name
		}
		return nil
	})
	return postgres.Translate(err, "regions")
}

// loadGaps measures the plan's region and classes as they stand (before
// the plan) and draws the coverage-gap hexagons from that measure.
func (s *Source) loadGaps(ctx context.Context, d *data) error {
	cd, err := coverage.Load(ctx, s.Pool, coverage.Filter{Region: d.Req.Region, Classes: d.Req.ProductClasses})
	if err != nil {
		return err
	}
	rep, err := coverage.Compute(ctx, s.Travel, cd, coverage.Options{})
	if err != nil {
		return err
	}
	hex, err := coverage.Hexagons(ctx, s.Pool, cd, rep, coverage.HexOptions{SizeKm: 2})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(hex, &d.Hexagons); err != nil {
		return err
	}
	for _, p := range cd.Producers {
		for _, c := range d.Req.ProductClasses {
			if p.Class == c {
				d.Producers = append(d.Producers, p)
			}
		}
	}
	return nil
}

// loadClassNames reads the product classes' names in both languages.
func (s *Source) loadClassNames(ctx context.Context, d *data) error {
	d.ClassNames = map[string][2]string{}
	rows, err := s.Pool.Query(ctx, `SELECT code, name_en, name_zh FROM product_class`)
	if err != nil {
		return postgres.Translate(err, "product classes")
	}
	var code, en, zh string
	_, err = pgx.ForEachRow(rows, []any{&code, &en, &zh}, func() error {
		d.ClassNames[code] = [2]string{en, zh}
		return nil
	})
	return postgres.Translate(err, "product classes")
}
