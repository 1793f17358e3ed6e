// Package parks sites agricultural industrial parks (docs/design.md#park-siting) by
// suitability analysis: a hexagon grid over the region (ST_HexagonGrid in
// the local UTM zone), each cell scored on the output of the leading
// product classes reachable within T minutes (through access.Model, so road
// travel times are used when a road model is loaded), the distance to main
// roads, to towns (labour), to existing parks and collection centres (a
// signed weight: spread or co-locate) and the availability of construction
// land; exclusion zones that apply to the park's tier are hard filters.
// Criteria are min–max normalised and combined by direct weights or by AHP
// pairwise comparisons (principal eigenvector; CR ≥ 0.1 refused). The K
// best cells at least a separation apart become the suggested sites, each
// with its score broken down by criterion, its catchment by class and a
// check against the national modern agricultural industrial park rule;
// each weight is moved ±20 % to show how stable the ranking is.
//
// PostGIS does the spatial work (grid, clipping, exclusion, nearest
// features, areas by township); the scoring, ranking and sensitivity are
// pure Go (Table) and tested on hand-made grids. Runs are stored as plans
// of kind parks, their cells in park_cell for maps and tiles.
package parks

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// Criterion ids, as used in weights and AHP matrices.
const (
	Supply        = "supply"
	Roads         = "roads"
	Labour        = "labour"
	ExistingParks = "existing_parks"
	Land          = "land"
)

// Criteria lists the criteria in the order of every table.
var Criteria = []CriterionDef{
	{ID: Supply, Label: "output of the leading classes reachable within the catchment time", Unit: "t/yr", Direction: Benefit},
	{ID: Roads, Label: "distance to the nearest main road", Unit: "km", Direction: Cost},
	{ID: Labour, Label: "distance to the nearest town or county seat (labour)", Unit: "km", Direction: Cost},
	{ID: ExistingParks, Label: "distance to the nearest existing park or collection centre (positive weight co-locates, negative spreads)", Unit: "km", Direction: Cost},
	{ID: Land, Label: "construction land: 1 with a construction-land site in the cell, else half the share free of basic farmland", Unit: "score", Direction: Ready},
}

// CriterionDef describes a criterion.
type CriterionDef struct {
	ID        string
	Label     string
	Unit      string
	Direction Direction
}

func criterionIndex(id string) int {
	return slices.IndexFunc(Criteria, func(c CriterionDef) bool { return c.ID == id })
}

func criterionIDs() []string {
	out := make([]string, len(Criteria))
	for i, c := range Criteria {
		out[i] = c.ID
	}
	return out
}

// ParkTypes are the park types that can be sited.
var ParkTypes = []string{"processing_park", "science_park", "demonstration_park"}

// DefaultWeights are each park type's weights when the request gives none.
// A processing park follows raw material and trucks; a science and
// technology park follows people and sits with what already exists; an
// integration demonstration park sits in its production base and should
// not crowd existing parks.
var DefaultWeights = map[string]map[string]float64{
	"processing_park":    {Supply: 0.35, Roads: 0.25, Labour: 0.15, ExistingParks: -0.10, Land: 0.15},
	"science_park":       {Supply: 0.20, Roads: 0.15, Labour: 0.35, ExistingParks: 0.10, Land: 0.20},
	"demonstration_park": {Supply: 0.40, Roads: 0.15, Labour: 0.10, ExistingParks: -0.15, Land: 0.20},
}

// MainRoadClasses are the OSM highway classes a request may count as main
// roads; DefaultMainRoads those counted when it names none.
var (
	MainRoadClasses  = []string{"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link", "unclassified", "residential", "track"}
	DefaultMainRoads = []string{"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link", "primary_link", "secondary_link"}
)

// Request asks for park sites.
type Request struct {
	Name string `json:"name,omitempty"`
	// Problem is always "parks" (so that generic plan lists read it).
	Problem string `json:"problem"`
	// FacilityType is the park type: processing_park, science_park or
	// demonstration_park.
	FacilityType string `json:"facility_type"`
	// Tier selects the exclusion zones that apply (default county).
	Tier string `json:"tier"`
	// ProductClasses are the leading classes whose output counts as
	// supply (default: the region's two largest by output).
	ProductClasses []string `json:"product_classes"`
	// Region is the administrative code of the area to grid (default: the
	// top-level regions in the database).
	Region string `json:"region,omitempty"`
	// Top is the number of sites K (default 3).
	Top int `json:"top"`
	// HexKm is the hexagons' edge length (default 1 km).
	HexKm float64 `json:"hex_km"`
	// CatchmentMinutes is the travel time T within which output counts
	// (default 20).
	CatchmentMinutes float64 `json:"catchment_minutes"`
	// SeparationKm is the least distance between two sites (default 5).
	SeparationKm float64 `json:"separation_km"`
	// MinAreaKm2 is the land a park needs inside a cell, outside every
	// exclusion zone (default 0.5 km²).
	MinAreaKm2 float64 `json:"min_area_km2"`
	// Land is "prefer" (default: construction land is a criterion) or
	// "require" (only cells holding a construction-land site qualify).
	Land string `json:"land"`
	// MainRoads are the OSM highway classes of main roads.
	MainRoads []string `json:"main_roads"`
	// Weights are direct signed weights by criterion (see Criteria); they
	// are rescaled to sum 1 in absolute value. Only existing_parks may be
	// negative (spread). Default: DefaultWeights of the park type.
	Weights map[string]float64 `json:"weights,omitempty"`
	// AHP derives the weights from pairwise comparisons instead.
	AHP *AHPInput `json:"ahp,omitempty"`
	// SensitivityPct is how far each weight moves in the sensitivity
	// analysis, in percent (default 20).
	SensitivityPct float64 `json:"sensitivity_pct"`
}

// Limits of a request.
const (
	MaxTop   = 20
	maxCells = 20000
)

// Normalize validates r and fills defaults; known maps the product
// classes the database knows. It returns ErrInvalid with the reason, and
// the AHP result when the weights come from pairwise comparisons (an
// inconsistent matrix, CR ≥ 0.1, is refused).
func (r *Request) Normalize(known map[string]bool) (*AHPResult, error) {
	for _, check := range []func() error{
		func() error { return r.normalizeWhat(known) }, r.normalizeSizes,
	} {
		if err := check(); err != nil {
			return nil, err
		}
	}
	if r.AHP != nil && len(r.Weights) > 0 {
		return nil, derrors.Invalid("weights and ahp: give direct weights or a pairwise comparison matrix, not both")
	}
	if r.AHP != nil {
		return r.normalizeAHP()
	}
	return nil, r.normalizeWeights()
}

// normalizeWhat checks what is sited where: problem, park type, tier,
// product classes (known: the database's) and region.
func (r *Request) normalizeWhat(known map[string]bool) error {
	switch r.Problem {
	case "", "parks":
		r.Problem = "parks"
	default:
		return derrors.Invalid("problem: a park-siting request has problem \"parks\" (or none), got %q", r.Problem)
	}
	if r.FacilityType == "" {
		return derrors.Invalid("facility_type: name the park type (%s)", strings.Join(ParkTypes, "|"))
	}
	if !slices.Contains(ParkTypes, r.FacilityType) {
		return derrors.Invalid("facility_type: unknown park type %q (want %s)", r.FacilityType, strings.Join(ParkTypes, "|"))
	}
	if r.Tier == "" {
		r.Tier = "county"
	}
	if !slices.Contains(layer.Tiers, r.Tier) {
		return derrors.Invalid("tier: unknown value %q (want %s)", r.Tier, strings.Join(layer.Tiers, "|"))
	}
	for _, c := range r.ProductClasses {
		if !known[c] {
			names := make([]string, 0, len(known))
			for k := range known {
				names = append(names, k)
			}
			slices.Sort(names)
			return derrors.Invalid("product_classes: unknown class %q (want %s)", c, strings.Join(names, "|"))
		}
	}
	if len(r.ProductClasses) != len(slices.Compact(slices.Sorted(slices.Values(r.ProductClasses)))) {
		return derrors.Invalid("product_classes: a class is named twice")
	}
	if r.Region != "" {
		if err := layer.CheckRegionCode("region", r.Region); err != nil {
			return err
		}
	}
	return nil
}

// normalizeSizes checks and defaults the numbers, land rule, main roads
// and name.
func (r *Request) normalizeSizes() error {
	if r.Top == 0 {
		r.Top = 3
	}
	if r.Top < 1 || r.Top > MaxTop {
		return derrors.Invalid("top: want 1 to %d sites, got %d", MaxTop, r.Top)
	}
	if err := setDefault(&r.HexKm, 1, 0.2, 20, "hex_km", "km"); err != nil {
		return err
	}
	if err := setDefault(&r.CatchmentMinutes, 20, 5, 240, "catchment_minutes", "minutes"); err != nil {
		return err
	}
	if err := setDefault(&r.SeparationKm, 5, 0, 200, "separation_km", "km"); err != nil {
		return err
	}
	if err := setDefault(&r.MinAreaKm2, 0.5, 0, 400, "min_area_km2", "km²"); err != nil {
		return err
	}
	if hexArea := 3 * math.Sqrt(3) / 2 * r.HexKm * r.HexKm; r.MinAreaKm2 > hexArea {
		return derrors.Invalid("min_area_km2: %.2f km² does not fit in a hexagon of %.2f km edge (%.2f km²): use larger hexagons", r.MinAreaKm2, r.HexKm, hexArea)
	}
	if err := setDefault(&r.SensitivityPct, 20, 1, 90, "sensitivity_pct", "percent"); err != nil {
		return err
	}
	switch r.Land {
	case "":
		r.Land = "prefer"
	case "prefer", "require":
	default:
		return derrors.Invalid("land: want prefer or require, got %q", r.Land)
	}
	if len(r.MainRoads) == 0 {
		r.MainRoads = slices.Clone(DefaultMainRoads)
	}
	if len(r.MainRoads) > len(MainRoadClasses) {
		return derrors.Invalid("main_roads: at most %d highway classes (%s), got %d", len(MainRoadClasses), strings.Join(MainRoadClasses, "|"), len(r.MainRoads))
	}
	for _, h := range r.MainRoads {
		if !slices.Contains(MainRoadClasses, h) {
			return derrors.Invalid("main_roads: unknown highway class %q (want %s)", h, strings.Join(MainRoadClasses, "|"))
		}
	}
	if len(r.Name) > 200 {
		return derrors.Invalid("name: at most 200 characters")
	}
	if r.Name == "" {
		r.Name = fmt.Sprintf("parks: top %d %s sites", r.Top, strings.ReplaceAll(r.FacilityType, "_", " "))
	}
	return nil
}

// normalizeWeights defaults direct weights to the park type's, checks
// them and rescales them to sum 1 in absolute value.
func (r *Request) normalizeWeights() error {
	if len(r.Weights) == 0 {
		r.Weights = map[string]float64{}
		for k, v := range DefaultWeights[r.FacilityType] {
			r.Weights[k] = v
		}
	}
	sum := 0.0
	for k, v := range r.Weights {
		if criterionIndex(k) < 0 {
			return derrors.Invalid("weights: unknown criterion %q (want %s)", k, strings.Join(criterionIDs(), "|"))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e6 {
			return derrors.Invalid("weights.%s: want a finite number, got %v", k, v)
		}
		if v < 0 && k != ExistingParks {
			return derrors.Invalid("weights.%s: only existing_parks may be negative (spread); %s needs a weight ≥ 0", k, k)
		}
		sum += math.Abs(v)
	}
	if sum == 0 {
		return derrors.Invalid("weights: at least one criterion needs a non-zero weight")
	}
	for k, v := range r.Weights {
		r.Weights[k] = v / sum
	}
	return nil
}

func (r *Request) normalizeAHP() (*AHPResult, error) {
	a := r.AHP
	seen := map[string]bool{}
	for _, c := range a.Criteria {
		if criterionIndex(c) < 0 {
			return nil, derrors.Invalid("ahp.criteria: unknown criterion %q (want %s)", c, strings.Join(criterionIDs(), "|"))
		}
		if seen[c] {
			return nil, derrors.Invalid("ahp.criteria: %q is named twice", c)
		}
		seen[c] = true
	}
	for k, v := range a.Signs {
		if !seen[k] {
			return nil, derrors.Invalid("ahp.signs: %q is not one of the compared criteria", k)
		}
		if v != 1 && v != -1 {
			return nil, derrors.Invalid("ahp.signs.%s: want 1 or -1, got %v", k, v)
		}
		if v < 0 && k != ExistingParks {
			return nil, derrors.Invalid("ahp.signs.%s: only existing_parks may be negative (spread)", k)
		}
	}
	res, err := AHP(a.Criteria, a.Matrix)
	if err != nil {
		return res, err
	}
	return res, nil
}

// weightVector returns the signed weights in Criteria order: the direct
// weights, or the AHP weights with their signs.
func (r *Request) weightVector(ahp *AHPResult) []float64 {
	w := make([]float64, len(Criteria))
	if ahp == nil {
		for k, v := range r.Weights {
			w[criterionIndex(k)] = v
		}
		return w
	}
	for i, c := range ahp.Criteria {
		sign := 1.0
		if s, ok := r.AHP.Signs[c]; ok {
			sign = s
		} else if DefaultWeights[r.FacilityType][c] < 0 {
			sign = -1
		}
		w[criterionIndex(c)] = sign * ahp.Weights[i]
	}
	return w
}

func setDefault(v *float64, def, lo, hi float64, name, unit string) error {
	if *v == 0 {
		*v = def
	}
	if !(*v >= lo && *v <= hi) {
		return derrors.Invalid("%s: want %g to %g %s, got %v", name, lo, hi, unit, *v)
	}
	return nil
}
