// Package locate is coldchain's location-allocation engine: p-median,
// p-center, maximal covering (MCLP), set covering (LSCP) and single-source
// capacitated facility location (CFLP) over sparse cost lists, solved by
// greedy construction, fast swap local search and multi-start, with a
// Lagrangian (or covering) bound so that every result states its proven gap.
//
// The package is pure Go: it imports no database and no HTTP code. Callers
// (the planner, the standalone `coldchain solve` command, benchmarks) build an
// Instance and call Solve.
package locate

import (
	"errors"
	"fmt"
	"time"
)

// Problem names a location problem.
type Problem string

// The problems the engine solves.
const (
	PMedian Problem = "pmedian" // minimise weighted cost to the nearest open site
	PCenter Problem = "pcenter" // minimise the largest cost to the nearest open site
	MCLP    Problem = "mclp"    // maximise weight within the radius of an open site
	LSCP    Problem = "lscp"    // fewest sites covering a target share of the weight
	CFLP    Problem = "cflp"    // single-source capacitated, fixed + assignment cost
	// Capacity maximises the tonnes handled by reachable storage (the
	// handling measure) within a budget, or reaches a handling target at
	// least build cost; see CapacityModel.
	Capacity Problem = "capacity"
)

// Status says whether a site may be opened.
type Status int8

// Site statuses.
const (
	Candidate Status = iota // may be opened; counts in p
	Existing                // always open; does not count in p, has no build cost
	Forbidden               // never opened
)

// ParseStatus parses "candidate", "existing" or "forbidden" ("" is candidate).
func ParseStatus(s string) (Status, error) {
	switch s {
	case "", "candidate":
		return Candidate, nil
	case "existing":
		return Existing, nil
	case "forbidden":
		return Forbidden, nil
	}
	return 0, fmt.Errorf("unknown site status %q (want candidate, existing or forbidden)", s)
}

// String returns the status name used in files.
func (s Status) String() string {
	switch s {
	case Existing:
		return "existing"
	case Forbidden:
		return "forbidden"
	}
	return "candidate"
}

// Demand is a point whose weight must be served.
type Demand struct {
	ID     string
	X, Y   float64
	Weight float64
	// Radius overrides Instance.Radius for this point when > 0 (covering
	// problems: a product-specific threshold).
	Radius float64
}

// Site is a place where a facility is, or may be, open.
type Site struct {
	ID        string
	X, Y      float64
	FixedCost float64
	Capacity  float64 // 0 means uncapacitated
	Status    Status
}

// Costs is a sparse demand x site cost matrix in compressed-row form: the
// arcs of demand i are Site[Start[i]:Start[i+1]] with costs
// Cost[Start[i]:Start[i+1]], sorted by ascending cost. A missing pair is
// unreachable.
//
// Implicit, when set, says that the rows were cut to each demand's nearest
// sites (BuildCosts with k and no cutoff): a missing pair is then not
// unreachable but costs Implicit.Distance between the two points, which is at
// least the last cost of the demand's row. Solvers that can use coordinates
// (large p-median) solve that complete problem.
type Costs struct {
	Start    []int
	Site     []int32
	Cost     []float64
	Implicit Metric
}

// Row returns the reachable sites of demand i and their costs, nearest first.
func (c *Costs) Row(i int) ([]int32, []float64) {
	a, b := c.Start[i], c.Start[i+1]
	return c.Site[a:b], c.Cost[a:b]
}

// Len returns the number of stored arcs.
func (c *Costs) Len() int { return len(c.Site) }

// Instance is one location problem's data.
type Instance struct {
	Name   string
	Demand []Demand
	Sites  []Site
	Costs  Costs
	// Radius is the covering radius (mclp, lscp) in cost units; a demand's
	// own Radius overrides it.
	Radius float64
	// P is the number of sites the file states, if any (0 = not stated).
	P int
	// Capacity is the capacity problem's model (nil for other problems).
	Capacity *CapacityModel
}

// Validate checks the instance's shape: cost rows for every demand, site
// indices in range, costs finite and not negative.
func (in *Instance) Validate() error {
	if len(in.Demand) == 0 {
		return errors.New("instance has no demand points")
	}
	if len(in.Sites) == 0 {
		return errors.New("instance has no candidate sites")
	}
	if len(in.Costs.Start) != len(in.Demand)+1 {
		return fmt.Errorf("cost rows: got %d, want %d", len(in.Costs.Start)-1, len(in.Demand))
	}
	for k, s := range in.Costs.Site {
		if s < 0 || int(s) >= len(in.Sites) {
			return fmt.Errorf("cost arc %d: site index %d out of range", k, s)
		}
		if c := in.Costs.Cost[k]; !(c >= 0) || c > maxCost {
			return fmt.Errorf("cost arc %d: cost %v must be finite and not negative", k, c)
		}
	}
	for i, d := range in.Demand {
		if !(d.Weight >= 0) || d.Weight > maxCost {
			return fmt.Errorf("demand %q: weight %v must be finite and not negative", d.ID, d.Weight)
		}
		_ = i
	}
	return nil
}

const maxCost = 1e300

// Params are a solve request's settings.
type Params struct {
	Problem Problem
	// P is the number of new sites to open (pmedian, pcenter, mclp; cflp when
	// > 0). Existing sites are open in addition.
	P int
	// Radius overrides Instance.Radius when > 0.
	Radius float64
	// CoverageTarget is the share of total weight lscp must cover (default 1).
	CoverageTarget float64
	// Budget caps the sum of fixed costs of new sites when > 0.
	Budget float64
	// Seed makes the result deterministic.
	Seed int64
	// TimeLimit bounds the search; the best solution found so far is
	// returned when it runs out (0 = a default per problem).
	TimeLimit time.Duration
	// StopGap, when > 0, ends the search as soon as the proven gap (percent,
	// as Result.Gap) is at most StopGap. At 0 the search goes on while the
	// gap is open and the time limit has not passed.
	StopGap float64
	// Workers, when > 1, runs that many independent searches at once (a
	// portfolio of seeds; at most 64) and keeps the best solution and the
	// best bound; 0 or 1 searches on one core.
	Workers int
}

// Result is a solution with its proof of quality.
type Result struct {
	Problem Problem `json:"problem"`
	// Objective is the solution's value: total weighted cost (pmedian, cflp),
	// largest cost (pcenter), covered weight (mclp), number of new sites (lscp).
	Objective float64 `json:"objective"`
	// Bound is a proven bound on the optimum: a lower bound when minimising,
	// an upper bound when maximising (mclp).
	Bound float64 `json:"bound"`
	// Gap is 100 x |Objective - Bound| / |Objective| (0 when both are 0).
	Gap float64 `json:"gap"`
	// Sites are the indices of opened new sites (existing ones excluded), ascending.
	Sites []int `json:"-"`
	// Assign gives each demand's serving site index, or -1 when unserved
	// (uncovered, unreachable).
	Assign []int32 `json:"-"`
	// Covered is the weight within radius of an open site (mclp, lscp).
	Covered float64 `json:"covered"`
	// Seconds is the wall time spent.
	Seconds float64 `json:"seconds"`
	// Iterations counts local-search moves or restarts, for reports.
	Iterations int `json:"iterations"`
}

// GapPercent returns 100 x |obj - bound| / |obj|, 0 when obj is 0 and bound is 0.
func GapPercent(obj, bound float64) float64 {
	d := obj - bound
	if d < 0 {
		d = -d
	}
	a := obj
	if a < 0 {
		a = -a
	}
	if a == 0 {
		if d == 0 {
			return 0
		}
		return 100
	}
	return 100 * d / a
}
