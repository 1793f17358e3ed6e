package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/locate"
	"github.com/coldchain/coldchain/internal/postgres"
)

// A plan over a province or prefecture (or a list of regions) of a
// separable problem is decomposed by county: each county is a part with
// its own request, its own job and its own proven bound, and once every
// part has finished one more job combines them into the plan. The rule,
// which the plan's notes repeat:
//
//   - p and a budget are shared out between the counties in proportion to
//     each county's output of the plan's classes (largest remainders for
//     p); a county whose share is nothing is skipped;
//   - a coverage or handling target applies in every county, so the
//     region meets it when every part does;
//   - each part sees the facilities around its county (the measures load
//     them within reach of its boundary), so a producer near a border may
//     be served by an existing facility across it, but candidates are
//     only the county's own;
//   - the combined plan is measured once on the whole region, with every
//     part's new sites and expansions, by the same coverage and handling
//     measure as any plan: a producer served by a new site across a county
//     border counts there; a capacity plan's objective is that measure
//     (a part counts only its county's producers against the stores it
//     shares across borders), other plans' the sum of the parts';
//   - the combination states no bound: the sum of the parts' bounds bounds
//     the plan with this split of p or budget and these borders, not the
//     region's problem, where sites could be shared out otherwise and
//     serve across borders.

// Part is one county part of a decomposed plan, as the plan's result
// lists it.
type Part struct {
	N      int    `json:"n"`
	Region string `json:"region"`
	// Name is the region's name (empty when the code is not in the
	// regions layer).
	Name   string `json:"name,omitempty"`
	Status string `json:"status"` // done, failed or skipped
	Error  string `json:"error,omitempty"`
	Worker string `json:"worker,omitempty"`
	P      int    `json:"p,omitempty"`
	// Budget is the part's share of the budget (10,000 CNY).
	Budget    float64 `json:"budget,omitempty"`
	OutputT   float64 `json:"output_t"`
	Objective float64 `json:"objective"`
	// Bound and Gap are the part's own proven bound and gap.
	Bound   float64 `json:"bound"`
	Gap     float64 `json:"gap"`
	Sites   int     `json:"sites"`
	Seconds float64 `json:"seconds"`
}

// normalizeRegions checks Region and Regions: one or the other, at most
// MaxRegions codes, no repeats; a list of one is Region.
func (r *Request) normalizeRegions() error {
	if len(r.Regions) == 0 {
		return nil
	}
	if r.Region != "" {
		return derrors.Invalid("give region (one code) or regions (a list), not both")
	}
	if len(r.Regions) > MaxRegions {
		return derrors.Invalid("regions: at most %d codes, got %d; give a province or prefecture code instead", MaxRegions, len(r.Regions))
	}
	for i, c := range r.Regions {
		if err := layer.CheckRegionCode(fmt.Sprintf("regions[%d]", i), c); err != nil {
			return err
		}
		if slices.Contains(r.Regions[:i], c) {
			return derrors.Invalid("regions[%d]: %q is listed twice", i, c)
		}
	}
	if len(r.Regions) == 1 {
		r.Region, r.Regions = r.Regions[0], nil
	}
	return nil
}

// partPlan is a part's request and its share of the region's output.
type partPlan struct {
	req     Request
	outputT float64
	skip    bool
}

// decompose returns the county parts of req, or nil when it runs as one
// instance (one county, a township, the whole database, or a problem
// that does not split). A list of regions of such a problem is ErrInvalid.
func (s *Service) decompose(ctx context.Context, req *Request) ([]partPlan, error) {
	spec, err := locate.Lookup(req.Problem)
	if err != nil {
		return nil, derrors.Invalid("problem: %v", err)
	}
	codes := req.Regions
	if len(codes) == 0 && req.Region != "" {
		codes = []string{req.Region}
	}
	if len(codes) == 0 {
		return nil, nil
	}
	counties, err := s.counties(ctx, codes, req.ProductClasses)
	if err != nil {
		return nil, err
	}
	if len(counties) <= 1 && len(req.Regions) == 0 {
		return nil, nil
	}
	if !spec.Separable {
		if len(req.Regions) > 0 {
			return nil, derrors.Invalid("regions: problem %s does not split by county (its objective is not a sum over producers); give one region code", req.Problem)
		}
		return nil, nil
	}
	if len(counties) > MaxRegions {
		return nil, derrors.Invalid("region %s has %d counties, more than the %d parts a plan may have; plan it by prefecture", strings.Join(codes, ","), len(counties), MaxRegions)
	}
	return splitParts(req, spec, counties)
}

// county is a part's region and its output of the plan's classes.
type county struct {
	code    string
	outputT float64
}

// counties lists the parts of codes: the counties within each code, or
// the code itself when it is a county or lies within one, with their
// output of classes. ErrNotFound names a code that is not a region. Each
// county's output is one range scan of its producers (coldchain_within);
// the class is a filter of the sum, not of the scan, so that the planner
// does not AND in the class index, which reads a class over the whole
// province for every county.
func (s *Service) counties(ctx context.Context, codes, classes []string) ([]county, error) {
	rows, err := s.Pool.Query(ctx, `
		WITH asked AS (SELECT unnest($1::text[]) AS code),
		     parts AS (
		       SELECT DISTINCT coalesce(c.code, a.code) AS code
		         FROM asked a
		         LEFT JOIN region c ON c.level = 'county' AND coldchain_within(c.code, a.code) AND c.code <> a.code)
		SELECT p.code, (SELECT coalesce(sum(annual_output_t) FILTER (WHERE product_class = ANY($2)), 0) FROM producer
		                 WHERE coldchain_within(region_code, p.code))::float8,
		       EXISTS (SELECT 1 FROM region r WHERE r.code = p.code)
		  FROM parts p ORDER BY p.code`, codes, classes)
	if err != nil {
		return nil, postgres.Translate(err, "regions")
	}
	var out []county
	var c county
	var known bool
	_, err = pgx.ForEachRow(rows, []any{&c.code, &c.outputT, &known}, func() error {
		if !known {
			return derrors.NotFound("region %q not found", c.code)
		}
		out = append(out, c)
		return nil
	})
	if err != nil && !errors.Is(err, derrors.ErrNotFound) {
		err = postgres.Translate(err, "regions")
	}
	return out, err
}

// splitParts shares p or the budget out between counties by output
// (largest remainders for p); targets apply in every county.
func splitParts(req *Request, spec *locate.Spec, counties []county) ([]partPlan, error) {
	total := 0.0
	for _, c := range counties {
		total += c.outputT
	}
	if total <= 0 {
		return nil, derrors.Invalid("no producer of %v in region %s: nothing to plan", req.ProductClasses, strings.Join(append([]string{req.Region}, req.Regions...), ","))
	}
	shares := make([]float64, len(counties))
	for i, c := range counties {
		shares[i] = c.outputT / total
	}
	ps := shareOut(req.P, shares)
	parts := make([]partPlan, len(counties))
	for i, c := range counties {
		r := *req
		r.Region, r.Regions = c.code, nil
		r.P = ps[i]
		if req.Budget > 0 {
			r.Budget = req.Budget * shares[i]
		}
		skip := c.outputT <= 0 || (req.P > 0 && r.P == 0)
		if req.Budget > 0 && !(spec.BudgetOrTarget && req.HandlingTarget > 0) && r.Budget <= 0 {
			skip = true
		}
		parts[i] = partPlan{req: r, outputT: c.outputT, skip: skip}
	}
	return parts, nil
}

// shareOut splits p in proportion to shares by largest remainders.
func shareOut(p int, shares []float64) []int {
	out := make([]int, len(shares))
	if p <= 0 {
		return out
	}
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(shares))
	left := p
	for i, s := range shares {
		q := float64(p) * s
		out[i] = int(math.Floor(q))
		left -= out[i]
		rems[i] = rem{i, q - math.Floor(q)}
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		if a.r != b.r {
			if a.r > b.r {
				return -1
			}
			return 1
		}
		return a.i - b.i
	})
	for k := 0; k < left; k++ {
		out[rems[k%len(rems)].i]++
	}
	return out
}

// addParts stores plan id's parts in tx, each to run as its own job.
func (s *Service) addParts(ctx context.Context, tx pgx.Tx, id string, parts []partPlan) error {
	args, err := insertParts(ctx, tx, id, parts)
	if err != nil {
		return err
	}
	ns := make([]int, len(args))
	for i, a := range args {
		ns[i] = a.Part
	}
	ids, err := s.jobs.InsertTx(ctx, tx, args...)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE plan_part SET job_id = j.id FROM unnest($2::int[], $3::bigint[]) AS j(n, id)
		WHERE plan_id = $1 AND plan_part.n = j.n`, id, ns, ids)
	return err
}

// insertParts stores plan id's parts in tx and marks the plan prepared;
// it returns the job arguments of the parts to run (those not skipped).
func insertParts(ctx context.Context, tx pgx.Tx, id string, parts []partPlan) ([]jobs.Args, error) {
	var args []jobs.Args
	for i, p := range parts {
		b, err := json.Marshal(p.req)
		if err != nil {
			return nil, err
		}
		status := "queued"
		if p.skip {
			status = "skipped"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO plan_part (plan_id, n, region_code, request, status, output_t) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, i+1, p.req.Region, b, status, p.outputT); err != nil {
			return nil, err
		}
		if !p.skip {
			args = append(args, jobs.Args{PlanID: id, Part: i + 1, Region: p.req.Region})
		}
	}
	_, err := tx.Exec(ctx, `UPDATE plan SET prepared_at = now() WHERE id = $1`, id)
	return args, err
}

// partCount is how many parts plan id has.
func (s *Service) partCount(ctx context.Context, id string) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM plan_part WHERE plan_id = $1`, id).Scan(&n)
	return n, postgres.Translate(err, "plan")
}

// commonPrefix is the longest code prefix shared by codes.
func commonPrefix(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	p := codes[0]
	for _, c := range codes[1:] {
		for !strings.HasPrefix(c, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// regionData loads the measures' data for req's whole region (every
// listed code) for the combined plan.
func (s *Service) regionData(ctx context.Context, req *Request) (*coverage.Data, error) {
	codes := req.Regions
	if len(codes) == 0 {
		codes = []string{req.Region}
	}
	thresholds := map[string]float64{}
	if req.ThresholdMinutes > 0 {
		for _, c := range req.ProductClasses {
			thresholds[c] = req.ThresholdMinutes
		}
	}
	f := coverage.Filter{Region: commonPrefix(codes), Classes: req.ProductClasses, Thresholds: thresholds}
	d, err := coverage.Load(ctx, s.Pool, f)
	if errors.Is(err, derrors.ErrNotFound) && len(codes) > 1 {
		f.Region = "" // the shared prefix is no region: load all, keep the listed
		d, err = coverage.Load(ctx, s.Pool, f)
	}
	if err != nil {
		return nil, err
	}
	if len(codes) > 1 {
		d.Producers = slices.DeleteFunc(d.Producers, func(p coverage.Producer) bool {
			return !slices.ContainsFunc(codes, func(c string) bool { return strings.HasPrefix(p.Region, c) })
		})
	}
	return d, nil
}
