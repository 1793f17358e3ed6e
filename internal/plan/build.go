package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/locate"
	"github.com/coldchain/coldchain/internal/postgres"
)

// candidate is a place where a new facility may go.
type candidate struct {
	ID, Name, Source, Kind, Region string
	NameZH                         string // generated sites: the name in Chinese
	At                             access.Point
	BuildCost                      float64
}

// siteRef maps an engine site back to an existing facility or a candidate
// (with its module for cflp).
type siteRef struct {
	existing int // index into data.Sites, or -1
	cand     int // index into cands, or -1
	module   int // index into Request.CapacityMenu (ExpansionMenu for expansions), or -1
	// expansion: the engine site expands existing facility `existing`
	// (capacity problem); otherwise an existing ref is always open.
	expansion bool
}

// alwaysOpen reports whether the engine site is an existing facility.
func (r siteRef) alwaysOpen() bool { return r.existing >= 0 && !r.expansion }

// instance is a plan's location instance and what it was built from.
type instance struct {
	req          *Request
	spec         *locate.Spec
	data         *coverage.Data
	net          *coverage.Network // capacity: the handling network with candidates
	part         bool              // a county part: measured after the plan only
	demand       []int             // engine demand i -> data.Producers index
	share        []float64         // engine demand i's share of its producer (large producers come in parts)
	penalty      []float64         // cost of leaving engine demand i unserved (when some must be)
	unservedSite int               // engine site standing for "unserved", or 0 when none
	short        float64           // peak stock beyond every site's capacity
	refs         []siteRef
	cands        []candidate
	loc          *locate.Instance
	excluded     int     // candidates dropped for exclusion zones or land use
	unreachable  int     // producers with no site within reach
	unreachT     float64 // their output
	totalT       float64 // output of every producer the plan serves
	travel       string
}

// build reads the data and builds the engine instance. Problems a planner
// can fix (empty region, no candidates, budget below every candidate,
// p above the candidates) are ErrInvalid.
func build(ctx context.Context, pool *pgxpool.Pool, model access.Model, req *Request) (*instance, error) {
	thresholds := map[string]float64{}
	if req.ThresholdMinutes > 0 {
		for _, c := range req.ProductClasses {
			thresholds[c] = req.ThresholdMinutes
		}
	}
	spec, err := locate.Lookup(req.Problem)
	if err != nil {
		return nil, derrors.Invalid("problem: %v", err)
	}
	d, err := coverage.Load(ctx, pool, coverage.Filter{Region: req.Region, Classes: req.ProductClasses, Thresholds: thresholds})
	if err != nil {
		return nil, err
	}
	in := &instance{req: req, spec: spec, data: d, travel: model.Describe()}
	if !slices.ContainsFunc(d.Producers, func(p coverage.Producer) bool { return in.planClass(p.Class) }) {
		where := "the database"
		if req.Region != "" {
			where = fmt.Sprintf("region %s", req.Region)
		}
		return nil, derrors.Invalid("%s has no producers of %s", where, strings.Join(req.ProductClasses, ", "))
	}
	if err := in.loadCandidates(ctx, pool); err != nil {
		return nil, err
	}
	if err := in.applyDrafts(ctx, pool); err != nil {
		return nil, err
	}
	if len(in.cands) == 0 {
		return nil, derrors.Invalid("no candidate sites for a %s %s (%d fell in exclusion zones or on the wrong land): add candidates or use candidates=generated", req.Tier, req.FacilityType, in.excluded)
	}
	if req.Budget > 0 {
		if cheapest := in.cheapest(); req.Budget < cheapest {
			return nil, derrors.Invalid("budget %.0f is below the cheapest candidate site's build cost %.0f (10,000 CNY)", req.Budget, cheapest)
		}
	}
	if req.P > len(in.cands) {
		return nil, derrors.Invalid("p = %d but only %d candidate sites are available", req.P, len(in.cands))
	}
	if spec.Network {
		err = in.buildNetwork(ctx, model)
	} else {
		err = in.buildEngine(ctx, model)
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

// largestModule is the largest capacity one new site module has.
func (in *instance) largestModule() float64 {
	t := 0.0
	for _, m := range in.req.CapacityMenu {
		t = math.Max(t, m.CapacityT)
	}
	if t == 0 {
		return math.Inf(1)
	}
	return t
}

// planClass reports whether class code is one of the plan's.
func (in *instance) planClass(code string) bool { return slices.Contains(in.req.ProductClasses, code) }

// cheapest is the least build cost of any one new site or expansion.
func (in *instance) cheapest() float64 {
	c := math.Inf(1)
	if len(in.req.CapacityMenu) > 0 {
		for _, m := range in.req.CapacityMenu {
			c = math.Min(c, m.BuildCost)
		}
	} else {
		for _, cd := range in.cands {
			c = math.Min(c, cd.BuildCost)
		}
	}
	for _, m := range in.req.ExpansionMenu {
		c = math.Min(c, m.BuildCost)
	}
	return c
}

// loadCandidates reads user candidates and/or generates candidates from
// towns, central villages and a hexagon grid over the region, dropping those
// in exclusion zones that apply to the tier (and, above field tier, user
// candidates on farmland: such sites need construction land).
func (in *instance) loadCandidates(ctx context.Context, pool *pgxpool.Pool) error {
	req := in.req
	if req.Candidates == "user" || req.Candidates == "both" {
		if err := in.loadUserCandidates(ctx, pool); err != nil {
			return err
		}
	}
	if req.Candidates == "generated" || req.Candidates == "both" {
		if err := in.loadGeneratedCandidates(ctx, pool); err != nil {
			return err
		}
	}
	return nil
}

// loadUserCandidates appends the user's candidate sites open to the plan's
// tier and facility type in its region, counting (not keeping) those in an
// exclusion zone for the tier or, above field tier, on farmland. A site
// without a build cost gets the facility type's default.
func (in *instance) loadUserCandidates(ctx context.Context, pool *pgxpool.Pool) error {
	req := in.req
	rows, err := pool.Query(ctx, `
		SELECT c.id, c.name, c.build_cost, ST_X(c.geom), ST_Y(c.geom), coalesce(c.region_code, ''),
		       EXISTS (SELECT 1 FROM exclusion_zone x
		                WHERE $2 = ANY(x.applies_to_tiers) AND ST_Intersects(x.geom, c.geom))
		       OR ($2 <> 'field' AND c.land_use = 'farmland')
		  FROM candidate_site c
		 WHERE $2 = ANY(c.allowed_tiers)
		   AND (cardinality(c.allowed_types) = 0 OR $3 = ANY(c.allowed_types))
		   AND ($1 = '' OR coldchain_within(c.region_code, $1))
		 ORDER BY c.id`, req.Region, req.Tier, req.FacilityType)
	if err != nil {
		return postgres.Translate(err, "candidate sites")
	}
	var c candidate
	var excluded bool
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.Name, &c.BuildCost, &c.At.Lon, &c.At.Lat, &c.Region, &excluded}, func() error {
		if excluded {
			in.excluded++
			return nil
		}
		cc := c
		cc.Source, cc.Kind = "user", "candidate"
		if cc.BuildCost <= 0 {
			cc.BuildCost = defaultBuildCost(req.FacilityType)
		}
		in.cands = append(in.cands, cc)
		return nil
	})
	if err != nil {
		return postgres.Translate(err, "candidate sites")
	}
	return nil
}

// loadGeneratedCandidates appends candidates at the region's county seats,
// towns and central villages and at the centres of a hexagon grid over it,
// counting (not keeping) those in an exclusion zone for the tier and leaving
// out those within duplicateMetres of a user candidate already loaded.
func (in *instance) loadGeneratedCandidates(ctx context.Context, pool *pgxpool.Pool) error {
	req := in.req
	rows, err := pool.Query(ctx, `
		WITH area AS (
		  SELECT ST_Union(coalesce(area, geom)) AS g FROM region
		   WHERE GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON'
		     AND CASE WHEN $1 = '' THEN length(code) = (SELECT min(length(code)) FROM region WHERE GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON')
		              ELSE code = $1 END),
		z AS (
		  SELECT 32601 + floor((ST_X(ST_Centroid(g)) + 180) / 6)::int + CASE WHEN ST_Y(ST_Centroid(g)) < 0 THEN 100 ELSE 0 END AS srid
		    FROM area WHERE g IS NOT NULL),
		settle AS (
		  SELECT 'gen-' || r.code AS id, r.name, r.name AS name_zh, ST_PointOnSurface(r.geom) AS geom, r.settlement AS kind
		    FROM region r, area
		   WHERE r.settlement IN ('county_seat', 'town', 'central_village') AND ST_Intersects(area.g, r.geom)),
		grid AS (
		  SELECT 'gen-hex-' || h.i || '_' || h.j AS id,
		         coalesce(coldchain_place_name(ST_Transform(ST_Centroid(h.geom), 4326), 'en'), 'Grid cell ' || h.i || ',' || h.j) AS name,
		         coalesce(coldchain_place_name(ST_Transform(ST_Centroid(h.geom), 4326), 'zh'), '网格 ' || h.i || ',' || h.j) AS name_zh,
		         ST_Transform(ST_Centroid(h.geom), 4326) AS geom, 'grid' AS kind
		    FROM area, z, ST_HexagonGrid($2, ST_Transform(area.g, z.srid)) AS h
		   WHERE ST_Intersects(ST_Transform(area.g, z.srid), ST_Centroid(h.geom))),
		allc AS (SELECT * FROM settle UNION ALL SELECT * FROM grid)
		SELECT id, name, name_zh, ST_X(geom), ST_Y(geom), coalesce(coldchain_region_of(geom), ''), kind,
		       EXISTS (SELECT 1 FROM exclusion_zone x WHERE $3 = ANY(x.applies_to_tiers) AND ST_Intersects(x.geom, allc.geom))
		  FROM allc ORDER BY kind <> 'grid' DESC, id`, req.Region, req.CandidateHexKm*1000, req.Tier)
	if err != nil {
		return postgres.Translate(err, "generated candidates")
	}
	users := len(in.cands)
	var c candidate
	var excluded bool
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.Name, &c.NameZH, &c.At.Lon, &c.At.Lat, &c.Region, &c.Kind, &excluded}, func() error {
		if excluded {
			in.excluded++
			return nil
		}
		// A generated site on top of a user candidate is the same place.
		for _, u := range in.cands[:users] {
			if geo.Distance(orb.Point{u.At.Lon, u.At.Lat}, orb.Point{c.At.Lon, c.At.Lat}) < duplicateMetres {
				return nil
			}
		}
		cc := c
		cc.Source = "generated"
		cc.BuildCost = defaultBuildCost(req.FacilityType)
		in.cands = append(in.cands, cc)
		return nil
	})
	if err != nil {
		return postgres.Translate(err, "generated candidates")
	}
	return nil
}

// duplicateMetres: a generated candidate this close to a user candidate is
// left out as the same place.
const duplicateMetres = 300

// planClasses returns the plan's classes' parameters.
func (in *instance) class(i int) *coverage.Class {
	return in.data.Classes[in.data.Producers[i].Class]
}

// peakStock is a producer's largest monthly standing stock (t).
func peakStock(p *coverage.Producer, c *coverage.Class) float64 {
	peak := 0.0
	for m := 0; m < 12; m++ {
		peak = math.Max(peak, p.Output*p.Harvest[m]*c.HoldingDays/30)
	}
	return peak
}

// capacityIn sums a capacity map over the plan's zones.
func capacityIn(caps map[string]float64, zones []string) float64 {
	t := 0.0
	for _, z := range zones {
		t += caps[z]
	}
	return t
}

// buildEngine turns the loaded data and candidates into the engine instance
// in named phases: the sites (open existing facilities, then candidates),
// the producer-to-site travel within reach, the demand rows with their
// costs, and the checks a planner can act on (target, budget).
func (in *instance) buildEngine(ctx context.Context, model access.Model) error {
	loc := &locate.Instance{Name: in.req.Name}
	points, err := in.addSites(ctx, model, loc)
	if err != nil {
		return err
	}
	rows, horizon, err := in.reachablePairs(ctx, model, points)
	if err != nil {
		return err
	}
	in.addDemand(loc, rows)
	if len(loc.Demand) == 0 {
		return derrors.Invalid("no producer of %s can reach any site within %.0f minutes", strings.Join(in.req.ProductClasses, ", "), horizon)
	}
	if err := in.checkReachableTarget(); err != nil {
		return err
	}
	in.loc = loc
	if err := in.checkBudget(); err != nil {
		return err
	}
	in.addUnserved()
	return nil
}

// addSites appends the engine's sites to loc, recording each one's siteRef:
// first the existing facilities that can take any of the plan's classes
// (capacitated problems see the capacity other classes leave them; a
// facility with none left is skipped, zero capacity being zero, not
// unlimited), then the candidates, one site per capacity module when the
// problem is in money. It returns the sites' locations in engine order.
func (in *instance) addSites(ctx context.Context, model access.Model, loc *locate.Instance) ([]access.Point, error) {
	req, d := in.req, in.data
	var points []access.Point
	residual, err := in.residualCapacity(ctx, model)
	if err != nil {
		return nil, err
	}
	for j := range d.Sites {
		s := &d.Sites[j]
		ok := false
		for _, c := range req.ProductClasses {
			ok = ok || s.Accepts(d.Classes[c])
		}
		if !ok || (residual != nil && residual[j] <= 0) {
			continue // zero capacity is zero, not unlimited
		}
		capT := capacityIn(s.Capacity, req.Zones)
		if residual != nil {
			capT = residual[j]
		}
		loc.Sites = append(loc.Sites, locate.Site{ID: s.ID, X: s.At.Lon, Y: s.At.Lat, Status: locate.Existing, Capacity: capT})
		in.refs = append(in.refs, siteRef{existing: j, cand: -1, module: -1})
		points = append(points, s.At)
	}
	for k, c := range in.cands {
		if in.spec.Money {
			for m, mod := range req.CapacityMenu {
				loc.Sites = append(loc.Sites, locate.Site{ID: fmt.Sprintf("%s#%d", c.ID, m), X: c.At.Lon, Y: c.At.Lat,
					FixedCost: mod.BuildCost, Capacity: mod.CapacityT})
				in.refs = append(in.refs, siteRef{existing: -1, cand: k, module: m})
				points = append(points, c.At)
			}
			continue
		}
		loc.Sites = append(loc.Sites, locate.Site{ID: c.ID, X: c.At.Lon, Y: c.At.Lat, FixedCost: c.BuildCost, Capacity: capacityIn(req.CapacityT, req.Zones)})
		in.refs = append(in.refs, siteRef{existing: -1, cand: k, module: -1})
		points = append(points, c.At)
	}
	return points, nil
}

// reachablePairs asks the travel model for every producer-to-site arc within
// reach and groups them by producer, dropping arcs to existing facilities
// that cannot take the producer's class. Producers outside the plan's
// classes have no demand and reach nothing; the others' output is added to
// in.totalT. It also returns the horizon used, in minutes.
func (in *instance) reachablePairs(ctx context.Context, model access.Model, points []access.Point) ([][]access.Pair, float64, error) {
	d := in.data
	// Covering problems need arcs within the thresholds only; p-median,
	// p-center and cflp charge every producer's travel, so their arcs reach
	// much further (a county is far smaller than 12 h of driving).
	horizon := defaultHorizon
	if !in.spec.Covering {
		horizon = allocationHorizon
	}
	from := make([]access.Point, len(d.Producers))
	reach := make([]float64, len(d.Producers))
	for i, p := range d.Producers {
		from[i] = p.At
		reach[i] = math.Max(horizon, in.class(i).ThresholdMinutes)
		if in.planClass(p.Class) {
			in.totalT += p.Output
		} else {
			reach[i] = 0 // not the plan's class: no demand
		}
	}
	pairs, err := model.Pairs(ctx, from, points, reach)
	if err != nil {
		return nil, horizon, err
	}
	rows := make([][]access.Pair, len(d.Producers))
	for _, pr := range pairs {
		ref := in.refs[pr.To]
		if ref.existing >= 0 && !d.Sites[ref.existing].Accepts(in.class(int(pr.From))) {
			continue // this existing facility cannot take this producer's class
		}
		rows[pr.From] = append(rows[pr.From], pr)
	}
	return rows, horizon, nil
}

// addDemand appends one engine demand per plan producer with a reachable
// site (counting the others as unreachable), with its weight and its cost
// row: minutes, or in money problems the yearly transport and spoilage over
// the horizon in 10,000 CNY. A producer larger than the largest capacity
// module is split into equal parts, each served by one site.
func (in *instance) addDemand(loc *locate.Instance, rows [][]access.Pair) {
	req, d := in.req, in.data
	loc.Costs.Start = []int{0}
	for i, p := range d.Producers {
		if !in.planClass(p.Class) {
			continue
		}
		if len(rows[i]) == 0 {
			in.unreachable++
			in.unreachT += p.Output
			continue
		}
		c := in.class(i)
		w := p.Output
		if in.spec.Money {
			w = peakStock(&p, c) // capacitated: weights use capacity
		} else if !in.spec.UsesTarget {
			w *= req.Priority.Weight(p.PovertyExit, p.KeyCounty)
		}
		// A producer larger than the largest size is served in equal parts,
		// each by one site (single sourcing per part).
		parts := 1
		if in.spec.Money {
			parts = max(1, int(math.Ceil(w/in.largestModule()-1e-9)))
		}
		for part := 0; part < parts; part++ {
			in.demand = append(in.demand, i)
			in.share = append(in.share, 1/float64(parts))
			loc.Demand = append(loc.Demand, locate.Demand{ID: p.ID, X: p.At.Lon, Y: p.At.Lat, Weight: w / float64(parts), Radius: c.ThresholdMinutes})
			for _, pr := range rows[i] {
				cost := pr.Minutes
				if in.spec.Money {
					// Yearly transport and spoilage on the way, over the horizon, in 10,000 CNY.
					cost = req.HorizonYears * p.Output / float64(parts) * (req.TransportCNYPerTKm*pr.Km + req.SpoilageCNYPerTH*pr.Minutes/60) / 1e4
				}
				loc.Costs.Site = append(loc.Costs.Site, pr.To)
				loc.Costs.Cost = append(loc.Costs.Cost, cost)
			}
			loc.Costs.Start = append(loc.Costs.Start, len(loc.Costs.Site))
		}
	}
}

// checkReachableTarget rejects a coverage target above the share of output
// that can reach some site: the target is a share of all output, and
// unreachable output never counts.
func (in *instance) checkReachableTarget() error {
	if !in.spec.UsesTarget {
		return nil
	}
	req := in.req
	reachT := in.totalT - in.unreachT
	target := req.CoverageTarget * in.totalT
	if target > reachT*(1+1e-12) {
		return derrors.Invalid("coverage target %.1f %% is unreachable: %.1f %% of the output has no site within reach", 100*req.CoverageTarget, 100*in.unreachT/in.totalT)
	}
	return nil
}

// params turns the request into engine parameters.
func (in *instance) params() locate.Params {
	req := in.req
	p := locate.Params{Problem: in.spec.Name, P: req.P, Budget: req.Budget, Seed: req.Seed,
		TimeLimit: secondsDuration(req.TimeLimitS)}
	if in.spec.UsesTarget {
		reachT := in.totalT - in.unreachT
		p.CoverageTarget = math.Min(1, req.CoverageTarget*in.totalT/reachT)
	}
	return p
}
