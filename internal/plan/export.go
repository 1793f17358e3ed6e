package plan

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// Summary is one plan's key figures, for lists and comparisons.
type Summary struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Problem        string   `json:"problem"`
	FacilityType   string   `json:"facility_type"`
	Tier           string   `json:"tier"`
	ProductClasses []string `json:"product_classes"`
	Region         string   `json:"region,omitempty"`
	Scenario       string   `json:"scenario,omitempty"`
	Status         string   `json:"status"`
	Error          string   `json:"error,omitempty"`
	CreatedAt      string   `json:"created_at"`
	Objective      *float64 `json:"objective,omitempty"`
	Bound          *float64 `json:"bound,omitempty"`
	Gap            *float64 `json:"gap,omitempty"`
	// NoBound: a plan combined from county parts states no bound (bound
	// and gap are left out); Parts is how many parts it has.
	NoBound        bool               `json:"no_bound,omitempty"`
	Parts          int                `json:"parts,omitempty"`
	Sites          int                `json:"sites"`
	BuildCost      float64            `json:"build_cost"`
	CoverageBefore float64            `json:"coverage_rate_before"`
	CoverageAfter  float64            `json:"coverage_rate_after"`
	HandlingBefore float64            `json:"handling_rate_before"`
	HandlingAfter  float64            `json:"handling_rate_after"`
	NewlyCoveredT  float64            `json:"newly_covered_t"`
	Improved       int                `json:"improved_producers"`
	ImprovedOver15 int                `json:"improved_over_15_min"`
	CapacityAddedT map[string]float64 `json:"capacity_added_t,omitempty"`
}

func summaryOf(p *Plan) (Summary, error) {
	var req Request
	if err := json.Unmarshal(p.Params, &req); err != nil {
		return Summary{}, err
	}
	s := Summary{ID: p.ID, Name: req.Name, Problem: req.Problem, FacilityType: req.FacilityType, Tier: req.Tier,
		ProductClasses: req.ProductClasses, Region: req.Region, Scenario: req.Scenario, Status: p.Status, Error: p.Error,
		CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if p.Status != "done" {
		return s, nil
	}
	var r Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return s, err
	}
	s.Objective, s.NoBound, s.Parts = &r.Objective, r.NoBound, len(r.Parts)
	if !r.NoBound {
		s.Bound, s.Gap = &r.Bound, &r.Gap
	}
	fc, err := geojson.UnmarshalFeatureCollection(r.Sites)
	if err != nil {
		return s, err
	}
	s.Sites = len(fc.Features)
	c := r.Change
	s.BuildCost, s.CoverageBefore, s.CoverageAfter = c.BuildCost, c.CoverageRateBefore, c.CoverageRateAfter
	s.HandlingBefore, s.HandlingAfter = c.HandlingRateBefore, c.HandlingRateAfter
	s.NewlyCoveredT, s.Improved, s.ImprovedOver15, s.CapacityAddedT = c.NewlyCoveredT, c.ImprovedProducers, c.ImprovedOver15Min, c.CapacityAddedT
	return s, nil
}

// List returns the newest plans' summaries (at most limit).
func (s *Service) List(ctx context.Context, limit int) ([]Summary, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id::text FROM plan ORDER BY created_at DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	return s.Compare(ctx, ids)
}

// Compare returns the summaries of the plans ids, in that order.
func (s *Service) Compare(ctx context.Context, ids []string) ([]Summary, error) {
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		p, err := s.Get(ctx, strings.TrimSpace(id))
		if err != nil {
			return nil, err
		}
		sum, err := summaryOf(p)
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// exportColumns are the project list's columns, in order.
var exportColumns = []string{"rank", "site", "candidate_id", "name", "source", "facility_type", "tier",
	"capacity_frozen_t", "capacity_chilled_t", "capacity_ca_t", "capacity_cool_t", "capacity_ambient_t",
	"serves_t", "serves_producers", "serves_classes", "build_cost", "subsidy_estimate",
	"marginal_gain", "nearest_existing", "nearest_existing_min", "runner_up", "runner_up_loss", "region_code", "reason"}

// projectRows flattens a finished plan's sites into the project list.
func projectRows(p *Plan) (*geojson.FeatureCollection, error) {
	if p.Status != "done" {
		return nil, derrors.Conflict("plan %s is %s: only finished plans export", p.ID, p.Status)
	}
	var r Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection(r.Sites)
	if err != nil {
		return nil, err
	}
	out := geojson.NewFeatureCollection()
	for _, f := range fc.Features {
		var e Explanation
		b, _ := json.Marshal(f.Properties["explanation"])
		_ = json.Unmarshal(b, &e)
		caps := map[string]float64{}
		b, _ = json.Marshal(f.Properties["capacity_t"])
		_ = json.Unmarshal(b, &caps)
		classes := make([]string, 0, len(e.ByClass))
		for c := range e.ByClass {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		props := geojson.Properties{
			"rank": f.Properties["rank"], "site": f.ID, "candidate_id": f.Properties["candidate_id"], "name": f.Properties["name"],
			"source": f.Properties["source"], "facility_type": f.Properties["facility_type"], "tier": f.Properties["tier"],
			"capacity_frozen_t": caps["frozen"], "capacity_chilled_t": caps["chilled"], "capacity_ca_t": caps["ca"],
			"capacity_cool_t": caps["cool"], "capacity_ambient_t": caps["ambient"],
			"serves_t": round2(e.ServesT), "serves_producers": e.ServesProducers, "serves_classes": strings.Join(classes, ";"),
			"build_cost": f.Properties["build_cost"], "subsidy_estimate": f.Properties["subsidy_estimate"],
			"marginal_gain": round2(e.MarginalGain), "region_code": f.Properties["region_code"], "reason": e.Summary, "reason_zh": e.SummaryZH,
			"nearest_existing": "", "nearest_existing_min": nil, "runner_up": "", "runner_up_loss": nil,
		}
		if e.NearestExisting != nil {
			props["nearest_existing"], props["nearest_existing_min"] = e.NearestExisting.ID, e.NearestExisting.Minutes
		}
		if e.RunnerUp != nil {
			props["runner_up"], props["runner_up_loss"] = e.RunnerUp.ID, e.RunnerUp.Loss
		}
		nf := geojson.NewFeature(f.Geometry)
		nf.ID = f.ID
		nf.Properties = props
		out.Append(nf)
	}
	return out, nil
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

// WriteGeoJSON writes a finished plan's sites as a GeoJSON project list
// with flat attributes (QGIS- and GDAL-friendly).
func WriteGeoJSON(w io.Writer, p *Plan) error {
	fc, err := projectRows(p)
	if err != nil {
		return err
	}
	fc.ExtraMembers = geojson.Properties{"name": "plan " + p.ID}
	return json.NewEncoder(w).Encode(fc)
}

// WriteCSV writes a finished plan's project list as CSV.
func WriteCSV(w io.Writer, p *Plan) error {
	fc, err := projectRows(p)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := append(append([]string{}, exportColumns...), "lon", "lat")
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, f := range fc.Features {
		rec := make([]string, 0, len(header))
		for _, c := range exportColumns {
			rec = append(rec, runs.CSVCell(f.Properties[c]))
		}
		pt := f.Geometry.Bound().Center()
		rec = append(rec, strconv.FormatFloat(pt[0], 'f', 6, 64), strconv.FormatFloat(pt[1], 'f', 6, 64))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
