// Package plan runs planning scenarios: where new facilities of a type and
// tier should go for some product classes. A plan builds a sparse location
// instance from PostGIS (producers as demand, existing compatible
// facilities fixed, user or generated candidate sites outside the exclusion
// zones that apply to the tier, travel times through access.Model), solves
// it with the location engine, and stores an immutable result: the chosen
// sites with an explanation each, the proven gap, and before/after measures.
package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/locate"
)

// Request is what a planner asks for.
type Request struct {
	Name           string   `json:"name,omitempty"`
	Problem        string   `json:"problem"`
	FacilityType   string   `json:"facility_type"`
	Tier           string   `json:"tier"`
	ProductClasses []string `json:"product_classes"`
	// Zones the new sites store in; default: the classes' preferred zones.
	Zones []string `json:"zones,omitempty"`
	// P is the number of new sites (mclp, pmedian, pcenter; cflp optional).
	P int `json:"p,omitempty"`
	// Budget caps the build cost of new sites (10,000 CNY); 0: none.
	Budget float64 `json:"budget,omitempty"`
	// CoverageTarget is the share of output lscp must cover (default 1).
	CoverageTarget float64 `json:"coverage_target,omitempty"`
	// ThresholdMinutes overrides every class's coverage threshold.
	ThresholdMinutes float64 `json:"threshold_minutes,omitempty"`
	// CapacityT is each new site's capacity per zone (default by type).
	CapacityT map[string]float64 `json:"capacity_t,omitempty"`
	// CapacityMenu lists modular sizes for cflp and capacity (capacity in
	// the first zone, build cost); default: the type's default size.
	CapacityMenu []Module `json:"capacity_menu,omitempty"`
	// HandlingTarget is the share of the classes' output a capacity plan
	// must handle at least build cost; Budget is the other mode.
	HandlingTarget float64 `json:"handling_target,omitempty"`
	// ExpansionMenu lists expansions of existing facilities of the plan's
	// type (capacity added in the first zone, build cost); default for the
	// capacity problem: the type's default size at 60 % of its new-build
	// cost. NoExpansions leaves existing facilities as they are.
	ExpansionMenu []Module `json:"expansion_menu,omitempty"`
	NoExpansions  bool     `json:"no_expansions,omitempty"`
	// Priority weights output from rural-revitalization priority areas.
	Priority *Priority `json:"priority,omitempty"`
	// Region is one administrative code: a county, or a province or
	// prefecture, which a separable problem splits into county parts.
	// Regions lists several codes (at most MaxRegions), always split.
	Region  string   `json:"region,omitempty"`
	Regions []string `json:"regions,omitempty"`
	// Scenario runs the plan on a scenario's draft edits of candidates and
	// facilities (the shared layers stay as they are).
	Scenario string `json:"scenario,omitempty"`
	// Candidates: "user" (the candidates layer), "generated" (towns,
	// central villages and a hexagon grid) or "both" (default).
	Candidates string `json:"candidates,omitempty"`
	// CandidateHexKm is the generated grid's hexagon edge (default 3 km).
	CandidateHexKm float64 `json:"candidate_hex_km,omitempty"`
	Seed           int64   `json:"seed,omitempty"`
	TimeLimitS     float64 `json:"time_limit_s,omitempty"`
	// TransportCNYPerTKm and SpoilageCNYPerTH price assignments for cflp
	// (defaults 1.0 and 20); HorizonYears multiplies yearly costs (10).
	TransportCNYPerTKm float64 `json:"transport_cny_per_t_km,omitempty"`
	SpoilageCNYPerTH   float64 `json:"spoilage_cny_per_t_h,omitempty"`
	HorizonYears       float64 `json:"horizon_years,omitempty"`
	// SubsidyRate estimates the public subsidy share of build cost (0.3).
	SubsidyRate float64 `json:"subsidy_rate,omitempty"`
}

// Priority weights producers' output by area: poverty-exit villages or
// townships, and national or provincial key counties. Weights multiply
// (a producer in both counts PovertyExit × KeyCounty); 1 is neutral.
type Priority struct {
	PovertyExit float64 `json:"poverty_exit,omitempty"`
	KeyCounty   float64 `json:"key_county,omitempty"`
}

// Weight is the priority weight of a producer.
func (p *Priority) Weight(povertyExit, keyCounty bool) float64 {
	w := 1.0
	if p == nil {
		return w
	}
	if povertyExit && p.PovertyExit > 0 {
		w *= p.PovertyExit
	}
	if keyCounty && p.KeyCounty > 0 {
		w *= p.KeyCounty
	}
	return w
}

// Limits on the lists in a request.
const (
	maxClasses = 20
	maxZones   = 5
	maxMenu    = 20
)

// Module is one modular size of a capacitated facility.
type Module struct {
	CapacityT float64 `json:"capacity_t"`
	BuildCost float64 `json:"build_cost"`
}

// Defaults by facility type: capacity in its main zone (t) and build cost
// of a generated candidate (10,000 CNY). Planners override both.
var typeDefaults = map[string]struct {
	capacity, cost float64
}{
	"precooling":              {50, 50},
	"mobile_cold_room":        {20, 30},
	"cold_room":               {300, 200},
	"ca_store":                {1000, 600},
	"ventilated_store":        {500, 150},
	"quick_freeze":            {200, 300},
	"collection_centre":       {2000, 1000},
	"county_logistics_centre": {10000, 5000},
	"backbone_base":           {20000, 10000},
	"processing_park":         {5000, 20000},
	"science_park":            {2000, 15000},
	"demonstration_park":      {3000, 15000},
}

// Bounds on the lists of a request, for the OpenAPI document.
const (
	MaxProductClasses = maxClasses
	MaxCapacityMenu   = maxMenu
	// MaxRegions bounds Request.Regions and the county parts of a plan.
	MaxRegions = 200
)

const (
	maxTimeLimit      = 10 * time.Minute
	defaultHorizon    = 180.0 // minutes searched for covering arcs
	allocationHorizon = 720.0 // minutes searched for p-median, p-center and cflp arcs
	maxThresholdMin   = 2880
)

// Normalize validates r against the vocabularies and fills defaults. It
// returns ErrInvalid with the reason for a bad request.
func (r *Request) Normalize(classes map[string][]string) error {
	r.Problem = strings.TrimSpace(r.Problem)
	spec, err := locate.Lookup(r.Problem)
	if err != nil {
		return derrors.Invalid("problem: %v", err)
	}
	for _, step := range []func(*Request, map[string][]string, *locate.Spec) error{
		(*Request).normalizeWhat, (*Request).normalizeZones, (*Request).normalizeMode,
		(*Request).normalizeSizes, (*Request).normalizeWhere, (*Request).normalizeCosts,
	} {
		if err := step(r, classes, spec); err != nil {
			return err
		}
	}
	if len(r.Name) > 200 {
		return derrors.Invalid("name: at most 200 characters")
	}
	if r.Name == "" {
		r.Name = fmt.Sprintf("%s: %s %s for %s", r.Problem, r.Tier, strings.ReplaceAll(r.FacilityType, "_", " "), strings.Join(r.ProductClasses, ", "))
	}
	return nil
}

// normalizeWhat checks the facility type, tier and classes.
func (r *Request) normalizeWhat(classes map[string][]string, _ *locate.Spec) error {
	if !slices.Contains(layer.FacilityTypes, r.FacilityType) {
		return derrors.Invalid("facility_type: unknown value %q (want %s)", r.FacilityType, strings.Join(layer.FacilityTypes, "|"))
	}
	if !slices.Contains(layer.Tiers, r.Tier) {
		return derrors.Invalid("tier: unknown value %q (want %s)", r.Tier, strings.Join(layer.Tiers, "|"))
	}
	if len(r.ProductClasses) == 0 {
		return derrors.Invalid("product_classes: name at least one product class")
	}
	if len(r.ProductClasses) > maxClasses {
		return derrors.Invalid("product_classes: at most %d classes, got %d", maxClasses, len(r.ProductClasses))
	}
	for _, c := range r.ProductClasses {
		if _, ok := classes[c]; !ok {
			known := make([]string, 0, len(classes))
			for k := range classes {
				known = append(known, k)
			}
			slices.Sort(known)
			return derrors.Invalid("product_classes: unknown class %q (want %s)", c, strings.Join(known, "|"))
		}
	}
	return nil
}

// normalizeZones fills and checks the zones the new sites store in.
func (r *Request) normalizeZones(classes map[string][]string, _ *locate.Spec) error {
	if len(r.Zones) > maxZones {
		return derrors.Invalid("zones: at most %d zones, got %d", maxZones, len(r.Zones))
	}
	if len(r.Zones) == 0 {
		for _, c := range r.ProductClasses {
			if z := classes[c][0]; !slices.Contains(r.Zones, z) {
				r.Zones = append(r.Zones, z)
			}
		}
	}
	for _, z := range r.Zones {
		if !slices.Contains(layer.Zones, z) {
			return derrors.Invalid("zones: unknown zone %q (want %s)", z, strings.Join(layer.Zones, "|"))
		}
	}
	for _, c := range r.ProductClasses {
		ok := false
		for _, z := range classes[c] {
			ok = ok || slices.Contains(r.Zones, z)
		}
		if !ok {
			return derrors.Invalid("zones: none of %v can store %s (it needs %s)", r.Zones, c, strings.Join(classes[c], " or "))
		}
	}
	return nil
}

// normalizeMode checks what the problem needs: p, a coverage target, a
// budget or a handling target.
func (r *Request) normalizeMode(_ map[string][]string, spec *locate.Spec) error {
	if spec.NeedsP && r.P < 1 {
		return derrors.Invalid("p: %s needs the number of new sites, p ≥ 1", r.Problem)
	}
	if r.P < 0 || r.P > 1000 {
		return derrors.Invalid("p: want 0 to 1000, got %d", r.P)
	}
	if spec.UsesTarget && r.CoverageTarget == 0 {
		r.CoverageTarget = 1
	}
	if spec.UsesTarget && !(r.CoverageTarget > 0 && r.CoverageTarget <= 1) {
		return derrors.Invalid("coverage_target: want a share in (0, 1], got %v", r.CoverageTarget)
	}
	if !(r.Budget >= 0) || math.IsInf(r.Budget, 0) || r.Budget > 1e9 {
		return derrors.Invalid("budget: want a cost ≥ 0 (10,000 CNY), got %v", r.Budget)
	}
	if !(r.HandlingTarget >= 0 && r.HandlingTarget <= 1) {
		return derrors.Invalid("handling_target: want a share in (0, 1], got %v", r.HandlingTarget)
	}
	if spec.BudgetOrTarget {
		switch {
		case r.Budget > 0 && r.HandlingTarget > 0:
			return derrors.Invalid("budget and handling_target: give one — budget (10,000 CNY) for the most tonnes handled within it, or handling_target (a share such as 0.6) for the least cost reaching it")
		case r.Budget == 0 && r.HandlingTarget == 0:
			return derrors.Invalid("budget or handling_target: %s needs one — budget (10,000 CNY) for the most tonnes handled within it, or handling_target (a share such as 0.6) for the least cost reaching it", r.Problem)
		}
	} else if r.HandlingTarget > 0 {
		return derrors.Invalid("handling_target: only the capacity problem takes a handling target")
	}
	return r.Priority.check()
}

// check validates the priority weights.
func (p *Priority) check() error {
	if p == nil {
		return nil
	}
	for name, w := range map[string]float64{"poverty_exit": p.PovertyExit, "key_county": p.KeyCounty} {
		if w != 0 && !(w >= 0.1 && w <= 10) {
			return derrors.Invalid("priority.%s: want a weight from 0.1 to 10 (1 is neutral), got %v", name, w)
		}
	}
	return nil
}

// normalizeSizes fills and checks capacities, modular sizes and expansions.
func (r *Request) normalizeSizes(_ map[string][]string, spec *locate.Spec) error {
	def := typeDefaults[r.FacilityType]
	if len(r.CapacityT) == 0 {
		r.CapacityT = map[string]float64{r.Zones[0]: def.capacity}
	}
	if len(r.CapacityT) > maxZones {
		return derrors.Invalid("capacity_t: at most %d zones", maxZones)
	}
	for z, t := range r.CapacityT {
		if !slices.Contains(layer.Zones, z) {
			return derrors.Invalid("capacity_t: unknown zone %q", z)
		}
		if !(t >= 0 && t < 1e8) {
			return derrors.Invalid("capacity_t.%s: want tonnes ≥ 0, got %v", z, t)
		}
	}
	if len(r.CapacityMenu) == 0 && spec.Menu {
		r.CapacityMenu = []Module{{CapacityT: r.CapacityT[r.Zones[0]], BuildCost: def.cost}}
	}
	if len(r.ExpansionMenu) == 0 && spec.Expansions && !r.NoExpansions {
		r.ExpansionMenu = []Module{{CapacityT: def.capacity, BuildCost: expansionShare * def.cost}}
	}
	if r.NoExpansions || !spec.Expansions {
		r.ExpansionMenu = nil
	}
	for name, menu := range map[string][]Module{"capacity_menu": r.CapacityMenu, "expansion_menu": r.ExpansionMenu} {
		if len(menu) > maxMenu {
			return derrors.Invalid("%s: at most %d sizes, got %d", name, maxMenu, len(menu))
		}
		for i, m := range menu {
			if !(m.CapacityT > 0 && m.CapacityT < 1e8) || !(m.BuildCost >= 0 && m.BuildCost < 1e9) {
				return derrors.Invalid("%s[%d]: want capacity_t > 0 and build_cost ≥ 0", name, i)
			}
		}
	}
	return nil
}

// expansionShare is a default expansion's cost per tonne as a share of a
// new build's: the land, access and utilities are there already.
const expansionShare = 0.6

// normalizeWhere checks the region and the candidate sources.
func (r *Request) normalizeWhere(_ map[string][]string, _ *locate.Spec) error {
	if r.Region != "" {
		if err := layer.CheckRegionCode("region", r.Region); err != nil {
			return err
		}
	}
	if err := r.normalizeRegions(); err != nil {
		return err
	}
	switch r.Candidates {
	case "":
		r.Candidates = "both"
	case "user", "generated", "both":
	default:
		return derrors.Invalid("candidates: want user, generated or both, got %q", r.Candidates)
	}
	if r.CandidateHexKm == 0 {
		r.CandidateHexKm = 3
	}
	if !(r.CandidateHexKm >= 0.5 && r.CandidateHexKm <= 50) {
		return derrors.Invalid("candidate_hex_km: want 0.5 to 50, got %v", r.CandidateHexKm)
	}
	return nil
}

// normalizeCosts fills and checks the time limit, seed and prices.
func (r *Request) normalizeCosts(_ map[string][]string, _ *locate.Spec) error {
	if r.TimeLimitS == 0 {
		r.TimeLimitS = 30
	}
	if !(r.TimeLimitS >= 1 && r.TimeLimitS <= maxTimeLimit.Seconds()) {
		return derrors.Invalid("time_limit_s: want 1 to %.0f seconds, got %v", maxTimeLimit.Seconds(), r.TimeLimitS)
	}
	if r.Seed == 0 {
		r.Seed = 1
	}
	if !(r.ThresholdMinutes == 0 || (r.ThresholdMinutes >= 1 && r.ThresholdMinutes <= maxThresholdMin)) {
		return derrors.Invalid("threshold_minutes: want 1 to %d, got %v", maxThresholdMin, r.ThresholdMinutes)
	}
	for _, c := range []struct {
		v    *float64
		def  float64
		name string
	}{{&r.TransportCNYPerTKm, 1.0, "transport_cny_per_t_km"}, {&r.SpoilageCNYPerTH, 20, "spoilage_cny_per_t_h"}, {&r.HorizonYears, 10, "horizon_years"}} {
		if *c.v == 0 {
			*c.v = c.def
		}
		if !(*c.v >= 0 && *c.v < 1e6) {
			return derrors.Invalid("%s: want a number ≥ 0, got %v", c.name, *c.v)
		}
	}
	if r.SubsidyRate == 0 {
		r.SubsidyRate = 0.3
	}
	if !(r.SubsidyRate >= 0 && r.SubsidyRate <= 1) {
		return derrors.Invalid("subsidy_rate: want a share in [0, 1], got %v", r.SubsidyRate)
	}
	return nil
}

// defaultBuildCost is a generated candidate's build cost for type t.
func defaultBuildCost(t string) float64 { return typeDefaults[t].cost }
