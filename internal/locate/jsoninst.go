package locate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// JSONInstance is an instance in coldchain's native JSON format (docs/design.md#location-engine):
//
//	{"problem": "mclp", "p": 5, "radius": 1200, "coverage_target": 1.0, "budget": 0,
//	 "metric": "euclidean",
//	 "demand":     [{"id": "d1", "x": 0, "y": 0, "weight": 10, "radius": 900}],
//	 "candidates": [{"id": "c1", "x": 0, "y": 0, "fixed_cost": 0, "capacity": 0, "status": "candidate"}],
//	 "costs": [[0, 0, 12.5]]}
//
// Problem, P, Radius, CoverageTarget and Budget are defaults a caller may
// override (see Params). Metric is euclidean (coordinate units, the
// default), haversine (X = longitude, Y = latitude, km) or given (costs are
// the sparse Costs triples [demand index, candidate index, cost], 0-based; a
// missing pair is unreachable). A demand's weight defaults to 1 and its
// radius, when > 0, overrides the global one. A candidate's status is
// candidate (default), existing (always open, not counted in p) or
// forbidden. IDs default to the 1-based position.
type JSONInstance struct {
	Name           string          `json:"name,omitempty"`
	Problem        string          `json:"problem,omitempty"`
	P              int             `json:"p,omitempty"`
	Radius         float64         `json:"radius,omitempty"`
	CoverageTarget float64         `json:"coverage_target,omitempty"`
	Budget         float64         `json:"budget,omitempty"`
	Metric         string          `json:"metric,omitempty"`
	Demand         []JSONDemand    `json:"demand"`
	Candidates     []JSONCandidate `json:"candidates"`
	Costs          [][]float64     `json:"costs,omitempty"`
}

// JSONDemand is one demand point of a JSONInstance.
type JSONDemand struct {
	ID     string   `json:"id,omitempty"`
	X      float64  `json:"x"`
	Y      float64  `json:"y"`
	Weight *float64 `json:"weight,omitempty"` // nil means 1
	Radius float64  `json:"radius,omitempty"`
}

// JSONCandidate is one site of a JSONInstance.
type JSONCandidate struct {
	ID        string  `json:"id,omitempty"`
	X         float64 `json:"x"`
	Y         float64 `json:"y"`
	FixedCost float64 `json:"fixed_cost,omitempty"`
	Capacity  float64 `json:"capacity,omitempty"`
	Status    string  `json:"status,omitempty"`
}

// DecodeJSON reads and validates a JSONInstance. It rejects unknown fields,
// trailing data, out-of-range indices, non-finite or negative numbers where
// they make no sense, duplicate IDs and duplicate cost pairs; errors name the
// offending element (and, for syntax errors, the line and column).
func DecodeJSON(r io.Reader) (*JSONInstance, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("json instance: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f JSONInstance
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("json instance: unexpected data after the instance object at %s", jsonLineCol(data, dec.InputOffset()))
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("json instance: %w", err)
	}
	return &f, nil
}

// jsonError turns a decoding error into a message with a line and column.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("json instance: %s: %v", jsonLineCol(data, se.Offset), se)
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Errorf("json instance: %s: %s: cannot use %s as %v", jsonLineCol(data, te.Offset), where, te.Value, te.Type)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("json instance: unexpected end of input")
	}
	return fmt.Errorf("json instance: %w", err)
}

func jsonLineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d", line, col)
}

func jsonFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// validate checks the whole instance: settings, demand, candidates, costs.
func (f *JSONInstance) validate() error {
	if err := f.validateSettings(); err != nil {
		return err
	}
	metric := f.metric()
	if err := f.validateDemand(metric); err != nil {
		return err
	}
	if err := f.validateCandidates(metric); err != nil {
		return err
	}
	if metric != Given {
		if len(f.Costs) > 0 {
			return fmt.Errorf("costs are only read with metric given (metric is %s)", metric)
		}
		return nil
	}
	return f.validateCosts()
}

// validateSettings checks the problem, its numbers and the metric, and
// that there are demand points and candidates.
func (f *JSONInstance) validateSettings() error {
	if f.Problem != "" {
		if _, err := ParseProblem(f.Problem); err != nil {
			return err
		}
	}
	switch {
	case f.P < 0:
		return fmt.Errorf("p = %d must not be negative", f.P)
	case !jsonFinite(f.Radius) || f.Radius < 0:
		return fmt.Errorf("radius %v must be a finite number >= 0", f.Radius)
	case !jsonFinite(f.CoverageTarget) || f.CoverageTarget < 0 || f.CoverageTarget > 1:
		return fmt.Errorf("coverage_target %v must lie in [0, 1]", f.CoverageTarget)
	case !jsonFinite(f.Budget) || f.Budget < 0:
		return fmt.Errorf("budget %v must be a finite number >= 0", f.Budget)
	case len(f.Demand) == 0:
		return errors.New("no demand points")
	case len(f.Candidates) == 0:
		return errors.New("no candidates")
	}
	switch f.metric() {
	case Euclidean, Haversine, Given:
	default:
		return fmt.Errorf("unknown metric %q (want euclidean, haversine or given)", f.Metric)
	}
	return nil
}

// jsonPoint checks the coordinates of what: finite, and a longitude and
// latitude with metric haversine.
func jsonPoint(metric Metric, what string, x, y float64) error {
	if !jsonFinite(x) || !jsonFinite(y) {
		return fmt.Errorf("%s: coordinates must be finite", what)
	}
	if metric == Haversine && (x < -180 || x > 180 || y < -90 || y > 90) {
		return fmt.Errorf("%s: (%v, %v) is not a longitude/latitude pair", what, x, y)
	}
	return nil
}

// jsonWhat names element i of a list ("demand 3", or `demand 3 ("d4")`)
// and reports a duplicate id, recording the id in ids.
func jsonWhat(kind string, i int, id string, ids map[string]bool) (string, error) {
	what := fmt.Sprintf("%s %d", kind, i)
	if id == "" {
		return what, nil
	}
	what = fmt.Sprintf("%s %d (%q)", kind, i, id)
	if ids[id] {
		return what, fmt.Errorf("%s: duplicate id", what)
	}
	ids[id] = true
	return what, nil
}

// validateDemand checks every demand point: unique id, coordinates,
// weight and radius.
func (f *JSONInstance) validateDemand(metric Metric) error {
	ids := map[string]bool{}
	for i, d := range f.Demand {
		what, err := jsonWhat("demand", i, d.ID, ids)
		if err != nil {
			return err
		}
		if err := jsonPoint(metric, what, d.X, d.Y); err != nil {
			return err
		}
		if d.Weight != nil && (!jsonFinite(*d.Weight) || *d.Weight < 0) {
			return fmt.Errorf("%s: weight %v must be a finite number >= 0", what, *d.Weight)
		}
		if !jsonFinite(d.Radius) || d.Radius < 0 {
			return fmt.Errorf("%s: radius %v must be a finite number >= 0", what, d.Radius)
		}
	}
	return nil
}

// validateCandidates checks every candidate: unique id, coordinates, fixed
// cost, capacity and status.
func (f *JSONInstance) validateCandidates(metric Metric) error {
	ids := map[string]bool{}
	for j, c := range f.Candidates {
		what, err := jsonWhat("candidate", j, c.ID, ids)
		if err != nil {
			return err
		}
		if err := jsonPoint(metric, what, c.X, c.Y); err != nil {
			return err
		}
		if !jsonFinite(c.FixedCost) || c.FixedCost < 0 {
			return fmt.Errorf("%s: fixed_cost %v must be a finite number >= 0", what, c.FixedCost)
		}
		if !jsonFinite(c.Capacity) || c.Capacity < 0 {
			return fmt.Errorf("%s: capacity %v must be a finite number >= 0", what, c.Capacity)
		}
		if _, err := ParseStatus(c.Status); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// validateCosts checks the cost triples of metric given: indices in range,
// costs finite and >= 0, no pair twice.
func (f *JSONInstance) validateCosts() error {
	if len(f.Costs) == 0 {
		return errors.New("metric given needs costs")
	}
	seen := make(map[[2]int32]bool, len(f.Costs))
	for k, t := range f.Costs {
		if len(t) != 3 {
			return fmt.Errorf("costs[%d]: want [demand index, candidate index, cost], got %d numbers", k, len(t))
		}
		i, j, c := t[0], t[1], t[2]
		if i != math.Trunc(i) || i < 0 || i >= float64(len(f.Demand)) {
			return fmt.Errorf("costs[%d]: demand index %v is not an index in [0, %d)", k, i, len(f.Demand))
		}
		if j != math.Trunc(j) || j < 0 || j >= float64(len(f.Candidates)) {
			return fmt.Errorf("costs[%d]: candidate index %v is not an index in [0, %d)", k, j, len(f.Candidates))
		}
		if !jsonFinite(c) || c < 0 {
			return fmt.Errorf("costs[%d]: cost %v must be a finite number >= 0", k, c)
		}
		key := [2]int32{int32(i), int32(j)}
		if seen[key] {
			return fmt.Errorf("costs[%d]: pair (%v, %v) given twice", k, i, j)
		}
		seen[key] = true
	}
	return nil
}

func (f *JSONInstance) metric() Metric {
	if f.Metric == "" {
		return Euclidean
	}
	return Metric(f.Metric)
}

// Params returns the solve settings the file states (zero values where it
// states none).
func (f *JSONInstance) Params() Params {
	return Params{
		Problem:        Problem(f.Problem),
		P:              f.P,
		Radius:         f.Radius,
		CoverageTarget: f.CoverageTarget,
		Budget:         f.Budget,
	}
}

// Instance builds the Instance. With a computed metric only pairs within
// cutoff are kept (cutoff <= 0: all pairs); a covering solve needs no pair
// beyond the largest radius. Forbidden candidates get no cost arcs. The
// instance's P and Radius are the file's.
func (f *JSONInstance) Instance(cutoff float64) (*Instance, error) {
	in := &Instance{
		Name:   f.Name,
		Demand: make([]Demand, len(f.Demand)),
		Sites:  make([]Site, len(f.Candidates)),
		Radius: f.Radius,
		P:      f.P,
	}
	for i, d := range f.Demand {
		w := 1.0
		if d.Weight != nil {
			w = *d.Weight
		}
		id := d.ID
		if id == "" {
			id = strconv.Itoa(i + 1)
		}
		in.Demand[i] = Demand{ID: id, X: d.X, Y: d.Y, Weight: w, Radius: d.Radius}
	}
	for j, c := range f.Candidates {
		st, err := ParseStatus(c.Status)
		if err != nil {
			return nil, err
		}
		id := c.ID
		if id == "" {
			id = strconv.Itoa(j + 1)
		}
		in.Sites[j] = Site{ID: id, X: c.X, Y: c.Y, FixedCost: c.FixedCost, Capacity: c.Capacity, Status: st}
	}
	if m := f.metric(); m != Given {
		if err := BuildCosts(in, m, cutoff, 0); err != nil {
			return nil, err
		}
		return in, nil
	}
	type arc struct {
		i, j int32
		c    float64
	}
	arcs := make([]arc, 0, len(f.Costs))
	for _, t := range f.Costs {
		if j := int32(t[1]); in.Sites[j].Status != Forbidden {
			arcs = append(arcs, arc{int32(t[0]), j, t[2]})
		}
	}
	slices.SortFunc(arcs, func(a, b arc) int {
		switch {
		case a.i != b.i:
			return int(a.i - b.i)
		case a.c < b.c:
			return -1
		case a.c > b.c:
			return 1
		}
		return int(a.j - b.j)
	})
	c := Costs{Start: make([]int, len(in.Demand)+1), Site: make([]int32, len(arcs)), Cost: make([]float64, len(arcs))}
	for k, a := range arcs {
		c.Start[a.i+1]++
		c.Site[k], c.Cost[k] = a.j, a.c
	}
	for i := range len(in.Demand) {
		c.Start[i+1] += c.Start[i]
	}
	in.Costs = c
	return in, nil
}

// readJSON reads a JSONInstance and builds it with all pairs (no cutoff).
func readJSON(r io.Reader) (*Instance, error) {
	f, err := DecodeJSON(r)
	if err != nil {
		return nil, err
	}
	return f.Instance(0)
}
