package plan

import (
	"encoding/json"
	"time"

	"github.com/coldchain/coldchain/internal/coverage"
)

// Result is a finished plan's outcome.
type Result struct {
	Problem          string  `json:"problem"`
	ObjectiveLabel   string  `json:"objective_label"`
	ObjectiveLabelZH string  `json:"objective_label_zh"`
	Objective        float64 `json:"objective"`
	// Bound is the engine's proven bound on the optimum; Gap its distance
	// from the objective in percent.
	Bound      float64                  `json:"bound"`
	Gap        float64                  `json:"gap"`
	Seconds    float64                  `json:"seconds"`
	Iterations int                      `json:"iterations"`
	Sites      json.RawMessage          `json:"sites"` // GeoJSON FeatureCollection
	Before     coverage.Summary         `json:"before"`
	After      coverage.Summary         `json:"after"`
	Change     Change                   `json:"change"`
	Instance   InstanceInfo             `json:"instance"`
	Assigned   []Assignment             `json:"assignments"`
	ByClass    []ClassChange            `json:"by_class"`
	Months     []MonthChange            `json:"months"`
	Regions    []coverage.RegionSummary `json:"regions_after"`
	// Priority is where the plan's gain lands (poverty-exit areas, key
	// counties); every plan reports it.
	Priority PriorityGain `json:"priority"`
	// Mode is "budget" or "target" for the capacity problem.
	Mode string `json:"mode,omitempty"`
	// UnservedT is the output of the plan's classes left unhandled (capacity
	// problems) or uncovered (covering problems) after the plan.
	UnservedT float64 `json:"unserved_t"`
	// Unserved lists the producers behind UnservedT.
	Unserved []Unserved `json:"unserved_producers,omitempty"`
	// NoBound: the plan states no proven bound (one combined from county
	// parts); bound and gap are then null in JSON.
	NoBound bool `json:"no_bound,omitempty"`
	// Parts are the county parts of a plan decomposed by county, each
	// solved on its own (see Part).
	Parts []Part `json:"parts,omitempty"`
	// Notes say what a planner should know about the result (NotesZH in Chinese).
	Notes   []string `json:"notes,omitempty"`
	NotesZH []string `json:"notes_zh,omitempty"`
}

// Change is the before/after difference a planner reads.
type Change struct {
	NewlyCoveredProducers  int                `json:"newly_covered_producers"`
	NewlyCoveredT          float64            `json:"newly_covered_t"`
	ImprovedProducers      int                `json:"improved_producers"`
	ImprovedOver15Min      int                `json:"improved_over_15_min"`
	MeanImprovementMinutes float64            `json:"mean_improvement_minutes"`
	CapacityAddedT         map[string]float64 `json:"capacity_added_t"`
	BuildCost              float64            `json:"build_cost"`
	SubsidyEstimate        float64            `json:"subsidy_estimate"`
	CoverageRateBefore     float64            `json:"coverage_rate_before"`
	CoverageRateAfter      float64            `json:"coverage_rate_after"`
	HandlingRateBefore     float64            `json:"handling_rate_before"`
	HandlingRateAfter      float64            `json:"handling_rate_after"`
}

// ClassChange is a class's coverage and handling before and after.
type ClassChange struct {
	Class              string  `json:"class"`
	OutputT            float64 `json:"output_t"`
	CoveredTBefore     float64 `json:"covered_t_before"`
	CoveredTAfter      float64 `json:"covered_t_after"`
	HandledTBefore     float64 `json:"handled_t_before"`
	HandledTAfter      float64 `json:"handled_t_after"`
	HandlingRateBefore float64 `json:"handling_rate_before"`
	HandlingRateAfter  float64 `json:"handling_rate_after"`
}

// MonthChange is a month's standing stock and the stock handled before
// and after the plan.
type MonthChange struct {
	Month         int     `json:"month"`
	StockT        float64 `json:"stock_t"`
	HandledBefore float64 `json:"handled_stock_t_before"`
	HandledAfter  float64 `json:"handled_stock_t_after"`
	ShortfallT    float64 `json:"shortfall_t_after"`
}

// PriorityGain says how much of a plan's gain (tonnes covered or handled,
// per the problem) lands in rural-revitalization priority areas.
type PriorityGain struct {
	Measure           string  `json:"measure"` // covered | handled
	GainT             float64 `json:"gain_t"`
	PovertyExitGainT  float64 `json:"poverty_exit_gain_t"`
	PovertyExitShare  float64 `json:"poverty_exit_share"`
	PovertyExitOutput float64 `json:"poverty_exit_output_share"`
	KeyCountyGainT    float64 `json:"key_county_gain_t"`
	KeyCountyShare    float64 `json:"key_county_share"`
}

// InstanceInfo describes the instance the engine solved.
type InstanceInfo struct {
	Demand             int     `json:"demand_points"`
	Candidates         int     `json:"candidate_sites"`
	Existing           int     `json:"existing_facilities"`
	Arcs               int     `json:"arcs"`
	ExcludedCandidates int     `json:"excluded_candidates"`
	UnreachableDemand  int     `json:"unreachable_producers"`
	UnreachableT       float64 `json:"unreachable_t"`
	Travel             string  `json:"travel"`
}

// Assignment is which new site serves a producer: for capacity plans, the
// tonnes a year the producer gains in handling from the site (a producer
// may gain from several sites); otherwise the tonnes the site serves.
type Assignment struct {
	Producer string  `json:"producer"`
	Site     string  `json:"site"`
	Minutes  float64 `json:"minutes"`
	T        float64 `json:"t,omitempty"`
}

// Explanation says why a site was chosen.
type Explanation struct {
	ServesT         float64                `json:"serves_t"`
	ServesProducers int                    `json:"serves_producers"`
	ByClass         map[string]ClassServed `json:"by_class"`
	// MarginalGain is how much the objective loses without this site
	// (covered tonnes for mclp/lscp, tonne-minutes for pmedian, minutes for
	// pcenter, cost for cflp without capacities).
	MarginalGain    float64    `json:"marginal_gain"`
	MarginalLabel   string     `json:"marginal_label"`
	MarginalLabelZH string     `json:"marginal_label_zh"`
	NearestExisting *Neighbour `json:"nearest_existing,omitempty"`
	RunnerUp        *Neighbour `json:"runner_up,omitempty"`
	Summary         string     `json:"summary"`
	SummaryZH       string     `json:"summary_zh"`
	// AddsT is the capacity the site adds per zone (capacity problem);
	// Expands names the existing facility an expansion enlarges.
	AddsT   map[string]float64 `json:"adds_t,omitempty"`
	Expands string             `json:"expands,omitempty"`
}

// ClassServed is what a site serves of one class.
type ClassServed struct {
	T         float64 `json:"t"`
	Producers int     `json:"producers"`
}

// Neighbour is another site and how it compares.
type Neighbour struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Minutes float64 `json:"minutes,omitempty"`
	// Loss is how much worse the plan's objective is with the runner-up
	// in this site's place.
	Loss float64 `json:"loss,omitempty"`
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// MarshalJSON writes bound and gap as null for a plan with NoBound.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	if !r.NoBound {
		return json.Marshal(plain(r))
	}
	return json.Marshal(struct {
		plain
		Bound *float64 `json:"bound"`
		Gap   *float64 `json:"gap"`
	}{plain: plain(r)})
}
