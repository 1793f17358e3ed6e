package locate

import (
	"context"
	"strings"
	"testing"
)

func TestDecodeJSON(t *testing.T) {
	const src = `{"name": "two towns", "problem": "mclp", "p": 1, "radius": 1200, "coverage_target": 0.9, "budget": 7,
	 "metric": "given",
	 "demand": [{"id": "d1", "x": 0, "y": 0, "weight": 10, "radius": 900}, {"x": 5, "y": 5}],
	 "candidates": [{"id": "c1", "x": 0, "y": 0, "fixed_cost": 2, "capacity": 30},
	                {"id": "c2", "x": 1, "y": 1, "status": "existing"},
	                {"id": "c3", "x": 2, "y": 2, "status": "forbidden"}],
	 "costs": [[0, 1, 1000], [0, 0, 12.5], [1, 0, 1100], [1, 2, 1]]}`
	f, err := DecodeJSON(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Params()
	if p.Problem != MCLP || p.P != 1 || p.Radius != 1200 || p.CoverageTarget != 0.9 || p.Budget != 7 {
		t.Errorf("params %+v", p)
	}
	in, err := f.Instance(0)
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "two towns" || in.P != 1 || in.Radius != 1200 {
		t.Errorf("instance name %q p %d radius %v", in.Name, in.P, in.Radius)
	}
	if d := in.Demand[1]; d.ID != "2" || d.Weight != 1 || d.Radius != 0 {
		t.Errorf("defaults of demand 2: %+v", d)
	}
	if s := in.Sites[0]; s.FixedCost != 2 || s.Capacity != 30 || s.Status != Candidate {
		t.Errorf("site c1: %+v", s)
	}
	if in.Sites[1].Status != Existing || in.Sites[2].Status != Forbidden {
		t.Errorf("statuses: %v %v", in.Sites[1].Status, in.Sites[2].Status)
	}
	// Rows sorted by cost; the forbidden pair dropped.
	sites, costs := in.Costs.Row(0)
	if len(sites) != 2 || sites[0] != 0 || costs[0] != 12.5 || sites[1] != 1 {
		t.Errorf("row 0: %v %v", sites, costs)
	}
	if sites, _ := in.Costs.Row(1); len(sites) != 1 || sites[0] != 0 {
		t.Errorf("row 1: %v", sites)
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	// d1 (own radius 900) is too far from the existing c2 (1000) and
	// covered by c1 (12.5); d2 is covered by c1 (1100 <= 1200).
	res, err := Solve(context.Background(), in, Params{Problem: MCLP, P: 1, Budget: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Objective != 11 || len(res.Sites) != 1 || res.Sites[0] != 0 {
		t.Errorf("mclp: %+v", res)
	}
}

func TestDecodeJSONHaversine(t *testing.T) {
	// Two villages 0.1° of latitude apart (about 11.1 km).
	const src = `{"metric": "haversine", "radius": 12,
	 "demand": [{"x": 116.0, "y": 40.0, "weight": 3}, {"x": 116.0, "y": 40.1, "weight": 4}],
	 "candidates": [{"x": 116.0, "y": 40.0}]}`
	f, err := DecodeJSON(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.Instance(20)
	if err != nil {
		t.Fatal(err)
	}
	_, costs := in.Costs.Row(1)
	if len(costs) != 1 || costs[0] < 11.1 || costs[0] > 11.13 {
		t.Errorf("haversine cost %v, want about 11.12 km", costs)
	}
	res, err := Solve(context.Background(), in, Params{Problem: LSCP})
	if err != nil || res.Objective != 1 || res.Covered != 7 {
		t.Errorf("lscp: %+v %v", res, err)
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	const pts = `"demand": [{"x": 0, "y": 0}], "candidates": [{"x": 0, "y": 0}]`
	for _, c := range []struct{ src, want string }{
		{`{` + pts + `, "colour": 1}`, `unknown field "colour"`},
		{`{"demand": [{"x": 0, "y": 0, "weigth": 1}], "candidates": [{"x": 0, "y": 0}]}`, `unknown field "weigth"`},
		{`{` + pts + `} {}`, "unexpected data after the instance object"},
		{`{` + pts + `,}`, "line 1, column"},
		{`{` + pts, "unexpected end of input"},
		{`{"p": "three", ` + pts + `}`, "p: cannot use string"},
		{`{"p": -1, ` + pts + `}`, "p = -1 must not be negative"},
		{`{"radius": NaN, ` + pts + `}`, "invalid character 'N'"},
		{`{"radius": 1e999, ` + pts + `}`, "cannot use number 1e999"},
		{`{"problem": "tsp", ` + pts + `}`, `unknown problem "tsp"`},
		{`{"metric": "manhattan", ` + pts + `}`, `unknown metric "manhattan"`},
		{`{"coverage_target": 1.2, ` + pts + `}`, "coverage_target 1.2 must lie in [0, 1]"},
		{`{"demand": [], "candidates": [{"x": 0, "y": 0}]}`, "no demand points"},
		{`{"demand": [{"x": 0, "y": 0}], "candidates": []}`, "no candidates"},
		{`{"demand": [{"x": 0, "y": 0, "weight": -2}], "candidates": [{"x": 0, "y": 0}]}`, "demand 0: weight -2"},
		{`{"demand": [{"id": "a", "x": 0, "y": 0}, {"id": "a", "x": 1, "y": 0}], "candidates": [{"x": 0, "y": 0}]}`, `demand 1 ("a"): duplicate id`},
		{`{"demand": [{"x": 0, "y": 0}], "candidates": [{"x": 0, "y": 0, "status": "closed"}]}`, `candidate 0: unknown site status "closed"`},
		{`{"metric": "haversine", "demand": [{"x": 200, "y": 0}], "candidates": [{"x": 0, "y": 0}]}`, "not a longitude/latitude pair"},
		{`{"costs": [[0, 0, 1]], ` + pts + `}`, "costs are only read with metric given"},
		{`{"metric": "given", ` + pts + `}`, "metric given needs costs"},
		{`{"metric": "given", "costs": [[0, 1, 1]], ` + pts + `}`, "costs[0]: candidate index 1 is not an index in [0, 1)"},
		{`{"metric": "given", "costs": [[0.5, 0, 1]], ` + pts + `}`, "costs[0]: demand index 0.5"},
		{`{"metric": "given", "costs": [[0, 0]], ` + pts + `}`, "got 2 numbers"},
		{`{"metric": "given", "costs": [[0, 0, -1]], ` + pts + `}`, "cost -1 must be"},
		{`{"metric": "given", "costs": [[0, 0, 1], [0, 0, 2]], ` + pts + `}`, "costs[1]: pair (0, 0) given twice"},
	} {
		_, err := DecodeJSON(strings.NewReader(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n  error %v\n  want it to contain %q", c.src, err, c.want)
		}
	}
}

func TestReadInstanceJSON(t *testing.T) {
	in, err := ReadInstance(FormatJSON, strings.NewReader(`{"demand": [{"x": 0, "y": 0}, {"x": 3, "y": 4}], "candidates": [{"x": 0, "y": 0}]}`), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, costs := in.Costs.Row(1); len(costs) != 1 || costs[0] != 5 {
		t.Errorf("costs %v, want [5]", costs)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	f.Add(`{"problem": "mclp", "p": 1, "radius": 2, "demand": [{"x": 0, "y": 0, "weight": 1}], "candidates": [{"x": 1, "y": 0}]}`)
	f.Add(`{"metric": "given", "demand": [{"x": 0, "y": 0}], "candidates": [{"x": 0, "y": 0}], "costs": [[0, 0, 1]]}`)
	f.Fuzz(func(t *testing.T, src string) {
		js, err := DecodeJSON(strings.NewReader(src))
		if err != nil {
			return
		}
		in, err := js.Instance(0)
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("decoded instance invalid: %v", err)
		}
	})
}
