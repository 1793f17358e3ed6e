package parks

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// Kind is the plan kind of park-siting runs.
const Kind = runs.KindParks

// Service runs park-siting analyses and stores them as plans of kind
// parks. A run takes seconds on a county, so it runs in the caller's
// goroutine (the request's context cancels it).
type Service struct {
	Pool   *pgxpool.Pool
	Travel access.Model
	Log    *slog.Logger
}

// Run validates req, runs it and stores it as a finished plan, which it
// returns. A malformed request (including an inconsistent AHP matrix) is
// ErrInvalid and stores nothing; a request the data cannot answer (no
// producers, no usable cell) is stored as failed and returned as a
// *runs.InfeasibleError.
func (s *Service) Run(ctx context.Context, req Request) (*runs.Plan, error) {
	known, err := s.classes(ctx)
	if err != nil {
		return nil, err
	}
	ahp, err := req.Normalize(known)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	res, cells, runErr := Analyse(ctx, s.Pool, s.Travel, &req, ahp)
	if runErr != nil && !errors.Is(runErr, derrors.ErrInvalid) && !errors.Is(runErr, derrors.ErrNotFound) {
		return nil, runErr
	}
	params, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var result []byte
	failure := ""
	if runErr != nil {
		failure = derrors.Message(runErr, runErr.Error())
	} else if result, err = json.Marshal(res); err != nil {
		return nil, err
	}
	var id string
	store := context.WithoutCancel(ctx)
	err = pgx.BeginFunc(store, s.Pool, func(tx pgx.Tx) error {
		var within func(string) error
		if runErr == nil {
			within = func(id string) error { return insertCells(store, tx, id, cells) }
		}
		id, err = runs.StoreFinished(store, tx, Kind, params, result, failure, req.Region, started, within)
		return err
	})
	if err != nil {
		return nil, postgres.Translate(err, "park-siting plan")
	}
	if s.Log != nil {
		if runErr != nil {
			s.Log.Info("park siting failed", "plan", id, "reason", failure)
		} else {
			s.Log.Info("park siting done", "plan", id, "sites", len(res.Sites.Features), "cells", res.Grid.Cells, "seconds", res.Seconds)
		}
	}
	p, err := s.Get(store, id)
	if err != nil {
		return nil, err
	}
	if runErr != nil {
		return p, &runs.InfeasibleError{PlanID: id, Reason: runErr}
	}
	return p, nil
}

// insertCells stores the grid of plan id.
func insertCells(ctx context.Context, tx pgx.Tx, id string, cells []CellOut) error {
	n := len(cells)
	ids, geoms, classes, towns, props := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	scores := make([]*float64, n)
	for i, c := range cells {
		b, err := json.Marshal(c.Props)
		if err != nil {
			return err
		}
		ids[i], geoms[i], classes[i], towns[i], props[i], scores[i] = c.ID, c.Geom, c.Class, c.Township, string(b), c.Score
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO park_cell (plan_id, cell, class, score, township, properties, geom)
		SELECT $1, t.cell, t.class, t.score, NULLIF(t.township, ''), t.props::jsonb, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(t.geom), 4326))
		  FROM unnest($2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::text[]) AS t(cell, class, score, township, props, geom)`,
		id, ids, classes, scores, towns, props, geoms)
	return postgres.Translate(err, "suitability cells")
}

// classes returns the product classes the database knows.
func (s *Service) classes(ctx context.Context) (map[string]bool, error) {
	rows, err := s.Pool.Query(ctx, `SELECT code FROM product_class`)
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	codes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	out := map[string]bool{}
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// Get returns park-siting plan id, or ErrNotFound (also for plans of
// another kind).
func (s *Service) Get(ctx context.Context, id string) (*runs.Plan, error) {
	ps, err := runs.ListKind(ctx, s.Pool, Kind, []string{id}, 1)
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// Summary is one park-siting plan's key figures, for lists and
// comparisons.
type Summary struct {
	ID             string             `json:"id"`
	Name           string             `json:"name"`
	FacilityType   string             `json:"facility_type"`
	Tier           string             `json:"tier"`
	ProductClasses []string           `json:"product_classes"`
	Region         string             `json:"region,omitempty"`
	Status         string             `json:"status"`
	Error          string             `json:"error,omitempty"`
	CreatedAt      string             `json:"created_at"`
	Top            int                `json:"top"`
	HexKm          float64            `json:"hex_km"`
	CatchmentMin   float64            `json:"catchment_minutes"`
	Weights        map[string]float64 `json:"weights,omitempty"`
	AHPCR          *float64           `json:"ahp_cr,omitempty"`
	Sites          []SiteBrief        `json:"sites,omitempty"`
	MeanScore      float64            `json:"mean_site_score"`
	RulePasses     int                `json:"sites_meeting_rule"`
	CatchmentT     float64            `json:"catchment_t"` // summed over the sites (catchments may overlap)
	SameSetShare   float64            `json:"same_set_share"`
	MeanKendallTau float64            `json:"mean_kendall_tau"`
	Verdict        string             `json:"stability,omitempty"`
	AreaKm2        map[string]float64 `json:"area_km2_by_class,omitempty"`
}

// SiteBrief is a site in a summary.
type SiteBrief struct {
	Rank       int     `json:"rank"`
	Cell       string  `json:"cell"`
	Lon        float64 `json:"lon"`
	Lat        float64 `json:"lat"`
	Score      float64 `json:"score"`
	Township   string  `json:"township_name,omitempty"`
	CatchmentT float64 `json:"catchment_t"`
	Rule       bool    `json:"meets_rule"`
	StayShare  float64 `json:"stay_share"`
}

// Summarize reads a stored park-siting plan's key figures.
func Summarize(p *runs.Plan) (Summary, error) {
	var req Request
	if err := json.Unmarshal(p.Params, &req); err != nil {
		return Summary{}, err
	}
	s := Summary{ID: p.ID, Name: req.Name, FacilityType: req.FacilityType, Tier: req.Tier, ProductClasses: req.ProductClasses,
		Region: req.Region, Status: p.Status, Error: p.Error, CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Top: req.Top, HexKm: req.HexKm, CatchmentMin: req.CatchmentMinutes}
	if p.Status != "done" {
		return s, nil
	}
	var r Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return s, err
	}
	s.ProductClasses = r.ProductClasses
	s.Weights = map[string]float64{}
	for _, c := range r.Criteria {
		if c.Weight != 0 {
			s.Weights[c.ID] = c.Weight
		}
	}
	if r.AHP != nil {
		s.AHPCR = &r.AHP.CR
	}
	for _, f := range r.Sites.Features {
		st := f.Properties
		pt := f.Geometry.Coordinates.Bound().Center()
		s.Sites = append(s.Sites, SiteBrief{Rank: st.Rank, Cell: st.Cell, Lon: pt[0], Lat: pt[1], Score: st.Score,
			Township: st.TownshipName, CatchmentT: st.CatchmentTotalT, Rule: st.Rule.Passes, StayShare: st.StayShare})
		s.MeanScore += st.Score / float64(len(r.Sites.Features))
		s.CatchmentT += st.CatchmentTotalT
		if st.Rule.Passes {
			s.RulePasses++
		}
	}
	s.MeanScore = round(s.MeanScore, 4)
	s.SameSetShare, s.MeanKendallTau, s.Verdict = r.Sensitivity.SameSetShare, round(r.Sensitivity.MeanKendallTau, 4), r.Sensitivity.Verdict
	s.AreaKm2 = map[string]float64{}
	for _, a := range r.Areas {
		s.AreaKm2[a.Class] = a.AreaKm2
	}
	return s, nil
}

// List returns the newest park-siting plans' summaries (at most limit), or
// with ids those plans' side by side, in that order.
func (s *Service) List(ctx context.Context, ids []string, limit int) ([]Summary, error) {
	ps, err := runs.ListKind(ctx, s.Pool, Kind, ids, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(ps))
	for _, p := range ps {
		sum, err := Summarize(p)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// WriteSuitability writes plan id's suitability grid as a GeoJSON
// FeatureCollection (one hexagon per cell: class, score, criteria values
// or the reason it is excluded), shaped by PostGIS. classes, if given,
// keeps only those suitability classes.
func (s *Service) WriteSuitability(ctx context.Context, w io.Writer, id string, classes []string) error {
	p, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if p.Status != "done" {
		return derrors.Conflict("plan %s is %s: only finished plans have a suitability grid", p.ID, p.Status)
	}
	for _, c := range classes {
		if !isClass(c) {
			return derrors.Invalid("class: unknown suitability class %q (want %s)", c, joinComma(classNames()))
		}
	}
	var body []byte
	err = s.Pool.QueryRow(ctx, `
		SELECT json_build_object(
		         'type', 'FeatureCollection',
		         'name', 'suitability ' || $3,
		         'features', coalesce(json_agg(json_build_object(
		           'type', 'Feature', 'id', c.cell,
		           'geometry', ST_AsGeoJSON(c.geom, 6)::json,
		           'properties', c.properties) ORDER BY c.cell), '[]'))::text
		  FROM park_cell c
		 WHERE c.plan_id = $1::uuid AND (coalesce(cardinality($2::text[]), 0) = 0 OR c.class = ANY($2))`, p.ID, classes, p.ID).Scan(&body)
	if err != nil {
		return postgres.Translate(err, "suitability grid")
	}
	_, err = w.Write(body)
	return err
}

func isClass(c string) bool {
	for _, x := range Classes {
		if x.Name == c {
			return true
		}
	}
	return c == Excluded
}
