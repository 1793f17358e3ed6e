// Package coverage measures how well producers are served by cold-chain
// facilities (docs/design.md#measures): access time to the nearest compatible facility,
// coverage rate by class threshold, peak standing stock against reachable
// compatible capacity with a capacity-aware assignment (max-flow per month),
// the origin low-temperature handling rate, gap tables by region, class,
// zone and month, and a hexagon map of uncovered output.
//
// Travel times come through access.Model, so road networks slot in without
// changes here.
package coverage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Class holds a product class's parameters.
type Class struct {
	Code             string
	Zones            []string // acceptable storage zones, preferred first
	ThresholdMinutes float64  // coverage threshold: longest time to pre-cooling
	HoldingDays      float64
	Harvest          [12]float64
}

// Producer is a demand point.
type Producer struct {
	ID, Name, Class, Region string
	Output                  float64 // t/year
	Harvest                 [12]float64
	At                      access.Point
	// PovertyExit: the producer lies in a poverty-exit village or township.
	PovertyExit bool
	// KeyCounty: the producer's county is a national or provincial key
	// county for rural revitalization.
	KeyCounty bool
}

// Site is an existing or proposed facility.
type Site struct {
	ID, Name, Type, Tier, Status string
	Capacity                     map[string]float64 // tonnes per zone
	Classes                      []string           // accepted; empty: any class its zones suit
	At                           access.Point
	BuildCost                    float64
	Proposed                     bool // a plan's new site
	// Expands names the facility a planned expansion enlarges.
	Expands string
}

// AcceptsClass reports whether s's class list takes class code (an empty
// list takes every class).
func (s *Site) AcceptsClass(code string) bool {
	return len(s.Classes) == 0 || slices.Contains(s.Classes, code)
}

// Accepts reports whether s can take class c: it accepts the class and has
// capacity in one of the class's zones.
func (s *Site) Accepts(c *Class) bool {
	if !s.AcceptsClass(c.Code) {
		return false
	}
	for _, z := range c.Zones {
		if s.Capacity[z] > 0 {
			return true
		}
	}
	return false
}

// Data is what the measures are computed from.
type Data struct {
	Region string // the one region measured ("" for all, or several)
	// RegionCodes lists the regions measured together when several are.
	RegionCodes []string
	Classes     map[string]*Class
	Producers   []Producer
	Sites       []Site
	// RegionNames maps codes to names for tables.
	RegionNames map[string]string
	// Selected lists the classes the report covers (empty: all). Every
	// producer takes part in sharing capacity whatever is selected.
	Selected []string
	// Derived holds the codes of regions whose areas are derived from
	// their points (not official boundaries): their producers are those
	// nearer to their point than to their siblings'.
	Derived map[string]bool
}

// selected reports whether the report covers class code.
func (d *Data) selected(code string) bool {
	return len(d.Selected) == 0 || slices.Contains(d.Selected, code)
}

// DerivedIn lists, sorted, the regions with derived areas among codes.
func (d *Data) DerivedIn(codes ...string) []string {
	var out []string
	for _, c := range codes {
		if d.Derived[c] && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// Filter selects the data to measure.
type Filter struct {
	Region string // administrative code prefix; "" for everything
	// Regions adds code prefixes: producers under any of them (and under
	// Region, when set) are measured. At most MaxRegions.
	Regions []string
	// Classes selects the product classes reported (empty for all). It
	// selects rows only: producers of every class are loaded, since they
	// share storage capacity.
	Classes []string
	// Statuses of facilities that count as serving (default: existing).
	Statuses []string
	// Thresholds overrides class thresholds (minutes) by class.
	Thresholds map[string]float64
}

// MaxRegions bounds Filter.Regions.
const MaxRegions = 100

// MaxProducers bounds the producers one measure takes. Above GroupAbove
// producers are grouped (grouped.go) and their pairs found a chunk at a
// time, so memory grows with the producers themselves and their groups:
// the synthetic province's 1,000,000 producers (132,000 groups) peak at
// 5.4 GiB measured once, and a province plan's server, which measures its
// region before and after, at 7.7 GiB: a million stays within the 8 GiB a
// server is sized for. Larger regions are measured by their parts
// (prefectures or counties); a plan over them is decomposed by county.
var MaxProducers = 1_000_000

// ErrTooLarge marks a region with more producers than MaxProducers.
var ErrTooLarge = errors.New("region too large for one measure")

// codes returns the codes of the selected regions, each once (none:
// all).
func (f Filter) codes() []string {
	var out []string
	for _, c := range append([]string{f.Region}, f.Regions...) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// scope returns the condition on producer p that selects the producers
// of the selected regions, with its arguments: one coldchain_within
// (migration 00070) per region code, leaving out codes within another
// selected code, so that each producer is read once; true for none. The
// codes are parameters the planner sees in its plan, so a county is one
// range scan of the region code's index and a province one pass over
// the table. LIKE ANY over the codes, which no index serves, read the
// whole table for every county (370 ms at a million producers, twice for
// each county part of a province plan).
func (f Filter) scope() (string, []any) {
	codes := f.codes()
	var conds []string
	var args []any
	for _, c := range codes {
		if !slices.ContainsFunc(codes, func(o string) bool { return o != c && strings.HasPrefix(c, o) }) {
			args = append(args, c)
			conds = append(conds, fmt.Sprintf("coldchain_within(p.region_code, $%d)", len(args)))
		}
	}
	if len(conds) == 0 {
		return "true", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// siteReachKm is how far outside the region facilities are still loaded:
// producers near a border use facilities across it.
const siteReachKm = 100

// Load reads classes, producers and facilities for f from the database.
// It returns ErrInvalid for unknown classes and ErrNotFound for a region
// that does not exist.
func Load(ctx context.Context, pool *pgxpool.Pool, f Filter) (*Data, error) {
	d := &Data{Region: f.Region, Classes: map[string]*Class{}, RegionNames: map[string]string{}, Selected: slices.Clone(f.Classes),
		Derived: map[string]bool{}}
	rows, err := pool.Query(ctx, `SELECT code, zones, threshold_minutes, holding_days, harvest_months FROM product_class`)
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	var c Class
	var harvest []float64
	_, err = pgx.ForEachRow(rows, []any{&c.Code, &c.Zones, &c.ThresholdMinutes, &c.HoldingDays, &harvest}, func() error {
		cc := c
		copy(cc.Harvest[:], harvest)
		if t, ok := f.Thresholds[cc.Code]; ok && t > 0 {
			cc.ThresholdMinutes = t
		}
		d.Classes[cc.Code] = &cc
		return nil
	})
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	for _, code := range f.Classes {
		if d.Classes[code] == nil {
			return nil, derrors.Invalid("unknown product class %q", code)
		}
	}
	rows, err = pool.Query(ctx, `SELECT code, name, derived FROM region`)
	if err != nil {
		return nil, postgres.Translate(err, "regions")
	}
	var code, name string
	var derived bool
	if _, err := pgx.ForEachRow(rows, []any{&code, &name, &derived}, func() error {
		d.RegionNames[code] = name
		if derived {
			d.Derived[code] = true
		}
		return nil
	}); err != nil {
		return nil, postgres.Translate(err, "regions")
	}
	if len(f.Regions) > MaxRegions {
		return nil, derrors.Invalid("regions: name at most %d region codes, not %d", MaxRegions, len(f.Regions))
	}
	for _, code := range append([]string{f.Region}, f.Regions...) {
		if _, ok := d.RegionNames[code]; code != "" && !ok {
			return nil, derrors.NotFound("region %q not found", code)
		}
	}
	d.RegionCodes = f.codes()
	if len(d.RegionCodes) == 1 {
		d.Region, d.RegionCodes = d.RegionCodes[0], nil
	}

	n, err := checkSize(ctx, pool, f)
	if err != nil {
		return nil, err
	}
	d.Producers = make([]Producer, 0, n)
	if err := d.loadProducers(ctx, pool, f); err != nil {
		return nil, err
	}
	if err := d.loadSites(ctx, pool, f); err != nil {
		return nil, err
	}
	return d, nil
}

// tooLarge is an ErrInvalid that is also ErrTooLarge, with the user's
// message only.
type tooLarge struct{ error }

func (e tooLarge) Unwrap() error        { return e.error }
func (e tooLarge) Is(target error) bool { return target == ErrTooLarge }

// checkSize counts the producers of a filter, refusing more than
// MaxProducers.
func checkSize(ctx context.Context, pool *pgxpool.Pool, f Filter) (int, error) {
	var n int
	where, args := f.scope()
	err := pool.QueryRow(ctx, `SELECT count(*) FROM producer p WHERE `+where, args...).Scan(&n)
	if err != nil {
		return 0, postgres.Translate(err, "producers")
	}
	if n > MaxProducers {
		return 0, tooLarge{derrors.Invalid("the region holds %d producers and one measure takes at most %d: measure its prefectures or counties (region=<code>) instead; a plan over it is split by county", n, MaxProducers)}
	}
	return n, nil
}

// loadProducers reads the region's producers of every class, with the
// rural-revitalization flags of the regions they lie in. Villages known
// only as points have derived areas (migration 00009), so a producer's
// region code already names the village whose flag it takes. The flags
// are found by code prefix in Go against the few flagged regions (a
// per-producer subquery over the regions took minutes at 100,000
// producers).
func (d *Data) loadProducers(ctx context.Context, pool *pgxpool.Pool, f Filter) error {
	flags, err := loadRegionFlags(ctx, pool)
	if err != nil {
		return err
	}
	where, args := f.scope()
	rows, err := pool.Query(ctx, `
		SELECT p.id, p.name, p.product_class, coalesce(p.region_code, ''), p.annual_output_t, p.harvest_months,
		       ST_X(p.geom), ST_Y(p.geom)
		  FROM producer p
		 WHERE `+where+`
		 ORDER BY p.id`, args...)
	if err != nil {
		return postgres.Translate(err, "producers")
	}
	var p Producer
	var harvest []float64
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.Class, &p.Region, &p.Output, &harvest, &p.At.Lon, &p.At.Lat}, func() error {
		pp := p
		pp.PovertyExit, pp.KeyCounty = flags.of(p.Region)
		copy(pp.Harvest[:], harvest)
		d.Producers = append(d.Producers, pp)
		return nil
	})
	return postgres.Translate(err, "producers")
}

// loadSites reads the facilities of f's statuses within reach of the region.
func (d *Data) loadSites(ctx context.Context, pool *pgxpool.Pool, f Filter) error {
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{"existing"}
	}
	// Facilities within reach of the region's extent (all when no region).
	rows, err := pool.Query(ctx, `
		WITH ext AS (
		  SELECT ST_Envelope(ST_Collect(coalesce(area, geom)))::geography AS g FROM region
		   WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) c WHERE coldchain_within(code, c))
		     AND GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON')
		SELECT id, name, facility_type, tier, status,
		       capacity_frozen_t, capacity_chilled_t, capacity_ca_t, capacity_cool_t, capacity_ambient_t,
		       product_classes, coalesce(build_cost, 0), ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)),
		       coalesce(expands, '')
		  FROM facility
		 WHERE status = ANY($2)
		   AND (coalesce(cardinality($1::text[]), 0) = 0 OR NOT EXISTS (SELECT 1 FROM ext WHERE g IS NOT NULL)
		        OR ST_DWithin(geom::geography, (SELECT g FROM ext), $3))
		 ORDER BY id`, f.codes(), statuses, siteReachKm*1000.0)
	if err != nil {
		return postgres.Translate(err, "facilities")
	}
	var s Site
	var caps [5]float64
	var expands string
	var expansions []Site
	_, err = pgx.ForEachRow(rows, []any{&s.ID, &s.Name, &s.Type, &s.Tier, &s.Status,
		&caps[0], &caps[1], &caps[2], &caps[3], &caps[4], &s.Classes, &s.BuildCost, &s.At.Lon, &s.At.Lat, &expands}, func() error {
		ss := s
		ss.Classes = slices.Clone(s.Classes)
		ss.Capacity = map[string]float64{}
		for i, z := range layer.Zones {
			if caps[i] > 0 {
				ss.Capacity[z] = caps[i]
			}
		}
		if expands != "" {
			ss.Expands = expands
			expansions = append(expansions, ss)
			return nil
		}
		d.Sites = append(d.Sites, ss)
		return nil
	})
	if err != nil {
		return postgres.Translate(err, "facilities")
	}
	d.addExpansions(expansions)
	return nil
}

// addExpansions adds planned expansions' capacity to the facilities they
// enlarge (when those are loaded), so that an expansion counts exactly as
// a larger store; an expansion of a facility outside the data is left out.
func (d *Data) addExpansions(xs []Site) {
	at := map[string]int{}
	for j, s := range d.Sites {
		at[s.ID] = j
	}
	for _, x := range xs {
		j, ok := at[x.Expands]
		if !ok {
			continue
		}
		caps := make(map[string]float64, len(d.Sites[j].Capacity)+len(x.Capacity))
		for z, t := range d.Sites[j].Capacity {
			caps[z] = t
		}
		for z, t := range x.Capacity {
			caps[z] += t
		}
		d.Sites[j].Capacity = caps
	}
}

// regionFlags holds the codes of the poverty-exit villages and townships
// and of the key counties.
type regionFlags struct{ povertyExit, keyCounty map[string]bool }

func loadRegionFlags(ctx context.Context, pool *pgxpool.Pool) (*regionFlags, error) {
	fl := &regionFlags{povertyExit: map[string]bool{}, keyCounty: map[string]bool{}}
	rows, err := pool.Query(ctx, `SELECT code, poverty_exit AND length(code) >= 9, key_county <> 'none'
		FROM region WHERE (poverty_exit AND length(code) >= 9) OR key_county <> 'none'`)
	if err != nil {
		return nil, postgres.Translate(err, "regions")
	}
	var code string
	var pe, kc bool
	_, err = pgx.ForEachRow(rows, []any{&code, &pe, &kc}, func() error {
		fl.povertyExit[code] = fl.povertyExit[code] || pe
		fl.keyCounty[code] = fl.keyCounty[code] || kc
		return nil
	})
	return fl, postgres.Translate(err, "regions")
}

// of returns the flags of a producer in region code: a flagged region
// whose code is a prefix of it (itself included).
func (fl *regionFlags) of(code string) (povertyExit, keyCounty bool) {
	for n := 1; n <= len(code); n++ {
		povertyExit = povertyExit || fl.povertyExit[code[:n]]
		keyCounty = keyCounty || fl.keyCounty[code[:n]]
	}
	return povertyExit, keyCounty
}
